/**
 * The traffic step on its own, against the simulated world: it refuses what it must not run
 * with nothing changed, and a move it cannot finish says why in its actions.
 */
import { handler as traffic } from '../../lambda/runbook-traffic';
import { acquireLock } from '../../lambda/shared/lock';
import { EAST, testConfig, WEST } from './fixtures';
import { Fault, SimOptions, SimulatedAws } from './simulator';

const EXEC = 'arn:aws:states:us-west-2:111111111111:execution:shop-failover:t-1';
const request = { action: 'failover', mode: 'unplanned', allowDataLoss: true, requestId: 't-1', reason: 'drill' };

async function step(world: Omit<SimOptions, 'config'>, req: Record<string, unknown> = request, faults: Fault[] = []): Promise<{ out?: Awaited<ReturnType<typeof traffic>>; error?: Error; sim: SimulatedAws }> {
  const config = testConfig({});
  const sim = new SimulatedAws({ config, ...world });
  sim.faults.push(...faults);
  sim.install();
  process.env.RUNBOOK_CONFIG = JSON.stringify(config);
  process.env.AWS_MAX_ATTEMPTS = '1';
  process.env.AWS_REGION = WEST;
  try {
    sim.time.set('main', 1000);
    await sim.time.run('main', () => acquireLock(config, EXEC, 't-1'));
    const calls = sim.calls.length;
    const out = await sim.time.run('main', () => traffic({ request: req, execution: EXEC })).then(
      (o) => ({ out: o }),
      (e: Error) => ({ error: e }),
    );
    sim.calls.splice(0, calls);
    return { ...out, sim };
  } finally {
    sim.uninstall();
  }
}

const WRITER_WEST = { writerRegion: WEST, desired: { [WEST]: 6, [EAST]: 0 } };

test('action plan is refused (InvalidRequest) with nothing called', async () => {
  const { error, sim } = await step(WRITER_WEST, { ...request, action: 'plan' });
  expect(error?.name).toBe('RunbookRefused');
  expect(error?.message).toBe('InvalidRequest: action: plan changes nothing');
  expect(sim.calls).toEqual([]);
});

test("a target gate held closed in a source that takes no writes: the move says it is blocked, in its actions too", async () => {
  const { out } = await step({ ...WRITER_WEST, closedGates: [`${WEST}@${EAST}`] }, request, [{ region: EAST, command: 'PutMetricDataCommand', kind: 'unreachable' }]);
  expect(out?.step).toBe('traffic');
  const blocked = `the gate of ${WEST} held in ${EAST} reads closed and ${EAST} does not answer (TimeoutError): Route 53 keeps ${WEST} withdrawn until ${EAST} answers and a run reopens it`;
  expect(out?.blocked).toBe(blocked);
  // The source is fenced from the target instead, and the blocked move is the last action.
  expect(out?.actions).toEqual([`closed the gate of ${EAST} in ${WEST} (${EAST} did not answer: TimeoutError); it holds when ${EAST} recovers`, blocked]);
  expect(out?.sourceClosedIn).toBe(WEST);
});
