import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import {
  AzComputeLossScenario,
  AzNetworkDisruptionScenario,
  AzPowerInterruptionScenario,
  CHAOS_TARGET_TAG,
  CrossRegionConnectivityScenario,
  Database,
  DatabaseEngine,
  DatabaseFailoverScenario,
  DatabaseKind,
  InstanceTerminationScenario,
  ResilienceError,
  WebTier,
} from '../../lib';
import { errorOf, nagFindings, newStack, resourcesOfType, TEST_AZS } from '../helpers/app';

interface Rendered {
  actions: Record<string, { ActionId: string; Targets?: Record<string, string>; Parameters?: Record<string, string>; StartAfter?: string[] }>;
  targets: Record<string, { ResourceType: string; ResourceArns?: unknown[]; ResourceTags?: Record<string, unknown>; Filters?: { Path: string; Values: string[] }[]; SelectionMode: string; Parameters?: Record<string, string> }>;
  props: Record<string, unknown>;
}

function tier(): { stack: Stack; web: WebTier } {
  const stack = newStack();
  const web = new WebTier(stack, 'Web', { vpcProps: { availabilityZones: TEST_AZS }, capacity: { min: 4, max: 12 } });
  return { stack, web };
}

/** The one experiment template under a scenario, rendered. */
function experimentOf(stack: Stack, scenarioId: string): Rendered {
  const t = Template.fromStack(stack);
  const found = resourcesOfType(t, 'AWS::FIS::ExperimentTemplate').filter(([id]) => id.startsWith(scenarioId));
  expect(found).toHaveLength(1);
  const p = found[0][1].Properties;
  return { actions: p.Actions as Rendered['actions'], targets: p.Targets as Rendered['targets'], props: p };
}

/** The actions the experiment role of a scenario may perform. */
function roleActions(stack: Stack, scenarioId: string): string[] {
  const t = Template.fromStack(stack);
  return resourcesOfType(t, 'AWS::IAM::Policy')
    .filter(([id]) => id.startsWith(scenarioId))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement)
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

/** The stop condition is the web tier's 5xx rate alarm; logging is on. */
function expectWebStopAndLogs(stack: Stack, web: WebTier, r: Rendered): void {
  const alarmId = stack.getLogicalId(web.alarms.serverErrorRate.node.defaultChild as cloudwatch.CfnAlarm);
  expect(r.props.StopConditions).toEqual([{ Source: 'aws:cloudwatch:alarm', Value: { 'Fn::GetAtt': [alarmId, 'Arn'] } }]);
  expect(r.props.LogConfiguration).toMatchObject({ LogSchemaVersion: 2, CloudWatchLogsConfiguration: { LogGroupArn: { 'Fn::GetAtt': [expect.stringMatching(/ExperimentLog/), 'Arn'] } } });
}

describe('InstanceTerminationScenario', () => {
  const { stack, web } = tier();
  new InstanceTerminationScenario(stack, 'Terminate', { web, percentage: 40 });
  const r = experimentOf(stack, 'Terminate');

  test("terminates a percentage of the tier's running instances, found by their Auto Scaling tag", () => {
    expect(r.actions['terminate-instances']).toEqual({ ActionId: 'aws:ec2:terminate-instances', Targets: { Instances: 'terminate-instances-target' } });
    expect(r.targets['terminate-instances-target']).toEqual({
      ResourceType: 'aws:ec2:instance',
      ResourceTags: { 'aws:autoscaling:groupName': { Ref: stack.getLogicalId(web.asg.node.defaultChild as never) } },
      Filters: [{ Path: 'State.Name', Values: ['running'] }],
      SelectionMode: 'PERCENT(40)',
    });
  });
  test('stops on the 5xx alarm; logs; the role can terminate and describe only', () => {
    expectWebStopAndLogs(stack, web, r);
    expect(roleActions(stack, 'Terminate').filter((a) => !a.startsWith('logs:')).sort()).toEqual(['ec2:DescribeInstances', 'ec2:TerminateInstances']);
  });
  test('a percentage outside 1-100 is refused', () => {
    const { stack: s, web: w } = tier();
    const err = errorOf(() => new InstanceTerminationScenario(s, 'T', { web: w, percentage: 0 }));
    expect(err.codes).toEqual(['FIS_PERCENT']);
    expect(err.message).toContain('Test/T');
  });
});

describe('AzComputeLossScenario', () => {
  const { stack, web } = tier();
  new AzComputeLossScenario(stack, 'AzLoss', { web, availabilityZone: 'us-east-1b', duration: Duration.minutes(20) });
  const r = experimentOf(stack, 'AzLoss');

  test("stops the AZ's instances (restarting them after the duration) and fails the group's launches there", () => {
    expect(r.actions['stop-instances']).toMatchObject({
      ActionId: 'aws:ec2:stop-instances',
      Targets: { Instances: 'stop-instances-target' },
      Parameters: { startInstancesAfterDuration: 'PT20M', completeIfInstancesTerminated: 'true' },
    });
    expect(r.targets['stop-instances-target'].Filters).toEqual([
      { Path: 'State.Name', Values: ['running'] },
      { Path: 'Placement.AvailabilityZone', Values: ['us-east-1b'] },
    ]);
    expect(r.actions['asg-insufficient-capacity']).toMatchObject({
      ActionId: 'aws:ec2:asg-insufficient-instance-capacity-error',
      Targets: { AutoScalingGroups: 'asg-insufficient-capacity-target' },
      Parameters: { availabilityZoneIdentifiers: 'us-east-1b', duration: 'PT20M', percentage: '100' },
    });
    expect(r.targets['asg-insufficient-capacity-target']).toEqual({ ResourceType: 'aws:ec2:autoscaling-group', ResourceTags: { [CHAOS_TARGET_TAG]: web.node.addr }, SelectionMode: 'ALL' });
  });
  test('the group carries the target tag (not propagated to instances)', () => {
    Template.fromStack(stack).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      Tags: Match.arrayWith([{ Key: CHAOS_TARGET_TAG, Value: web.node.addr, PropagateAtLaunch: false }]),
    });
  });
  test('stops on the 5xx alarm; the role may inject only this action’s EC2 API errors', () => {
    expectWebStopAndLogs(stack, web, r);
    const t = Template.fromStack(stack);
    const inject = resourcesOfType(t, 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('AzLoss'))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: { Action: unknown; Condition?: unknown }[] }).Statement)
      .find((s) => s.Action === 'ec2:InjectApiError');
    expect(inject?.Condition).toEqual({ 'ForAnyValue:StringEquals': { 'ec2:FisActionId': ['aws:ec2:asg-insufficient-instance-capacity-error'] } });
    expect(roleActions(stack, 'AzLoss')).toEqual(expect.arrayContaining(['ec2:StopInstances', 'ec2:StartInstances', 'kms:CreateGrant', 'autoscaling:DescribeAutoScalingGroups']));
  });
  test('an AZ that is not the tier’s is refused', () => {
    const { stack: s, web: w } = tier();
    const err = errorOf(() => new AzComputeLossScenario(s, 'X', { web: w, availabilityZone: 'us-west-2a' }));
    expect(err).toBeInstanceOf(ResilienceError);
    expect(err.codes).toEqual(['FIS_SCENARIO_AZ']);
    expect(err.message).toMatch(/availabilityZone: is not an AZ of the tier \(us-east-1a, us-east-1b, us-east-1c\) \(got: "us-west-2a"\)/);
  });
});

describe('AzNetworkDisruptionScenario', () => {
  const { stack, web } = tier();
  new AzNetworkDisruptionScenario(stack, 'AzNet', { web, availabilityZone: 'us-east-1c' });
  const r = experimentOf(stack, 'AzNet');

  test("cuts all traffic of the tier's public and private subnets in that AZ, by ARN", () => {
    expect(r.actions['disrupt-connectivity']).toEqual({
      ActionId: 'aws:network:disrupt-connectivity',
      Targets: { Subnets: 'disrupt-connectivity-target' },
      Parameters: { duration: 'PT10M', scope: 'all' },
    });
    const arns = JSON.stringify(r.targets['disrupt-connectivity-target'].ResourceArns);
    const expected = web.vpc.selectSubnets({ availabilityZones: ['us-east-1c'], subnetType: 'Public' as never }).subnets.concat(web.vpc.selectSubnets({ availabilityZones: ['us-east-1c'], subnetType: 'Private' as never }).subnets);
    expect(r.targets['disrupt-connectivity-target'].ResourceArns).toHaveLength(2);
    for (const s of expected) expect(arns).toContain(stack.getLogicalId(s.node.defaultChild as never));
  });
  test('stops on the 5xx alarm; the ACL permissions are limited to ACLs FIS tags', () => {
    expectWebStopAndLogs(stack, web, r);
    expect(roleActions(stack, 'AzNet')).toEqual(expect.arrayContaining(['ec2:CreateNetworkAcl', 'ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAcl', 'ec2:ReplaceNetworkAclAssociation']));
    const t = Template.fromStack(stack);
    const del = resourcesOfType(t, 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('AzNet'))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: { Action: unknown; Condition?: unknown }[] }).Statement)
      .find((s) => JSON.stringify(s.Action).includes('ec2:DeleteNetworkAcl'));
    expect(del?.Condition).toEqual({ StringEquals: { 'ec2:ResourceTag/managedByFIS': 'true' } });
  });
});

describe('DatabaseFailoverScenario', () => {
  test.each([
    [DatabaseKind.AURORA, DatabaseEngine.auroraPostgres('16.4'), 'aws:rds:failover-db-cluster', 'Clusters', 'aws:rds:cluster', undefined, 'rds:FailoverDBCluster'],
    [DatabaseKind.MULTI_AZ_CLUSTER, DatabaseEngine.postgres('16.4'), 'aws:rds:failover-db-cluster', 'Clusters', 'aws:rds:cluster', undefined, 'rds:FailoverDBCluster'],
    [DatabaseKind.MULTI_AZ_INSTANCE, DatabaseEngine.postgres('16.4'), 'aws:rds:reboot-db-instances', 'DBInstances', 'aws:rds:db', { forceFailover: 'true' }, 'rds:RebootDBInstance'],
  ])('%s: %s on the database, by ARN', (kind, engine, actionId, key, type, params, permission) => {
    const { stack, web } = tier();
    const db = new Database(stack, 'Db', { kind, engine, vpc: web.vpc });
    new DatabaseFailoverScenario(stack, 'DbFail', { database: db, web });
    const r = experimentOf(stack, 'DbFail');
    expect(r.actions['failover-database']).toEqual({ ActionId: actionId, Targets: { [key]: 'failover-database-target' }, ...(params ? { Parameters: params } : {}) });
    expect(r.targets['failover-database-target']).toEqual({ ResourceType: type, ResourceArns: [stack.resolve(db.arn)], SelectionMode: 'ALL' });
    expectWebStopAndLogs(stack, web, r);
    expect(roleActions(stack, 'DbFail')).toContain(permission);
    expect(nagFindings(stack).filter((f) => f.includes('/DbFail/'))).toEqual([]);
  });
  test('without web or stop conditions it is refused', () => {
    const { stack, web } = tier();
    const db = new Database(stack, 'Db', { kind: DatabaseKind.AURORA, engine: DatabaseEngine.auroraPostgres('16.4'), vpc: web.vpc });
    const err = errorOf(() => new DatabaseFailoverScenario(stack, 'DbFail', { database: db }));
    expect(err.codes).toEqual(['FIS_SCENARIO_STOP']);
  });
});

describe('AzPowerInterruptionScenario', () => {
  const { stack, web } = tier();
  const db = new Database(stack, 'Db', { kind: DatabaseKind.AURORA, engine: DatabaseEngine.auroraPostgres('16.4'), vpc: web.vpc });
  new AzPowerInterruptionScenario(stack, 'Power', { web, database: db, availabilityZone: 'us-east-1a' });
  const r = experimentOf(stack, 'Power');

  test('stops compute, pauses launches, cuts the network for 2 minutes and fails over a writer in the AZ', () => {
    expect(Object.fromEntries(Object.entries(r.actions).map(([n, a]) => [n, a.ActionId]))).toEqual({
      'stop-instances': 'aws:ec2:stop-instances',
      'pause-asg-launches': 'aws:ec2:asg-insufficient-instance-capacity-error',
      'pause-network': 'aws:network:disrupt-connectivity',
      'failover-database': 'aws:rds:failover-db-cluster',
    });
    expect(r.actions['stop-instances'].Parameters).toEqual({ startInstancesAfterDuration: 'PT30M', completeIfInstancesTerminated: 'true' });
    expect(r.actions['pause-asg-launches'].Parameters).toEqual({ availabilityZoneIdentifiers: 'us-east-1a', duration: 'PT30M', percentage: '100' });
    expect(r.actions['pause-network'].Parameters).toEqual({ duration: 'PT2M', scope: 'all' });
    expect(r.targets['failover-database-target']).toEqual({
      ResourceType: 'aws:rds:cluster',
      ResourceTags: { [CHAOS_TARGET_TAG]: db.node.addr },
      Parameters: { writerAvailabilityZoneIdentifiers: 'us-east-1a' },
      SelectionMode: 'ALL',
    });
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBCluster', { Tags: Match.arrayWith([{ Key: CHAOS_TARGET_TAG, Value: db.node.addr }]) });
  });
  test('empty targets (a writer elsewhere) are skipped; stops on the 5xx alarm', () => {
    expect(r.props.ExperimentOptions).toEqual({ AccountTargeting: 'single-account', EmptyTargetResolutionMode: 'skip' });
    expectWebStopAndLogs(stack, web, r);
  });
  test('cdk-nag clean', () => {
    expect(nagFindings(stack).filter((f) => f.includes('/Power/'))).toEqual([]);
  });
});

describe('CrossRegionConnectivityScenario', () => {
  const { stack, web } = tier();
  new CrossRegionConnectivityScenario(stack, 'XRegion', { web, region: 'us-west-2' });
  const r = experimentOf(stack, 'XRegion');

  test("cuts the instance subnets' routes to the other Region", () => {
    expect(r.actions['disrupt-cross-region']).toEqual({
      ActionId: 'aws:network:route-table-disrupt-cross-region-connectivity',
      Targets: { Subnets: 'disrupt-cross-region-target' },
      Parameters: { region: 'us-west-2', duration: 'PT10M' },
    });
    expect(r.targets['disrupt-cross-region-target'].ResourceArns).toHaveLength(3);
    expectWebStopAndLogs(stack, web, r);
  });
  test('uses the AWS-maintained network policy, acknowledged once with its reason', () => {
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSFaultInjectionSimulatorNetworkAccess']] }],
    });
    expect(nagFindings(stack).filter((f) => f.includes('/XRegion/'))).toEqual([]);
  });
  test("its own Region is refused; a bad duration is refused", () => {
    const { stack: s, web: w } = tier();
    expect(errorOf(() => new CrossRegionConnectivityScenario(s, 'A', { web: w, region: 'us-east-1' })).codes).toEqual(['FIS_SCENARIO_REGION']);
    expect(errorOf(() => new CrossRegionConnectivityScenario(s, 'B', { web: w, region: 'us-west-2', duration: Duration.hours(13) })).codes).toEqual(['FIS_DURATION']);
  });
});

test('a scenario takes stop conditions of the caller instead of the tier default', () => {
  const { stack, web } = tier();
  const custom = new cloudwatch.Alarm(stack, 'Custom', { metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Orders' }), threshold: 1, evaluationPeriods: 1 });
  new InstanceTerminationScenario(stack, 'Terminate', { web, stopConditions: [custom] });
  const r = experimentOf(stack, 'Terminate');
  expect(r.props.StopConditions).toEqual([{ Source: 'aws:cloudwatch:alarm', Value: { 'Fn::GetAtt': [stack.getLogicalId(custom.node.defaultChild as cloudwatch.CfnAlarm), 'Arn'] } }]);
});
