/**
 * The traffic gates on their own (lambda/shared/gates.ts), against aws-sdk-client-mock: what
 * is read and written, in which Region, what each alarm state means, and each branch of the
 * move and of the fence kept until Route 53 reads it. Mutation testing found these held only
 * loosely by the fault matrix, whose worlds never start with the target's own gate closed.
 */
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { installClock } from '../../lambda/shared/clock';
import { keepFence, moveGates, readGate, writeGate } from '../../lambda/shared/gates';
import { EAST, testConfig, WEST } from '../dr/fixtures';

const cw = mockClient(CloudWatchClient);
const config = testConfig({}); // failover: source us-east-1, target us-west-2
const T = WEST;
const S = EAST;
const alarm = (gated: string, holding: string): string => `shop-gate-${gated}-in-${holding}`;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
let clock = T0;

/** A world of gate alarms: state by alarm name; Regions whose CloudWatch does not answer (reads, writes or both). */
interface World {
  states: Record<string, string | undefined>;
  readDown?: string[];
  writeDown?: string[];
}
/** Every write, with the Region it went to. */
let writes: { region: string; gated: string; value: number }[] = [];

function install(w: World): void {
  cw.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames: string[] }, getClient) => {
    const region = await getClient().config.region();
    if ((w.readDown ?? []).includes(region)) throw Object.assign(new Error('down'), { name: 'TimeoutError' });
    const name = input.AlarmNames[0];
    if (!name.endsWith(`-in-${region}`)) throw new Error(`read ${name} in ${region}: the wrong Region`);
    const state = w.states[name];
    return { MetricAlarms: state ? [{ AlarmName: name, StateValue: state }] : [] };
  });
  cw.on(PutMetricDataCommand).callsFake(async (input: { MetricData: { Dimensions: { Name: string; Value: string }[]; Value: number }[] }, getClient) => {
    const region = await getClient().config.region();
    if ((w.writeDown ?? []).includes(region)) throw Object.assign(new Error('down'), { name: 'TimeoutError' });
    const gated = input.MetricData[0].Dimensions.find((d) => d.Name === 'Region')!.Value;
    writes.push({ region, gated, value: input.MetricData[0].Value });
    return {};
  });
}

beforeEach(() => {
  cw.reset();
  writes = [];
  clock = T0;
  installClock({ now: () => clock });
  process.env.AWS_MAX_ATTEMPTS = '1';
});
afterAll(() => installClock(undefined));

describe('readGate', () => {
  test.each([
    ['ALARM', 'closed'],
    ['OK', 'open'],
    // A gate never written: Route 53 reads a new gate as healthy.
    ['INSUFFICIENT_DATA', 'open'],
    [undefined, 'unknown'],
  ])('an alarm in state %s reads %s', async (state, expected) => {
    install({ states: { [alarm(S, S)]: state } });
    expect(await readGate(config, S, S, 1000)).toBe(expected);
    expect(cw.commandCalls(DescribeAlarmsCommand)[0].args[0].input).toEqual({ AlarmNames: [alarm(S, S)] });
  });

  test('no answer from the holding Region reads unknown (not open, not an error)', async () => {
    install({ states: { [alarm(S, S)]: 'ALARM' }, readDown: [S] });
    expect(await readGate(config, S, S, 1000)).toBe('unknown');
  });

  test('an answer without MetricAlarms reads unknown', async () => {
    cw.on(DescribeAlarmsCommand).resolves({});
    expect(await readGate(config, S, S, 1000)).toBe('unknown');
  });

  test('a read the role may not make is a deployment problem, thrown with what was read and where', async () => {
    cw.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
    await expect(readGate(config, T, S, 1000)).rejects.toMatchObject({
      name: 'RunbookPermissionDenied',
      message: `the runbook's role may not read the traffic gate alarm ${alarm(T, S)} in ${S} (AccessDeniedException: no); this is a deployment problem: check the function's IAM policy`,
    });
  });

  test('the read is bounded: the call gets an abort signal', async () => {
    install({ states: {} });
    await readGate(config, T, S, 1000);
    expect((cw.commandCalls(DescribeAlarmsCommand)[0].args as unknown[])[1]).toEqual({ abortSignal: expect.any(AbortSignal) });
  });

  test('a gate the configuration does not have, or a routing-control runbook, is a programming error', async () => {
    await expect(readGate(config, 'eu-west-1', S, 1000)).rejects.toThrow('no traffic gate of eu-west-1 in us-east-1 in the configuration');
    await expect(readGate(testConfig({ traffic: 'routing-control' }), S, S, 1000)).rejects.toThrow('traffic gates exist in health-check mode only');
  });
});

describe('writeGate', () => {
  test('writes Closed = 1 (or 0) for the gated Region, in the holding Region, now, bounded', async () => {
    install({ states: {} });
    expect(await writeGate(config, S, T, true, 1000)).toBe(true);
    expect(await writeGate(config, T, S, false, 1000)).toBe(true);
    const [close, open] = cw.commandCalls(PutMetricDataCommand);
    expect(close.args[0].input).toEqual({
      Namespace: 'CdkResilience/TrafficGates/shop',
      MetricData: [{ MetricName: 'Closed', Dimensions: [{ Name: 'Strategy', Value: 'shop' }, { Name: 'Region', Value: S }], Timestamp: new Date(T0), Value: 1, Unit: 'Count' }],
    });
    expect(open.args[0].input.MetricData?.[0].Value).toBe(0);
    expect((close.args as unknown[])[1]).toEqual({ abortSignal: expect.any(AbortSignal) });
    expect(writes).toEqual([
      { region: T, gated: S, value: 1 },
      { region: S, gated: T, value: 0 },
    ]);
  });

  test('a Region that does not answer gives the error back, not a throw', async () => {
    install({ states: {}, writeDown: [S] });
    const out = await writeGate(config, S, S, true, 1000);
    expect(out).toBeInstanceOf(Error);
    expect((out as Error).name).toBe('TimeoutError');
  });
});

describe('moveGates', () => {
  const settled = { [alarm(T, T)]: 'OK', [alarm(T, S)]: 'OK', [alarm(S, S)]: 'ALARM', [alarm(S, T)]: 'OK' };

  test('everything already as it should be: nothing changed, no action, each gate written again all the same', async () => {
    install({ states: settled });
    expect(await moveGates(config)).toEqual({ actions: [], sourceClosedIn: S, blocked: undefined, changed: false });
    expect(writes).toEqual([
      { region: T, gated: T, value: 0 },
      { region: S, gated: T, value: 0 },
      { region: S, gated: S, value: 1 },
    ]);
  });

  test("the target's own gate closed (a pilot light's armed fence): opened, and said so", async () => {
    install({ states: { ...settled, [alarm(T, T)]: 'ALARM' } });
    const move = await moveGates(config);
    expect(move.actions).toEqual([`opened the gate of ${T} in ${T}`]);
    expect(move.changed).toBe(true);
    expect(writes[0]).toEqual({ region: T, gated: T, value: 0 });
  });

  test("the target's own gate cannot be opened: the move fails (its own Region)", async () => {
    install({ states: { ...settled, [alarm(T, T)]: 'ALARM' }, writeDown: [T] });
    await expect(moveGates(config)).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  test("the target's gate held closed in the source: opened there, and said so", async () => {
    install({ states: { ...settled, [alarm(T, S)]: 'ALARM' } });
    const move = await moveGates(config);
    expect(move).toMatchObject({ actions: [`opened the gate of ${T} in ${S}`], changed: true, blocked: undefined });
  });

  test("the target's gate in a source that does not answer at all: not blocked (it reads unknown), the source fenced from the target", async () => {
    install({ states: settled, readDown: [S], writeDown: [S] });
    const move = await moveGates(config);
    expect(move.blocked).toBeUndefined();
    expect(move.sourceClosedIn).toBe(T);
    expect(move.actions).toEqual([`closed the gate of ${S} in ${T} (${S} did not answer: TimeoutError); it holds when ${S} recovers`]);
    expect(writes).toContainEqual({ region: T, gated: S, value: 1 });
  });

  test('the source open and answering: closed in the source, and said so', async () => {
    install({ states: { ...settled, [alarm(S, S)]: 'OK' } });
    const move = await moveGates(config);
    expect(move).toEqual({ actions: [`closed the gate of ${S} in ${S}`], sourceClosedIn: S, blocked: undefined, changed: true });
  });

  test('the source does not take the write but its closure is already held in the target: nothing more written there', async () => {
    install({ states: { ...settled, [alarm(S, S)]: 'OK', [alarm(S, T)]: 'ALARM' }, writeDown: [S] });
    const move = await moveGates(config);
    expect(move).toEqual({ actions: [], sourceClosedIn: T, blocked: undefined, changed: false });
    expect(writes.filter((w) => w.gated === S)).toEqual([]);
  });

  test('the source unreachable and the closure in the target cannot be written either: the move fails', async () => {
    install({ states: { ...settled, [alarm(S, S)]: 'OK' }, writeDown: [S, T] });
    // The target's own gate reads open, so the first write that must succeed is the closure.
    cw.on(PutMetricDataCommand).callsFake(async (input: { MetricData: { Dimensions: { Name: string; Value: string }[] }[] }) => {
      const gated = input.MetricData[0].Dimensions.find((d) => d.Name === 'Region')!.Value;
      if (gated === S) throw Object.assign(new Error('down'), { name: 'TimeoutError' });
      return {};
    });
    await expect(moveGates(config)).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});

describe('keepFence', () => {
  const moved = new Date(T0).toISOString();
  const delay = config.traffic.kind === 'health-check' ? config.traffic.gates.delaySeconds : 0;

  test('a fence Route 53 reads closed, or a routing-control runbook: nothing written, the last re-closure kept', async () => {
    install({ states: {} });
    clock = T0 + 3600_000;
    expect(await keepFence(config, true, moved, 'kept')).toEqual({ reclosedAt: 'kept' });
    expect(await keepFence(testConfig({ traffic: 'routing-control' }), false, moved, 'kept')).toEqual({ reclosedAt: 'kept' });
    expect(writes).toEqual([]);
  });

  test('not read closed: the first re-closure comes one read window (60 s) past the delay after the move, in the target', async () => {
    install({ states: {} });
    clock = T0 + (delay + 60) * 1000 - 1;
    expect(await keepFence(config, false, moved)).toEqual({ reclosedAt: undefined });
    expect(writes).toEqual([]);
    clock = T0 + (delay + 60) * 1000;
    const out = await keepFence(config, false, moved);
    expect(out).toEqual({
      action: `Route 53 did not read the closure of ${S} (its fence record is not closed): closed its gate in ${T} as well, which holds when ${S} comes back`,
      reclosedAt: new Date(clock).toISOString(),
    });
    expect(writes).toEqual([{ region: T, gated: S, value: 1 }]);
  });

  test('after a re-closure, the next comes one delay later', async () => {
    install({ states: {} });
    const last = new Date(T0).toISOString();
    clock = T0 + delay * 1000 - 1;
    expect(await keepFence(config, false, moved, last)).toEqual({ reclosedAt: last });
    clock = T0 + delay * 1000;
    expect((await keepFence(config, false, moved, last)).reclosedAt).toBe(new Date(clock).toISOString());
  });

  test('a re-closure the target does not take fails the step', async () => {
    install({ states: {}, writeDown: [T] });
    clock = T0 + 3600_000;
    await expect(keepFence(config, false, moved)).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
