/**
 * The database step on its own, pass by pass, against the simulated world: the order and the
 * waits of the consent flows (fence, Route 53 seen answering the target only with the fence
 * read closed, one DNS TTL, the source's app tier stopped, for a planned move the lag at 0,
 * then the one promotion), an operation asked for not asked again while it may still show,
 * and what each pass says. Mutation testing found these unchecked: in the fault matrix Route 53
 * always reads the fence by the next pass, and the source's drain outlasts the TTL.
 */
import { FailoverGlobalClusterCommand, RDSClient } from '@aws-sdk/client-rds';
import type { RunbookConfig } from '../../protocol';
import { at, callsOf, passes, PLANNED, STANDBY_READY, statusAt, UNPLANNED } from './step-world';
import { EAST, testConfig, WEST } from './fixtures';

describe('the consent flow of a read-replica promotion', () => {
  test('fence, Route 53 on the target only, one TTL, the source stopped, then one promotion: each in its own pass, in that order', async () => {
    const r = await passes({ world: STANDBY_READY, max: 400 });
    expect(r.error).toBeUndefined();
    const statuses = r.passes.map((p) => p.status);
    const moved = statuses.indexOf('waiting for Route 53 to answer the target only');
    const ttl = statusAt(r, /^Route 53 answers us-west-2 only; waiting one TTL for resolvers to drop us-east-1$/);
    const stopping = statusAt(r, /^stopping shop-web-us-east-1 in us-east-1$/);
    const promoting = statuses.indexOf('promoting');
    expect([moved, ttl, stopping, promoting].every((i) => i >= 0)).toBe(true);
    expect(moved).toBeLessThan(ttl);
    expect(ttl).toBeLessThan(stopping);
    expect(stopping).toBeLessThan(promoting);
    // The move waits the gates' delay (90 s) before its next pass; the TTL wait asks what is left of 61 s (the TTL and one second).
    expect(r.passes[moved].waitSeconds).toBe(90);
    expect(r.passes[ttl].waitSeconds).toBe(61);
    expect(r.passes[moved].actions.join('\n')).toMatch(/^fenced us-east-1 before the promotion: /m);
    // One promotion, at least one TTL after Route 53 was first seen answering the target only.
    const promotions = callsOf(r, 'PromoteReadReplicaCommand');
    expect(promotions).toHaveLength(1);
    expect(promotions[0] - r.at[ttl]).toBeGreaterThanOrEqual(61);
    expect(r.passes[promoting].actions).toContain('PromoteReadReplica ledger-us-west-2 (with consent, us-east-1 fenced)');
    expect(r.passes[promoting].twoWriters).toBeDefined();
    expect(r.passes.at(-1)?.done).toBe(true);
  });

  test('Route 53 not reading the fence closed: no promotion while it does not, the fence closed again in the target, the pass says what it sees', async () => {
    const fence = `_fence.${EAST}.shop.example.com`;
    let until = Infinity;
    const r = await passes({ world: STANDBY_READY, max: 40, answers: (t) => (t < until ? { [fence]: 'open' } : ({} as Record<string, string>)) });
    const waiting = r.passes.filter((p) => /^waiting for Route 53 to answer us-west-2 only, with us-east-1's gates read closed \(it answers .*; fence not read closed\)$/.test(p.status));
    expect(waiting.length).toBeGreaterThan(3);
    expect(waiting.every((p) => p.waitSeconds === 10)).toBe(true);
    expect(callsOf(r, 'PromoteReadReplicaCommand')).toEqual([]);
    expect(r.passes.flatMap((p) => p.actions).join('\n')).toMatch(/Route 53 did not read the closure of us-east-1/);
    expect(r.passes.at(-1)?.done).toBe(false);

    // Once it reads the fence closed, the flow goes on and promotes.
    until = 1000 + 600;
    const later = await passes({ world: STANDBY_READY, max: 80, answers: (t) => (t < until ? { [fence]: 'open' } : ({} as Record<string, string>)) });
    const promoted = callsOf(later, 'PromoteReadReplicaCommand');
    expect(promoted).toHaveLength(1);
    expect(promoted[0]).toBeGreaterThanOrEqual(until + 60);
  });

  test('Route 53 still answering the source: no promotion, and the flow waits (not only the fence)', async () => {
    const r = await passes({ world: STANDBY_READY, max: 30, answers: () => ({ [`_status.${EAST}.shop.example.com`]: 'serving' }) });
    expect(callsOf(r, 'PromoteReadReplicaCommand')).toEqual([]);
    expect(r.passes.at(-1)?.status).toMatch(/^waiting for Route 53 to answer us-west-2 only, .*us-east-1 serving.*; fence closed\)$/);
  });

  test('a planned promotion waits until the replica is seen to have applied every write, and states no data at risk', async () => {
    // The replica still applies writes until 1400 s (3 s behind), after the source stopped.
    const r = await passes({ world: STANDBY_READY, request: PLANNED, max: 400, tweak: (sim) => Object.assign(sim, { lagNow: () => (sim.time.now('main') < 1400 ? 3 : 0) }) });
    expect(r.error).toBeUndefined();
    const waits = r.passes.filter((p) => p.status === 'waiting for the replica to apply every write (lag 3 s) before the promotion');
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((p) => p.waitSeconds === 5)).toBe(true);
    const promotions = callsOf(r, 'PromoteReadReplicaCommand');
    expect(promotions).toHaveLength(1);
    expect(promotions[0]).toBeGreaterThanOrEqual(1400);
    const promoting = r.passes.find((p) => p.status === 'promoting');
    expect(promoting?.dataLossRiskSeconds).toBe(0);
    expect(r.passes.at(-1)?.done).toBe(true);
  });

  test('an unplanned promotion states the lag read just before it', async () => {
    const r = await passes({ world: { ...STANDBY_READY, lagSeconds: 4 } });
    const promoting = r.passes.find((p) => p.status === 'promoting');
    expect(typeof promoting?.dataLossRiskSeconds).toBe('number');
  });

  test('the source never drains: past 600 s the promotion goes on, and the pass says so', async () => {
    const before = new Date(Date.UTC(2026, 0, 1) + (1000 - 601) * 1000).toISOString();
    const r = await passes({
      world: { ...STANDBY_READY, closedGates: [`${EAST}@${EAST}`] },
      max: 1,
      prev: { startedAt: before, trafficMoved: true, trafficMovedAt: before, trafficSince: before, sourceStopAt: before, attempt: 5, actions: [] },
    });
    expect(r.error).toBeUndefined();
    expect(r.passes[0]).toMatchObject({ status: 'source still draining', sourceStopped: true, done: false, waitSeconds: 1 });
    expect(r.passes[0].actions.at(-1)).toMatch(/^shop-web-us-east-1 in us-east-1 still has 6 instances after 60[1-3] s: promoting anyway \(it is fenced from DNS\); check it$/);
  });
});

describe('an operation asked for is not asked again while it may still show', () => {
  const aurora = testConfig({ strategy: 'warm-standby' });
  const world = { desired: { [EAST]: 6, [WEST]: 6 } };

  test('a failover asked 10 s ago (the describe not showing it yet): not called again; 121 s ago: called again', async () => {
    const recent = await passes({ config: aurora, world, max: 1, prev: { requested: 'failover', requestedAt: at(990), startedAt: at(990) } });
    expect(callsOf(recent, 'FailoverGlobalClusterCommand')).toEqual([]);
    expect(recent.passes[0].done).toBe(false);
    const stale = await passes({ config: aurora, world, max: 1, prev: { requested: 'failover', requestedAt: at(1000 - 121), startedAt: at(870) } });
    expect(callsOf(stale, 'FailoverGlobalCluster' + 'Command')).toHaveLength(1);
    // Another operation asked for does not hold this one back.
    const other = await passes({ config: aurora, world, max: 1, prev: { requested: 'switchover', requestedAt: at(990), startedAt: at(990) } });
    expect(callsOf(other, 'FailoverGlobalClusterCommand')).toHaveLength(1);
    // Asked for, but when is not known: asked again.
    const unknown = await passes({ config: aurora, world, max: 1, prev: { requested: 'failover', startedAt: at(990) } });
    expect(callsOf(unknown, 'FailoverGlobalClusterCommand')).toHaveLength(1);
  });

  test('a promotion asked 10 s ago is not asked again; the pass still says two writers', async () => {
    const recent = await passes({ world: STANDBY_READY, max: 1, prev: { requested: 'promotion', requestedAt: at(990), startedAt: at(990), trafficMoved: true } });
    expect(callsOf(recent, 'PromoteReadReplicaCommand')).toEqual([]);
    expect(recent.passes[0]).toMatchObject({ status: 'promoting', done: false });
    expect(recent.passes[0].twoWriters).toBeDefined();
  });
});

describe('Aurora refusing the managed operation', () => {
  const aurora = testConfig({ strategy: 'warm-standby' });
  const world = { desired: { [EAST]: 6, [WEST]: 6 } };

  test('a planned switchover refused for 300 s stops with nothing promoted, even with allowDetach (no detach on a planned move)', async () => {
    const r = await passes({ config: aurora, world, request: PLANNED, max: 100, faults: [{ command: 'SwitchoverGlobalClusterCommand', kind: 'refused' }] });
    expect(r.error?.name).toBe('RunbookRefused');
    expect(r.error?.message).toMatch(/^SwitchoverRefused: Aurora refused SwitchoverGlobalCluster \(\w+: .*\) \d+ times over 300 s; nothing was promoted\. Check the global database in the console; re-run, or fail over with mode unplanned$/);
    expect(callsOf(r, 'RemoveFromGlobalClusterCommand')).toEqual([]);
    expect(r.passes.every((p) => p.requested !== 'detach')).toBe(true);
    // Retried every 15 s while refused.
    expect(r.passes.filter((p) => /; retrying$/.test(p.status)).every((p) => p.waitSeconds === 15)).toBe(true);
  });

  test('an unplanned failover refused for 300 s without allowDetach stops and says how to consent', async () => {
    const r = await passes({ config: aurora, world, request: { ...UNPLANNED, allowDetach: undefined }, max: 100, faults: [{ command: 'FailoverGlobalClusterCommand', kind: 'refused' }] });
    expect(r.error?.message).toMatch(/^ManagedFailoverRefused: Aurora refused FailoverGlobalCluster .* times over 300 s; nothing was promoted\. To fence us-east-1 durably and detach-and-promote us-west-2 instead .* re-run with allowDetach: true$/);
    expect(callsOf(r, 'RemoveFromGlobalClusterCommand')).toEqual([]);
  });

  test('with allowDetach, past 300 s it asks for the detach, fences, and detaches once', async () => {
    const r = await passes({ config: aurora, world, max: 200, faults: [{ command: 'FailoverGlobalClusterCommand', kind: 'refused' }] });
    expect(r.error).toBeUndefined();
    const asked = r.passes.find((p) => p.requested === 'detach');
    expect(asked?.status).toMatch(/^Aurora refused FailoverGlobalCluster .* for 300 s: fencing us-east-1, then detach-and-promote \(allowDetach\)$/);
    expect(callsOf(r, 'RemoveFromGlobalClusterCommand')).toHaveLength(1);
    expect(r.passes.flatMap((p) => p.actions)).toContain('RemoveFromGlobalCluster shop-us-west-2 (detach-and-promote, with consent, us-east-1 fenced)');
    expect(r.passes.at(-1)?.done).toBe(true);
  });
});

describe('an Aurora global database', () => {
  const aurora = testConfig({ strategy: 'warm-standby' });

  test('a planned switchover waits for the target capacity, then is called once, in the primary Region, and followed', async () => {
    const r = await passes({ config: aurora, world: { desired: { [EAST]: 6, [WEST]: 0 } }, request: PLANNED, max: 3 });
    expect(r.passes[0]).toMatchObject({ status: 'waiting for 6 healthy targets in us-west-2 (0 now) before the switchover', done: false });
    expect(callsOf(r, 'SwitchoverGlobalClusterCommand')).toEqual([]);

    const ready = await passes({ config: aurora, world: { desired: { [EAST]: 6, [WEST]: 6 } }, request: PLANNED, max: 200 });
    expect(ready.error).toBeUndefined();
    expect(ready.sim.calls.filter((c) => c.command === 'SwitchoverGlobalClusterCommand').map((c) => c.region)).toEqual([EAST]);
    expect(ready.passes[0]).toMatchObject({ status: 'switching-over', requested: 'switchover', done: false });
    expect(ready.passes[0].actions).toEqual(['SwitchoverGlobalCluster to shop-us-west-2 (called in us-east-1, the primary\'s Region)']);
    expect(ready.passes.at(-1)?.done).toBe(true);
  });

  test('an unplanned failover is called once, in the target Region, with the lag at the call', async () => {
    const r = await passes({ config: aurora, world: { desired: { [EAST]: 6, [WEST]: 6 }, lagSeconds: 2 }, max: 200 });
    expect(r.sim.calls.filter((c) => c.command === 'FailoverGlobalClusterCommand').map((c) => c.region)).toEqual([WEST]);
    expect(r.passes[0]).toMatchObject({ status: 'failing-over', requested: 'failover', dataLossRiskSeconds: 2 });
    expect(r.passes[0].actions).toEqual(['FailoverGlobalCluster to shop-us-west-2 with AllowDataLoss (called in us-west-2)']);
    expect(r.passes.at(-1)?.done).toBe(true);
  });

  test("another operation promoting the other Region: refused (DatabaseBusy) with nothing called", async () => {
    const r = await passes({
      config: aurora,
      world: { writerRegion: WEST, desired: { [EAST]: 6, [WEST]: 6 } },
      max: 1,
      before: () =>
        new RDSClient({ region: EAST }).send(
          new FailoverGlobalClusterCommand({ GlobalClusterIdentifier: 'shop', TargetDbClusterIdentifier: `arn:aws:rds:${EAST}:111111111111:cluster:shop-${EAST}`, AllowDataLoss: true }),
        ),
    });
    expect(r.error?.message).toMatch(/^DatabaseBusy: an Aurora global operation promoting us-east-1 is under way \(.*\), not this runbook's; nothing was changed: wait for it to end, then plan again$/);
    expect(callsOf(r, 'FailoverGlobalClusterCommand')).toHaveLength(1);
  });
});

describe('stopping the source before a promotion', () => {
  const before = new Date(Date.UTC(2026, 0, 1) + (1000 - 300) * 1000).toISOString();
  const prev = { startedAt: before, trafficMoved: true, trafficMovedAt: before, trafficSince: before, attempt: 5, actions: [] };

  test('a source that does not answer is taken as stopped, and the pass says what to do when it answers', async () => {
    const r = await passes({ world: { ...STANDBY_READY, closedGates: [`${EAST}@${EAST}`] }, max: 1, prev, faults: [{ region: EAST, kind: 'unreachable' }] });
    expect(r.passes[0]).toMatchObject({ status: 'source down', sourceStopped: true });
    expect(r.passes[0].actions.at(-1)).toBe('could not reach shop-web-us-east-1 in us-east-1 to stop it: it is fenced from DNS; scale it to 0 when us-east-1 answers, before reconciling its database');
  });

  test('a source with no instance left is stopped', async () => {
    const r = await passes({ world: { desired: { [EAST]: 0, [WEST]: 6 }, closedGates: [`${EAST}@${EAST}`] }, max: 1, prev });
    expect(r.passes[0]).toMatchObject({ status: 'source stopped', sourceStopped: true, waitSeconds: 1 });
    expect(r.passes[0].actions.at(-1)).toBe('stopped shop-web-us-east-1 in us-east-1 (0 instances) before the promotion: no connection opened before the fence can write to its database');
  });

  test('a scaling call that fails is retried, and the pass says why', async () => {
    const r = await passes({ world: { ...STANDBY_READY, closedGates: [`${EAST}@${EAST}`] }, max: 1, prev, faults: [{ region: EAST, command: 'UpdateAutoScalingGroupCommand', kind: 'error5xx' }] });
    expect(r.passes[0].status).toMatch(/^stopping shop-web-us-east-1 in us-east-1 \(\w+; retrying\)$/);
    expect(r.passes[0]).toMatchObject({ sourceStopped: false, waitSeconds: 5 });
  });
});

describe('each pass', () => {
  test('action plan is refused (InvalidRequest) with nothing called', async () => {
    const r = await passes({ request: { ...UNPLANNED, action: 'plan' }, max: 1 });
    expect(r.error?.message).toBe('InvalidRequest: action: plan changes nothing');
    expect(r.sim.calls.filter((c) => !/^(PutItem|UpdateItem|GetItem)/.test(c.command))).toEqual([]);
  });

  test('counts its attempts from 0 and keeps the actions of earlier passes', async () => {
    const r = await passes({ world: STANDBY_READY, max: 3 });
    expect(r.passes.map((p) => p.attempt)).toEqual([0, 1, 2]);
    expect(r.passes[0].actions.length).toBeLessThanOrEqual(1);
    expect(r.passes[2].actions.slice(0, r.passes[1].actions.length)).toEqual(r.passes[1].actions);
  });

  test('past its bound it fails with how long, what it saw and what it did', async () => {
    const start = new Date(Date.UTC(2026, 0, 1) + (1000 - 2401) * 1000).toISOString();
    const r = await passes({ world: { desired: { [EAST]: 6, [WEST]: 0 } }, max: 1, prev: { startedAt: start, attempt: 100, actions: ['an earlier action'] } });
    expect(r.error?.name).toBe('DatabaseNotReady');
    expect(r.error?.message).toMatch(/^the database is not ready in us-west-2 after 240[1-3] s: waiting for 6 healthy targets in us-west-2 \(0 now\) before traffic moves \(done so far: an earlier action\)$/);
  });
});

describe('a headless secondary gets its instances', () => {
  test('a writer and a reader in two AZs; with one AZ, only the writer', async () => {
    const three = await passes({ config: testConfig({ strategy: 'pilot-light', database: 'aurora-headless' }), world: STANDBY_READY, max: 1 });
    expect(three.passes[0]).toMatchObject({ status: 'creating-instances', done: false });
    expect(three.passes[0].actions).toEqual(['created shop-us-west-2-writer in us-west-2a and shop-us-west-2-reader in us-west-2b in the headless cluster shop-us-west-2 (outside CloudFormation; see docs/runbooks.md)']);

    const base = testConfig({ strategy: 'pilot-light', database: 'aurora-headless' });
    if (base.database.kind !== 'aurora-global') throw new Error('aurora');
    const oneAz: RunbookConfig = {
      ...base,
      database: { ...base.database, clusters: { ...base.database.clusters, [WEST]: { ...base.database.clusters[WEST], availabilityZones: [`${WEST}a`] } } },
    };
    const one = await passes({ config: oneAz, world: STANDBY_READY, max: 1 });
    expect(one.passes[0].actions).toEqual(['created shop-us-west-2-writer in us-west-2a in the headless cluster shop-us-west-2 (outside CloudFormation; see docs/runbooks.md)']);
    expect(callsOf(one, 'CreateDBInstanceCommand')).toHaveLength(1);
  });
});
