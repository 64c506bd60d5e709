/**
 * How the runbook reads the world (lambda/shared/state.ts), with aws-sdk-client-mock: the
 * database writer and whether an operation is under way, from every answer shape RDS gives;
 * the compute of a Region through its target group or, without one, through Auto Scaling's own
 * instance health; why launches fail; the ARC endpoints. Mutation testing (npm run mutation)
 * found these read only along the fault matrix's paths.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, DescribeGlobalClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetRoutingControlStateCommand, Route53RecoveryClusterClient, UpdateRoutingControlStatesCommand } from '@aws-sdk/client-route53-recovery-cluster';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { installClock } from '../../lambda/shared/clock';
import {
  answeredTraffic,
  clusterEndpoints,
  computeReady,
  lastScalingFailure,
  leavesTwoWriters,
  observedTraffic,
  readCompute,
  readDatabase,
  readRegion,
  replicationLagSeconds,
  routingControlState,
  setRoutingControls,
  sourceFenced,
  twoWritersNote,
} from '../../lambda/shared/state';
import { EAST, testConfig, WEST } from '../dr/fixtures';

const rdsMock = mockClient(RDSClient);
const asg = mockClient(AutoScalingClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const cw = mockClient(CloudWatchClient);
const ssmMock = mockClient(SSMClient);
const named = (name: string): Error => Object.assign(new Error(name), { name });

beforeEach(() => {
  for (const m of [rdsMock, asg, elb, cw, ssmMock]) m.reset();
  process.env.AWS_MAX_ATTEMPTS = '1';
});

describe('the database, Aurora global', () => {
  const config = testConfig({ strategy: 'warm-standby' });
  const arn = (r: string) => `arn:aws:rds:${r}:111111111111:cluster:shop-${r}`;
  const member = (r: string, writer: boolean) => ({ DBClusterArn: arn(r), IsWriter: writer });

  test('asks for its own global cluster, in the target Region', async () => {
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ Status: 'available', GlobalClusterMembers: [member(EAST, true), member(WEST, false)] }] });
    expect(await readDatabase(config)).toEqual({ writerRegion: EAST, busy: false, status: 'available', promoting: undefined });
    expect(rdsMock).toHaveReceivedCommandWith(DescribeGlobalClustersCommand, { GlobalClusterIdentifier: 'shop' });
    expect(await rdsMock.call(0).thisValue.config.region()).toBe(WEST);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['a status and a target', { Status: 'failing-over', ToDbClusterArn: arn(WEST) }, 'failing-over to us-west-2'],
    ['a status only', { Status: 'switching-over' }, 'switching-over to ?'],
    ['a target only', { ToDbClusterArn: arn(WEST) }, 'operation to us-west-2'],
    ['a target not of this strategy', { Status: 'failing-over', ToDbClusterArn: 'arn:aws:rds:eu-west-1:111111111111:cluster:x' }, 'failing-over to arn:aws:rds:eu-west-1:111111111111:cluster:x'],
  ])('an operation under way (%s): busy, and promoting the Region it goes to', async (_n, FailoverState, status) => {
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ Status: 'available', FailoverState, GlobalClusterMembers: [member(EAST, false), member(WEST, false)] }] });
    const db = await readDatabase(config);
    expect(db).toMatchObject({ busy: true, status, writerRegion: undefined });
    expect(db.promoting).toBe((FailoverState as { ToDbClusterArn?: string }).ToDbClusterArn === arn(WEST) ? WEST : undefined);
  });

  test('an empty FailoverState is no operation; a global cluster not available is busy', async () => {
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ Status: 'available', FailoverState: {}, GlobalClusterMembers: [member(EAST, true), member(WEST, false)] }] });
    expect(await readDatabase(config)).toMatchObject({ busy: false, status: 'available', writerRegion: EAST });
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ Status: 'modifying', GlobalClusterMembers: [member(EAST, true), member(WEST, false)] }] });
    expect(await readDatabase(config)).toMatchObject({ busy: true, status: 'modifying', writerRegion: EAST });
  });

  test('no global cluster in the answer: no writer known, status unknown, not busy', async () => {
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [] });
    expect(await readDatabase(config)).toEqual({ writerRegion: undefined, busy: false, status: 'unknown', promoting: undefined });
    rdsMock.on(DescribeGlobalClustersCommand).resolves({});
    expect(await readDatabase(config)).toMatchObject({ writerRegion: undefined, status: 'unknown' });
  });

  test('the target no longer a member (detached): its own cluster says whether it is the writer yet', async () => {
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ Status: 'available', GlobalClusterMembers: [member(EAST, true)] }] });
    rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ Status: 'available' }] });
    expect(await readDatabase(config)).toEqual({ writerRegion: WEST, busy: false, status: 'detached, available', detached: true });
    expect(rdsMock).toHaveReceivedCommandWith(DescribeDBClustersCommand, { DBClusterIdentifier: 'shop-us-west-2' });
    rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ Status: 'promoting' }] });
    expect(await readDatabase(config)).toEqual({ writerRegion: undefined, busy: true, status: 'detached, promoting', detached: true });
    rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [{}] });
    expect(await readDatabase(config)).toMatchObject({ busy: true, status: 'detached, unknown' });
    // A global cluster with no members left: detached too.
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ Status: 'available' }] });
    rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ Status: 'available' }] });
    expect(await readDatabase(config)).toMatchObject({ detached: true, writerRegion: WEST });
  });
});

describe('the database, a replica', () => {
  test.each<[string, 'replica' | 'aurora-replica']>([
    ['a read replica', 'replica'],
    ['a replica cluster', 'aurora-replica'],
  ])('%s: the source writes until the replica stands alone and is available', async (_n, kind) => {
    const config = testConfig({ strategy: 'pilot-light', database: kind });
    const answer = (status: string | undefined, source: string | undefined) =>
      kind === 'replica'
        ? rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceStatus: status, ReadReplicaSourceDBInstanceIdentifier: source }] })
        : rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ Status: status, ReplicationSourceIdentifier: source }] });
    answer('available', 'arn:source');
    expect(await readDatabase(config)).toEqual({ writerRegion: EAST, busy: false, status: 'replica, available', standalone: false });
    answer('modifying', undefined);
    expect(await readDatabase(config)).toEqual({ writerRegion: EAST, busy: true, status: 'promoted, modifying', standalone: true });
    answer('available', undefined);
    expect(await readDatabase(config)).toEqual({ writerRegion: WEST, busy: false, status: 'promoted, available', standalone: true });
    answer(undefined, 'arn:source');
    expect(await readDatabase(config)).toMatchObject({ busy: true, status: 'replica, unknown' });
    // No replica in the answer: not standalone, the source still the writer.
    if (kind === 'replica') rdsMock.on(DescribeDBInstancesCommand).resolves({});
    else rdsMock.on(DescribeDBClustersCommand).resolves({});
    expect(await readDatabase(config)).toMatchObject({ writerRegion: EAST, standalone: false, status: 'replica, unknown' });
    const asked = kind === 'replica' ? rdsMock.commandCalls(DescribeDBInstancesCommand)[0].args[0].input : rdsMock.commandCalls(DescribeDBClustersCommand)[0].args[0].input;
    expect(asked).toEqual(kind === 'replica' ? { DBInstanceIdentifier: 'ledger-us-west-2' } : { DBClusterIdentifier: 'orders-us-west-2' });
  });
});

describe('the compute of a Region', () => {
  const config = testConfig({ strategy: 'warm-standby' });
  const instances = [
    { LifecycleState: 'InService', HealthStatus: 'Healthy' },
    { LifecycleState: 'InService', HealthStatus: 'Unhealthy' },
    { LifecycleState: 'Pending', HealthStatus: 'Healthy' },
    { LifecycleState: 'Terminating', HealthStatus: 'Healthy' },
    { LifecycleState: 'InService', HealthStatus: 'Healthy' },
  ];

  test('without a target group (the source): healthy is InService and Healthy; every instance counts as one left', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [{ DesiredCapacity: 4, Instances: instances } as never] });
    expect(await readCompute(config.compute.source, 1000)).toEqual({ reachable: true, healthy: 2, desired: 4, instances: 5 });
    expect(asg).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['shop-web-us-east-1'] });
    expect(elb).not.toHaveReceivedAnyCommand();
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [{} as never] });
    expect(await readCompute(config.compute.source, 1000)).toEqual({ reachable: true, healthy: 0, desired: undefined, instances: 0 });
    asg.on(DescribeAutoScalingGroupsCommand).resolves({});
    expect(await readCompute(config.compute.source, 1000)).toEqual({ reachable: true, healthy: 0, desired: undefined, instances: 0 });
  });

  test('with a target group (the target): healthy is what the load balancer says', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [{ DesiredCapacity: 6, Instances: instances } as never] });
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [{ TargetHealth: { State: 'healthy' } }, { TargetHealth: { State: 'draining' } }, {}, { TargetHealth: { State: 'healthy' } }] });
    expect(await readCompute(config.compute.target, 1000)).toEqual({ reachable: true, healthy: 2, desired: 6, instances: 5 });
    expect(elb).toHaveReceivedCommandWith(DescribeTargetHealthCommand, { TargetGroupArn: config.compute.target.targetGroupArn });
    elb.on(DescribeTargetHealthCommand).resolves({});
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [{} as never] });
    expect(await readCompute(config.compute.target, 1000)).toEqual({ reachable: true, healthy: 0, desired: undefined, instances: 0 });
  });

  test('either call failing: not reachable; a permission error names the call', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).rejects(named('ServiceUnavailable'));
    expect(await readCompute(config.compute.source, 1000)).toEqual({ reachable: false });
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    elb.on(DescribeTargetHealthCommand).rejects(named('ServiceUnavailable'));
    expect(await readCompute(config.compute.target, 1000)).toEqual({ reachable: false });
    elb.on(DescribeTargetHealthCommand).rejects(named('AccessDenied'));
    await expect(readCompute(config.compute.target, 1000)).rejects.toThrow(`the runbook's role may not describe the target health of ${config.compute.target.targetGroupArn} in us-west-2`);
    asg.on(DescribeAutoScalingGroupsCommand).rejects(named('AccessDenied'));
    await expect(readCompute(config.compute.source, 1000)).rejects.toThrow("the runbook's role may not describe the Auto Scaling group shop-web-us-east-1 in us-east-1");
  });
});

describe('why launches fail', () => {
  const target = testConfig({}).compute.target;

  test('the latest Failed or Cancelled activity of the last ten, in words', async () => {
    asg.on(DescribeScalingActivitiesCommand).resolves({
      Activities: [
        { StatusCode: 'Successful', Description: 'ok' },
        { StatusCode: 'Cancelled', Description: 'Launching a new EC2 instance', StatusMessage: 'InsufficientInstanceCapacity' },
        { StatusCode: 'Failed', Description: 'older' },
      ] as never,
    });
    expect(await lastScalingFailure(target)).toBe('Launching a new EC2 instance: InsufficientInstanceCapacity');
    expect(asg).toHaveReceivedCommandWith(DescribeScalingActivitiesCommand, { AutoScalingGroupName: 'shop-web-us-west-2', MaxRecords: 10 });
    asg.on(DescribeScalingActivitiesCommand).resolves({ Activities: [{ StatusCode: 'Failed' }] as never });
    expect(await lastScalingFailure(target)).toBe('scaling activity: Failed');
    asg.on(DescribeScalingActivitiesCommand).resolves({ Activities: [{ StatusCode: 'Successful' }, { StatusCode: 'InProgress' }] as never });
    expect(await lastScalingFailure(target)).toBeUndefined();
    asg.on(DescribeScalingActivitiesCommand).resolves({});
    expect(await lastScalingFailure(target)).toBeUndefined();
  });
});

describe('the replication lag and the ARC endpoints', () => {
  test('no datapoint: undefined; Aurora global gives milliseconds, a read replica seconds', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'lag', Values: [] }] });
    expect(await replicationLagSeconds(testConfig({}))).toBeUndefined();
    cw.on(GetMetricDataCommand).resolves({});
    expect(await replicationLagSeconds(testConfig({}))).toBeUndefined();
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'lag', Values: [2500] }] });
    expect(await replicationLagSeconds(testConfig({}))).toBe(2.5);
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'lag', Values: [3] }] });
    expect(await replicationLagSeconds(testConfig({ database: 'replica' }))).toBe(3);
  });

  test('the query, per database kind: the metric, its dimension, a one-minute maximum over the last five minutes, in the target Region', async () => {
    const NOW = Date.parse('2026-01-01T12:00:00.000Z');
    installClock({ now: () => NOW });
    try {
      cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'lag', Values: [1] }] });
      const cases: [Parameters<typeof testConfig>[0], string, string, string][] = [
        [{}, 'AuroraGlobalDBReplicationLag', 'DBClusterIdentifier', 'shop-us-west-2'],
        [{ database: 'aurora-replica' }, 'AuroraBinlogReplicaLag', 'DBClusterIdentifier', 'orders-us-west-2'],
        [{ database: 'replica' }, 'ReplicaLag', 'DBInstanceIdentifier', 'ledger-us-west-2'],
      ];
      for (const [o, metric, dimension, id] of cases) {
        cw.resetHistory();
        await replicationLagSeconds(testConfig(o));
        const [call] = cw.commandCalls(GetMetricDataCommand);
        expect(call.args[0].input).toEqual({
          StartTime: new Date(NOW - 300_000),
          EndTime: new Date(NOW),
          MetricDataQueries: [{ Id: 'lag', MetricStat: { Metric: { Namespace: 'AWS/RDS', MetricName: metric, Dimensions: [{ Name: dimension, Value: id }] }, Period: 60, Stat: 'Maximum' } }],
        });
        expect(await call.thisValue.config.region()).toBe(WEST);
      }
      // A global database without a cluster in the target Region: nothing to ask.
      cw.resetHistory();
      const config = testConfig({});
      const db = config.database as Extract<typeof config.database, { kind: 'aurora-global' }>;
      const { [WEST]: _gone, ...clusters } = db.clusters;
      expect(await replicationLagSeconds({ ...config, database: { ...db, clusters } })).toBeUndefined();
      expect(cw).not.toHaveReceivedCommand(GetMetricDataCommand);
      // A result without its values: no datapoint.
      cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'lag' }] });
      expect(await replicationLagSeconds(testConfig({}))).toBeUndefined();
      cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
      expect(await replicationLagSeconds(testConfig({}))).toBeUndefined();
    } finally {
      installClock(undefined);
    }
  });

  test('the endpoints come from the published parameter; none for health-check traffic or an empty parameter', async () => {
    expect(await clusterEndpoints(testConfig({}))).toEqual([]);
    expect(ssmMock).not.toHaveReceivedAnyCommand();
    const config = testConfig({ traffic: 'routing-control' });
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify({ clusterEndpoints: [{ region: EAST, endpoint: 'https://a' }] }) } });
    expect(await clusterEndpoints(config)).toEqual([{ region: EAST, endpoint: 'https://a' }]);
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/cdk-resilience/routing-controls/shop' });
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: '{}' } });
    expect(await clusterEndpoints(config)).toEqual([]);
    ssmMock.on(GetParameterCommand).resolves({});
    expect(await clusterEndpoints(config)).toEqual([]);
  });
});

describe('ARC cluster endpoints (routing-control traffic)', () => {
  const arc = mockClient(Route53RecoveryClusterClient);
  const config = testConfig({ traffic: 'routing-control' });
  const controls = (config.traffic as Extract<typeof config.traffic, { kind: 'routing-control' }>).controls;
  const endpoints = (list: { region: string; endpoint: string }[]) => ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify({ clusterEndpoints: list }) } });
  beforeEach(() => arc.reset());
  afterAll(() => arc.restore());

  test("the runbook's own Region's endpoint first, each call with an abort signal; the next endpoint when one fails, each failure named", async () => {
    endpoints([
      { region: 'eu-west-1', endpoint: 'https://a.eu-west-1' },
      { region: EAST, endpoint: 'https://b.us-east-1' },
      { region: WEST, endpoint: 'https://c.us-west-2' },
    ]);
    arc.on(GetRoutingControlStateCommand).rejects(named('InternalServerException'));
    await expect(routingControlState(config, WEST)).rejects.toMatchObject({
      name: 'RoutingControlUnavailable',
      message: 'no ARC cluster endpoint answered (us-west-2: InternalServerException, eu-west-1: InternalServerException, us-east-1: InternalServerException)',
    });
    const calls = arc.commandCalls(GetRoutingControlStateCommand);
    expect(await Promise.all(calls.map((c) => c.thisValue.config.region()))).toEqual([WEST, 'eu-west-1', EAST]);
    expect(calls[0].args[0].input).toEqual({ RoutingControlArn: controls[WEST] });
    expect((calls[0].args as unknown[])[1]).toEqual({ abortSignal: expect.any(AbortSignal) });
    // The second endpoint answers: its answer.
    arc.reset();
    arc.on(GetRoutingControlStateCommand).rejectsOnce(named('InternalServerException')).resolves({ RoutingControlArn: controls[WEST], RoutingControlState: 'On' } as never);
    expect(await routingControlState(config, WEST)).toBe('On');
  });

  test('a permission error stops at once, naming the call and the endpoint Region; no endpoints at all is said so', async () => {
    endpoints([{ region: WEST, endpoint: 'https://c.us-west-2' }, { region: EAST, endpoint: 'https://b.us-east-1' }]);
    arc.on(UpdateRoutingControlStatesCommand).rejects(named('AccessDeniedException'));
    await expect(setRoutingControls(config, { [WEST]: 'On', [EAST]: 'Off' })).rejects.toThrow(/^the runbook's role may not set routing controls in us-west-2 \(AccessDeniedException/);
    expect(arc.commandCalls(UpdateRoutingControlStatesCommand)).toHaveLength(1);
    expect(arc.commandCalls(UpdateRoutingControlStatesCommand)[0].args[0].input).toEqual({
      UpdateRoutingControlStateEntries: [
        { RoutingControlArn: controls[WEST], RoutingControlState: 'On' },
        { RoutingControlArn: controls[EAST], RoutingControlState: 'Off' },
      ],
    });
    expect((arc.commandCalls(UpdateRoutingControlStatesCommand)[0].args as unknown[])[1]).toEqual({ abortSignal: expect.any(AbortSignal) });
    arc.on(GetRoutingControlStateCommand).rejects(named('AccessDeniedException'));
    await expect(routingControlState(config, WEST)).rejects.toThrow(/^the runbook's role may not read a routing control in us-west-2/);
    endpoints([]);
    await expect(routingControlState(config, WEST)).rejects.toMatchObject({ name: 'RoutingControlUnavailable', message: 'no ARC cluster endpoint answered (no endpoints)' });
  });

  test('health-check traffic: nothing read, nothing set', async () => {
    const hc = testConfig({});
    expect(await routingControlState(hc, WEST)).toBeUndefined();
    await setRoutingControls(hc, { [WEST]: 'On' });
    expect(arc.calls()).toHaveLength(0);
    expect(ssmMock.calls()).toHaveLength(0);
  });
});

describe('what the reads mean', () => {
  const failover = testConfig({ strategy: 'warm-standby' });
  const failback = testConfig({ strategy: 'warm-standby', direction: 'failback' });

  test('who Route 53 answers in failover routing: the primary while healthy, else a healthy secondary, else the primary (fail open)', () => {
    // Failover: the primary is the source (EAST); failback: the primary is the target (EAST) too.
    for (const c of [failover, failback]) {
      expect(answeredTraffic(c, { [EAST]: 'serving', [WEST]: 'serving' })).toEqual({ [EAST]: 'serving', [WEST]: 'withdrawn' });
      expect(answeredTraffic(c, { [EAST]: 'withdrawn', [WEST]: 'withdrawn' })).toEqual({ [EAST]: 'serving', [WEST]: 'withdrawn' });
      expect(answeredTraffic(c, { [EAST]: 'withdrawn', [WEST]: 'serving' })).toEqual({ [EAST]: 'withdrawn', [WEST]: 'serving' });
      // The secondary unhealthy: the primary is answered whatever its own status (healthy, or fail open).
      expect(answeredTraffic(c, { [EAST]: 'unknown', [WEST]: 'withdrawn' })).toEqual({ [EAST]: 'serving', [WEST]: 'withdrawn' });
      // An unknown status that decides: the primary if the secondary is unhealthy too (fail open), else the secondary; and so on.
      expect(answeredTraffic(c, { [EAST]: 'withdrawn', [WEST]: 'unknown' })).toEqual({ [EAST]: 'unknown', [WEST]: 'unknown' });
      expect(answeredTraffic(c, { [EAST]: 'unknown', [WEST]: 'serving' })).toEqual({ [EAST]: 'unknown', [WEST]: 'unknown' });
      expect(answeredTraffic(c, { [EAST]: 'unknown', [WEST]: 'unknown' })).toEqual({ [EAST]: 'unknown', [WEST]: 'unknown' });
      // Whatever the primary, a healthy primary wins.
      expect(answeredTraffic(c, { [EAST]: 'serving', [WEST]: 'unknown' })).toEqual({ [EAST]: 'serving', [WEST]: 'withdrawn' });
    }
    // Active-active: latency routing, the records as they are.
    const aa = testConfig({ strategy: 'active-active' });
    expect(answeredTraffic(aa, { [EAST]: 'withdrawn', [WEST]: 'unknown' })).toEqual({ [EAST]: 'withdrawn', [WEST]: 'unknown' });
  });

  test('two writable databases after a failed run: a detached global secondary; a replica promoted, standalone or busy, on a failover only', () => {
    expect(leavesTwoWriters(failover, { writerRegion: WEST, busy: false, status: 'x', detached: true })).toBe(true);
    expect(leavesTwoWriters(failover, { writerRegion: WEST, busy: false, status: 'x' })).toBe(false);
    const replica = testConfig({ strategy: 'pilot-light', database: 'replica' });
    expect(leavesTwoWriters(replica, { writerRegion: WEST, busy: false, status: 'x' })).toBe(true);
    expect(leavesTwoWriters(replica, { writerRegion: EAST, busy: false, status: 'x', standalone: true })).toBe(true);
    expect(leavesTwoWriters(replica, { writerRegion: EAST, busy: true, status: 'x' })).toBe(true);
    expect(leavesTwoWriters(replica, { writerRegion: EAST, busy: false, status: 'x', standalone: false })).toBe(false);
    expect(leavesTwoWriters({ ...replica, direction: 'failback' }, { writerRegion: WEST, busy: true, status: 'x', standalone: true })).toBe(false);
  });

  test("a Region's state: healthy at its required targets (the source at one), the writer, and the routing control as Route 53 answers it", async () => {
    const config = testConfig({ traffic: 'routing-control' });
    const group = (n: number) => ({ AutoScalingGroups: [{ AutoScalingGroupName: 'g', DesiredCapacity: n, MinSize: 0, MaxSize: 12, Instances: Array.from({ length: n }, (_, i) => ({ InstanceId: `i-${i}`, LifecycleState: 'InService', HealthStatus: 'Healthy' })) }] });
    asg.on(DescribeAutoScalingGroupsCommand).resolves(group(1) as never);
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [{ TargetHealth: { State: 'healthy' } }] });
    const db = { writerRegion: EAST, busy: false, status: 'available' };
    const source = await readRegion(config, 'source', db, { [EAST]: 'serving', [WEST]: 'withdrawn' });
    expect(source).toMatchObject({ region: EAST, reachable: true, healthy: true, writer: true, routingControl: 'On', traffic: 'serving' });
    const target = await readRegion(config, 'target', db, { [EAST]: 'serving', [WEST]: 'withdrawn' });
    expect(target).toMatchObject({ region: WEST, writer: false, routingControl: 'Off', traffic: 'withdrawn', healthy: false });
    expect((await readRegion(config, 'target', db, { [WEST]: 'unknown' })).routingControl).toBeUndefined();
    expect((await readRegion(config, 'target', db)).routingControl).toBeUndefined();
    // Health-check traffic has no routing control to read.
    expect((await readRegion(testConfig({}), 'target', db, { [WEST]: 'serving' })).routingControl).toBeUndefined();
  });
});

describe('the reads, at their edges', () => {
  test('compute: both reads bounded by an abort signal; a group that is not found has no capacity and no instances', async () => {
    const config = testConfig({});
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [{ TargetHealth: { State: 'healthy' } }] });
    expect(await readCompute(config.compute.target, 1000)).toEqual({ reachable: true, healthy: 1, desired: undefined, instances: 0 });
    expect(await readCompute(config.compute.source, 1000)).toEqual({ reachable: true, healthy: 0, desired: undefined, instances: 0 });
    expect((asg.commandCalls(DescribeAutoScalingGroupsCommand)[0].args as unknown[])[1]).toEqual({ abortSignal: expect.any(AbortSignal) });
    expect((elb.commandCalls(DescribeTargetHealthCommand)[0].args as unknown[])[1]).toEqual({ abortSignal: expect.any(AbortSignal) });
  });

  test("a Region's compute read: the source bounded by sourceCallTimeoutMs (its Region may be black-holed), the target by 30 s", async () => {
    // Auto Scaling answering after 300 ms: past the source's bound of 100 ms, well within the target's.
    const config = { ...testConfig({}), sourceCallTimeoutMs: 100 };
    const group = { $metadata: {}, AutoScalingGroups: [{ AutoScalingGroupName: 'g', DesiredCapacity: 1, MinSize: 0, MaxSize: 2, Instances: [] }] };
    // As the SDK's HTTP handler does: the call ends when its abort signal fires.
    asg.send.callsFake((_cmd: unknown, options?: { abortSignal?: AbortSignal }) => {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => resolve(group), 300);
        options?.abortSignal?.addEventListener('abort', () => {
          clearTimeout(t);
          reject(options.abortSignal!.reason);
        });
      });
    });
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [{ TargetHealth: { State: 'healthy' } }] });
    const db = { writerRegion: EAST, busy: false, status: 'available' };
    expect(await readRegion(config, 'source', db)).toMatchObject({ region: EAST, reachable: false });
    expect(await readRegion(config, 'target', db)).toMatchObject({ region: WEST, reachable: true, healthyTargets: 1 });
  });

  test('ready only reachable, at full desired capacity and with the required healthy targets', () => {
    const target = testConfig({}).compute.target;
    expect(computeReady(target, { reachable: true, desired: 6, healthy: 6 })).toBe(true);
    expect(computeReady(target, { reachable: false, desired: 6, healthy: 6 })).toBe(false);
    expect(computeReady(target, { reachable: true, desired: 5, healthy: 6 })).toBe(false);
    expect(computeReady(target, { reachable: true, desired: 6, healthy: 5 })).toBe(false);
    expect(computeReady(target, { reachable: true })).toBe(false);
  });

  test('Aurora global, detached: a cluster answer without clusters reads unknown; a global cluster without members has no writer', async () => {
    const config = testConfig({ strategy: 'warm-standby' });
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ GlobalClusterIdentifier: 'shop', Status: 'available', GlobalClusterMembers: [] }] });
    rdsMock.on(DescribeDBClustersCommand).resolves({});
    expect(await readDatabase(config)).toEqual({ writerRegion: undefined, busy: true, status: 'detached, unknown', detached: true });
    rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ DBClusterIdentifier: 'shop-us-west-2' }] });
    expect((await readDatabase(config)).status).toBe('detached, unknown');
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ GlobalClusterIdentifier: 'shop', Status: 'available' }] });
    expect((await readDatabase(config)).status).toBe('detached, unknown');
  });

  test("routing controls: the source's control read Off is the fence; a control that cannot be read is unknown, a permission error is thrown", async () => {
    const arc = mockClient(Route53RecoveryClusterClient);
    try {
      const config = testConfig({ traffic: 'routing-control' });
      expect(await sourceFenced(config, { [EAST]: 'withdrawn', [WEST]: 'serving' })).toBe(true);
      expect(await sourceFenced(config, { [EAST]: 'unknown', [WEST]: 'serving' })).toBe(false);
      ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify({ clusterEndpoints: [{ region: WEST, endpoint: 'https://c' }] }) } });
      arc.on(GetRoutingControlStateCommand).rejects(named('InternalServerException'));
      expect(await observedTraffic(config)).toEqual({ [EAST]: 'unknown', [WEST]: 'unknown' });
      arc.on(GetRoutingControlStateCommand).rejects(named('AccessDeniedException'));
      await expect(observedTraffic(config)).rejects.toThrow(/may not read a routing control/);
    } finally {
      arc.restore();
    }
  });

  test('the two-writers note names the fenced Region and what to do before a failback', () => {
    expect(twoWritersNote(testConfig({}))).toEqual({
      fencedRegion: EAST,
      beforeFailback: `when ${EAST} answers, its database still accepts writes: keep it fenced, reconcile or discard what it took, and re-protect (a new replica or secondary in ${EAST}) before any failback`,
    });
  });
});
