/**
 * The simulator's Route 53 reads a traffic gate the way AWS documents it: the alarm's data
 * stream, not its state, and the health check's InsufficientDataHealthStatus (LastKnownStatus
 * for every gate) once the stream is silent. The fault matrix relies on this model; these
 * tests pin it, so a model that let a single write hold "because the alarm keeps its state"
 * (the bug a review found) cannot come back unnoticed.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { EAST, testConfig, WEST } from './fixtures';
import { SimulatedAws } from './simulator';

const config = testConfig({});

async function writeGate(sim: SimulatedAws, gated: string, holding: string, closed: boolean): Promise<void> {
  await sim.time.run('main', () =>
    new CloudWatchClient({ region: holding }).send(
      new PutMetricDataCommand({
        Namespace: 'CdkResilience/TrafficGates/shop',
        MetricData: [{ MetricName: 'Closed', Dimensions: [{ Name: 'Strategy', Value: 'shop' }, { Name: 'Region', Value: gated }], Value: closed ? 1 : 0 }],
      }),
    ),
  );
}

describe('simulator: Route 53 reading traffic gates', () => {
  let sim: SimulatedAws;
  beforeEach(() => {
    sim = new SimulatedAws({ config });
    sim.install();
  });
  afterEach(() => sim.uninstall());

  test('a gate never written is open; one write turns it after the delay and holds for hours of silence', async () => {
    expect(sim.recordHealthy(EAST, 10)).toBe(true);
    sim.time.advance(100);
    await writeGate(sim, EAST, EAST, true);
    expect(sim.recordHealthy(EAST, 100 + 89)).toBe(true);
    expect(sim.recordHealthy(EAST, 100 + 91)).toBe(false);
    // The datapoint left the stream 60 s later: LastKnownStatus keeps the gate closed.
    for (const t of [100 + 200, 100 + 3600, 100 + 86_400]) expect(sim.recordHealthy(EAST, t)).toBe(false);
  });

  test('opening again holds too; the maximum of one period wins (a close and an open together read closed)', async () => {
    await writeGate(sim, EAST, EAST, true);
    sim.time.advance(300);
    await writeGate(sim, EAST, EAST, false);
    expect(sim.recordHealthy(EAST, 300 + 91)).toBe(true);
    expect(sim.recordHealthy(EAST, 300 + 7200)).toBe(true);
    sim.time.advance(300);
    await writeGate(sim, EAST, EAST, true);
    sim.time.advance(1);
    await writeGate(sim, EAST, EAST, false);
    expect(sim.recordHealthy(EAST, 601 + 91)).toBe(false);
  });

  test('while the holding Region is down Route 53 keeps what it knew when the outage began, and after it', async () => {
    await writeGate(sim, WEST, EAST, true); // the standby's gate held in the primary Region: closed
    sim.time.advance(450);
    await writeGate(sim, WEST, EAST, false); // opened at 450, which Route 53 would read from 540 on...
    sim.faults.push({ region: EAST, kind: 'unreachable', from: 500, until: 2000 }); // ...but us-east-1 is down from 500
    // The standby's record is decided by its gates alone.
    expect(sim.recordHealthy(WEST, 400)).toBe(false);
    expect(sim.recordHealthy(WEST, 1000)).toBe(false);
    // Back at 2000, the stream has nothing recent: the status stays the one last read, closed.
    expect(sim.recordHealthy(WEST, 5000)).toBe(false);
    // Without the outage the open would have been read.
    sim.faults.pop();
    expect(sim.recordHealthy(WEST, 5000)).toBe(true);
  });

  test('failover routing: the PRIMARY while its record is healthy, else the SECONDARY if healthy, else the PRIMARY (fail open)', async () => {
    expect(sim.answerAt(10)).toEqual([EAST]);
    await writeGate(sim, EAST, WEST, true);
    expect(sim.answerAt(200)).toEqual([WEST]);
    sim.time.advance(10);
    await writeGate(sim, WEST, WEST, true);
    expect(sim.answerAt(300)).toEqual([EAST]);
  });
});
