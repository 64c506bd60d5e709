import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CrossRegionReadReplica, CrossRegionReplicaCluster, Database, DatabaseEngine, DatabaseKind, GlobalDatabase, MultiAzVpc } from '../../lib';
import { nagFindings, RECOVERY_AZS, resilienceWarnings, resourcesOfType, TEST_AZS, twoRegions } from '../helpers/app';

function globalSetup(opts: { managedRpo?: Duration; headless?: boolean; engine?: DatabaseEngine } = {}) {
  const { app, primary, recovery } = twoRegions();
  const pNet = new MultiAzVpc(primary, 'Net', { availabilityZones: TEST_AZS, cidr: '10.10.0.0/16' });
  const rNet = new MultiAzVpc(recovery, 'Net', { availabilityZones: RECOVERY_AZS, cidr: '10.20.0.0/16' });
  const topic = new sns.Topic(recovery, 'Alarms', { enforceSSL: true });
  const orders = new GlobalDatabase(primary, 'Orders', {
    globalClusterIdentifier: 'shop-orders',
    engine: opts.engine ?? DatabaseEngine.auroraPostgres('16.4'),
    primary: { vpc: pNet.vpc },
    managedRpo: opts.managedRpo,
  });
  const secondary = orders.addSecondary(recovery, 'OrdersSecondary', { vpc: rNet.vpc, headless: opts.headless, alarmTopic: topic });
  return { app, primary, recovery, orders, secondary, pt: Template.fromStack(primary), rt: Template.fromStack(recovery) };
}

describe('GlobalDatabase', () => {
  const { primary, recovery, orders, secondary, pt, rt } = globalSetup({ managedRpo: Duration.seconds(30) });

  test('the global cluster has a deterministic identifier and is sourced from the primary cluster', () => {
    pt.hasResourceProperties('AWS::RDS::GlobalCluster', {
      GlobalClusterIdentifier: 'shop-orders',
      DeletionProtection: true,
      SourceDBClusterIdentifier: {
        'Fn::Join': ['', ['arn:aws:rds:us-east-1:111111111111:cluster:', { Ref: Match.stringLikeRegexp('^OrdersPrimaryCluster') }]],
      },
    });
    pt.hasResourceProperties('AWS::RDS::DBCluster', { DBClusterIdentifier: 'shop-orders-us-east-1', Engine: 'aurora-postgresql' });
    expect(orders.primaryClusterArn).toBe('arn:aws:rds:us-east-1:111111111111:cluster:shop-orders-us-east-1');
  });

  test("the secondary cluster's GlobalClusterIdentifier is in the other Region's template, by value", () => {
    const [[, cluster]] = resourcesOfType(rt, 'AWS::RDS::DBCluster');
    expect(cluster.Properties.GlobalClusterIdentifier).toBe('shop-orders');
    expect(cluster.Properties.DBClusterIdentifier).toBe('shop-orders-us-west-2');
    expect(cluster.Properties.Engine).toBe('aurora-postgresql');
    expect(cluster.Properties.EngineVersion).toBe('16.4');
    expect(JSON.stringify(rt.toJSON())).not.toMatch(/Fn::ImportValue|ExportsReader/);
    expect(secondary.clusterArn).toBe('arn:aws:rds:us-west-2:111111111111:cluster:shop-orders-us-west-2');
  });

  test('no master credentials on the secondary', () => {
    const [[, cluster]] = resourcesOfType(rt, 'AWS::RDS::DBCluster');
    expect(cluster.Properties.MasterUsername).toBeUndefined();
    expect(cluster.Properties.MasterUserPassword).toBeUndefined();
    expect(cluster.Properties.ManageMasterUserPassword).toBeUndefined();
    rt.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  test("the secondary is encrypted with its own Region's customer-managed key", () => {
    const [[keyId]] = resourcesOfType(rt, 'AWS::KMS::Key');
    rt.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    rt.hasResourceProperties('AWS::RDS::DBCluster', { StorageEncrypted: true, KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  test('the secondary instances sit in distinct AZs of its Region, isolated subnets only', () => {
    const instances = resourcesOfType(rt, 'AWS::RDS::DBInstance').map(([, r]) => r.Properties);
    expect(instances).toHaveLength(2);
    expect(new Set(instances.map((i) => i.AvailabilityZone))).toEqual(new Set(['us-west-2a', 'us-west-2b']));
    for (const i of instances) {
      expect(i.PubliclyAccessible).toBe(false);
      expect(i.EnablePerformanceInsights).toBe(true);
      expect(i.MonitoringInterval).toBe(60);
    }
  });

  test('the primary instances sit in distinct AZs', () => {
    const azs = resourcesOfType(pt, 'AWS::RDS::DBInstance').map(([, r]) => r.Properties.AvailabilityZone);
    expect(azs).toHaveLength(2);
    expect(new Set(azs).size).toBe(2);
  });

  test('deploy order comes from a stack dependency, not a cross-Region reference', () => {
    expect(recovery.dependencies).toEqual([primary]);
    expect(primary.dependencies).toEqual([]);
  });

  test('the master secret is replicated to the secondary Region', () => {
    pt.hasResourceProperties('AWS::SecretsManager::Secret', { ReplicaRegions: [{ Region: 'us-west-2' }] });
  });

  test('managed RPO is set on the primary cluster parameter group only', () => {
    pt.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: { 'rds.global_db_rpo': '30' } });
    rt.resourceCountIs('AWS::RDS::DBClusterParameterGroup', 1);
    rt.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: Match.not(Match.objectLike({ 'rds.global_db_rpo': Match.anyValue() })) });
  });

  test('TLS is required in both Regions (rds.force_ssl on each cluster parameter group): the secondary becomes the writer after a failover', () => {
    pt.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Family: 'aurora-postgresql16', Parameters: { 'rds.force_ssl': '1', 'rds.global_db_rpo': '30' } });
    const [[groupId, group]] = resourcesOfType(rt, 'AWS::RDS::DBClusterParameterGroup');
    expect(group.Properties).toMatchObject({ Family: 'aurora-postgresql16', Parameters: { 'rds.force_ssl': '1' } });
    rt.hasResourceProperties('AWS::RDS::DBCluster', { GlobalClusterIdentifier: 'shop-orders', DBClusterParameterGroupName: { Ref: groupId } });
  });

  test('alarms on AuroraGlobalDBReplicationLag and AuroraGlobalDBRPOLag in the secondary Region', () => {
    rt.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'AuroraGlobalDBReplicationLag',
      Namespace: 'AWS/RDS',
      Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'shop-orders-us-west-2' }],
      Threshold: 5000,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('Alarms') }],
    });
    rt.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'AuroraGlobalDBRPOLag', Threshold: 30000 });
  });

  test('exposes what a runbook needs', () => {
    expect(orders.globalClusterIdentifier).toBe('shop-orders');
    expect(orders.regions).toEqual([
      { region: 'us-east-1', clusterIdentifier: 'shop-orders-us-east-1', clusterArn: orders.primaryClusterArn, headless: false },
      { region: 'us-west-2', clusterIdentifier: 'shop-orders-us-west-2', clusterArn: secondary.clusterArn, headless: false },
    ]);
    expect(primary.resolve(orders.writerEndpoint)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OrdersGlobalCluster/), 'GlobalEndpoint.Address'] });
    expect(orders.figures.promotion.source).toMatch(/whitepaper/);
  });

  test('zero unacknowledged cdk-nag findings in both Regions', () => {
    expect(nagFindings(primary)).toEqual([]);
    expect(nagFindings(recovery)).toEqual([]);
  });
});

describe('GlobalDatabase options', () => {
  test('a headless secondary has a cluster and no instances', () => {
    const { rt, secondary } = globalSetup({ headless: true });
    rt.resourceCountIs('AWS::RDS::DBCluster', 1);
    rt.resourceCountIs('AWS::RDS::DBInstance', 0);
    expect(secondary.headless).toBe(true);
  });

  test('Aurora MySQL: no RPO-lag alarm, cdk-nag clean', () => {
    const { rt, primary, recovery } = globalSetup({ engine: DatabaseEngine.auroraMysql('8.0.mysql_aurora.3.05.2') });
    rt.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'AuroraGlobalDBRPOLag' }, 0);
    expect(nagFindings(primary)).toEqual([]);
    expect(nagFindings(recovery)).toEqual([]);
  });

  test('an existing Aurora Database can become the primary', () => {
    const { primary, recovery } = twoRegions();
    const pNet = new MultiAzVpc(primary, 'Net', { availabilityZones: TEST_AZS });
    const rNet = new MultiAzVpc(recovery, 'Net', { availabilityZones: RECOVERY_AZS });
    const db = new Database(primary, 'Db', {
      kind: DatabaseKind.AURORA,
      engine: DatabaseEngine.auroraPostgres('15.4'),
      vpc: pNet.vpc,
      identifier: 'legacy-us-east-1',
      port: 6543,
    });
    const g = new GlobalDatabase(primary, 'Global', { globalClusterIdentifier: 'legacy', engine: DatabaseEngine.auroraPostgres('15.4'), existingPrimary: db });
    g.addSecondary(recovery, 'Secondary', { vpc: rNet.vpc });
    expect(g.primary).toBe(db);
    Template.fromStack(primary).resourceCountIs('AWS::RDS::DBCluster', 1);
    Template.fromStack(recovery).hasResourceProperties('AWS::RDS::DBCluster', { GlobalClusterIdentifier: 'legacy', Port: 6543 });
  });
});

describe('CrossRegionReadReplica', () => {
  function replicaSetup(multiAz?: boolean) {
    const { primary, recovery } = twoRegions();
    const pNet = new MultiAzVpc(primary, 'Net', { availabilityZones: TEST_AZS });
    const rNet = new MultiAzVpc(recovery, 'Net', { availabilityZones: RECOVERY_AZS });
    const source = new Database(primary, 'Legacy', {
      kind: DatabaseKind.MULTI_AZ_INSTANCE,
      engine: DatabaseEngine.postgres('16.4'),
      vpc: pNet.vpc,
      identifier: 'shop-legacy',
    });
    const replica = new CrossRegionReadReplica(recovery, 'LegacyReplica', { source, vpc: rNet.vpc, multiAz });
    return { primary, recovery, replica, rt: Template.fromStack(recovery), pt: Template.fromStack(primary) };
  }

  test('replicates from the source ARN, with this Region key, into isolated subnets', () => {
    const { rt, replica, recovery, primary } = replicaSetup();
    const [[keyId]] = resourcesOfType(rt, 'AWS::KMS::Key');
    rt.hasResourceProperties('AWS::RDS::DBInstance', {
      SourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:111111111111:db:shop-legacy',
      SourceRegion: 'us-east-1',
      DBInstanceIdentifier: 'shop-legacy-us-west-2',
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      PubliclyAccessible: false,
      DeletionProtection: true,
      EnablePerformanceInsights: true,
    });
    const [[, instance]] = resourcesOfType(rt, 'AWS::RDS::DBInstance');
    for (const forbidden of ['MasterUsername', 'MasterUserPassword', 'BackupRetentionPeriod', 'DBName', 'StorageEncrypted']) {
      expect(instance.Properties[forbidden]).toBeUndefined();
    }
    expect(replica.arn).toBe('arn:aws:rds:us-west-2:111111111111:db:shop-legacy-us-west-2');
    expect(recovery.dependencies).toEqual([primary]);
    expect(replica.promotion.seconds).toBe(600);
  });

  test("copies the source's parameters into a parameter group of its own Region", () => {
    const { primary, recovery } = twoRegions();
    const pNet = new MultiAzVpc(primary, 'Net', { availabilityZones: TEST_AZS });
    const rNet = new MultiAzVpc(recovery, 'Net', { availabilityZones: RECOVERY_AZS });
    const source = new Database(primary, 'Src', {
      kind: DatabaseKind.MULTI_AZ_INSTANCE,
      engine: DatabaseEngine.postgres('16.4'),
      vpc: pNet.vpc,
      identifier: 'src',
      parameters: { 'rds.force_ssl': '1' },
    });
    new CrossRegionReadReplica(recovery, 'Replica', { source, vpc: rNet.vpc });
    const rt = Template.fromStack(recovery);
    rt.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'postgres16', Parameters: { 'rds.force_ssl': '1' } });
    rt.hasResourceProperties('AWS::RDS::DBInstance', { DBParameterGroupName: { Ref: Match.stringLikeRegexp('^ReplicaParameters') } });
  });

  test('replicates the source secret and alarms on ReplicaLag', () => {
    const { rt, pt } = replicaSetup();
    pt.hasResourceProperties('AWS::SecretsManager::Secret', { ReplicaRegions: [{ Region: 'us-west-2' }] });
    rt.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ReplicaLag',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'shop-legacy-us-west-2' }],
      Threshold: 60,
    });
  });

  test('single-AZ by default (warned, acknowledged); Multi-AZ on request; cdk-nag clean', () => {
    const single = replicaSetup();
    expect(resilienceWarnings(single.recovery)).toEqual(['cdk-resilience:NoDatabaseReplica']);
    expect(nagFindings(single.recovery)).toEqual([]);
    expect(nagFindings(single.primary)).toEqual([]);
    const multi = replicaSetup(true);
    multi.rt.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: true });
    expect(resilienceWarnings(multi.recovery)).toEqual([]);
    expect(nagFindings(multi.recovery)).toEqual([]);
  });
});

describe('CrossRegionReplicaCluster', () => {
  function setup(parameters: Record<string, string> | null = { binlog_format: 'ROW' }) {
    const { primary, recovery } = twoRegions();
    const pNet = new MultiAzVpc(primary, 'Net', { availabilityZones: TEST_AZS });
    const rNet = new MultiAzVpc(recovery, 'Net', { availabilityZones: RECOVERY_AZS });
    const source = new Database(primary, 'Src', {
      kind: DatabaseKind.AURORA,
      engine: DatabaseEngine.auroraMysql('8.0.mysql_aurora.3.05.2'),
      vpc: pNet.vpc,
      identifier: 'orders',
      parameters: parameters ?? undefined,
    });
    return { primary, recovery, source, rNet };
  }

  test('an Aurora MySQL replica cluster in another Region, by source ARN, with its own key and no credentials', () => {
    const { primary, recovery, source, rNet } = setup();
    const replica = new CrossRegionReplicaCluster(recovery, 'Replica', { source, vpc: rNet.vpc });
    const rt = Template.fromStack(recovery);
    const [[keyId]] = resourcesOfType(rt, 'AWS::KMS::Key');
    rt.hasResourceProperties('AWS::RDS::DBCluster', {
      DBClusterIdentifier: 'orders-us-west-2',
      Engine: 'aurora-mysql',
      ReplicationSourceIdentifier: 'arn:aws:rds:us-east-1:111111111111:cluster:orders',
      SourceRegion: 'us-east-1',
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      MasterUsername: Match.absent(),
      MasterUserPassword: Match.absent(),
    });
    rt.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'AuroraBinlogReplicaLag', Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'orders-us-west-2' }] });
    Template.fromStack(primary).hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: { binlog_format: 'ROW', require_secure_transport: 'ON' } });
    // The replica copies its source's parameters, TLS required among them.
    const [[groupId]] = resourcesOfType(rt, 'AWS::RDS::DBClusterParameterGroup');
    rt.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Family: 'aurora-mysql8.0', Parameters: { binlog_format: 'ROW', require_secure_transport: 'ON' } });
    rt.hasResourceProperties('AWS::RDS::DBCluster', { DBClusterIdentifier: 'orders-us-west-2', DBClusterParameterGroupName: { Ref: groupId } });
    expect(recovery.dependencies.map((s) => s.stackName)).toEqual(['Primary']);
    expect(replica.arn).toBe('arn:aws:rds:us-west-2:111111111111:cluster:orders-us-west-2');
    expect(nagFindings(recovery)).toEqual([]);
    expect(nagFindings(primary)).toEqual([]);
  });

  test.each<[string, Record<string, string> | null, string]>([
    ['a source without binary logs', null, 'REPLICA_BINLOG'],
    ['binlog_format OFF', { binlog_format: 'OFF' }, 'REPLICA_BINLOG'],
  ])('rejects %s', (_name, parameters, code) => {
    const { recovery, source, rNet } = setup(parameters);
    expect(() => new CrossRegionReplicaCluster(recovery, 'Replica', { source, vpc: rNet.vpc })).toThrow(new RegExp(`\\[${code}\\].*binlog_format: 'ROW'`));
  });

  test('rejects an Aurora PostgreSQL source: that is a GlobalDatabase', () => {
    const { primary, recovery } = twoRegions();
    const pNet = new MultiAzVpc(primary, 'Net', { availabilityZones: TEST_AZS });
    const rNet = new MultiAzVpc(recovery, 'Net', { availabilityZones: RECOVERY_AZS });
    const source = new Database(primary, 'Src', { kind: DatabaseKind.AURORA, engine: DatabaseEngine.auroraPostgres('16.4'), vpc: pNet.vpc, identifier: 'pg' });
    expect(() => new CrossRegionReplicaCluster(recovery, 'Replica', { source, vpc: rNet.vpc })).toThrow(/\[REPLICA_SOURCE_KIND\].*use a GlobalDatabase/);
  });
});
