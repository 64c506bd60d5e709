import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { GlobalTable, GlobalTableProps } from '../../lib/data/global-table';
import { GlobalTableReplicaKey } from '../../lib/data/global-table-replica-key';
import { errorOf, nagFindings, newApp } from '../helpers/app';

const ACCOUNT = '111111111111';

function build(props: Partial<GlobalTableProps> = {}, withKey = true): { app: App; primary: Stack; keys: Stack; table: GlobalTable; t: Template } {
  const app = newApp();
  const keys = new Stack(app, 'RecoveryKeys', { env: { account: ACCOUNT, region: 'us-west-2' } });
  const primary = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const key = withKey ? new GlobalTableReplicaKey(keys, 'OrdersKey', { tableName: 'orders' }) : undefined;
  const table = new GlobalTable(primary, 'Orders', {
    tableName: 'orders',
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    replicas: [{ region: 'us-west-2', key }],
    alarmTopic: new sns.Topic(primary, 'Alerts'),
    ...props,
  });
  return { app, primary, keys, table, t: Template.fromStack(primary) };
}

describe('GlobalTable defaults', () => {
  const { t, primary, keys, table } = build();
  const replicas = (): Record<string, unknown>[] => Object.values(t.findResources('AWS::DynamoDB::GlobalTable'))[0].Properties.Replicas;

  test('one replica per Region, each with PITR (35 days) and deletion protection', () => {
    expect(replicas().map((r) => r.Region)).toEqual(['us-west-2', 'us-east-1']);
    for (const r of replicas()) {
      expect(r).toMatchObject({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 35 }, DeletionProtectionEnabled: true });
    }
    expect(table.regions).toEqual(['us-east-1', 'us-west-2']);
  });

  test('a customer-managed key per Region: this Region\'s key, the replica\'s by its alias', () => {
    t.hasResourceProperties('AWS::DynamoDB::GlobalTable', { SSESpecification: { SSEEnabled: true, SSEType: 'KMS' } });
    const byRegion = Object.fromEntries(replicas().map((r) => [r.Region, (r.SSESpecification as { KMSMasterKeyId: unknown }).KMSMasterKeyId]));
    expect(byRegion['us-west-2']).toBe('arn:aws:kms:us-west-2:111111111111:alias/orders-table');
    expect(byRegion['us-east-1']).toEqual({ 'Fn::GetAtt': [primary.getLogicalId(table.key.node.defaultChild as never), 'Arn'] });
    Template.fromStack(keys).hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/orders-table' });
    Template.fromStack(keys).hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('the table\'s stack is deployed after the replica key\'s', () => {
    expect(primary.dependencies).toContain(keys);
  });

  test('on-demand capacity; the table is retained on stack deletion', () => {
    t.hasResource('AWS::DynamoDB::GlobalTable', { Properties: Match.objectLike({ BillingMode: 'PAY_PER_REQUEST' }), DeletionPolicy: 'Retain' });
  });

  test('an alarm on ReplicationLatency to the other Region: over 60 s for 5 minutes', () => {
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ReplicationLatency',
      Namespace: 'AWS/DynamoDB',
      Dimensions: Match.arrayWith([{ Name: 'ReceivingRegion', Value: 'us-west-2' }, { Name: 'TableName', Value: 'orders' }]),
      Threshold: 60_000,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alerts') }],
    });
  });

  test('no AwsSolutions findings in either stack', () => {
    expect(nagFindings(primary).filter((f) => f.includes('/Orders/'))).toEqual([]);
    expect(nagFindings(keys)).toEqual([]);
  });
});

describe('GlobalTable options', () => {
  test('auto-scaled provisioned capacity, the same in every Region', () => {
    const { t } = build({ capacity: { read: { min: 5, max: 100 }, write: { min: 5, max: 50, targetUtilization: 60 } } });
    const table = Object.values(t.findResources('AWS::DynamoDB::GlobalTable'))[0].Properties;
    expect(table.BillingMode).toBe('PROVISIONED');
    expect(table.WriteProvisionedThroughputSettings.WriteCapacityAutoScalingSettings).toMatchObject({ MinCapacity: 5, MaxCapacity: 50, TargetTrackingScalingPolicyConfiguration: { TargetValue: 60 } });
  });

  test('contributor insights on every replica when asked', () => {
    const { t } = build({ contributorInsights: true });
    for (const r of Object.values(t.findResources('AWS::DynamoDB::GlobalTable'))[0].Properties.Replicas) expect(r.ContributorInsightsSpecification).toEqual({ Enabled: true });
  });

  test('without a key construct, the replica key is named by its deterministic alias (deploy it first)', () => {
    const { t, primary } = build({}, false);
    const replica = Object.values(t.findResources('AWS::DynamoDB::GlobalTable'))[0].Properties.Replicas.find((r: { Region: string }) => r.Region === 'us-west-2');
    expect(replica.SSESpecification.KMSMasterKeyId).toBe('arn:aws:kms:us-west-2:111111111111:alias/orders-table');
    expect(primary.dependencies).toEqual([]);
  });

  test('a replica key in a stack that depends on the table\'s: a cycle, refused with the fix', () => {
    const app = newApp();
    const primary = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const recovery = new Stack(app, 'Recovery', { env: { account: ACCOUNT, region: 'us-west-2' } });
    recovery.addDependency(primary);
    const key = new GlobalTableReplicaKey(recovery, 'Key', { tableName: 'orders' });
    const err = errorOf(() => new GlobalTable(primary, 'Orders', { tableName: 'orders', partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, replicas: [{ region: 'us-west-2', key }] }));
    expect(err.codes).toEqual(['GLOBAL_TABLE_KEY']);
    expect(err.message).toMatch(/a separate recovery-Region stack deployed first/);
  });
});

describe('GlobalTable grants', () => {
  test('in the table\'s Region: item actions on the table and its indexes, the key through DynamoDB only; no wildcard actions', () => {
    const app = newApp();
    const primary = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const table = new GlobalTable(primary, 'Orders', { tableName: 'orders', partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, replicas: [{ region: 'us-west-2' }] });
    const role = new iam.Role(primary, 'App', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    table.grantReadWriteData(role);
    const statements = Object.values(Template.fromStack(primary).findResources('AWS::IAM::Policy'))[0].Properties.PolicyDocument.Statement as { Action: string[]; Resource: unknown; Condition?: unknown }[];
    expect(statements.flatMap((x) => x.Action).filter((a) => a.includes('*'))).toEqual([]);
    expect(statements[0].Action).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']));
    expect(statements[0].Action).not.toContain('dynamodb:DeleteTable');
    expect(statements[1]).toMatchObject({ Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'], Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.us-east-1.amazonaws.com' } } });
    expect(nagFindings(primary).filter((f) => f.includes('/App/'))).toEqual([]);
  });

  test('in a replica\'s Region: the replica by ARN, its key by alias condition', () => {
    const keys = new Stack(newApp(), 'Recovery', { env: { account: ACCOUNT, region: 'us-west-2' } });
    const role = new iam.Role(keys, 'App', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    GlobalTable.grantReplicaReadWriteData(role, 'orders', 'us-west-2', ACCOUNT);
    const statements = Object.values(Template.fromStack(keys).findResources('AWS::IAM::Policy'))[0].Properties.PolicyDocument.Statement;
    expect(statements[0].Resource).toEqual(['arn:aws:dynamodb:us-west-2:111111111111:table/orders', 'arn:aws:dynamodb:us-west-2:111111111111:table/orders/index/*']);
    expect(statements[1]).toMatchObject({
      Resource: 'arn:aws:kms:us-west-2:111111111111:key/*',
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/orders-table' }, StringEquals: { 'kms:ViaService': 'dynamodb.us-west-2.amazonaws.com' } },
    });
    expect(nagFindings(keys)).toEqual([]);
  });
});

describe('GlobalTable replica alarms', () => {
  test('in a replica\'s stack: the latency of writes made there towards another Region', () => {
    const stack = new Stack(newApp(), 'Recovery', { env: { account: ACCOUNT, region: 'us-west-2' } });
    GlobalTable.addReplicaLatencyAlarm(stack, 'Latency', { tableName: 'orders', toRegion: 'us-east-1', alarmTopic: new sns.Topic(stack, 'Alerts') });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ReplicationLatency',
      Dimensions: Match.arrayWith([{ Name: 'ReceivingRegion', Value: 'us-east-1' }, { Name: 'TableName', Value: 'orders' }]),
      Threshold: 60_000,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alerts') }],
    });
  });
});

describe('GlobalTable rejects invalid input', () => {
  test.each<[string, Partial<GlobalTableProps>, string, RegExp]>([
    ['no replica Region', { replicas: [] }, 'GLOBAL_TABLE_REGIONS', /at least one other Region/],
    ['a duplicate Region', { replicas: [{ region: 'us-west-2' }, { region: 'us-west-2' }] }, 'GLOBAL_TABLE_REGIONS', /listed twice.*us-west-2/s],
    ['its own Region as a replica', { replicas: [{ region: 'us-east-1' }] }, 'GLOBAL_TABLE_REGIONS', /own Region/],
    ['a Region that is not one', { replicas: [{ region: 'west' }] }, 'GLOBAL_TABLE_REGIONS', /not a Region name/],
    ['a bad table name', { tableName: 'o' }, 'GLOBAL_TABLE_NAME', /3-255/],
    ['PITR over 35 days', { pointInTimeRecoveryDays: 36 }, 'GLOBAL_TABLE_PITR', /1-35/],
    ['max capacity below min', { capacity: { read: { min: 10, max: 5 }, write: { min: 1, max: 5 } } }, 'GLOBAL_TABLE_CAPACITY', /below the minimum/],
    ['a latency threshold over an hour', { replicationLatencyThreshold: Duration.hours(2) }, 'GLOBAL_TABLE_ALARM', /replicationLatencyThreshold/],
  ])('%s', (_name, props, code, message) => {
    const err = errorOf(() => build(props, false));
    expect(err.codes).toContain(code);
    expect(err.message).toMatch(message);
    expect(err.message).toContain('Primary/Orders');
  });

  test('a replica key built in another Region than its replica', () => {
    const app = newApp();
    const primary = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const keys = new Stack(app, 'Keys', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const key = new GlobalTableReplicaKey(keys, 'Key', { tableName: 'orders' });
    const err = errorOf(() => new GlobalTable(primary, 'Orders', { tableName: 'orders', partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, replicas: [{ region: 'us-west-2', key }] }));
    expect(err.codes).toEqual(['GLOBAL_TABLE_KEY']);
    expect(err.message).toMatch(/key is in eu-west-1, the replica in us-west-2/);
  });
});
