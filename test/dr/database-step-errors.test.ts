/**
 * The database step's answers to what AWS says back, pass by pass against the simulated world:
 * the errors that mean "already done or under way" (followed, not fatal), the errors that are
 * not (fatal, named), what each call asks for, and what the report states as at risk. Mutation
 * testing found these unchecked (npm run mutation): the fault matrix never loses an answer of
 * a detach, a promotion or an instance creation, and its lag is 0 once traffic has moved.
 */
import { FailoverGlobalClusterCommand, PromoteReadReplicaCommand, RDSClient, RemoveFromGlobalClusterCommand } from '@aws-sdk/client-rds';
import type { RunbookConfig } from '../../protocol';
import { at, callsOf, inputsOf, passes, PLANNED, Run, STANDBY_READY, UNPLANNED } from './step-world';
import { EAST, testConfig, WEST } from './fixtures';
import { SimulatedAws } from './simulator';

const aurora = testConfig({ strategy: 'warm-standby' });
const READY = { desired: { [EAST]: 6, [WEST]: 6 } };
/** Five minutes before the passes start (virtual second 1000). */
const EARLIER = at(700);
/** A consent flow at its last pass: traffic moved one TTL ago, the source fenced and stopped. */
const AT_PROMOTION = { startedAt: EARLIER, trafficMoved: true, trafficMovedAt: EARLIER, trafficSince: EARLIER, sourceStopped: true, attempt: 5, actions: [] };
/** The source's gates read closed, as after the move. */
const FENCED = { ...STANDBY_READY, closedGates: [`${EAST}@${EAST}`] };
/** A replication lag that stays at `s` seconds whatever the traffic does (the simulator's drops to 0 once it moved). */
const lagStays = (s: number | undefined) => (sim: SimulatedAws) => Object.assign(sim, { lagNow: () => s });
const statuses = (r: Run): string[] => r.passes.map((p) => p.status);

describe('what the data loss report states', () => {
  test('an unplanned promotion states the lag read just before the call', async () => {
    const r = await passes({ world: FENCED, max: 1, prev: AT_PROMOTION, tweak: lagStays(4) });
    expect(r.error).toBeUndefined();
    expect(r.passes[0]).toMatchObject({ status: 'promoting', dataLossRiskSeconds: 4 });
  });

  test('an earlier pass read more: the larger is stated; an earlier pass could not read it: unknown (null)', async () => {
    const larger = await passes({ world: FENCED, max: 1, prev: { ...AT_PROMOTION, dataLossRiskSeconds: 9 }, tweak: lagStays(2) });
    expect(larger.passes[0].dataLossRiskSeconds).toBe(9);
    const unknown = await passes({ world: FENCED, max: 1, prev: { ...AT_PROMOTION, dataLossRiskSeconds: null }, tweak: lagStays(2) });
    expect(unknown.passes[0].dataLossRiskSeconds).toBeNull();
  });

  test('the lag cannot be read (CloudWatch fails, or has no datapoint): the promotion goes on and states unknown (null)', async () => {
    const failing = await passes({ world: FENCED, max: 1, prev: AT_PROMOTION, faults: [{ command: 'GetMetricDataCommand', kind: 'error5xx' }] });
    expect(failing.error).toBeUndefined();
    expect(failing.passes[0]).toMatchObject({ status: 'promoting', dataLossRiskSeconds: null });
    expect(callsOf(failing, 'PromoteReadReplicaCommand')).toHaveLength(1);
    const none = await passes({ world: FENCED, max: 1, prev: AT_PROMOTION, tweak: lagStays(undefined) });
    expect(none.passes[0]).toMatchObject({ status: 'promoting', dataLossRiskSeconds: null });
  });

  test('a planned promotion without a lag datapoint waits, and says the lag is unknown', async () => {
    const r = await passes({ world: FENCED, request: PLANNED, max: 1, prev: AT_PROMOTION, tweak: lagStays(undefined) });
    expect(r.passes[0]).toMatchObject({ status: 'waiting for the replica to apply every write (lag unknown s) before the promotion', waitSeconds: 5, done: false });
    expect(callsOf(r, 'PromoteReadReplicaCommand')).toEqual([]);
  });

  test('an unplanned Aurora failover called again after a pass that could not read the lag states unknown (null)', async () => {
    const r = await passes({ config: aurora, world: READY, max: 1, prev: { requested: 'failover', requestedAt: at(800), startedAt: at(800), dataLossRiskSeconds: null }, tweak: lagStays(2) });
    expect(callsOf(r, 'FailoverGlobalClusterCommand')).toHaveLength(1);
    expect(r.passes[0].dataLossRiskSeconds).toBeNull();
  });
});

describe('the last waits of a consent flow', () => {
  test('one TTL after Route 53 first answered the target only: a pass 20 s into it waits the 41 s left (the TTL and one second: resolvers count whole seconds)', async () => {
    const r = await passes({ world: FENCED, max: 1, prev: { ...AT_PROMOTION, sourceStopped: undefined, trafficSince: at(980) } });
    expect(r.passes[0]).toMatchObject({ status: 'Route 53 answers us-west-2 only; waiting one TTL for resolvers to drop us-east-1', waitSeconds: 41 });
  });

  test("the source's app tier: scaled to 0 once (min and desired), then waited for while its instances drain", async () => {
    const r = await passes({ world: STANDBY_READY, max: 400 });
    expect(r.error).toBeUndefined();
    expect(inputsOf(r, 'UpdateAutoScalingGroupCommand').filter((i) => i.AutoScalingGroupName === 'shop-web-us-east-1')).toEqual([{ AutoScalingGroupName: 'shop-web-us-east-1', MinSize: 0, DesiredCapacity: 0 }]);
    const draining = r.passes.filter((p) => /^waiting for shop-web-us-east-1 in us-east-1 to drain \(\d+ instances left\)$/.test(p.status));
    expect(draining.length).toBeGreaterThan(0);
    expect(draining.every((p) => p.waitSeconds === 10)).toBe(true);
    expect(r.passes.flatMap((p) => p.actions)).toContain('scaled shop-web-us-east-1 in us-east-1 to 0 before the promotion');
    expect(statuses(r).indexOf('source stopped')).toBeGreaterThan(statuses(r).findIndex((s) => s.startsWith('waiting for shop-web-us-east-1')));
  });

  test('the role may not stop the source: the run stops and says which call, where', async () => {
    const r = await passes({ world: FENCED, max: 1, prev: { ...AT_PROMOTION, sourceStopped: undefined }, faults: [{ region: EAST, command: 'UpdateAutoScalingGroupCommand', kind: 'denied' }] });
    expect(r.error?.message).toMatch(/^the runbook's role may not stop the app tier shop-web-us-east-1 in us-east-1 \(AccessDeniedException: .*\); this is a deployment problem/);
  });

  test('the target short of capacity: the pass says how many targets are healthy now', async () => {
    const r = await passes({ world: { desired: { [EAST]: 6, [WEST]: 3 } }, max: 1 });
    expect(r.passes[0].status).toBe('waiting for 6 healthy targets in us-west-2 (3 now) before traffic moves');
    const planned = await passes({ config: aurora, world: { desired: { [EAST]: 6, [WEST]: 3 } }, request: PLANNED, max: 1 });
    expect(planned.passes[0].status).toBe('waiting for 6 healthy targets in us-west-2 (3 now) before the switchover');
  });

  test('without allowDetach, a read-replica promotion is refused and says what consent it needs', async () => {
    const r = await passes({ world: STANDBY_READY, request: { ...UNPLANNED, allowDetach: undefined }, max: 1 });
    expect(r.error?.message).toBe('DetachConsentRequired: this promotion leaves the old database writable: only allowDetach: true may run it; nothing was changed');
    expect(r.sim.calls.filter((c) => !/^(PutItem|UpdateItem|GetItem|Describe)/.test(c.command))).toEqual([]);
  });
});

describe('a promotion whose answer was lost is followed, not repeated', () => {
  test('PromoteReadReplica refused as under way (InvalidDBInstanceStateFault): the pass says so and goes on', async () => {
    const r = await passes({ world: FENCED, max: 1, prev: AT_PROMOTION, faults: [{ command: 'PromoteReadReplicaCommand', kind: 'refused', name: 'InvalidDBInstanceStateFault', times: 1 }] });
    expect(r.error).toBeUndefined();
    expect(r.passes[0]).toMatchObject({ status: 'promoting', requested: 'promotion' });
    expect(r.passes[0].actions.at(-1)).toBe('promotion of ledger-us-west-2 already under way');
  });

  test('PromoteReadReplica keeps 7 days of backups on the new primary', async () => {
    const r = await passes({ world: FENCED, max: 1, prev: AT_PROMOTION });
    expect(inputsOf(r, 'PromoteReadReplicaCommand')).toEqual([{ DBInstanceIdentifier: 'ledger-us-west-2', BackupRetentionPeriod: 7 }]);
  });

  test('an Aurora replica cluster: PromoteReadReplicaDBCluster, and InvalidDBClusterStateFault means under way', async () => {
    const config = testConfig({ strategy: 'pilot-light', database: 'aurora-replica' });
    const ok = await passes({ config, world: FENCED, max: 1, prev: AT_PROMOTION });
    expect(ok.passes[0].actions.at(-1)).toBe('PromoteReadReplicaDBCluster orders-us-west-2 (with consent, us-east-1 fenced)');
    const lost = await passes({ config, world: FENCED, max: 1, prev: AT_PROMOTION, faults: [{ command: 'PromoteReadReplicaDBClusterCommand', kind: 'refused', times: 1 }] });
    expect(lost.error).toBeUndefined();
    expect(lost.passes[0].actions.at(-1)).toBe('promotion of orders-us-west-2 already under way');
  });

  test('any other error of the promotion stops the pass with that error', async () => {
    const r = await passes({ world: FENCED, max: 1, prev: AT_PROMOTION, faults: [{ command: 'PromoteReadReplicaCommand', kind: 'denied' }] });
    expect(r.error?.name).toBe('AccessDeniedException');
    const cluster = await passes({ config: testConfig({ strategy: 'pilot-light', database: 'aurora-replica' }), world: FENCED, max: 1, prev: AT_PROMOTION, faults: [{ command: 'PromoteReadReplicaDBClusterCommand', kind: 'error5xx' }] });
    expect(cluster.error?.name).toBe('ServiceUnavailable');
  });
});

describe('a detach whose answer was lost is followed, not repeated', () => {
  const detachAsked = { ...AT_PROMOTION, requested: 'detach', refusedSince: at(600), refusals: 20 };

  test.each(['GlobalClusterNotFoundFault', 'InvalidDBClusterStateFault'])('RemoveFromGlobalCluster answered %s: the pass says it detached, and the run ends with the target detached', async (name) => {
    const r = await passes({ config: aurora, world: { ...READY, closedGates: [`${EAST}@${EAST}`] }, max: 60, prev: detachAsked, faults: [{ command: 'RemoveFromGlobalClusterCommand', kind: 'refused', name, times: 1 }] });
    expect(r.error).toBeUndefined();
    expect(r.passes[0]).toMatchObject({ status: 'promoting', requested: 'promotion' });
    expect(r.passes[0].actions.at(-1)).toBe('RemoveFromGlobalCluster shop-us-west-2 (detach-and-promote, with consent, us-east-1 fenced)');
    // Nothing showed it under way: asked again once the request went stale, then done.
    expect(callsOf(r, 'RemoveFromGlobalClusterCommand')).toHaveLength(2);
    expect(r.passes.at(-1)).toMatchObject({ done: true });
    expect(r.passes.at(-1)?.twoWriters).toBeDefined();
  });

  test('any other error of the detach stops the pass with that error', async () => {
    const r = await passes({ config: aurora, world: { ...READY, closedGates: [`${EAST}@${EAST}`] }, max: 1, prev: detachAsked, faults: [{ command: 'RemoveFromGlobalClusterCommand', kind: 'denied' }] });
    expect(r.error?.name).toBe('AccessDeniedException');
  });
});

describe('an Aurora global database: the state a pass starts from', () => {
  test('a switchover asked for 10 s ago is not asked again', async () => {
    const r = await passes({ config: aurora, world: READY, request: PLANNED, max: 1, prev: { requested: 'switchover', requestedAt: at(990), startedAt: at(990) } });
    expect(callsOf(r, 'SwitchoverGlobalClusterCommand')).toEqual([]);
    expect(r.passes[0]).toMatchObject({ done: false, requested: 'switchover' });
  });

  test("this runbook's own failover under way (promoting the target): the pass waits, it does not refuse", async () => {
    const r = await passes({
      config: aurora,
      world: READY,
      max: 60,
      before: () => new RDSClient({ region: WEST }).send(new FailoverGlobalClusterCommand({ GlobalClusterIdentifier: 'shop', TargetDbClusterIdentifier: aurora.database.kind === 'aurora-global' ? aurora.database.clusters[WEST].arn : '', AllowDataLoss: true })),
    });
    expect(r.error).toBeUndefined();
    expect(r.passes[0].done).toBe(false);
    expect(callsOf(r, 'FailoverGlobalClusterCommand')).toHaveLength(1);
    expect(r.passes.at(-1)?.done).toBe(true);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['a detach asked for (the managed failover refused for 300 s)', { requested: 'detach', refusedSince: at(600), refusals: 20 }, 'waiting for Route 53 to answer the target only'],
    ['a promotion asked for 10 s ago', { requested: 'promotion', requestedAt: at(990) }, 'promoting'],
    ['traffic already moved', { trafficMoved: true, trafficMovedAt: at(990) }, ''],
  ])('%s: the pass goes on with the consent flow, never the managed failover', async (_name, prev, status) => {
    const r = await passes({ config: aurora, world: READY, max: 1, prev: { startedAt: at(900), ...prev } });
    expect(r.error).toBeUndefined();
    expect(callsOf(r, 'FailoverGlobalClusterCommand')).toEqual([]);
    if (status) expect(r.passes[0].status).toBe(status);
    expect(r.passes[0].status).not.toBe('failing-over');
  });

  test('a writer already in the target, detached by an earlier pass: done, and the report says two writers', async () => {
    const r = await passes({
      config: aurora,
      world: READY,
      max: 1,
      before: async (sim) => {
        await new RDSClient({ region: WEST }).send(new RemoveFromGlobalClusterCommand({ GlobalClusterIdentifier: 'shop', DbClusterIdentifier: aurora.database.kind === 'aurora-global' ? aurora.database.clusters[WEST].arn : '' }));
        sim.time.advance(3600, 'main');
      },
    });
    expect(r.passes[0].done).toBe(true);
    expect(r.passes[0].twoWriters).toBeDefined();
    // Attached and in the target (an ended switchover): done, no two writers.
    const attached = await passes({ config: aurora, world: { ...READY, writerRegion: WEST }, max: 1 });
    expect(attached.passes[0].done).toBe(true);
    expect(attached.passes[0].twoWriters).toBeUndefined();
  });

  test.each(['InvalidGlobalClusterStateFault', 'InvalidDBClusterStateFault'])('the managed failover refused with %s: retried every 15 s', async (name) => {
    const r = await passes({ config: aurora, world: READY, max: 1, faults: [{ command: 'FailoverGlobalClusterCommand', kind: 'refused', name }] });
    expect(r.error).toBeUndefined();
    expect(r.passes[0]).toMatchObject({ waitSeconds: 15, refusals: 1 });
    expect(r.passes[0].status).toMatch(new RegExp(`^Aurora refused FailoverGlobalCluster \\(${name}: .*\\); retrying$`));
  });

  test('the managed failover failing otherwise (5xx) is not a refusal: the pass fails with that error', async () => {
    const r = await passes({ config: aurora, world: READY, max: 1, faults: [{ command: 'FailoverGlobalClusterCommand', kind: 'error5xx' }] });
    expect(r.error?.name).toBe('ServiceUnavailable');
    expect(r.passes).toEqual([]);
  });
});

describe('a headless secondary gets its instances', () => {
  const headless = testConfig({ strategy: 'pilot-light', database: 'aurora-headless' });
  const withAzs = (azs: string[] | undefined): RunbookConfig => {
    if (headless.database.kind !== 'aurora-global') throw new Error('aurora');
    return { ...headless, database: { ...headless.database, clusters: { ...headless.database.clusters, [WEST]: { ...headless.database.clusters[WEST], availabilityZones: azs } } } };
  };

  test('what each CreateDBInstance asks: the cluster, engine, class, AZ, promotion tier, minor upgrades, and the tags that say who made it', async () => {
    const r = await passes({ config: withAzs([`${WEST}a`, `${WEST}b`]), world: STANDBY_READY, max: 1 });
    const tags = [
      { Key: 'cdk-resilience:created-by', Value: 'runbook shop failover' },
      { Key: 'cdk-resilience:strategy', Value: 'shop' },
    ];
    const common = { DBClusterIdentifier: 'shop-us-west-2', Engine: 'aurora-postgresql', DBInstanceClass: 'db.r6g.large', AutoMinorVersionUpgrade: true, Tags: tags };
    expect(inputsOf(r, 'CreateDBInstanceCommand')).toEqual([
      { ...common, DBInstanceIdentifier: 'shop-us-west-2-writer', AvailabilityZone: `${WEST}a`, PromotionTier: 0 },
      { ...common, DBInstanceIdentifier: 'shop-us-west-2-reader', AvailabilityZone: `${WEST}b`, PromotionTier: 1 },
    ]);
    expect(r.passes[0].actions).toEqual(['created shop-us-west-2-writer in us-west-2a and shop-us-west-2-reader in us-west-2b in the headless cluster shop-us-west-2 (outside CloudFormation; see docs/runbooks.md)']);
  });

  test('no AZs known: one writer, placed by RDS', async () => {
    const r = await passes({ config: withAzs(undefined), world: STANDBY_READY, max: 1 });
    expect(inputsOf(r, 'CreateDBInstanceCommand').map((i) => [i.DBInstanceIdentifier, i.AvailabilityZone])).toEqual([['shop-us-west-2-writer', undefined]]);
    expect(r.passes[0].actions).toEqual(['created shop-us-west-2-writer in the headless cluster shop-us-west-2 (outside CloudFormation; see docs/runbooks.md)']);
  });

  test('instances created by a pass whose answer was lost (DBInstanceAlreadyExistsFault) are not an error', async () => {
    const one = await passes({ config: headless, world: STANDBY_READY, max: 1, faults: [{ command: 'CreateDBInstanceCommand', kind: 'refused', name: 'DBInstanceAlreadyExistsFault', times: 1 }] });
    expect(one.error).toBeUndefined();
    expect(one.passes[0].actions).toEqual(['created shop-us-west-2-reader in us-west-2b in the headless cluster shop-us-west-2 (outside CloudFormation; see docs/runbooks.md)']);
    const both = await passes({ config: headless, world: STANDBY_READY, max: 1, faults: [{ command: 'CreateDBInstanceCommand', kind: 'refused', name: 'DBInstanceAlreadyExistsFault', times: 2 }] });
    expect(both.passes[0]).toMatchObject({ status: 'creating-instances', actions: ['instances of shop-us-west-2 already asked for'] });
  });

  test('any other error of CreateDBInstance stops the pass with that error', async () => {
    const r = await passes({ config: headless, world: STANDBY_READY, max: 1, faults: [{ command: 'CreateDBInstanceCommand', kind: 'denied' }] });
    expect(r.error?.name).toBe('AccessDeniedException');
  });

  test('while the instances are created, the pass waits (instance-pending), then the run goes on', async () => {
    const r = await passes({ config: headless, world: STANDBY_READY, max: 3 });
    expect(statuses(r).slice(0, 2)).toEqual(['creating-instances', 'instance-pending']);
    expect(callsOf(r, 'CreateDBInstanceCommand')).toHaveLength(2);
  });

  test('an answer that leaves out empty lists (no members, no instances) reads as none', async () => {
    const strip = (sim: SimulatedAws): void => {
      const s = sim as unknown as Record<string, (...a: unknown[]) => { DBClusters?: Record<string, unknown>[]; DBInstances?: unknown[] }>;
      const cluster = s.describeCluster.bind(sim);
      const instances = s.describeInstances.bind(sim);
      Object.assign(sim, {
        describeCluster: (...a: unknown[]) => {
          const o = cluster(...a);
          return { DBClusters: o.DBClusters?.map((c) => ((c.DBClusterMembers as unknown[] | undefined)?.length ? c : { ...c, DBClusterMembers: undefined })) };
        },
        describeInstances: (...a: unknown[]) => {
          const o = instances(...a);
          return (o.DBInstances ?? []).length > 0 ? o : {};
        },
      });
    };
    const r = await passes({ config: headless, world: STANDBY_READY, max: 1, tweak: strip });
    expect(r.passes[0].status).toBe('creating-instances');
    // Members listed but no instance described yet: pending.
    const pending = await passes({
      config: headless,
      world: STANDBY_READY,
      max: 1,
      tweak: (sim) => {
        strip(sim);
        Object.assign(sim, { describeInstances: () => ({}) });
        (sim as unknown as { instances: Record<string, unknown[]> }).instances[WEST].push({ id: 'shop-us-west-2-writer', readyAt: 0 });
      },
    });
    expect(pending.passes[0].status).toBe('instance-pending');
  });
});

describe('each pass', () => {
  test('past its bound with nothing done: the message says what it saw, and no "done so far"', async () => {
    const start = at(1000 - 2401);
    const r = await passes({ world: { desired: { [EAST]: 6, [WEST]: 0 } }, max: 1, prev: { startedAt: start, attempt: 100, actions: [] } });
    expect(r.error?.name).toBe('DatabaseNotReady');
    expect(r.error?.message).toMatch(/^the database is not ready in us-west-2 after 240[1-3] s: waiting for 6 healthy targets in us-west-2 \(0 now\) before traffic moves$/);
  });

  test('within its bound (a configured one): no error', async () => {
    const config = { ...testConfig({ strategy: 'pilot-light', database: 'replica' }), databaseTimeoutSeconds: 100 };
    const within = await passes({ config, world: { desired: { [EAST]: 6, [WEST]: 0 } }, max: 1, prev: { startedAt: at(1000 - 90), attempt: 3, actions: [] } });
    expect(within.error).toBeUndefined();
    const past = await passes({ config, world: { desired: { [EAST]: 6, [WEST]: 0 } }, max: 1, prev: { startedAt: at(1000 - 101), attempt: 3, actions: [] } });
    expect(past.error?.name).toBe('DatabaseNotReady');
  });
});

describe('what a pass says, word for word', () => {
  test('past its bound after actions: the message lists them, "; " between each', async () => {
    const r = await passes({ world: { desired: { [EAST]: 6, [WEST]: 0 } }, max: 1, prev: { startedAt: at(1000 - 2401), attempt: 100, actions: ['scaled one', 'scaled two'] } });
    expect(r.error?.message).toMatch(/^the database is not ready in us-west-2 after 240[1-3] s: waiting for 6 healthy targets in us-west-2 \(0 now\) before traffic moves \(done so far: scaled one; scaled two\)$/);
  });

  test("the fence's action names each gate it moved, \"; \" between each", async () => {
    const r = await passes({ world: { ...STANDBY_READY, closedGates: [`${WEST}@${WEST}`, `${WEST}@${EAST}`] }, max: 1 });
    expect(r.passes[0].actions).toEqual([
      'fenced us-east-1 before the promotion: opened the gate of us-west-2 in us-west-2; opened the gate of us-west-2 in us-east-1; closed the gate of us-east-1 in us-east-1',
    ]);
  });

  test('traffic moved but Route 53 still answers the source: the pass waits 10 s and says what Route 53 answers for each Region', async () => {
    const r = await passes({ world: STANDBY_READY, max: 1, prev: { startedAt: at(980), trafficMoved: true, trafficMovedAt: at(990), attempt: 1, actions: [] } });
    expect(r.passes[0]).toMatchObject({
      done: false,
      waitSeconds: 10,
      status: "waiting for Route 53 to answer us-west-2 only, with us-east-1's gates read closed (it answers us-east-1 serving, us-west-2 serving; fence not read closed)",
    });
    expect(callsOf(r, 'PromoteReadReplicaCommand')).toEqual([]);
  });
});

describe('Route 53 failing open', () => {
  test("the source withdrawn and fenced but the target's record not healthy yet: Route 53 fails open to the source, so the pass waits and promotes nothing", async () => {
    const answers = () => ({ [`_status.${EAST}.shop.example.com`]: 'withdrawn', [`_status.${WEST}.shop.example.com`]: 'withdrawn', [`_fence.${EAST}.shop.example.com`]: 'closed' });
    const r = await passes({ world: FENCED, max: 1, answers, prev: { ...AT_PROMOTION, trafficSince: undefined } });
    expect(r.error).toBeUndefined();
    expect(r.passes[0]).toMatchObject({
      done: false,
      waitSeconds: 10,
      status: "waiting for Route 53 to answer us-west-2 only, with us-east-1's gates read closed (it answers us-east-1 withdrawn, us-west-2 withdrawn; fence closed)",
    });
    expect(callsOf(r, 'PromoteReadReplicaCommand')).toEqual([]);
  });
});

describe('calls to the Region the run leaves', () => {
  test("every call that names the source's app tier is bounded by an abort signal (a black-holed Region costs seconds, not the Lambda's timeout)", async () => {
    const r = await passes({ world: STANDBY_READY, max: 400 });
    expect(r.error).toBeUndefined();
    const source = r.sim.inputs.filter((i) => i.input.AutoScalingGroupName === 'shop-web-us-east-1' || (i.input.AutoScalingGroupNames as string[] | undefined)?.includes('shop-web-us-east-1'));
    expect(source.map((i) => i.command)).toEqual(expect.arrayContaining(['DescribeAutoScalingGroupsCommand', 'UpdateAutoScalingGroupCommand']));
    expect(source.filter((i) => !i.aborts)).toEqual([]);
  });
});

describe('another Aurora operation under way', () => {
  test('a replica being promoted by an earlier pass (busy): the pass waits with its status, it does not refuse', async () => {
    const r = await passes({ world: FENCED, max: 1, prev: AT_PROMOTION, before: (sim) => new RDSClient({ region: WEST }).send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: 'ledger-us-west-2' })).then(() => sim.time.advance(5, 'main')) });
    expect(r.error).toBeUndefined();
    expect(r.passes[0]).toMatchObject({ done: false });
    expect(callsOf(r, 'PromoteReadReplicaCommand')).toHaveLength(1);
  });
});

describe('a headless secondary with one instance available', () => {
  test('the writer available and the reader still creating: the pass goes on (one available instance can take the writer)', async () => {
    const headless = testConfig({ strategy: 'pilot-light', database: 'aurora-headless' });
    const r = await passes({
      config: headless,
      world: STANDBY_READY,
      max: 1,
      tweak: (sim) => (sim as unknown as { instances: Record<string, unknown[]> }).instances[WEST].push({ id: 'shop-us-west-2-writer', readyAt: 0 }, { id: 'shop-us-west-2-reader', readyAt: 1e9 }),
    });
    expect(r.error).toBeUndefined();
    expect(r.passes[0].status).not.toBe('instance-pending');
    expect(r.passes[0].status).not.toBe('creating-instances');
  });
});
