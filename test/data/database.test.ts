import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Database, DatabaseEngine, DatabaseKind, DatabaseProps, MultiAzVpc } from '../../lib';
import { nagFindings, newStack, resilienceWarnings, resourcesOfType, TEST_AZS } from '../helpers/app';

function build(props: Partial<DatabaseProps> & Pick<DatabaseProps, 'kind' | 'engine'>): { stack: Stack; db: Database; template: Template; network: MultiAzVpc } {
  const stack = newStack();
  const network = new MultiAzVpc(stack, 'Net', { availabilityZones: TEST_AZS });
  const db = new Database(stack, 'Db', { vpc: network.vpc, ...props });
  return { stack, db, template: Template.fromStack(stack), network };
}

function isolatedSubnetIds(template: Template): string[] {
  return resourcesOfType(template, 'AWS::EC2::Subnet')
    .filter(([, s]) => (s.Properties.Tags as { Key: string; Value: string }[]).some((t) => t.Key === 'aws-cdk:subnet-type' && t.Value === 'Isolated'))
    .map(([id]) => id);
}

function keyRef(template: Template): { 'Fn::GetAtt': [string, string] } {
  const [[id]] = resourcesOfType(template, 'AWS::KMS::Key');
  return { 'Fn::GetAtt': [id, 'Arn'] };
}

const KINDS: [string, DatabaseKind, DatabaseEngine, string][] = [
  ['Multi-AZ instance', DatabaseKind.MULTI_AZ_INSTANCE, DatabaseEngine.postgres('16.4'), 'AWS::RDS::DBInstance'],
  ['Multi-AZ DB cluster', DatabaseKind.MULTI_AZ_CLUSTER, DatabaseEngine.mysql('8.0.39'), 'AWS::RDS::DBCluster'],
  ['Aurora', DatabaseKind.AURORA, DatabaseEngine.auroraPostgres('16.4'), 'AWS::RDS::DBCluster'],
];

describe.each(KINDS)('Database defaults: %s', (_name, kind, engine, resourceType) => {
  const { stack, db, template } = build({ kind, engine, allowFrom: [] });
  const [[, resource]] = resourcesOfType(template, resourceType);
  const p = resource.Properties;

  test('encrypted with a customer-managed key that rotates', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    expect(p.StorageEncrypted).toBe(true);
    expect(p.KmsKeyId).toEqual(keyRef(template));
  });

  test('deletion protection, 7-day backups, tags copied to snapshots, snapshot on removal', () => {
    expect(p.DeletionProtection).toBe(true);
    expect(p.BackupRetentionPeriod).toBe(7);
    expect(p.CopyTagsToSnapshot).toBe(true);
    template.hasResource(resourceType, { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
  });

  test('credentials in a KMS-encrypted Secrets Manager secret, rotated every 30 days, no password in the template', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: keyRef(template),
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password' }),
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(30 days)' } });
    template.resourceCountIs('AWS::Serverless::Application', 1);
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toMatch(/"MasterUserPassword":"[^{]/);
    if (p.MasterUserPassword !== undefined) expect(JSON.stringify(p.MasterUserPassword)).toMatch(/resolve:secretsmanager/);
    expect(db.secret).toBeDefined();
  });

  test('Performance Insights (with the key), enhanced monitoring every 60 s, auto minor upgrades', () => {
    const instances = resourceType === 'AWS::RDS::DBInstance' ? [p] : kind === DatabaseKind.AURORA ? resourcesOfType(template, 'AWS::RDS::DBInstance').map(([, r]) => r.Properties) : [p];
    for (const i of instances) {
      expect(i.AutoMinorVersionUpgrade).toBe(true);
      expect(i.PerformanceInsightsKMSKeyId ?? i.PerformanceInsightsKmsKeyId).toEqual(keyRef(template));
      expect(i.EnablePerformanceInsights ?? i.PerformanceInsightsEnabled).toBe(true);
    }
    const monitored = kind === DatabaseKind.AURORA ? resourcesOfType(template, 'AWS::RDS::DBInstance').map(([, r]) => r.Properties) : [p];
    for (const m of monitored) {
      expect(m.MonitoringInterval).toBe(60);
      expect(m.MonitoringRoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DbMonitoringRole/), 'Arn'] });
    }
  });

  test('isolated subnets only', () => {
    const [[, group]] = resourcesOfType(template, 'AWS::RDS::DBSubnetGroup');
    const ids = (group.Properties.SubnetIds as { Ref: string }[]).map((r) => r.Ref).sort();
    expect(ids).toEqual(isolatedSubnetIds(template).sort());
    expect(ids).toHaveLength(3);
  });

  test('a security group that admits nobody until allowed, and no public access', () => {
    const sgId = stack.resolve(db.securityGroup.securityGroupId)['Fn::GetAtt'][0];
    const [[, sg]] = resourcesOfType(template, 'AWS::EC2::SecurityGroup').filter(([id]) => id === sgId);
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    const ingressToDb = resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress').filter(
      ([, r]) => JSON.stringify(r.Properties.GroupId).includes(sgId) && !JSON.stringify(r.Properties.SourceSecurityGroupId).includes('Rotation'),
    );
    expect(ingressToDb).toEqual([]);
    if (resourceType === 'AWS::RDS::DBInstance' || kind === DatabaseKind.MULTI_AZ_CLUSTER) expect(p.PubliclyAccessible).toBe(false);
  });

  test('CloudWatch log exports', () => {
    expect(p.EnableCloudwatchLogsExports).toEqual(engine.logExports);
    expect((p.EnableCloudwatchLogsExports as string[]).length).toBeGreaterThan(0);
  });

  test('exposes endpoints, the secret, the security group and the failover figure', () => {
    expect(stack.resolve(db.endpoint.hostname)).toBeDefined();
    expect(db.endpoint.port).toBe(engine.defaultPort);
    expect(db.failover.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    expect(db.securityGroup).toBeInstanceOf(ec2.SecurityGroup);
  });

  test('zero unacknowledged cdk-nag findings', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('TLS required (DatabaseEngine.tlsParameters)', () => {
  test.each<[string, DatabaseKind, DatabaseEngine, string, Record<string, string>]>([
    ['RDS for PostgreSQL, Multi-AZ instance', DatabaseKind.MULTI_AZ_INSTANCE, DatabaseEngine.postgres('17.7'), 'AWS::RDS::DBParameterGroup', { 'rds.force_ssl': '1' }],
    ['RDS for MySQL, Multi-AZ DB cluster', DatabaseKind.MULTI_AZ_CLUSTER, DatabaseEngine.mysql('8.0.39'), 'AWS::RDS::DBClusterParameterGroup', { require_secure_transport: '1' }],
    ['Aurora PostgreSQL', DatabaseKind.AURORA, DatabaseEngine.auroraPostgres('17.7'), 'AWS::RDS::DBClusterParameterGroup', { 'rds.force_ssl': '1' }],
    ['Aurora MySQL', DatabaseKind.AURORA, DatabaseEngine.auroraMysql('8.0.mysql_aurora.3.05.2'), 'AWS::RDS::DBClusterParameterGroup', { require_secure_transport: 'ON' }],
  ])('%s: the parameter group the database uses refuses connections without TLS', (_n, kind, engine, groupType, expected) => {
    const { template, db } = build({ kind, engine });
    const [[groupId, group]] = resourcesOfType(template, groupType);
    expect(group.Properties.Parameters).toEqual(expected);
    expect(group.Properties.Family).toBe(engine.parameterGroupFamily);
    const [[, database]] = resourcesOfType(template, groupType === 'AWS::RDS::DBParameterGroup' ? 'AWS::RDS::DBInstance' : 'AWS::RDS::DBCluster');
    expect(database.Properties[groupType === 'AWS::RDS::DBParameterGroup' ? 'DBParameterGroupName' : 'DBClusterParameterGroupName']).toEqual({ Ref: groupId });
    expect(db.parameters).toEqual(expected);
  });

  test("a user's parameter wins, and the rest are kept", () => {
    const { template, db } = build({ kind: DatabaseKind.AURORA, engine: DatabaseEngine.auroraPostgres('17.7'), parameters: { 'rds.force_ssl': '0', 'log_min_duration_statement': '500' } });
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: { 'rds.force_ssl': '0', log_min_duration_statement: '500' } });
    expect(db.parameters).toEqual({ 'rds.force_ssl': '0', log_min_duration_statement: '500' });
  });
});

describe('Database kinds', () => {
  test('Multi-AZ instance: MultiAZ, gp3 with autoscaling storage, IAM auth', () => {
    const { template, db } = build({ kind: DatabaseKind.MULTI_AZ_INSTANCE, engine: DatabaseEngine.postgres('16.4') });
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      MultiAZ: true,
      StorageType: 'gp3',
      AllocatedStorage: '100',
      MaxAllocatedStorage: 200,
      EnableIAMDatabaseAuthentication: true,
      Engine: 'postgres',
      EngineVersion: '16.4',
      DBInstanceClass: 'db.m6g.large',
    });
    expect(db.failover.seconds).toBe(120);
    expect(db.readerEndpoint).toBeUndefined();
  });

  test('Multi-AZ DB cluster: the L1 with instance class, io1 storage and IOPS', () => {
    const { template, db } = build({ kind: DatabaseKind.MULTI_AZ_CLUSTER, engine: DatabaseEngine.postgres('16.4') });
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'postgres',
      EngineVersion: '16.4',
      DBClusterInstanceClass: 'db.m6gd.large',
      StorageType: 'io1',
      Iops: 1000,
      AllocatedStorage: 100,
      Port: 5432,
      MasterUsername: 'dbadmin',
    });
    template.resourceCountIs('AWS::RDS::DBInstance', 0);
    template.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', { TargetType: 'AWS::RDS::DBCluster' });
    expect(db.failover.seconds).toBe(35);
    expect(db.readerEndpoint).toBeDefined();
  });

  test('Aurora: a writer and two readers in three distinct AZs with failover tiers', () => {
    const { template, db } = build({ kind: DatabaseKind.AURORA, engine: DatabaseEngine.auroraPostgres('16.4') });
    const instances = Object.fromEntries(
      resourcesOfType(template, 'AWS::RDS::DBInstance').map(([id, r]) => [id.replace(/^DbCluster(\w+?)[0-9A-F]{8}$/, '$1'), r.Properties]),
    );
    expect(Object.keys(instances).sort()).toEqual(['Reader1', 'Reader2', 'Writer']);
    expect(Object.values(instances).map((i) => i.AvailabilityZone).sort()).toEqual(TEST_AZS);
    // Reader1 is the preferred failover target (tier 0), Reader2 the next (tier 1).
    expect([instances.Reader1.PromotionTier, instances.Reader2.PromotionTier]).toEqual([0, 1]);
    expect(instances.Writer.AvailabilityZone).toBe('us-east-1a');
    for (const i of Object.values(instances)) expect(i.PubliclyAccessible).toBe(false);
    template.hasResourceProperties('AWS::RDS::DBCluster', { EnableIAMDatabaseAuthentication: true, Engine: 'aurora-postgresql' });
    expect(db.failover.seconds).toBe(60);
  });

  test('Aurora with more readers than AZs wraps around; with none it warns', () => {
    const five = build({ kind: DatabaseKind.AURORA, engine: DatabaseEngine.auroraMysql('8.0.mysql_aurora.3.05.2'), readers: 4 });
    const azs = resourcesOfType(five.template, 'AWS::RDS::DBInstance').map(([, r]) => r.Properties.AvailabilityZone);
    expect(new Set(azs).size).toBe(3);
    expect(nagFindings(five.stack)).toEqual([]);
    const none = build({ kind: DatabaseKind.AURORA, engine: DatabaseEngine.auroraPostgres('16.4'), readers: 0 });
    expect(resilienceWarnings(none.stack)).toEqual(['cdk-resilience:NoDatabaseReplica']);
    expect(none.db.failover.seconds).toBe(600);
  });

  test('allowFrom and allowConnectionsFrom open the database port to exactly those peers', () => {
    const stack = newStack();
    const network = new MultiAzVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const app = new ec2.SecurityGroup(stack, 'App', { vpc: network.vpc });
    const other = new ec2.SecurityGroup(stack, 'Other', { vpc: network.vpc });
    const db = new Database(stack, 'Db', { kind: DatabaseKind.AURORA, engine: DatabaseEngine.auroraPostgres('16.4'), vpc: network.vpc, allowFrom: [app] });
    db.allowConnectionsFrom(other);
    const t = Template.fromStack(stack);
    for (const peer of [app, other]) {
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: stack.resolve(db.securityGroup.securityGroupId),
        SourceSecurityGroupId: stack.resolve(peer.securityGroupId),
        FromPort: 5432,
        ToPort: 5432,
      });
    }
  });

  test('overrides: retention, identifier, port, rotation off (acknowledged), removal policy, replica Regions', () => {
    const { template, stack, db } = build({
      kind: DatabaseKind.MULTI_AZ_INSTANCE,
      engine: DatabaseEngine.mysql('8.0.39'),
      backupRetention: Duration.days(14),
      identifier: 'orders-db',
      port: 3307,
      rotation: { enabled: false },
      removalPolicy: RemovalPolicy.RETAIN,
      secretReplicaRegions: ['us-west-2'],
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', { BackupRetentionPeriod: 14, DBInstanceIdentifier: 'orders-db', Port: '3307' });
    template.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Retain' });
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'cdk-resilience/orders-db/master', ReplicaRegions: [{ Region: 'us-west-2' }] });
    expect(db.physicalIdentifier).toBe('orders-db');
    expect(nagFindings(stack)).toEqual([]);
  });

  test('replicateSecretTo adds each other Region once and never the own Region', () => {
    const stack = newStack();
    const network = new MultiAzVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const db = new Database(stack, 'Db', { kind: DatabaseKind.AURORA, engine: DatabaseEngine.auroraPostgres('16.4'), vpc: network.vpc, secretReplicaRegions: ['us-west-2'] });
    db.replicateSecretTo('us-west-2');
    db.replicateSecretTo('us-east-1');
    db.replicateSecretTo('eu-west-1');
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', { ReplicaRegions: [{ Region: 'us-west-2' }, { Region: 'eu-west-1' }] });
  });

  test("every replica of the master secret is under a customer-managed key there: a multi-Region key replicated (from this stack) before the secret; the secret here keeps the storage key", () => {
    const stack = newStack();
    const network = new MultiAzVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const db = new Database(stack, 'Db', { kind: DatabaseKind.AURORA, engine: DatabaseEngine.auroraPostgres('16.4'), vpc: network.vpc, secretReplicaRegions: ['us-west-2'] });
    db.replicateSecretTo('eu-west-1');
    const t = Template.fromStack(stack);
    const [secretId, secret] = Object.entries(t.findResources('AWS::SecretsManager::Secret'))[0];
    expect(secret.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(db.encryptionKey.node.defaultChild as kms.CfnKey), 'Arn'] });
    const mrk = Object.entries(t.findResources('AWS::KMS::Key')).find(([, k]) => k.Properties.MultiRegion === true)!;
    expect(mrk[1].Properties.EnableKeyRotation).toBe(true);
    const replicaArn = (region: string) => ({ 'Fn::Join': ['', [`arn:aws:kms:${region}:111111111111:key/`, { Ref: mrk[0] }]] });
    expect(secret.Properties.ReplicaRegions).toEqual([{ Region: 'us-west-2', KmsKeyId: replicaArn('us-west-2') }, { Region: 'eu-west-1', KmsKeyId: replicaArn('eu-west-1') }]);
    const replications = Object.entries(t.findResources('Custom::MultiRegionKeyReplica'));
    expect(replications.map(([, r]) => r.Properties.ReplicaRegion).sort()).toEqual(['eu-west-1', 'us-west-2']);
    expect(t.toJSON().Resources[secretId].DependsOn).toEqual(expect.arrayContaining(replications.map(([id]) => id)));
    // Principals of the account use the keys through Secrets Manager only, as with aws/secretsmanager.
    const use = (mrk[1].Properties.KeyPolicy as { Statement: { Sid?: string; Condition?: unknown; Principal?: unknown }[] }).Statement.find((x) => x.Sid === 'UseThroughSecretsManager');
    expect(use).toMatchObject({ Principal: { AWS: '*' }, Condition: { StringEquals: { 'kms:CallerAccount': '111111111111', 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } } });
    const replicaPolicy = JSON.stringify(stack.resolve(replications.find(([, r]) => r.Properties.ReplicaRegion === 'eu-west-1')![1].Properties.Policy));
    expect(replicaPolicy).toContain('secretsmanager.eu-west-1.amazonaws.com');
    expect(replicaPolicy).toContain('kms:CallerAccount');
    // The function that replicates: one per stack, allowed to replicate this key (and change the
    // replica's policy later: KMS's lockout check), and to create keys (KMS has no resource for it).
    const fnPolicy = Object.values(t.findResources('AWS::IAM::Policy')).find((x) => JSON.stringify(x.Properties.Roles).includes('CdkResilienceReplicaKeyFunctionFunctionRole'))!;
    const statements = stack.resolve((fnPolicy.Properties.PolicyDocument as { Statement: unknown[] }).Statement) as { Action: string | string[]; Resource: unknown; Condition?: unknown }[];
    expect(statements.find((x) => x.Action === 'kms:ReplicateKey')?.Condition).toBeDefined();
    expect(statements.some((x) => [x.Action].flat().includes('kms:PutKeyPolicy'))).toBe(true);
    expect(nagFindings(stack)).toEqual([]);
  });

  test('a database whose secret is never replicated gets no extra key', () => {
    const stack = newStack();
    const network = new MultiAzVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    new Database(stack, 'Db', { kind: DatabaseKind.AURORA, engine: DatabaseEngine.auroraPostgres('16.4'), vpc: network.vpc });
    expect(Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key')).filter((k) => k.Properties.MultiRegion === true)).toEqual([]);
  });

  test('without rotation the secret is not silently left unrotated: cdk-nag SMG4 is acknowledged on it alone', () => {
    const { db } = build({ kind: DatabaseKind.AURORA, engine: DatabaseEngine.auroraPostgres('16.4'), rotation: { enabled: false } });
    const acks = db.databaseSecret.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').map((m) => Object.keys(m.data as object));
    expect(acks.flat()).toEqual(['annotation::AwsSolutions-SMG4']);
  });
});
