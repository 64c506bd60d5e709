/**
 * Preflight on its own against the simulated world: the plan it reads from both Regions (the
 * steps it lists, in order and words), what it refuses and when not, when it finds the move
 * already done, its warnings and the lag it reads. Mutation testing (npm run mutation) found
 * these unchecked: the fault matrix reads only whether a run ends safe, not what the plan said.
 */
import type { Plan, RunbookConfig } from '../../protocol';
import { preflight, validatedRequest } from '../../lambda/shared/preflight';
import { EAST, testConfig, WEST } from './fixtures';
import { inWorld, PLANNED, UNPLANNED, WorldOptions } from './step-world';

const aurora = testConfig({ strategy: 'warm-standby' });
const replica = testConfig({ strategy: 'pilot-light', database: 'replica' });
const READY = { desired: { [EAST]: 6, [WEST]: 6 } };
/** The move done: the writer, the capacity and Route 53's answers in WEST, EAST's gates read closed. */
const MOVED = { writerRegion: WEST, desired: { [EAST]: 0, [WEST]: 6 }, closedGates: [`${EAST}@${EAST}`, `${EAST}@${WEST}`] };

async function plan(o: WorldOptions & { request?: Record<string, unknown> }): Promise<{ plan?: Plan; error?: Error; calls: string[] }> {
  const config = o.config ?? aurora;
  const r = await inWorld({ ...o, config }, (_sim, c) => preflight(c, validatedRequest(o.request ?? UNPLANNED, c)));
  return { plan: r.value, error: r.error, calls: r.sim.calls.map((c) => c.command) };
}
const failback = (c: RunbookConfig): RunbookConfig => ({ ...c, direction: 'failback', sourceRegion: WEST, targetRegion: EAST, compute: { source: c.compute.target, target: c.compute.source } });
const asPlan = (r: Record<string, unknown>): Record<string, unknown> => ({ ...r, action: 'plan' });

describe('the request, checked again where a step runs', () => {
  test('every problem is named, field by field, in one refusal', () => {
    expect(() => validatedRequest({ action: 'failover', mode: 'sideways', extra: 1 }, aurora)).toThrow(/^InvalidRequest: \w+: .+; \w+: .+/);
    try {
      validatedRequest({ action: 'failover', mode: 'sideways', extra: 1 }, aurora);
    } catch (e) {
      const parts = (e as Error).message.replace(/^InvalidRequest: /, '').split('; ');
      expect(parts.some((p) => p.startsWith('mode: '))).toBe(true);
      expect(parts.some((p) => p.startsWith('extra: '))).toBe(true);
    }
  });

  test('a valid request goes on with only its validated fields', () => {
    expect(validatedRequest({ ...UNPLANNED, requestedBy: 'ops' }, aurora)).toMatchObject({ action: 'failover', mode: 'unplanned', allowDataLoss: true, requestedBy: 'ops' });
  });
});

describe('what the topology refuses whatever the Regions say', () => {
  test.each<[string, RunbookConfig, string]>([
    ['a read replica', failback(replica), 'read replica'],
    ['a replica cluster', failback(testConfig({ strategy: 'pilot-light', database: 'aurora-replica' })), 'replica cluster'],
  ])('moving back from %s needs a new replica: refused before any call; as a plan, reported', async (_n, config, what) => {
    const back = { ...UNPLANNED, action: 'failback' };
    const r = await plan({ config, request: back });
    expect(r.error?.message).toBe(`ReprotectionRequired: the ${what} was promoted in us-west-2; moving back to us-east-1 needs a new replica there first (see docs/runbooks.md, failback)`);
    expect(r.calls).toEqual([]);
    const p = await plan({ config, request: asPlan(back) });
    expect(p.error).toBeUndefined();
    expect(p.plan?.refusal?.code).toBe('ReprotectionRequired');
  });

  test.each<[string, RunbookConfig, string]>([
    ['a read replica', replica, 'read replica'],
    ['a replica cluster', testConfig({ strategy: 'pilot-light', database: 'aurora-replica' }), 'replica cluster'],
  ])('promoting %s without allowDetach: refused, and the message says what it would leave', async (_n, config, what) => {
    const r = await plan({ config, world: READY, request: { ...UNPLANNED, allowDetach: undefined } });
    expect(r.error?.message).toBe(
      `DetachConsentRequired: promoting the ${what} in us-west-2 makes it writable while the source in us-east-1 keeps accepting writes whenever it answers (RDS never demotes it); the runbook fences us-east-1 first and keeps it fenced. To accept two writable databases, re-run with allowDetach: true`,
    );
    const p = await plan({ config, world: READY, request: asPlan({ ...UNPLANNED, allowDetach: undefined }) });
    expect(p.plan?.refusal?.code).toBe('DetachConsentRequired');
  });

  test('an Aurora global database needs no consent to detach for a managed failover', async () => {
    const r = await plan({ world: READY, request: { ...UNPLANNED, allowDetach: undefined } });
    expect(r.error).toBeUndefined();
    expect(r.plan?.refusal).toBeUndefined();
  });
});

describe('the steps it lists', () => {
  test('Aurora, unplanned, the standby short of capacity: scale, fail over (and detach if refused, with consent), fence, verify, notify', async () => {
    const r = await plan({ world: { desired: { [EAST]: 6, [WEST]: 3 } } });
    expect(r.plan?.steps).toEqual([
      'scale shop-web-us-west-2 in us-west-2 to 6 and wait for 6 healthy targets',
      'fail the Aurora global database over to us-west-2 (FailoverGlobalCluster with AllowDataLoss, from us-west-2); if Aurora refuses it, fence the source and detach-and-promote (allowDetach)',
      "open us-west-2's traffic gates and close us-east-1's (alarms Route 53 reads; held in us-east-1 if it answers, else in us-west-2)",
      'verify on the data plane that Route 53 answers us-west-2 only, that it holds the writer and 6 healthy targets, for one DNS TTL',
      'notify with the timeline',
    ]);
    const noDetach = await plan({ world: READY, request: { ...UNPLANNED, allowDetach: undefined } });
    expect(noDetach.plan?.steps[0]).toBe('fail the Aurora global database over to us-west-2 (FailoverGlobalCluster with AllowDataLoss, from us-west-2)');
  });

  test('Aurora, planned, the standby at full capacity: no scaling, the switchover from the primary Region', async () => {
    const r = await plan({ world: READY, request: PLANNED });
    expect(r.plan?.steps.slice(0, 2)).toEqual([
      'once us-west-2 has its capacity, switch the Aurora global database writer to us-west-2 (SwitchoverGlobalCluster from us-east-1, no data loss)',
      "open us-west-2's traffic gates and close us-east-1's (alarms Route 53 reads; held in us-east-1 if it answers, else in us-west-2)",
    ]);
    expect(r.plan?.dataLossRiskSeconds).toBe(0);
  });

  test('a read replica: fence and wait for Route 53 first, the lag at 0 when planned, then promote', async () => {
    const planned = await plan({ config: replica, world: READY, request: PLANNED });
    expect(planned.plan?.steps.slice(0, 3)).toEqual([
      "once us-west-2 has its capacity, open us-west-2's traffic gates and close us-east-1's (alarms Route 53 reads; held in us-east-1 if it answers, else in us-west-2), and wait until Route 53 answers us-west-2 and resolvers dropped the old answer",
      'wait until the replica has applied every write (lag 0)',
      'promote the read replica in us-west-2 (PromoteReadReplica)',
    ]);
    const unplanned = await plan({ config: replica, world: READY });
    expect(unplanned.plan?.steps[1]).toBe('promote the read replica in us-west-2 (PromoteReadReplica)');
    const cluster = await plan({ config: testConfig({ strategy: 'pilot-light', database: 'aurora-replica' }), world: READY });
    expect(cluster.plan?.steps[1]).toBe('promote the replica cluster in us-west-2 (PromoteReadReplicaDBCluster)');
  });

  test('routing controls: one atomic data-plane call', async () => {
    const r = await plan({ config: testConfig({ strategy: 'warm-standby', traffic: 'routing-control' }), world: READY });
    expect(r.plan?.steps[1]).toBe('set routing controls: us-west-2 On, us-east-1 Off (one atomic data-plane call)');
  });

  test('the writer already in the target, traffic not: only the fence, verify and notify', async () => {
    const r = await plan({
      world: { writerRegion: WEST, desired: { [EAST]: 6, [WEST]: 6 } },
      answers: () => ({ [`_status.${EAST}.shop.example.com`]: 'serving', [`_status.${WEST}.shop.example.com`]: 'withdrawn' }),
    });
    expect(r.plan?.alreadyDone).toBe(false);
    expect(r.plan?.steps).toEqual([
      "open us-west-2's traffic gates and close us-east-1's (alarms Route 53 reads; held in us-east-1 if it answers, else in us-west-2)",
      'verify on the data plane that Route 53 answers us-west-2 only, that it holds the writer and 6 healthy targets, for one DNS TTL',
      'notify with the timeline',
    ]);
  });

  test('what it read, said in one action', async () => {
    const r = await plan({ world: READY });
    expect(r.plan?.actions).toEqual(['read us-east-1 (reachable) and us-west-2; Route 53 answers us-east-1 serving, us-west-2 withdrawn']);
    const down = await plan({ world: READY, faults: [{ region: EAST, kind: 'unreachable' }] });
    expect(down.plan?.actions[0]).toMatch(/^read us-east-1 \(unreachable\) and us-west-2; /);
  });

  test('who asked, as the request says', async () => {
    const r = await plan({ world: READY, request: { ...UNPLANNED, requestedBy: 'alice' } });
    expect(r.plan?.requestedBy).toBe('alice');
  });
});

describe('already done', () => {
  test('the writer, the capacity and Route 53 in the target, the source read fenced: done, no steps', async () => {
    const r = await plan({ world: MOVED, request: PLANNED });
    expect(r.error).toBeUndefined();
    expect(r.plan).toMatchObject({ alreadyDone: true, steps: [] });
    // A planned move that is done is not refused for the primary it left.
    expect(r.plan?.refusal).toBeUndefined();
  });

  test.each<[string, WorldOptions]>([
    ['the writer still in the source', { world: { ...MOVED, writerRegion: EAST } }],
    ['the target short of healthy targets', { world: { ...MOVED, desired: { [EAST]: 0, [WEST]: 3 } } }],
    ["Route 53 still answering the source", { answers: () => ({ [`_status.${EAST}.shop.example.com`]: 'serving' }) }],
    ["the source's fence not read closed", { answers: () => ({ [`_fence.${EAST}.shop.example.com`]: 'open' }) }],
    ['Route 53 not answering the target', { answers: () => ({ [`_status.${WEST}.shop.example.com`]: 'withdrawn' }) }],
  ])('not done when only %s', async (_n, o) => {
    const r = await plan({ world: MOVED, ...o });
    expect(r.plan?.alreadyDone).toBe(false);
    expect(r.plan?.steps.length).toBeGreaterThan(0);
  });

  test('not done while an operation on the global database is under way, the writer already in the target', async () => {
    const modifying = (sim: unknown): void => {
      const s = sim as { describeGlobal(r: string): { GlobalClusters: object[] } };
      const read = s.describeGlobal.bind(sim);
      Object.assign(sim as object, { describeGlobal: (r: string) => ({ GlobalClusters: read(r).GlobalClusters.map((g) => ({ ...g, Status: 'modifying' })) }) });
    };
    const r = await plan({ world: MOVED, tweak: modifying });
    expect(r.plan?.target.writer).toBe(true);
    expect(r.plan?.alreadyDone).toBe(false);
    expect(r.plan?.warnings).toContain('a database operation is under way (modifying); the run follows it');
  });

  test('not done while a database operation is under way, and the warning says the run follows it', async () => {
    const r = await plan({ config: replica, world: MOVED, tweak: (sim) => Object.assign(sim, { replica: { requestedAt: 0, doneAt: 1e9 } }) });
    expect(r.plan?.alreadyDone).toBe(false);
    expect(r.plan?.warnings).toContain('a database operation is under way (replica, modifying); the run follows it');
  });
});

describe('what it refuses from what it reads', () => {
  test('planned with the primary unreachable or unhealthy: PrimaryUnhealthy, saying which', async () => {
    const down = await plan({ world: READY, request: PLANNED, faults: [{ region: EAST, kind: 'unreachable' }] });
    expect(down.error?.message).toBe('PrimaryUnhealthy: a planned switchover needs a healthy primary, and us-east-1 is unreachable; re-run with mode unplanned and allowDataLoss: true');
    const empty = await plan({ world: { desired: { [EAST]: 0, [WEST]: 6 } }, request: PLANNED });
    expect(empty.error?.message).toBe('PrimaryUnhealthy: a planned switchover needs a healthy primary, and us-east-1 is unhealthy; re-run with mode unplanned and allowDataLoss: true');
    // Unplanned is for exactly that.
    const unplanned = await plan({ world: READY, faults: [{ region: EAST, kind: 'unreachable' }] });
    expect(unplanned.error).toBeUndefined();
    // The writer already in the target: a planned run only moves traffic.
    const writerMoved = await plan({
      world: { writerRegion: WEST, desired: { [EAST]: 0, [WEST]: 6 } },
      request: PLANNED,
      answers: () => ({ [`_status.${EAST}.shop.example.com`]: 'serving', [`_status.${WEST}.shop.example.com`]: 'withdrawn' }),
    });
    expect(writerMoved.error).toBeUndefined();
    expect(writerMoved.plan?.alreadyDone).toBe(false);
  });

  test('planned Aurora with the lag above the bound: ReplicationLagTooHigh; at the bound, or a replica, or unplanned: not refused', async () => {
    const lagging = (s: number) => ({ tweak: (sim: unknown) => Object.assign(sim as object, { lagNow: () => s }) });
    const over = await plan({ world: READY, request: PLANNED, ...lagging(6) });
    expect(over.error?.message).toBe('ReplicationLagTooHigh: replication lag into us-west-2 is 6 s, above the 5 s a planned switchover waits for; retry later, or run unplanned');
    expect((await plan({ world: READY, request: PLANNED, ...lagging(5) })).error).toBeUndefined();
    expect((await plan({ config: replica, world: READY, request: PLANNED, ...lagging(6) })).error).toBeUndefined();
    const unplanned = await plan({ world: READY, ...lagging(6) });
    expect(unplanned.error).toBeUndefined();
    expect(unplanned.plan).toMatchObject({ replicationLagSeconds: 6, dataLossRiskSeconds: 6 });
    const asked = await plan({ world: READY, request: asPlan(PLANNED), ...lagging(6) });
    expect(asked.plan?.refusal?.code).toBe('ReplicationLagTooHigh');
    // A move already done is not refused for the lag.
    const done = await plan({ world: MOVED, request: PLANNED, ...lagging(6) });
    expect(done.error).toBeUndefined();
    expect(done.plan?.alreadyDone).toBe(true);
  });

  test('a refusal by design is the one reported, not one read from the Regions after it', async () => {
    const r = await plan({ config: replica, world: READY, request: asPlan({ ...PLANNED, allowDetach: undefined }), faults: [{ region: EAST, kind: 'unreachable' }] });
    expect(r.plan?.refusal?.code).toBe('DetachConsentRequired');
  });
});

describe('the lag and the warnings', () => {
  test('the lag read at the first try: read once', async () => {
    const r = await plan({ world: READY, tweak: (sim) => Object.assign(sim, { lagNow: () => 1 }) });
    expect(r.plan?.replicationLagSeconds).toBe(1);
    expect(r.calls.filter((c) => c === 'GetMetricDataCommand')).toHaveLength(1);
    expect(r.plan?.step).toBe('preflight');
  });

  test('the lag read fails twice: read on the third try', async () => {
    const r = await plan({ world: READY, faults: [{ command: 'GetMetricDataCommand', kind: 'error5xx', times: 2 }], tweak: (sim) => Object.assign(sim, { lagNow: () => 3 }) });
    expect(r.plan?.replicationLagSeconds).toBe(3);
    expect(r.plan?.warnings).toEqual([]);
    expect(r.calls.filter((c) => c === 'GetMetricDataCommand')).toHaveLength(3);
  });

  test('three failures: unknown, and an unplanned plan warns that an unknown amount is at risk', async () => {
    const r = await plan({ world: READY, faults: [{ command: 'GetMetricDataCommand', kind: 'error5xx' }] });
    expect(r.plan?.replicationLagSeconds).toBeUndefined();
    expect(r.plan?.warnings).toEqual(['the replication lag could not be read: an unknown amount of writes is at risk']);
    expect(r.calls.filter((c) => c === 'GetMetricDataCommand')).toHaveLength(3);
    const planned = await plan({ world: READY, request: PLANNED, faults: [{ command: 'GetMetricDataCommand', kind: 'error5xx' }] });
    expect(planned.plan?.warnings).toEqual([]);
  });

  test('no datapoint is an answer: not asked again', async () => {
    const r = await plan({ world: READY, tweak: (sim) => Object.assign(sim, { lagNow: () => undefined }) });
    expect(r.plan?.replicationLagSeconds).toBeUndefined();
    expect(r.calls.filter((c) => c === 'GetMetricDataCommand')).toHaveLength(1);
  });

  test('the role may not read the lag: the run stops (a deployment problem, not an unknown lag)', async () => {
    const r = await plan({ world: READY, faults: [{ command: 'GetMetricDataCommand', kind: 'denied' }] });
    expect(r.error?.name).toBe('AccessDeniedException');
  });

  test('where Route 53 sends traffic unreadable, for both Regions or one: a warning that Verify keeps trying', async () => {
    const warning = 'where Route 53 sends traffic could not be read on the data plane; Verify will keep trying';
    const r = await plan({ world: READY, faults: [{ command: 'DnsQuery', kind: 'unreachable' }] });
    expect(r.plan?.warnings).toContain(warning);
    const one = await plan({ world: READY, answers: () => ({ [`_status.${EAST}.shop.example.com`]: 'withdrawn', [`_status.${WEST}.shop.example.com`]: '?' }) });
    // The primary's record unhealthy and the secondary's unknown: if the secondary is unhealthy
    // too, Route 53 fails open to the primary; so neither Region's traffic is known.
    expect(one.plan?.target.traffic).toBe('unknown');
    expect(one.plan?.source.traffic).toBe('unknown');
    expect(one.plan?.warnings).toContain(warning);
    expect((await plan({ world: READY })).plan?.warnings).toEqual([]);
    // Active-active reads each Region's record as it is: the source's alone may be unknown.
    const both = await plan({
      config: testConfig({ strategy: 'active-active' }),
      world: READY,
      answers: () => ({ [`_status.${EAST}.shop.example.com`]: '?', [`_status.${WEST}.shop.example.com`]: 'serving' }),
    });
    expect(both.plan?.source.traffic).toBe('unknown');
    expect(both.plan?.target.traffic).toBe('serving');
    expect(both.plan?.warnings).toContain(warning);
    // And the target's alone.
    const target = await plan({
      config: testConfig({ strategy: 'active-active' }),
      world: READY,
      answers: () => ({ [`_status.${EAST}.shop.example.com`]: 'serving', [`_status.${WEST}.shop.example.com`]: '?' }),
    });
    expect([target.plan?.source.traffic, target.plan?.target.traffic]).toEqual(['serving', 'unknown']);
    expect(target.plan?.warnings).toContain(warning);
  });
});
