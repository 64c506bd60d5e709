import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MultiAzVpc } from '../../lib/tiers/multi-az-vpc';
import { CacheAuthMode, CacheEngine, SESSION_CACHE_FIGURES, SessionCache, SessionCacheProps } from '../../lib/data/session-cache';
import { errorOf, nagFindings, newStack, RECOVERY_AZS, resilienceWarnings, resourcesOfType, TEST_AZS, TEST_ENV, twoRegions } from '../helpers/app';

type Props = Partial<SessionCacheProps>;

function build(props: Props = {}): { stack: Stack; cache: SessionCache; template: Template; network: MultiAzVpc } {
  const stack = newStack();
  const network = new MultiAzVpc(stack, 'Net', { availabilityZones: TEST_AZS });
  const cache = new SessionCache(stack, 'Sessions', { vpc: network.vpc, ...props });
  return { stack, cache, template: Template.fromStack(stack), network };
}

function replicationGroup(template: Template): Record<string, unknown> {
  const groups = resourcesOfType(template, 'AWS::ElastiCache::ReplicationGroup');
  expect(groups).toHaveLength(1);
  return groups[0][1].Properties;
}

function isolatedSubnetIds(template: Template): string[] {
  return resourcesOfType(template, 'AWS::EC2::Subnet')
    .filter(([, s]) => (s.Properties.Tags as { Key: string; Value: string }[]).some((t) => t.Key === 'aws-cdk:subnet-type' && t.Value === 'Isolated'))
    .map(([id]) => id);
}

function keyArn(template: Template): { 'Fn::GetAtt': [string, string] } {
  const [[id]] = resourcesOfType(template, 'AWS::KMS::Key');
  return { 'Fn::GetAtt': [id, 'Arn'] };
}

/** The metric names and CacheClusterId suffixes an alarm's MAX([...]) expression reads. */
function alarmNodes(alarm: { Properties: Record<string, unknown> }): { metric: string; nodes: string[]; expression: string } {
  const metrics = alarm.Properties.Metrics as { Expression?: string; MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: unknown }[] } } }[];
  const stats = metrics.filter((m) => m.MetricStat);
  const names = new Set(stats.map((m) => m.MetricStat!.Metric.MetricName));
  expect(names.size).toBe(1);
  const nodes = stats.map((m) => {
    const [dim] = m.MetricStat!.Metric.Dimensions;
    expect(dim.Name).toBe('CacheClusterId');
    const join = (dim.Value as { 'Fn::Join': [string, [unknown, string]] })['Fn::Join'];
    return join[1][1];
  });
  return { metric: [...names][0], nodes, expression: metrics.find((m) => m.Expression)!.Expression! };
}

describe('SessionCache defaults', () => {
  const { stack, cache, template, network } = build();
  const rg = replicationGroup(template);

  test('Valkey 8.1 on cache.r7g.large, cluster mode disabled: one shard of a primary and 2 replicas', () => {
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'valkey',
      EngineVersion: '8.1',
      CacheNodeType: 'cache.r7g.large',
      NumCacheClusters: 3,
    });
    expect(rg.NumNodeGroups).toBeUndefined();
    expect(rg.CacheParameterGroupName).toBeUndefined();
    expect(cache.clusterMode).toBe(false);
    expect(cache.shards).toBe(1);
    expect(cache.replicasPerShard).toBe(2);
  });

  test('Multi-AZ with automatic failover; each replica in another AZ than the primary, spread over the VPC AZs', () => {
    expect(rg.MultiAZEnabled).toBe(true);
    expect(rg.AutomaticFailoverEnabled).toBe(true);
    const [primary, ...replicas] = rg.PreferredCacheClusterAZs as string[];
    expect(primary).toBe('us-east-1a');
    expect(replicas).toHaveLength(2);
    for (const az of replicas) expect(az).not.toBe(primary);
    expect(new Set([primary, ...replicas])).toEqual(new Set(TEST_AZS));
    expect(cache.availabilityZones).toEqual(TEST_AZS);
  });

  test('encrypted in transit and at rest with a customer-managed key that rotates and is retained', () => {
    expect(rg.TransitEncryptionEnabled).toBe(true);
    expect(rg.AtRestEncryptionEnabled).toBe(true);
    expect(rg.KmsKeyId).toEqual(keyArn(template));
    template.hasResource('AWS::KMS::Key', { Properties: Match.objectLike({ EnableKeyRotation: true }), DeletionPolicy: 'Retain' });
  });

  test('RBAC: an application user and a locked default user in a user group, no AUTH token', () => {
    expect(rg.AuthToken).toBeUndefined();
    const [[groupId, group]] = resourcesOfType(template, 'AWS::ElastiCache::UserGroup');
    expect(rg.UserGroupIds).toEqual([group.Properties.UserGroupId]);
    expect(group.Properties.Engine).toBe('valkey');
    template.hasResource('AWS::ElastiCache::ReplicationGroup', { DependsOn: Match.arrayWith([groupId]) });

    const users = resourcesOfType(template, 'AWS::ElastiCache::User').map(([, u]) => u.Properties);
    expect(users).toHaveLength(2);
    const app = users.find((u) => u.UserName === 'sessions')!;
    const locked = users.find((u) => u.UserName === 'default')!;
    expect(app.AccessString).toBe('on ~* +@all -@dangerous');
    expect(locked.AccessString).toBe('off -@all');
    expect(locked.UserId).not.toBe('default');
    for (const u of users) expect(u.Engine).toBe('valkey');
    expect((group.Properties.UserIds as string[]).sort()).toEqual([app.UserId as string, locked.UserId as string].sort());
    expect(cache.user).toBeDefined();
    expect(cache.userGroup).toBeDefined();
  });

  test('passwords come from generated Secrets Manager secrets by dynamic reference, never in the template', () => {
    const users = resourcesOfType(template, 'AWS::ElastiCache::User').map(([, u]) => u.Properties);
    for (const u of users) {
      const mode = u.AuthenticationMode as { Type: string; Passwords: unknown[] };
      expect(mode.Type).toBe('password');
      expect(mode.Passwords).toHaveLength(1);
      expect(JSON.stringify(mode.Passwords[0])).toMatch(/\{\{resolve:secretsmanager:.*:SecretString:password::\}\}/);
    }
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: keyArn(template),
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password', ExcludePunctuation: true, PasswordLength: 64, SecretStringTemplate: '{"username":"sessions"}' }),
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/"Passwords":\["[^{]/);
    expect(stack.resolve(cache.secret.secretArn)).toEqual({ Ref: expect.stringMatching(/^SessionsSecret/) });
  });

  test('isolated subnets only, and a security group that admits nobody and sends nothing', () => {
    const [[subnetGroupId, subnetGroup]] = resourcesOfType(template, 'AWS::ElastiCache::SubnetGroup');
    const ids = (subnetGroup.Properties.SubnetIds as { Ref: string }[]).map((r) => r.Ref).sort();
    expect(ids).toEqual(isolatedSubnetIds(template).sort());
    expect(rg.CacheSubnetGroupName).toEqual({ Ref: subnetGroupId });
    const [[sgId, sg]] = resourcesOfType(template, 'AWS::EC2::SecurityGroup').filter(([id]) => id.startsWith('Sessions'));
    expect(rg.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [sgId, 'GroupId'] }]);
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    expect(sg.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })]);
    expect(network.vpc.isolatedSubnets).toHaveLength(3);
  });

  test('7-day automatic snapshots in a window, a maintenance window, snapshot on removal, minor upgrades', () => {
    expect(rg.SnapshotRetentionLimit).toBe(7);
    expect(rg.SnapshotWindow).toBe('03:00-04:00');
    expect(rg.PreferredMaintenanceWindow).toBe('sun:05:00-sun:06:00');
    expect(rg.AutoMinorVersionUpgrade).toBe(true);
    template.hasResource('AWS::ElastiCache::ReplicationGroup', { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
  });

  test('exposes the primary and reader endpoints, the port and the failover figure', () => {
    expect(rg.Port).toBe(6379);
    expect(cache.port).toBe(6379);
    expect(stack.resolve(cache.endpoint.hostname)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SessionsReplicationGroup/), 'PrimaryEndPoint.Address'] });
    expect(stack.resolve(cache.readerEndpoint!.hostname)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SessionsReplicationGroup/), 'ReaderEndPoint.Address'] });
    expect(stack.resolve(cache.replicationGroupId)).toEqual({ Ref: expect.stringMatching(/^SessionsReplicationGroup/) });
    expect(cache.failover).toBe(SESSION_CACHE_FIGURES.elasticacheMultiAzFailover);
    expect(cache.failover.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/AmazonElastiCache\//);
  });

  test('alarms on engine CPU, memory, evictions and replication lag, each the maximum over the three nodes', () => {
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(4);
    const byMetric = Object.fromEntries(alarms.map(([, a]) => [alarmNodes(a).metric, a]));
    expect(Object.keys(byMetric).sort()).toEqual(['DatabaseMemoryUsagePercentage', 'EngineCPUUtilization', 'Evictions', 'ReplicationLag']);
    for (const [, a] of alarms) {
      const { nodes, expression } = alarmNodes(a);
      expect(nodes).toEqual(['-001', '-002', '-003']);
      expect(expression).toBe('MAX([n1, n2, n3])');
      expect(a.Properties.ComparisonOperator).toBe('GreaterThanThreshold');
    }
    expect(byMetric.EngineCPUUtilization.Properties.Threshold).toBe(90);
    expect(byMetric.DatabaseMemoryUsagePercentage.Properties.Threshold).toBe(80);
    expect(byMetric.Evictions.Properties.Threshold).toBe(0);
    expect(byMetric.ReplicationLag.Properties.Threshold).toBe(5);
    expect(byMetric.ReplicationLag.Properties).toMatchObject({ EvaluationPeriods: 5, DatapointsToAlarm: 3 });
    expect(cache.alarms.engineCpu).toHaveLength(1);
    expect(cache.alarms.replicationLag).toHaveLength(1);
    expect(cache.alarms.globalReplicationLag).toEqual([]);
  });

  test('warns that the alarms notify nobody; no other warning', () => {
    expect(resilienceWarnings(stack)).toEqual(['cdk-resilience:AlarmsWithoutActions']);
  });

  test('zero unacknowledged cdk-nag findings', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('SessionCache options', () => {
  test('allowFrom admits a peer on the cache port only', () => {
    const stack = newStack();
    const network = new MultiAzVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const app = new ec2.SecurityGroup(stack, 'App', { vpc: network.vpc });
    const cache = new SessionCache(stack, 'Sessions', { vpc: network.vpc, allowFrom: [app], port: 6380 });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 6380,
      ToPort: 6380,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^App'), 'GroupId'] },
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SessionsSecurityGroup'), 'GroupId'] },
    });
    expect(cache.connections.defaultPort?.toString()).toBe('6380');
    expect(replicationGroup(template).Port).toBe(6380);
  });

  test('cluster mode: shards with explicit AZs, primaries rotating, no replica in its primary\'s AZ, per-shard alarms', () => {
    const { stack, cache, template } = build({ shards: 3, alarmTopic: undefined });
    const rg = replicationGroup(template);
    expect(rg).toMatchObject({ NumNodeGroups: 3, ReplicasPerNodeGroup: 2, MultiAZEnabled: true, AutomaticFailoverEnabled: true });
    expect(rg.NumCacheClusters).toBeUndefined();
    expect(rg.PreferredCacheClusterAZs).toBeUndefined();
    const groups = rg.NodeGroupConfiguration as { NodeGroupId: string; PrimaryAvailabilityZone: string; ReplicaAvailabilityZones: string[]; ReplicaCount: number }[];
    expect(groups.map((g) => g.NodeGroupId)).toEqual(['0001', '0002', '0003']);
    expect(groups.map((g) => g.PrimaryAvailabilityZone)).toEqual(TEST_AZS);
    for (const g of groups) {
      expect(g.ReplicaCount).toBe(2);
      expect(g.ReplicaAvailabilityZones).toHaveLength(2);
      expect(g.ReplicaAvailabilityZones).not.toContain(g.PrimaryAvailabilityZone);
    }
    template.hasResourceProperties('AWS::ElastiCache::ParameterGroup', { CacheParameterGroupFamily: 'valkey8', Properties: { 'cluster-enabled': 'yes' } });
    expect(rg.CacheParameterGroupName).toEqual({ Ref: expect.stringMatching(/^SessionsParameterGroup/) });
    template.hasResource('AWS::ElastiCache::ReplicationGroup', { UpdatePolicy: { UseOnlineResharding: true } });
    expect(stack.resolve(cache.endpoint.hostname)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SessionsReplicationGroup/), 'ConfigurationEndPoint.Address'] });
    expect(cache.readerEndpoint).toBeUndefined();
    expect(cache.alarms.engineCpu).toHaveLength(3);
    const cpu = resourcesOfType(template, 'AWS::CloudWatch::Alarm').filter(([, a]) => alarmNodes(a).metric === 'EngineCPUUtilization');
    expect(cpu.map(([, a]) => alarmNodes(a).nodes).sort()).toEqual([
      ['-0001-001', '-0001-002', '-0001-003'],
      ['-0002-001', '-0002-002', '-0002-003'],
      ['-0003-001', '-0003-002', '-0003-003'],
    ]);
    expect(nagFindings(stack)).toEqual([]);
  });

  test('two AZs and two replicas: both replicas go to the AZ the primary is not in', () => {
    const { template } = build({ availabilityZones: ['us-east-1a', 'us-east-1b'] });
    expect(replicationGroup(template).PreferredCacheClusterAZs).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1b']);
    const [[, subnetGroup]] = resourcesOfType(template, 'AWS::ElastiCache::SubnetGroup');
    expect(subnetGroup.Properties.SubnetIds).toHaveLength(2);
  });

  test('AUTH token mode with Redis OSS: the token by dynamic reference, no user group; cdk-nag clean', () => {
    const { stack, template } = build({ engine: CacheEngine.REDIS, auth: { mode: CacheAuthMode.AUTH_TOKEN } });
    const rg = replicationGroup(template);
    expect(rg).toMatchObject({ Engine: 'redis', EngineVersion: '7.1', TransitEncryptionEnabled: true });
    expect(JSON.stringify(rg.AuthToken)).toMatch(/\{\{resolve:secretsmanager:.*:SecretString:password::\}\}/);
    expect(rg.UserGroupIds).toBeUndefined();
    template.resourceCountIs('AWS::ElastiCache::User', 0);
    template.resourceCountIs('AWS::ElastiCache::UserGroup', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    expect(nagFindings(stack)).toEqual([]);
  });

  test('alarms notify the topic on ALARM and OK, with custom thresholds; no warning', () => {
    const stack = newStack();
    const network = new MultiAzVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const topic = new sns.Topic(stack, 'Alarms', { enforceSSL: true });
    new SessionCache(stack, 'Sessions', { vpc: network.vpc, alarmTopic: topic, alarms: { engineCpuPercent: 70, replicationLag: Duration.seconds(2) } });
    const template = Template.fromStack(stack);
    for (const [, a] of resourcesOfType(template, 'AWS::CloudWatch::Alarm')) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Alarms/) }]);
      expect(a.Properties.OKActions).toEqual([{ Ref: expect.stringMatching(/^Alarms/) }]);
    }
    const thresholds = Object.fromEntries(resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, a]) => [alarmNodes(a).metric, a.Properties.Threshold]));
    expect(thresholds).toEqual({ EngineCPUUtilization: 70, DatabaseMemoryUsagePercentage: 80, Evictions: 0, ReplicationLag: 2 });
    expect(resilienceWarnings(stack)).toEqual([]);
  });

  test('r6gd nodes turn data tiering on; a physical id is kept', () => {
    const { template } = build({ nodeType: 'cache.r6gd.xlarge', replicationGroupId: 'shop-sessions' });
    const rg = replicationGroup(template);
    expect(rg.DataTieringEnabled).toBe(true);
    expect(rg.ReplicationGroupId).toBe('shop-sessions');
    const [, alarm] = resourcesOfType(template, 'AWS::CloudWatch::Alarm')[0];
    const metrics = alarm.Properties.Metrics as { MetricStat?: { Metric: { Dimensions: { Value: unknown }[] } } }[];
    expect(metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat!.Metric.Dimensions[0].Value)).toEqual(['shop-sessions-001', 'shop-sessions-002', 'shop-sessions-003']);
  });
});

describe('SessionCache global datastore', () => {
  function globalSetup() {
    const { primary, recovery } = twoRegions();
    const pNet = new MultiAzVpc(primary, 'Net', { availabilityZones: TEST_AZS, cidr: '10.10.0.0/16' });
    const rNet = new MultiAzVpc(recovery, 'Net', { availabilityZones: RECOVERY_AZS, cidr: '10.20.0.0/16' });
    const topic = new sns.Topic(recovery, 'Alarms', { enforceSSL: true });
    const cache = new SessionCache(primary, 'Sessions', {
      vpc: pNet.vpc,
      auth: { mode: CacheAuthMode.AUTH_TOKEN },
      globalDatastoreIdSuffix: 'shop-sessions',
      alarmTopic: new sns.Topic(primary, 'PrimaryAlarms', { enforceSSL: true }),
    });
    const secondary = cache.addSecondary(recovery, 'SessionsSecondary', { vpc: rNet.vpc, alarmTopic: topic, replicasPerShard: 1 });
    return { primary, recovery, cache, secondary, pt: Template.fromStack(primary), rt: Template.fromStack(recovery) };
  }
  const { primary, recovery, cache, secondary, pt, rt } = globalSetup();
  const parameterName = '/cdk-resilience/session-cache/shop-sessions/global-replication-group-id';

  test('the global datastore is created in the primary stack with the primary replication group as its only member', () => {
    pt.hasResourceProperties('AWS::ElastiCache::GlobalReplicationGroup', {
      GlobalReplicationGroupIdSuffix: 'shop-sessions',
      Members: [{ ReplicationGroupId: { Ref: Match.stringLikeRegexp('^SessionsReplicationGroup') }, ReplicationGroupRegion: 'us-east-1', Role: 'PRIMARY' }],
    });
    expect(cache.globalReplicationGroup).toBeDefined();
  });

  test('its id, which ElastiCache prefixes per Region, is published in an SSM parameter with a deterministic name', () => {
    pt.hasResourceProperties('AWS::SSM::Parameter', {
      Name: parameterName,
      Type: 'String',
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SessionsGlobalDatastore'), 'GlobalReplicationGroupId'] },
    });
    expect(cache.globalIdParameterName).toBe(parameterName);
  });

  test('the recovery stack reads it with an AwsCustomResource whose IAM is scoped to that parameter ARN in the primary Region', () => {
    const [[crId, lookup]] = resourcesOfType(rt, 'Custom::AWS');
    const create = JSON.parse(lookup.Properties.Create as string);
    expect(create).toMatchObject({ service: 'SSM', action: 'GetParameter', region: 'us-east-1', parameters: { Name: parameterName } });
    expect(JSON.parse(lookup.Properties.Update as string)).toEqual(create);
    const policies = resourcesOfType(rt, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('SessionsSecondaryGlobalIdLookup'));
    expect(policies).toHaveLength(1);
    expect(policies[0][1].Properties.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'ssm:GetParameter', Effect: 'Allow', Resource: `arn:aws:ssm:us-east-1:111111111111:parameter${parameterName}` }],
    });
    const rg = replicationGroup(rt);
    expect(rg.GlobalReplicationGroupId).toEqual({ 'Fn::GetAtt': [crId, 'Parameter.Value'] });
  });

  test('no cross-Region reference; deploy order by a stack dependency', () => {
    expect(JSON.stringify(rt.toJSON())).not.toMatch(/Fn::ImportValue|ExportsReader|ExportsWriter/);
    expect(JSON.stringify(pt.toJSON())).not.toMatch(/ExportsWriter/);
    expect(recovery.dependencies).toEqual([primary]);
    expect(primary.dependencies).toEqual([]);
  });

  test('the secondary leaves out what it inherits, and has its own key, AZs, subnets, snapshots and the replicated AUTH token', () => {
    const rg = replicationGroup(rt);
    for (const inherited of ['Engine', 'EngineVersion', 'CacheNodeType', 'NumNodeGroups', 'CacheParameterGroupName', 'TransitEncryptionEnabled', 'AtRestEncryptionEnabled', 'UserGroupIds']) {
      expect(rg[inherited]).toBeUndefined();
    }
    expect(rg).toMatchObject({ MultiAZEnabled: true, AutomaticFailoverEnabled: true, NumCacheClusters: 2, Port: 6379, SnapshotRetentionLimit: 7 });
    expect(rg.PreferredCacheClusterAZs).toEqual(['us-west-2a', 'us-west-2b']);
    expect(rg.KmsKeyId).toEqual(keyArn(rt));
    expect(rg.AuthToken).toBe('{{resolve:secretsmanager:cdk-resilience/session-cache/shop-sessions/auth-token:SecretString:password::}}');
    pt.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'cdk-resilience/session-cache/shop-sessions/auth-token', ReplicaRegions: [{ Region: 'us-west-2' }] });
    // The replica is under a customer-managed key in us-west-2: a multi-Region key's replica.
    const mrk = Object.entries(pt.findResources('AWS::KMS::Key')).find(([, k]) => k.Properties.MultiRegion === true)!;
    pt.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'cdk-resilience/session-cache/shop-sessions/auth-token',
      ReplicaRegions: [{ Region: 'us-west-2', KmsKeyId: { 'Fn::Join': ['', ['arn:aws:kms:us-west-2:111111111111:key/', { Ref: mrk[0] }]] } }],
    });
    expect(rt.findResources('AWS::SecretsManager::Secret')).toEqual({});
    expect(secondary.region).toBe('us-west-2');
    expect(recovery.resolve(secondary.endpoint.hostname)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SessionsSecondaryReplicationGroup/), 'PrimaryEndPoint.Address'] });
  });

  test('alarms on GlobalDatastoreReplicationLag (and the in-Region concerns) in the secondary Region, to its topic', () => {
    const alarms = resourcesOfType(rt, 'AWS::CloudWatch::Alarm');
    const global = alarms.filter(([, a]) => alarmNodes(a).metric === 'GlobalDatastoreReplicationLag');
    expect(global).toHaveLength(1);
    expect(global[0][1].Properties).toMatchObject({ Threshold: 5, TreatMissingData: 'breaching', AlarmActions: [{ Ref: expect.stringMatching(/^Alarms/) }] });
    expect(alarmNodes(global[0][1]).nodes).toEqual(['-001', '-002']);
    expect(new Set(alarms.map(([, a]) => alarmNodes(a).metric))).toEqual(new Set(['GlobalDatastoreReplicationLag', 'ReplicationLag', 'EngineCPUUtilization', 'DatabaseMemoryUsagePercentage', 'Evictions']));
    expect(secondary.alarms.globalReplicationLag).toHaveLength(1);
    expect(resilienceWarnings(recovery)).toEqual([]);
  });

  test('recovery figures are sourced', () => {
    expect(cache.globalFigures.replicationLag.seconds).toBe(1);
    expect(cache.globalFigures.promotion.source).toMatch(/^https:\/\//);
  });

  test('zero unacknowledged cdk-nag findings in both Regions', () => {
    expect(nagFindings(primary)).toEqual([]);
    expect(nagFindings(recovery)).toEqual([]);
  });

  test('cluster mode (Redis OSS): the secondary inherits the shard count and sets only its replicas; per-shard lag alarms', () => {
    const { primary: p, recovery: r } = twoRegions();
    const pNet = new MultiAzVpc(p, 'Net', { availabilityZones: TEST_AZS });
    const rNet = new MultiAzVpc(r, 'Net', { availabilityZones: RECOVERY_AZS });
    const c = new SessionCache(p, 'Sessions', { vpc: pNet.vpc, engine: CacheEngine.REDIS, shards: 2, auth: { mode: CacheAuthMode.AUTH_TOKEN } });
    const s = c.addSecondary(r, 'SessionsSecondary', { vpc: rNet.vpc });
    Template.fromStack(p).hasResourceProperties('AWS::ElastiCache::ParameterGroup', { CacheParameterGroupFamily: 'redis7', Properties: { 'cluster-enabled': 'yes' } });
    const rrt = Template.fromStack(r);
    const rg = replicationGroup(rrt);
    expect(rg.ReplicasPerNodeGroup).toBe(2);
    for (const inherited of ['NumNodeGroups', 'NumCacheClusters', 'CacheParameterGroupName', 'Engine']) expect(rg[inherited]).toBeUndefined();
    expect(r.resolve(s.endpoint.hostname)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SessionsSecondaryReplicationGroup/), 'ConfigurationEndPoint.Address'] });
    const global = resourcesOfType(rrt, 'AWS::CloudWatch::Alarm').filter(([, a]) => alarmNodes(a).metric === 'GlobalDatastoreReplicationLag');
    expect(global.map(([, a]) => alarmNodes(a).nodes).sort()).toEqual([
      ['-0001-001', '-0001-002', '-0001-003'],
      ['-0002-001', '-0002-002', '-0002-003'],
    ]);
    expect(resilienceWarnings(r)).toEqual(['cdk-resilience:AlarmsWithoutActions']);
    expect(nagFindings(p)).toEqual([]);
    expect(nagFindings(r)).toEqual([]);
  });
});

describe('SessionCache validation', () => {
  const oneAzVpc = (stack: Stack): ec2.IVpc =>
    new ec2.Vpc(stack, 'OneAz', {
      availabilityZones: ['us-east-1a'],
      natGateways: 0,
      subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });

  const cases: [string, (stack: Stack, vpc: ec2.IVpc) => Props, string, string][] = [
    ['a cache with 0 replicas', () => ({ replicasPerShard: 0 }), 'CACHE_REPLICAS', 'use 1-5 replicas per shard'],
    ['more than 5 replicas per shard', () => ({ replicasPerShard: 6 }), 'CACHE_REPLICAS', 'use 1-5 replicas per shard'],
    ['replicas in the primary\'s AZ only (a one-AZ VPC)', (stack) => ({ vpc: oneAzVpc(stack) }), 'CACHE_TOO_FEW_AZS', 'isolated subnets in 3 AZs'],
    ['replicas in the primary\'s AZ only (availabilityZones with one AZ)', () => ({ availabilityZones: ['us-east-1a'] }), 'CACHE_TOO_FEW_AZS', 'isolated subnets in 3 AZs'],
    ['an AZ the VPC has no isolated subnet in', () => ({ availabilityZones: ['us-east-1a', 'us-east-1f'] }), 'CACHE_AZ_NOT_IN_VPC', 'list only AZs where the VPC has an isolated subnet'],
    ['a VPC without isolated subnets', (stack) => ({ vpc: new ec2.Vpc(stack, 'NoIsolated', { availabilityZones: TEST_AZS, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] }) }), 'CACHE_TOO_FEW_AZS', 'PRIVATE_ISOLATED'],
    ['0 shards', () => ({ shards: 0 }), 'CACHE_SHARDS', 'use 1-500 shards'],
    ['501 shards', () => ({ shards: 501 }), 'CACHE_SHARDS', 'use 1-500 shards'],
    ['shards without cluster mode', () => ({ shards: 2, clusterMode: false }), 'CACHE_SHARDS', 'set clusterMode: true'],
    ['more than 500 nodes', () => ({ shards: 200, replicasPerShard: 2 }), 'CACHE_SHARDS', 'use fewer shards or replicas'],
    ['snapshot retention of 0 days', () => ({ snapshotRetention: Duration.days(0) }), 'CACHE_SNAPSHOT_RETENTION', 'between Duration.days(1) and Duration.days(35)'],
    ['snapshot retention of 36 days', () => ({ snapshotRetention: Duration.days(36) }), 'CACHE_SNAPSHOT_RETENTION', 'between Duration.days(1) and Duration.days(35)'],
    ['snapshot retention in part days', () => ({ snapshotRetention: Duration.hours(36) }), 'CACHE_SNAPSHOT_RETENTION', 'with a whole n'],
    ['a malformed snapshot window', () => ({ snapshotWindow: '3am-4am' }), 'CACHE_SNAPSHOT_WINDOW', "'03:00-04:00'"],
    ['a snapshot window under 60 minutes', () => ({ snapshotWindow: '03:00-03:30' }), 'CACHE_SNAPSHOT_WINDOW', "'03:00-04:00'"],
    ['a malformed maintenance window', () => ({ maintenanceWindow: 'sunday 05:00' }), 'CACHE_MAINTENANCE_WINDOW', "'sun:05:00-sun:06:00'"],
    ['a Valkey version before 7.2', () => ({ engineVersion: '7.0' }), 'CACHE_ENGINE_VERSION', "engineVersion: '8.1'"],
    ['a Redis OSS version without encryption in transit', () => ({ engine: CacheEngine.REDIS, engineVersion: '3.2.4', auth: { mode: CacheAuthMode.AUTH_TOKEN } }), 'CACHE_ENGINE_VERSION', "engineVersion: '7.1'"],
    ['RBAC on Redis OSS 5', () => ({ engine: CacheEngine.REDIS, engineVersion: '5.0.6' }), 'CACHE_AUTH', 'CacheAuthMode.AUTH_TOKEN'],
    ['RBAC settings with an AUTH token', () => ({ auth: { mode: CacheAuthMode.AUTH_TOKEN, username: 'app' } }), 'CACHE_AUTH', 'drop username and accessString'],
    ["the reserved 'default' user name", () => ({ auth: { username: 'default' } }), 'CACHE_USERNAME', "'sessions'"],
    ['an access string that leaves the user off', () => ({ auth: { accessString: '~* +@all' } }), 'CACHE_ACCESS_STRING', 'on ~* +@all -@dangerous'],
    ['an access string with a password', () => ({ auth: { accessString: 'on >hunter2 ~* +@all' } }), 'CACHE_ACCESS_STRING', 'on ~* +@all -@dangerous'],
    ['a malformed node type', () => ({ nodeType: 'r7g.large' }), 'CACHE_NODE_TYPE', "'cache.r7g.large'"],
    ['a t2 node without cluster mode (no Multi-AZ failover)', () => ({ nodeType: 'cache.t2.medium' }), 'CACHE_NODE_TYPE', "'cache.r7g.large'"],
    ['port 0', () => ({ port: 0 }), 'CACHE_PORT', 'between 1 and 65535'],
    ['an invalid replication group id', () => ({ replicationGroupId: 'Shop--Sessions' }), 'CACHE_REPLICATION_GROUP_ID', "'shop-sessions'"],
    ['an invalid global datastore suffix', () => ({ globalDatastoreIdSuffix: 'shop_sessions' }), 'CACHE_GLOBAL_SUFFIX', "'shop-sessions'"],
    ['a CPU alarm above 100%', () => ({ alarms: { engineCpuPercent: 150 } }), 'CACHE_ALARM', 'between 1 and 100'],
    ['a replication lag alarm under 1 s', () => ({ alarms: { replicationLag: Duration.millis(500) } }), 'CACHE_ALARM', 'alarms.replicationLag'],
  ];

  test.each(cases)('%s', (_name, props, code, fix) => {
    const stack = newStack();
    const network = new MultiAzVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const e = errorOf(() => new SessionCache(stack, 'Sessions', { vpc: network.vpc, ...props(stack, network.vpc) }));
    expect(e.codes).toContain(code);
    expect(e.constructPath).toBe('Test/Sessions');
    expect(e.message).toContain('invalid props for Test/Sessions');
    const problem = e.problems.find((p) => p.code === code)!;
    expect(problem.fix).toContain(fix);
    expect(e.message).toContain(`Fix: ${problem.fix}`);
  });

  test('reports every problem at once', () => {
    const stack = newStack();
    const network = new MultiAzVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const e = errorOf(() => new SessionCache(stack, 'Sessions', { vpc: network.vpc, replicasPerShard: 0, snapshotRetention: Duration.days(40), port: 70000 }));
    expect(e.codes.sort()).toEqual(['CACHE_PORT', 'CACHE_REPLICAS', 'CACHE_SNAPSHOT_RETENTION']);
    expect(e.message).toContain('(got: 0)');
  });

  type SecondaryCase = [string, { primary?: Props; secondary?: (stack: Stack, vpc: ec2.IVpc) => Record<string, unknown>; sameRegion?: boolean; otherAccount?: boolean; extraFirst?: boolean }, string, string];
  const secondaryCases: SecondaryCase[] = [
    ['a secondary in the primary Region', { sameRegion: true }, 'CACHE_SECONDARY_REGION', 'another Region than us-east-1'],
    ['a secondary in another account', { otherAccount: true }, 'CACHE_SECONDARY_ACCOUNT', "primary's account"],
    ['a global datastore with RBAC', { primary: { auth: { mode: CacheAuthMode.RBAC } } }, 'CACHE_GLOBAL_AUTH', 'CacheAuthMode.AUTH_TOKEN'],
    ['a global datastore on a node type it does not support', { primary: { nodeType: 'cache.t4g.medium' } }, 'CACHE_GLOBAL_NODE_TYPE', "'cache.r7g.large'"],
    ['a global datastore on a medium node of a supported family', { primary: { nodeType: 'cache.m6g.medium' } }, 'CACHE_GLOBAL_NODE_TYPE', "'cache.r7g.large'"],
    ['a global datastore on Redis OSS before 5.0.6', { primary: { engine: CacheEngine.REDIS, engineVersion: '5.0.5' } }, 'CACHE_GLOBAL_ENGINE_VERSION', "engineVersion: '7.1'"],
    ['a secondary with 0 replicas', { secondary: () => ({ replicasPerShard: 0 }) }, 'CACHE_REPLICAS', 'use 1-5 replicas per shard'],
    ['a secondary in a one-AZ VPC', { secondary: (stack) => ({ vpc: oneAzVpcIn(stack) }) }, 'CACHE_TOO_FEW_AZS', 'isolated subnets in 3 AZs'],
    ['a third secondary Region', { extraFirst: true }, 'CACHE_SECONDARY_REGION', 'at most two'],
  ];

  function oneAzVpcIn(stack: Stack): ec2.IVpc {
    return new ec2.Vpc(stack, 'OneAz', { availabilityZones: [`${stack.region}a`], natGateways: 0, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  }

  test.each(secondaryCases)('addSecondary: %s', (_name, c, code, fix) => {
    const { app, primary, recovery } = twoRegions();
    const pNet = new MultiAzVpc(primary, 'Net', { availabilityZones: TEST_AZS });
    const cache = new SessionCache(primary, 'Sessions', { vpc: pNet.vpc, auth: { mode: CacheAuthMode.AUTH_TOKEN }, ...c.primary });
    let target: Stack = recovery;
    if (c.sameRegion) target = new Stack(app, 'SameRegion', { env: TEST_ENV });
    if (c.otherAccount) target = new Stack(app, 'OtherAccount', { env: { account: '222222222222', region: 'us-west-2' } });
    if (c.extraFirst) {
      for (const region of ['us-west-2', 'eu-west-1']) {
        const s = region === 'us-west-2' ? recovery : new Stack(app, 'Europe', { env: { account: '111111111111', region } });
        cache.addSecondary(s, 'Secondary', { vpc: new MultiAzVpc(s, 'Net', { availabilityZones: [`${region}a`, `${region}b`, `${region}c`] }).vpc });
      }
      target = new Stack(app, 'Ohio', { env: { account: '111111111111', region: 'us-east-2' } });
    }
    const rVpc = new MultiAzVpc(target, 'Net2', { availabilityZones: [`${target.region}a`, `${target.region}b`, `${target.region}c`] }).vpc;
    const e = errorOf(() => cache.addSecondary(target, 'Secondary2', { vpc: rVpc, ...(c.secondary ? c.secondary(target, rVpc) : {}) }));
    expect(e.codes).toContain(code);
    expect(e.constructPath).toBe('Primary/Sessions');
    expect(e.message).toContain('invalid props for Primary/Sessions');
    const problem = e.problems.find((p) => p.code === code)!;
    expect(problem.fix).toContain(fix);
    expect(e.message).toContain(`Fix: ${problem.fix}`);
  });
});

test('docs/session-cache.md lists every error code the construct can throw, and cites the figures', () => {
  const root = path.join(__dirname, '..', '..');
  const source = ['lib/data/session-cache.ts', 'lib/data/session-cache-secondary.ts'].map((f) => fs.readFileSync(path.join(root, f), 'utf8')).join('\n');
  const codes = new Set([...source.matchAll(/code: '([A-Z_]+)'/g)].map((m) => m[1]));
  expect(codes.size).toBeGreaterThan(10);
  const doc = fs.readFileSync(path.join(root, 'docs/session-cache.md'), 'utf8');
  for (const code of codes) expect(doc).toContain(`\`${code}\``);
  for (const figure of Object.values(SESSION_CACHE_FIGURES)) {
    for (const url of figure.source.match(/https:\/\/[^\s;]+/g) ?? []) expect(doc).toContain(url);
  }
  expect(doc).toMatch(/```mermaid/);
  expect(doc).toMatch(/## Props/);
  expect(doc).toMatch(/## What it survives/);
  expect(doc).toMatch(/## Errors/);
});
