import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Fn, Lazy, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import { rules } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { TemplateJson, topicKeyViolations } from '../helpers/deploy-rules';
import { ResilienceError } from '../../lib/core/errors';
import { ReplicaBucket, ReplicaBucketProps } from '../../lib/data/replica-bucket';
import { REPLICATION_EVENT_TYPES, ReplicatedBucket, ReplicatedBucketProps } from '../../lib/data/replicated-bucket';
import { errorOf, nagFindings, newApp, resilienceWarnings, resourcesOfType } from '../helpers/app';

const ACCOUNT = '111111111111';
const PRIMARY_ENV = { account: ACCOUNT, region: 'us-east-1' };
const RECOVERY_ENV = { account: ACCOUNT, region: 'us-west-2' };
const SOURCE_NAME = 'shop-assets-111111111111-us-east-1';
const REPLICA_NAME = 'shop-assets-111111111111-us-west-2';
const RULE_ID = `replicate-all-to-${REPLICA_NAME}`;
const EXTERNAL_KEY_ARN = 'arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

type Json = Record<string, unknown>;

/**
 * Render CloudFormation intrinsics as the strings they deploy to in the aws partition:
 * `{ Ref: AWS::Partition }` -> aws, `{ Ref: AWS::URLSuffix }` -> amazonaws.com, joins are
 * flattened, other Refs become `<Id>` and GetAtts `<Id.Attr>`.
 */
function render(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(render);
  if (value === null || typeof value !== 'object') return value;
  const o = value as Json;
  if (typeof o.Ref === 'string') {
    if (o.Ref === 'AWS::Partition') return 'aws';
    if (o.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
    return `<${o.Ref}>`;
  }
  if (o['Fn::GetAtt']) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
  if (o['Fn::Join']) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => String(render(p))).join(sep);
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, render(v)]));
}

/** The only resource of a type whose properties match, as [logicalId, resource]. */
function only(t: Template, type: string, filter: (props: Json) => boolean = () => true): [string, { Properties: Json; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string }] {
  const found = resourcesOfType(t, type).filter(([, r]) => filter(r.Properties ?? {}));
  expect(found).toHaveLength(1);
  return found[0] as [string, { Properties: Json; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string }];
}

const isDataBucket = (name: string) => (p: Json) => p.BucketName === name;

interface Regions {
  app: App;
  primary: Stack;
  recovery: Stack;
  replica: ReplicaBucket;
  source: ReplicatedBucket;
  pt: Template;
  rt: Template;
}

/** One App, two stacks: us-east-1 (ReplicatedBucket) and us-west-2 (ReplicaBucket). */
function twoRegions(props: Partial<ReplicatedBucketProps> = {}, replicaProps: Partial<ReplicaBucketProps> = {}): Regions {
  const app = newApp();
  const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
  const recovery = new Stack(app, 'Recovery', { env: RECOVERY_ENV });
  const replica = new ReplicaBucket(recovery, 'Replica', { bucketNamePrefix: 'shop-assets', ...replicaProps });
  const source = new ReplicatedBucket(primary, 'Assets', { bucketNamePrefix: 'shop-assets', destination: replica, ...props });
  return { app, primary, recovery, replica, source, pt: Template.fromStack(primary), rt: Template.fromStack(recovery) };
}

function replicationRule(t: Template): Json {
  const [, bucket] = only(t, 'AWS::S3::Bucket', isDataBucket(SOURCE_NAME));
  const config = bucket.Properties.ReplicationConfiguration as { Rules: Json[] };
  expect(config.Rules).toHaveLength(1);
  return render(config.Rules[0]) as Json;
}

function roleStatements(t: Template): Json[] {
  const [, role] = only(t, 'AWS::IAM::Role', (p) => JSON.stringify(p.AssumeRolePolicyDocument).includes('s3.amazonaws.com'));
  const policies = role.Properties.Policies as { PolicyName: string; PolicyDocument: { Statement: Json[] } }[];
  expect(policies.map((p) => p.PolicyName)).toEqual(['Replication']);
  return render(policies[0].PolicyDocument.Statement) as Json[];
}

describe('ReplicatedBucket in us-east-1 replicating to a ReplicaBucket in us-west-2 (defaults)', () => {
  const { app, primary, recovery, replica, source, pt, rt } = twoRegions();

  test('both buckets have deterministic names derived from prefix, account and Region', () => {
    only(pt, 'AWS::S3::Bucket', isDataBucket(SOURCE_NAME));
    only(rt, 'AWS::S3::Bucket', isDataBucket(REPLICA_NAME));
    expect(source.bucketName).toBe(SOURCE_NAME);
    expect([replica.bucketName, replica.region, replica.account]).toEqual([REPLICA_NAME, 'us-west-2', ACCOUNT]);
    expect(render(primary.resolve(replica.bucketArn))).toBe(`arn:aws:s3:::${REPLICA_NAME}`);
    expect(render(primary.resolve(replica.keyAliasArn))).toBe(`arn:aws:kms:us-west-2:${ACCOUNT}:alias/${REPLICA_NAME}`);
    expect(ReplicaBucket.isReplicaBucket(replica)).toBe(true);
    expect(ReplicaBucket.isReplicaBucket({ bucketName: REPLICA_NAME, region: 'us-west-2' })).toBe(false);
  });

  test.each([
    ['source', () => pt, SOURCE_NAME],
    ['replica', () => rt, REPLICA_NAME],
  ])('the %s bucket is versioned, encrypted with its own rotating CMK and an S3 Bucket Key, and retained', (_n, tpl, name) => {
    const t = tpl();
    const [, bucket] = only(t, 'AWS::S3::Bucket', isDataBucket(name));
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const sse = (bucket.Properties.BucketEncryption as { ServerSideEncryptionConfiguration: Json[] }).ServerSideEncryptionConfiguration;
    expect(sse).toHaveLength(1);
    expect(sse[0].BucketKeyEnabled).toBe(true);
    const byDefault = sse[0].ServerSideEncryptionByDefault as { SSEAlgorithm: string; KMSMasterKeyID: { 'Fn::GetAtt': [string, string] } };
    expect(byDefault.SSEAlgorithm).toBe('aws:kms');
    expect(byDefault.KMSMasterKeyID['Fn::GetAtt'][1]).toBe('Arn');
    const key = t.toJSON().Resources[byDefault.KMSMasterKeyID['Fn::GetAtt'][0]];
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect([key.DeletionPolicy, key.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
    expect([bucket.DeletionPolicy, bucket.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
  });

  test.each([
    ['source', () => pt, SOURCE_NAME],
    ['replica', () => rt, REPLICA_NAME],
  ])('the %s bucket blocks public access, disables ACLs and has no Object Lock by default', (_n, tpl, name) => {
    const [, bucket] = only(tpl(), 'AWS::S3::Bucket', isDataBucket(name));
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.Properties.ObjectLockEnabled).toBeUndefined();
    expect(bucket.Properties.ObjectLockConfiguration).toBeUndefined();
  });

  test.each([
    ['source', () => pt, SOURCE_NAME],
    ['replica', () => rt, REPLICA_NAME],
  ])('the %s bucket policy denies every request that does not use TLS', (_n, tpl, name) => {
    const t = tpl();
    const [bucketId] = only(t, 'AWS::S3::Bucket', isDataBucket(name));
    const [, policy] = only(t, 'AWS::S3::BucketPolicy', (p) => JSON.stringify(p.Bucket) === JSON.stringify({ Ref: bucketId }));
    const statements = (policy.Properties.PolicyDocument as { Statement: Json[] }).Statement;
    expect(render(statements)).toEqual([
      {
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: [`<${bucketId}.Arn>`, `<${bucketId}.Arn>/*`],
      },
    ]);
  });

  test.each([
    ['source', () => pt, SOURCE_NAME],
    ['replica', () => rt, REPLICA_NAME],
  ])('the %s bucket expires noncurrent versions after 90 days, aborts uploads after 7 days, removes expired delete markers', (_n, tpl, name) => {
    const [, bucket] = only(tpl(), 'AWS::S3::Bucket', isDataBucket(name));
    expect(bucket.Properties.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: 'NoncurrentVersionsAndIncompleteUploads',
          Status: 'Enabled',
          NoncurrentVersionExpiration: { NoncurrentDays: 90 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          ExpiredObjectDeleteMarker: true,
        },
      ],
    });
  });

  test.each([
    ['source', () => pt, SOURCE_NAME],
    ['replica', () => rt, REPLICA_NAME],
  ])('the %s bucket logs its access to an SSE-S3, TLS-only, retained log bucket in its Region', (_n, tpl, name) => {
    const t = tpl();
    const [, bucket] = only(t, 'AWS::S3::Bucket', isDataBucket(name));
    const logging = bucket.Properties.LoggingConfiguration as { DestinationBucketName: { Ref: string }; LogFilePrefix: string };
    expect(logging.LogFilePrefix).toBe(`${name}/`);
    const logBucket = t.toJSON().Resources[logging.DestinationBucketName.Ref];
    expect(logBucket.Properties.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect(logBucket.Properties.PublicAccessBlockConfiguration.RestrictPublicBuckets).toBe(true);
    expect(logBucket.DeletionPolicy).toBe('Retain');
    t.resourceCountIs('AWS::S3::Bucket', 2);
  });

  test('the replica key has the deterministic alias alias/<replica bucket name>', () => {
    const [keyId] = only(rt, 'AWS::KMS::Key', (p) => String(p.Description).includes('replicas in'));
    const [, alias] = only(rt, 'AWS::KMS::Alias');
    expect(alias.Properties).toEqual({ AliasName: `alias/${REPLICA_NAME}`, TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    expect(replica.keyAliasName).toBe(`alias/${REPLICA_NAME}`);
  });

  test('one V2 replication rule for the whole bucket: RTC 15 min, metrics 15 min, delete markers, SSE-KMS objects, replica key', () => {
    expect(replicationRule(pt)).toEqual({
      Id: RULE_ID,
      Status: 'Enabled',
      Priority: 1,
      Filter: { Prefix: '' },
      DeleteMarkerReplication: { Status: 'Enabled' },
      SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
      Destination: {
        Bucket: `arn:aws:s3:::${REPLICA_NAME}`,
        EncryptionConfiguration: { ReplicaKmsKeyID: `arn:aws:kms:us-west-2:${ACCOUNT}:alias/${REPLICA_NAME}` },
        ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } },
        Metrics: { Status: 'Enabled', EventThreshold: { Minutes: 15 } },
      },
    });
    const [, bucket] = only(pt, 'AWS::S3::Bucket', isDataBucket(SOURCE_NAME));
    const [roleId] = only(pt, 'AWS::IAM::Role', (p) => JSON.stringify(p.AssumeRolePolicyDocument).includes('s3.amazonaws.com'));
    expect((bucket.Properties.ReplicationConfiguration as Json).Role).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect([source.ruleId, source.deleteMarkerReplication, source.replicationTimeControl]).toEqual([RULE_ID, true, true]);
  });

  test('the replication role is assumable by S3 only and has exactly the least-privilege statements', () => {
    const [, role] = only(pt, 'AWS::IAM::Role', (p) => JSON.stringify(p.AssumeRolePolicyDocument).includes('s3.amazonaws.com'));
    expect(role.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' } }],
    });
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const [sourceKeyId] = only(pt, 'AWS::KMS::Key', (p) => String(p.Description).includes(SOURCE_NAME));
    expect(roleStatements(pt)).toEqual([
      { Sid: 'SourceBucket', Effect: 'Allow', Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'], Resource: `arn:aws:s3:::${SOURCE_NAME}` },
      {
        Sid: 'SourceObjectVersions',
        Effect: 'Allow',
        Action: ['s3:GetObjectVersionAcl', 's3:GetObjectVersionForReplication', 's3:GetObjectVersionTagging'],
        Resource: `arn:aws:s3:::${SOURCE_NAME}/*`,
      },
      { Sid: 'DestinationObjects', Effect: 'Allow', Action: ['s3:ReplicateDelete', 's3:ReplicateObject', 's3:ReplicateTags'], Resource: `arn:aws:s3:::${REPLICA_NAME}/*` },
      {
        Sid: 'DecryptSourceObjects',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: `<${sourceKeyId}.Arn>`,
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [`arn:aws:s3:::${SOURCE_NAME}`, `arn:aws:s3:::${SOURCE_NAME}/*`] },
        },
      },
      {
        Sid: 'EncryptReplicas',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:Encrypt'],
        Resource: `arn:aws:kms:us-west-2:${ACCOUNT}:key/*`,
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [`arn:aws:s3:::${REPLICA_NAME}`, `arn:aws:s3:::${REPLICA_NAME}/*`] },
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': `alias/${REPLICA_NAME}` },
        },
      },
    ]);
    pt.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('the replication events go to an encrypted, TLS-only topic that only this bucket of this account may publish to', () => {
    const [bucketId, bucket] = only(pt, 'AWS::S3::Bucket', isDataBucket(SOURCE_NAME));
    const [topicId, topic] = only(pt, 'AWS::SNS::Topic');
    expect((bucket.Properties.NotificationConfiguration as Json).TopicConfigurations).toEqual([
      { Event: 's3:Replication:OperationFailedReplication', Topic: { Ref: topicId } },
      { Event: 's3:Replication:OperationMissedThreshold', Topic: { Ref: topicId } },
      { Event: 's3:Replication:OperationReplicatedAfterThreshold', Topic: { Ref: topicId } },
      { Event: 's3:Replication:OperationNotTracked', Topic: { Ref: topicId } },
    ]);
    expect(REPLICATION_EVENT_TYPES).toHaveLength(4);
    // S3 test-publishes when the notification configuration is created.
    const [policyId, policy] = only(pt, 'AWS::SNS::TopicPolicy');
    expect(bucket.DependsOn).toEqual([policyId]);
    const statements = render((policy.Properties.PolicyDocument as { Statement: Json[] }).Statement) as Json[];
    expect(statements.find((s) => s.Sid === 'AllowS3ReplicationEventsToPublish')).toEqual({
      Sid: 'AllowS3ReplicationEventsToPublish',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: `<${topicId}>`,
      Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${SOURCE_NAME}` }, StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    });
    expect(statements.find((s) => s.Effect === 'Deny')).toMatchObject({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    // The topic is encrypted with its own rotating key, which S3 and CloudWatch may use to publish.
    const keyId = (topic.Properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const key = pt.toJSON().Resources[keyId];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const keyStatements = key.Properties.KeyPolicy.Statement as Json[];
    expect(keyStatements.find((s) => s.Sid === 'AllowS3EventNotificationsToPublish')).toMatchObject({
      Principal: { Service: 's3.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
    });
    expect(keyStatements.find((s) => s.Sid === 'AllowCloudWatchAlarmsToPublish')).toMatchObject({
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    });
    expect(bucketId).toBeDefined();
    expect(primary.resolve(source.notificationTopic.topicArn)).toEqual({ Ref: topicId });
  });

  test('an OperationsFailedReplication alarm in the source Region notifies the topic', () => {
    const [topicId] = only(pt, 'AWS::SNS::Topic');
    const [, alarm] = only(pt, 'AWS::CloudWatch::Alarm');
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/S3',
      MetricName: 'OperationsFailedReplication',
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
    });
    expect(alarm.Properties.Dimensions).toEqual([
      { Name: 'DestinationBucket', Value: REPLICA_NAME },
      { Name: 'RuleId', Value: RULE_ID },
      { Name: 'SourceBucket', Value: SOURCE_NAME },
    ]);
  });

  test('a ReplicationLatency alarm lives in the destination Region (where S3 publishes it) and notifies its encrypted topic', () => {
    const [topicId, topic] = only(rt, 'AWS::SNS::Topic');
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    const [, alarm] = only(rt, 'AWS::CloudWatch::Alarm');
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/S3',
      MetricName: 'ReplicationLatency',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 900,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'ignore',
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
    });
    expect(alarm.Properties.Dimensions).toEqual([
      { Name: 'DestinationBucket', Value: REPLICA_NAME },
      { Name: 'RuleId', Value: RULE_ID },
      { Name: 'SourceBucket', Value: SOURCE_NAME },
    ]);
    expect(source.latencyAlarm).toBe(replica.latencyAlarms[SOURCE_NAME]);
    pt.resourceCountIs('AWS::CloudWatch::Alarm', 1);
  });

  test('the metric helpers point at the Region each metric is published in', () => {
    expect(source.metricReplicationLatency().region).toBe('us-west-2');
    expect(source.metricOperationsPendingReplication().region).toBe('us-west-2');
    expect(source.metricOperationsFailedReplication().region).toBeUndefined(); // the stack's own Region
  });

  test('the source stack depends on the destination stack, and nothing references across Regions', () => {
    expect(primary.dependencies.map((d) => d.stackName)).toEqual(['Recovery']);
    expect(recovery.dependencies.map((d) => d.stackName)).toEqual([]);
    const assembly = app.synth();
    expect(assembly.getStackByName('Primary').dependencies.map((d) => d.id)).toContain('Recovery');
    const primaryText = JSON.stringify(pt.toJSON());
    expect(primaryText).not.toMatch(/Fn::ImportValue|ExportsReader|ExportsWriter|CrossRegion|Custom::/);
    for (const logicalId of Object.keys(rt.toJSON().Resources)) expect(primaryText).not.toContain(logicalId);
    expect(JSON.stringify(rt.toJSON())).not.toMatch(/Fn::ImportValue|ExportsWriter|Custom::/);
    expect(rt.toJSON().Outputs).toBeUndefined();
  });

  test('emits no cdk-resilience warning', () => {
    expect(resilienceWarnings(primary)).toEqual([]);
    expect(resilienceWarnings(recovery)).toEqual([]);
  });
});

describe('ReplicatedBucket options', () => {
  test('deleteMarkerReplication: false disables it and drops s3:ReplicateDelete from the role', () => {
    const { pt, source } = twoRegions({ deleteMarkerReplication: false });
    expect(replicationRule(pt).DeleteMarkerReplication).toEqual({ Status: 'Disabled' });
    expect(roleStatements(pt).find((s) => s.Sid === 'DestinationObjects')?.Action).toEqual(['s3:ReplicateObject', 's3:ReplicateTags']);
    expect(source.deleteMarkerReplication).toBe(false);
  });

  test('replicationTimeControl: false keeps replication metrics and failure events, drops RTC and the threshold events', () => {
    const { pt } = twoRegions({ replicationTimeControl: false });
    const dest = replicationRule(pt).Destination as Json;
    expect(dest.ReplicationTime).toBeUndefined();
    expect(dest.Metrics).toEqual({ Status: 'Enabled' });
    const [, bucket] = only(pt, 'AWS::S3::Bucket', isDataBucket(SOURCE_NAME));
    const events = ((bucket.Properties.NotificationConfiguration as Json).TopicConfigurations as Json[]).map((c) => c.Event);
    expect(events).toEqual(['s3:Replication:OperationFailedReplication', 's3:Replication:OperationNotTracked']);
  });

  test('Object Lock on both sides: retention defaults on both buckets, and the role may read retention and legal holds', () => {
    const lock = { mode: s3.ObjectLockMode.COMPLIANCE, defaultRetention: Duration.days(30) };
    const { pt, rt } = twoRegions({ objectLock: { mode: s3.ObjectLockMode.GOVERNANCE, defaultRetention: Duration.days(7) } }, { objectLock: lock });
    const [, src] = only(pt, 'AWS::S3::Bucket', isDataBucket(SOURCE_NAME));
    expect(src.Properties.ObjectLockEnabled).toBe(true);
    expect(src.Properties.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 7 } } });
    const [, dst] = only(rt, 'AWS::S3::Bucket', isDataBucket(REPLICA_NAME));
    expect(dst.Properties.ObjectLockEnabled).toBe(true);
    expect(dst.Properties.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } } });
    expect(roleStatements(pt).find((s) => s.Sid === 'SourceObjectVersions')?.Action).toEqual([
      's3:GetObjectLegalHold',
      's3:GetObjectRetention',
      's3:GetObjectVersionAcl',
      's3:GetObjectVersionForReplication',
      's3:GetObjectVersionTagging',
    ]);
  });

  test('custom lifecycle and latency threshold', () => {
    const { pt, rt } = twoRegions(
      { lifecycle: { noncurrentVersionExpiration: Duration.days(365), abortIncompleteMultipartUploadAfter: Duration.days(1) }, latencyAlarmThreshold: Duration.minutes(5) },
      { lifecycle: { noncurrentVersionExpiration: Duration.days(30) } },
    );
    const [, src] = only(pt, 'AWS::S3::Bucket', isDataBucket(SOURCE_NAME));
    expect((src.Properties.LifecycleConfiguration as { Rules: Json[] }).Rules[0]).toMatchObject({
      NoncurrentVersionExpiration: { NoncurrentDays: 365 },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    });
    const [, dst] = only(rt, 'AWS::S3::Bucket', isDataBucket(REPLICA_NAME));
    expect((dst.Properties.LifecycleConfiguration as { Rules: Json[] }).Rules[0]).toMatchObject({
      NoncurrentVersionExpiration: { NoncurrentDays: 30 },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
    });
    rt.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ReplicationLatency', Threshold: 300 });
  });

  test('a destination outside the app by key ARN: that key only, no alias condition, no latency alarm, no stack dependency', () => {
    const primary = new Stack(newApp(), 'Primary', { env: PRIMARY_ENV });
    const source = new ReplicatedBucket(primary, 'Assets', {
      bucketNamePrefix: 'shop-assets',
      destination: { bucketName: 'dr-bucket.example', region: 'eu-west-1', keyArn: EXTERNAL_KEY_ARN.replace('us-west-2', 'eu-west-1') },
    });
    const pt = Template.fromStack(primary);
    const rule = replicationRule(pt);
    expect(rule.Destination).toMatchObject({
      Bucket: 'arn:aws:s3:::dr-bucket.example',
      EncryptionConfiguration: { ReplicaKmsKeyID: EXTERNAL_KEY_ARN.replace('us-west-2', 'eu-west-1') },
    });
    expect(roleStatements(pt).find((s) => s.Sid === 'EncryptReplicas')).toEqual({
      Sid: 'EncryptReplicas',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:Encrypt'],
      Resource: EXTERNAL_KEY_ARN.replace('us-west-2', 'eu-west-1'),
      Condition: {
        StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': ['arn:aws:s3:::dr-bucket.example', 'arn:aws:s3:::dr-bucket.example/*'] },
      },
    });
    expect(source.latencyAlarm).toBeUndefined();
    expect(primary.dependencies.map((d) => d.stackName)).toEqual([]);
    expect([source.destinationBucketName, source.destinationRegion]).toEqual(['dr-bucket.example', 'eu-west-1']);
    expect(nagFindings(primary)).toEqual([]);
  });

  test('a destination outside the app by key alias: keys of that Region carrying the alias', () => {
    const primary = new Stack(newApp(), 'Primary', { env: PRIMARY_ENV });
    new ReplicatedBucket(primary, 'Assets', {
      bucketNamePrefix: 'shop-assets',
      destination: { bucketName: 'dr-bucket', region: 'us-west-2', keyAlias: 'alias/dr-bucket' },
    });
    const pt = Template.fromStack(primary);
    expect((replicationRule(pt).Destination as Json).EncryptionConfiguration).toEqual({ ReplicaKmsKeyID: `arn:aws:kms:us-west-2:${ACCOUNT}:alias/dr-bucket` });
    expect(roleStatements(pt).find((s) => s.Sid === 'EncryptReplicas')).toMatchObject({
      Resource: `arn:aws:kms:us-west-2:${ACCOUNT}:key/*`,
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/dr-bucket' } },
    });
    expect(nagFindings(primary)).toEqual([]);
  });

  test('a topic you pass gets the S3 publish statement and receives events and the alarm; no topic is created', () => {
    const app = newApp();
    const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
    const recovery = new Stack(app, 'Recovery', { env: RECOVERY_ENV });
    const replica = new ReplicaBucket(recovery, 'Replica', { bucketNamePrefix: 'shop-assets' });
    const topic = new sns.Topic(primary, 'OpsTopic');
    new ReplicatedBucket(primary, 'Assets', { bucketNamePrefix: 'shop-assets', destination: replica, notificationTopic: topic });
    const pt = Template.fromStack(primary);
    const [topicId] = only(pt, 'AWS::SNS::Topic');
    expect(topicId).toMatch(/^OpsTopic/);
    const [policyId, policy] = only(pt, 'AWS::SNS::TopicPolicy');
    expect(JSON.stringify(policy.Properties)).toContain('AllowS3ReplicationEventsToPublish');
    const [, bucket] = only(pt, 'AWS::S3::Bucket', isDataBucket(SOURCE_NAME));
    expect(bucket.DependsOn).toEqual([policyId]);
    pt.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: topicId }] });
    pt.resourceCountIs('AWS::KMS::Key', 1); // the bucket key only
  });

  test('a topic you pass encrypted with a key of the app: the key lets S3 use it (S3 validates the destination at deploy), and the bucket waits for it', () => {
    const app = newApp();
    const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
    const replica = new ReplicaBucket(new Stack(app, 'Recovery', { env: RECOVERY_ENV }), 'Replica', { bucketNamePrefix: 'shop-assets' });
    const key = new kms.Key(primary, 'OpsKey', { enableKeyRotation: true });
    const topic = new sns.Topic(primary, 'OpsTopic', { masterKey: key });
    new ReplicatedBucket(primary, 'Assets', { bucketNamePrefix: 'shop-assets', destination: replica, notificationTopic: topic });
    const pt = Template.fromStack(primary);
    const keyId = primary.getLogicalId(key.node.defaultChild as kms.CfnKey);
    const statements = (pt.toJSON().Resources[keyId].Properties.KeyPolicy.Statement as Json[]);
    // Scoped to this bucket of this account: the key may be shared.
    expect(statements).toContainEqual({
      Sid: expect.stringMatching(/^AllowS3EventNotificationsOf/),
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': expect.anything() } },
    });
    const [, bucket] = only(pt, 'AWS::S3::Bucket', isDataBucket(SOURCE_NAME));
    expect(bucket.DependsOn).toContain(keyId);
    expect(topicKeyViolations(pt.toJSON() as TemplateJson, PRIMARY_ENV)).toEqual([]);
    expect(Annotations.fromStack(primary).findWarning('*', Match.stringLikeRegexp('TopicKeyNotGranted'))).toEqual([]);
  });

  test('a topic you pass encrypted with an imported key: the construct cannot grant S3 the key, and warns', () => {
    const app = newApp();
    const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
    const replica = new ReplicaBucket(new Stack(app, 'Recovery', { env: RECOVERY_ENV }), 'Replica', { bucketNamePrefix: 'shop-assets' });
    const key = kms.Key.fromKeyArn(primary, 'OpsKey', `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
    const topic = new sns.Topic(primary, 'OpsTopic', { masterKey: key });
    new ReplicatedBucket(primary, 'Assets', { bucketNamePrefix: 'shop-assets', destination: replica, notificationTopic: topic });
    Annotations.fromStack(primary).hasWarning('/Primary/Assets', Match.stringLikeRegexp("^the notification topic's KMS key is imported: its key policy must let s3.amazonaws.com \\(kms:GenerateDataKey, kms:Decrypt\\) and cloudwatch.amazonaws.com.*\\[ack: cdk-resilience:TopicKeyNotGranted\\]$"));
  });

  test('a ReplicaBucket alarm topic you pass receives the latency alarm', () => {
    const app = newApp();
    const recovery = new Stack(app, 'Recovery', { env: RECOVERY_ENV });
    const topic = new sns.Topic(recovery, 'OpsTopic');
    const replica = new ReplicaBucket(recovery, 'Replica', { bucketNamePrefix: 'shop-assets', alarmTopic: topic });
    new ReplicatedBucket(new Stack(app, 'Primary', { env: PRIMARY_ENV }), 'Assets', { bucketNamePrefix: 'shop-assets', destination: replica });
    const rt = Template.fromStack(recovery);
    const [topicId] = only(rt, 'AWS::SNS::Topic');
    rt.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ReplicationLatency', AlarmActions: [{ Ref: topicId }] });
  });

  test('adding notifications through bucket.addEventNotification fails synth: it would drop the replication events', () => {
    const app = newApp();
    const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
    const replica = new ReplicaBucket(new Stack(app, 'Recovery', { env: RECOVERY_ENV }), 'Replica', { bucketNamePrefix: 'shop-assets' });
    const source = new ReplicatedBucket(primary, 'Assets', { bucketNamePrefix: 'shop-assets', destination: replica });
    source.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SnsDestination(new sns.Topic(primary, 'Other')));
    expect(() => app.synth()).toThrow(/\[BUCKET_NOTIFICATIONS_OVERWRITTEN\] bucket: event notifications were added with the aws-cdk-lib custom resource/);
  });
});

describe('stack dependency and cycles', () => {
  function stacks(): { app: App; primary: Stack; recovery: Stack; replica: ReplicaBucket } {
    const app = newApp();
    const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
    const recovery = new Stack(app, 'Recovery', { env: RECOVERY_ENV });
    const replica = new ReplicaBucket(recovery, 'Replica', { bucketNamePrefix: 'shop-assets' });
    return { app, primary, recovery, replica };
  }

  test('a ReplicaBucket in a stack that already depends on the source stack is a ResilienceError, before anything is built', () => {
    const { primary, recovery, replica } = stacks();
    recovery.addDependency(primary, 'the DR strategy recovery stack comes after the primary');
    const err = errorOf(() => new ReplicatedBucket(primary, 'Assets', { bucketNamePrefix: 'shop-assets', destination: replica }));
    expect(err.codes).toEqual(['REPLICATION_STACK_CYCLE']);
    expect(err.constructPath).toBe('Primary/Assets');
    expect(err.message).toMatch(/destination: the ReplicaBucket's stack Recovery already depends on this stack Primary.*would be a cycle \(got: "Recovery -> Primary"\)/);
    expect(err.message).toMatch(/Fix: put the ReplicaBucket in a stack of us-west-2 that Primary does not depend on, e\.g\. new Stack\(app, 'Primary-ReplicaData'/);
    expect(primary.node.findChild('Assets').node.children).toHaveLength(0);
    expect(primary.dependencies.map((d) => d.stackName)).toEqual([]);
  });

  test('a transitive dependency (Recovery -> Shared -> Primary) is detected too', () => {
    const { app, primary, recovery, replica } = stacks();
    const shared = new Stack(app, 'Shared', { env: PRIMARY_ENV });
    shared.addDependency(primary);
    recovery.addDependency(shared);
    const err = errorOf(() => new ReplicatedBucket(primary, 'Assets', { bucketNamePrefix: 'shop-assets', destination: replica }));
    expect(err.codes).toEqual(['REPLICATION_STACK_CYCLE']);
    expect(err.message).toMatch(/got: "Recovery -> Shared -> Primary"/);
  });

  test('the fix works: a separate data stack in the recovery Region', () => {
    const { app, primary, recovery } = stacks();
    recovery.addDependency(primary);
    const data = new Stack(app, 'RecoveryData', { env: RECOVERY_ENV });
    const replica = new ReplicaBucket(data, 'Replica', { bucketNamePrefix: 'shop-data' });
    expect(() => new ReplicatedBucket(primary, 'Assets', { bucketNamePrefix: 'shop-assets', destination: replica })).not.toThrow();
    expect(primary.dependencies.map((d) => d.stackName)).toEqual(['RecoveryData']);
    expect(() => app.synth()).not.toThrow();
  });

  test('a dependency added later that closes the cycle is refused by CDK, with the reason naming the ReplicatedBucket', () => {
    const { primary, recovery, replica } = stacks();
    new ReplicatedBucket(primary, 'Assets', { bucketNamePrefix: 'shop-assets', destination: replica });
    expect(() => recovery.addDependency(primary, 'recovery after primary')).toThrow(
      /'Primary' depends on 'Recovery' \(ReplicatedBucket Primary\/Assets replicates to ReplicaBucket Recovery\/Replica, which must exist first; if this is a cycle, put the ReplicaBucket in a stack that Primary does not depend on\)\. Adding this dependency \(recovery after primary\) would create a cyclic reference/,
    );
  });
});

interface ErrorCtx {
  replica: ReplicaBucket;
  sameRegionReplica: ReplicaBucket;
  otherAccountReplica: ReplicaBucket;
}

function replicatedError(make: (c: ErrorCtx) => Partial<ReplicatedBucketProps>, primaryEnv: { account?: string; region?: string } = PRIMARY_ENV): ResilienceError {
  const app = newApp();
  const primary = new Stack(app, 'Primary', { env: primaryEnv });
  const ctx: ErrorCtx = {
    replica: new ReplicaBucket(new Stack(app, 'Recovery', { env: RECOVERY_ENV }), 'Replica', { bucketNamePrefix: 'shop-assets' }),
    sameRegionReplica: new ReplicaBucket(new Stack(app, 'East', { env: PRIMARY_ENV }), 'Replica', { bucketNamePrefix: 'shop-copy' }),
    otherAccountReplica: new ReplicaBucket(new Stack(app, 'Other', { env: { account: '222222222222', region: 'us-west-2' } }), 'Replica', { bucketNamePrefix: 'shop-assets' }),
  };
  const props = make(ctx);
  return errorOf(() => new ReplicatedBucket(primary, 'Assets', { bucketNamePrefix: 'shop-assets', destination: ctx.replica, ...props }));
}

const ext = (extra: Record<string, unknown> = {}) => ({ destination: { bucketName: 'dr-bucket', region: 'us-west-2', keyArn: EXTERNAL_KEY_ARN, ...extra } });

describe('ReplicatedBucket rejects invalid props', () => {
  test.each<[string, (c: ErrorCtx) => Partial<ReplicatedBucketProps>, string, RegExp]>([
    ['replication to a ReplicaBucket in the same Region', (c) => ({ destination: c.sameRegionReplica }), 'REPLICATION_SAME_REGION', /destination: replicates to the stack's own Region us-east-1, which does not survive the loss of that Region \(got: "us-east-1"\)\. Fix: replicate to a bucket in another Region/],
    ['replication to an outside bucket in the same Region', () => ext({ region: 'us-east-1', keyArn: EXTERNAL_KEY_ARN.replace('us-west-2', 'us-east-1') }), 'REPLICATION_SAME_REGION', /replicates to the stack's own Region us-east-1/],
    ['a ReplicaBucket of another account', (c) => ({ destination: c.otherAccountReplica }), 'REPLICATION_ACCOUNT', /destination: the ReplicaBucket is in another account than this stack \(111111111111\).*\(got: "Other\/Replica in account 222222222222"\)/],
    ['Object Lock here but not in the ReplicaBucket', () => ({ objectLock: { mode: s3.ObjectLockMode.GOVERNANCE, defaultRetention: Duration.days(1) } }), 'REPLICATION_OBJECT_LOCK', /objectLock: this bucket has Object Lock but the destination does not.*DstBucketObjectLockConfigMissing.*Fix: give the ReplicaBucket objectLock too/],
    ['Object Lock here but not in the outside destination', () => ({ ...ext(), objectLock: { mode: s3.ObjectLockMode.GOVERNANCE, defaultRetention: Duration.days(1) } }), 'REPLICATION_OBJECT_LOCK', /set destination\.objectLockEnabled: true/],
    ['an outside bucket name with uppercase letters', () => ext({ bucketName: 'DR_Bucket' }), 'REPLICATION_DESTINATION_NAME', /destination\.bucketName: is not a valid S3 bucket name.*\(got: "DR_Bucket"\)/],
    ['an outside bucket name with two adjacent dots', () => ext({ bucketName: 'dr..bucket' }), 'REPLICATION_DESTINATION_NAME', /got: "dr\.\.bucket"/],
    ['an outside bucket name that is an IP address', () => ext({ bucketName: '192.168.5.4' }), 'REPLICATION_DESTINATION_NAME', /not an IP address/],
    ['an outside bucket name with a reserved suffix', () => ext({ bucketName: 'dr-bucket-s3alias' }), 'REPLICATION_DESTINATION_NAME', /\(reserved: '-s3alias'\)/],
    ['an outside bucket name of 64 characters', () => ext({ bucketName: 'b'.repeat(64) }), 'REPLICATION_DESTINATION_NAME', /3-63 lowercase letters/],
    ['an outside Region that is not one', () => ext({ region: 'west' }), 'REPLICATION_DESTINATION_REGION', /destination\.region: is not an AWS Region code \(got: "west"\)/],
    ['an outside destination without a key', () => ({ destination: { bucketName: 'dr-bucket', region: 'us-west-2' } }), 'REPLICATION_DESTINATION_KEY', /destination\.keyArn: no key is given/],
    ['an outside destination with both a key ARN and an alias', () => ext({ keyAlias: 'alias/dr' }), 'REPLICATION_DESTINATION_KEY', /both keyArn and keyAlias are given/],
    ['a key ARN that is not one', () => ext({ keyArn: 'arn:aws:kms:us-west-2:111111111111:alias/dr' }), 'REPLICATION_DESTINATION_KEY', /destination\.keyArn: is not a KMS key ARN/],
    ['a key in another Region than the destination', () => ext({ keyArn: EXTERNAL_KEY_ARN.replace('us-west-2', 'eu-west-1') }), 'REPLICATION_DESTINATION_KEY', /is in eu-west-1, not in the destination Region us-west-2/],
    ['a key in another account', () => ext({ keyArn: EXTERNAL_KEY_ARN.replace('111111111111', '222222222222') }), 'REPLICATION_DESTINATION_KEY', /is in account 222222222222, not in this stack's account 111111111111/],
    ['an AWS managed key alias', () => ({ destination: { bucketName: 'dr-bucket', region: 'us-west-2', keyAlias: 'alias/aws/s3' } }), 'REPLICATION_DESTINATION_KEY', /destination\.keyAlias: is not the alias of a customer-managed key.*\(got: "alias\/aws\/s3"\)/],
    ['a key alias without alias/', () => ({ destination: { bucketName: 'dr-bucket', region: 'us-west-2', keyAlias: 'dr-key' } }), 'REPLICATION_DESTINATION_KEY', /got: "dr-key"/],
    ['a latency alarm threshold under a minute', () => ({ latencyAlarmThreshold: Duration.seconds(30) }), 'REPLICATION_LATENCY_THRESHOLD', /latencyAlarmThreshold: must be a duration of at least 60 s \(got: "30 s"\)/],
    ['a prefix with uppercase letters', () => ({ bucketNamePrefix: 'Shop' }), 'BUCKET_NAME_PREFIX', /bucketNamePrefix: is not a valid bucket name prefix: lowercase letters, numbers and hyphens.*\(got: "Shop"\)/],
    ['a prefix with a dot', () => ({ bucketNamePrefix: 'shop.assets' }), 'BUCKET_NAME_PREFIX', /no dots.*\(got: "shop\.assets"\)/],
    ['a prefix ending with a hyphen', () => ({ bucketNamePrefix: 'shop-' }), 'BUCKET_NAME_PREFIX', /got: "shop-"/],
    ['a reserved prefix', () => ({ bucketNamePrefix: 'xn--shop' }), 'BUCKET_NAME_PREFIX', /starts with 'xn--', a bucket name prefix S3 reserves/],
    ['a prefix that makes the name longer than 63 characters', () => ({ bucketNamePrefix: 'a'.repeat(41) }), 'BUCKET_NAME_PREFIX', /makes the bucket name '.*' 64 characters long; S3 allows at most 63.*Fix: shorten the prefix to at most 40 characters/],
    ['a noncurrent-version expiration of 0 days', () => ({ lifecycle: { noncurrentVersionExpiration: Duration.days(0) } }), 'BUCKET_LIFECYCLE', /lifecycle\.noncurrentVersionExpiration: must be a whole number of days of at least 1 \(got: "0 days"\)/],
    ['an upload abort after 12 hours', () => ({ lifecycle: { abortIncompleteMultipartUploadAfter: Duration.hours(12) } }), 'BUCKET_LIFECYCLE', /lifecycle\.abortIncompleteMultipartUploadAfter: must be a whole number of days .*\(got: "12 hours"\)/],
    ['an Object Lock retention over 100 years', (c) => ({ destination: c.replica, objectLock: { mode: s3.ObjectLockMode.COMPLIANCE, defaultRetention: Duration.days(36501) } }), 'BUCKET_OBJECT_LOCK_RETENTION', /objectLock\.defaultRetention: must be a whole number of days between 1 and 36500 \(got: "36501 days"\)/],
  ])('%s', (_name, make, code, message) => {
    const err = replicatedError(make);
    expect(err).toBeInstanceOf(ResilienceError);
    expect(code).toMatch(/^(BUCKET|REPLICATION)_/);
    // The Object Lock retention row also has no Object Lock on the replica.
    expect(err.codes).toEqual(code === 'BUCKET_OBJECT_LOCK_RETENTION' ? [code, 'REPLICATION_OBJECT_LOCK'] : [code]);
    expect(err.message).toMatch(message);
    expect(err.constructPath).toBe('Primary/Assets');
    expect(err.message).toMatch(/^cdk-resilience: invalid props for Primary\/Assets/);
    expect(err.message).toMatch(/Fix: /);
  });

  test('an environment-agnostic source stack', () => {
    const err = replicatedError(() => ({}), {});
    expect(err.codes).toEqual(['BUCKET_STACK_ENV']);
    expect(err.message).toMatch(/env: the stack Primary is environment-agnostic, so the bucket name \(<prefix>-<account>-<region>\) cannot be known at synth time.*\(got: "account \(unresolved\), region \(unresolved\)"\)\. Fix: give the stack an explicit env/);
  });

  test('reports every problem at once, before building anything', () => {
    const app = newApp();
    const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
    const err = errorOf(
      () =>
        new ReplicatedBucket(primary, 'Assets', {
          bucketNamePrefix: 'Shop',
          destination: { bucketName: 'dr-bucket', region: 'us-east-1', keyArn: EXTERNAL_KEY_ARN.replace('us-west-2', 'us-east-1') },
          lifecycle: { noncurrentVersionExpiration: Duration.hours(1) },
          latencyAlarmThreshold: Duration.seconds(1),
        }),
    );
    expect(err.codes.sort()).toEqual(['BUCKET_LIFECYCLE', 'BUCKET_NAME_PREFIX', 'REPLICATION_LATENCY_THRESHOLD', 'REPLICATION_SAME_REGION']);
    expect(err.message).toMatch(/\(4 problems\)/);
    expect(primary.node.findChild('Assets').node.children).toHaveLength(0);
  });

  test('unresolved tokens are not validated', () => {
    const app = newApp();
    const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
    expect(
      () =>
        new ReplicatedBucket(primary, 'Assets', {
          bucketNamePrefix: Lazy.string({ produce: () => 'shop-assets' }),
          destination: { bucketName: Fn.importValue('DrBucket'), region: 'us-west-2', keyArn: Fn.importValue('DrKey') },
        }),
    ).not.toThrow();
  });
});

describe('ReplicaBucket rejects invalid props', () => {
  test.each<[string, { account?: string; region?: string } | undefined, Partial<ReplicaBucketProps>, string, RegExp]>([
    ['an environment-agnostic stack', undefined, {}, 'BUCKET_STACK_ENV', /env: the stack Recovery is environment-agnostic.*the source bucket in the other Region names this bucket and its key \(got: "account \(unresolved\), region \(unresolved\)"\)/],
    ['a stack with a Region but no account', { region: 'us-west-2' }, {}, 'BUCKET_STACK_ENV', /got: "account \(unresolved\), region us-west-2"/],
    ['a prefix with an underscore', RECOVERY_ENV, { bucketNamePrefix: 'shop_assets' }, 'BUCKET_NAME_PREFIX', /bucketNamePrefix: is not a valid bucket name prefix.*\(got: "shop_assets"\)/],
    ['a reserved prefix', RECOVERY_ENV, { bucketNamePrefix: 'sthree-data' }, 'BUCKET_NAME_PREFIX', /starts with 'sthree-'/],
    ['an Object Lock retention of 0 days', RECOVERY_ENV, { objectLock: { mode: s3.ObjectLockMode.GOVERNANCE, defaultRetention: Duration.days(0) } }, 'BUCKET_OBJECT_LOCK_RETENTION', /objectLock\.defaultRetention: must be a whole number of days between 1 and 36500 \(got: "0 days"\)/],
    ['an Object Lock retention of a day and a half', RECOVERY_ENV, { objectLock: { mode: s3.ObjectLockMode.COMPLIANCE, defaultRetention: Duration.hours(36) } }, 'BUCKET_OBJECT_LOCK_RETENTION', /got: "1 day 12 hours"/],
    ['a noncurrent-version expiration of half a day', RECOVERY_ENV, { lifecycle: { noncurrentVersionExpiration: Duration.hours(12) } }, 'BUCKET_LIFECYCLE', /lifecycle\.noncurrentVersionExpiration: must be a whole number of days of at least 1/],
  ])('%s', (_name, env, props, code, message) => {
    const stack = new Stack(newApp(), 'Recovery', { env });
    const err = errorOf(() => new ReplicaBucket(stack, 'Replica', { bucketNamePrefix: 'shop-assets', ...props }));
    expect(err.codes).toEqual([code]);
    expect(err.message).toMatch(message);
    expect(err.constructPath).toBe('Recovery/Replica');
    expect(err.message).toMatch(/Fix: /);
    expect(stack.node.findChild('Replica').node.children).toHaveLength(0);
  });

  test('monitorReplicationFrom rejects a threshold under a minute', () => {
    const replica = new ReplicaBucket(new Stack(newApp(), 'Recovery', { env: RECOVERY_ENV }), 'Replica', { bucketNamePrefix: 'shop-assets' });
    const err = errorOf(() => replica.monitorReplicationFrom({ sourceBucketName: SOURCE_NAME, ruleId: RULE_ID, threshold: Duration.seconds(10) }));
    expect(err.codes).toEqual(['REPLICATION_LATENCY_THRESHOLD']);
    expect(err.constructPath).toBe('Recovery/Replica');
    expect(err.message).toMatch(/threshold: must be a duration of at least 60 s \(got: "10 s"\)/);
  });
});

/** The acknowledged finding ids on every construct under a scope, with their reasons. */
function acknowledgments(scope: IConstruct): { path: string; id: string; reason: string }[] {
  return scope.node.findAll().flatMap((c) => {
    const last = c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).pop();
    return Object.entries((last?.data ?? {}) as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason }));
  });
}

describe('cdk-nag AwsSolutions', () => {
  test('zero unacknowledged findings in both stacks, with defaults and with every option', () => {
    const defaults = twoRegions();
    expect(nagFindings(defaults.primary)).toEqual([]);
    expect(nagFindings(defaults.recovery)).toEqual([]);
    const lock = { mode: s3.ObjectLockMode.GOVERNANCE, defaultRetention: Duration.days(7) };
    const options = twoRegions({ objectLock: lock, deleteMarkerReplication: false, replicationTimeControl: false }, { objectLock: lock });
    expect(nagFindings(options.primary)).toEqual([]);
    expect(nagFindings(options.recovery)).toEqual([]);
  });

  test('the acknowledgments are exactly: the wildcards of the replication role and the log buckets\' own logging, each with a reason', () => {
    const { source, replica } = twoRegions();
    const acks = [...acknowledgments(source), ...acknowledgments(replica)];
    expect(acks.map((a) => `${a.path} ${a.id}`).sort()).toEqual([
      'Primary/Assets/AccessLogs AwsSolutions-S1',
      `Primary/Assets/ReplicationRole AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:us-west-2:${ACCOUNT}:key/*]`,
      `Primary/Assets/ReplicationRole AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${SOURCE_NAME}/*]`,
      `Primary/Assets/ReplicationRole AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${REPLICA_NAME}/*]`,
      'Recovery/Replica/AccessLogs AwsSolutions-S1',
    ]);
    for (const a of acks) expect(a.reason.length).toBeGreaterThanOrEqual(60);
  });

  test('each acknowledged IAM5 finding is a real finding of the role, and the role has no other', () => {
    const { source } = twoRegions();
    const raw = rules.iam.IAMNoWildcardPermissions(source.replicationRole.node.defaultChild as iam.CfnRole);
    const acked = acknowledgments(source)
      .filter((a) => a.id.startsWith('AwsSolutions-IAM5['))
      .map((a) => a.id.replace(/^AwsSolutions-IAM5\[(.*)\]$/, '$1'));
    expect(Array.isArray(raw) ? [...raw].sort() : raw).toEqual(acked.sort());
  });

  test('the gate can fail: a wildcard added to the role is not covered by the acknowledgments', () => {
    const { primary, source } = twoRegions();
    source.replicationRole.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::other-bucket/*'] }));
    expect(nagFindings(primary).join('\n')).toMatch(/AwsSolutions-IAM5\[Resource::arn:aws:s3:::other-bucket\/\*\] at Primary\/Assets\/ReplicationRole/);
  });
});

describe('docs/replicated-bucket.md', () => {
  const root = path.join(__dirname, '..', '..');
  const doc = (): string => fs.readFileSync(path.join(root, 'docs', 'replicated-bucket.md'), 'utf8');

  test('has a diagram, props with defaults, what it survives, and sourced AWS figures', () => {
    const text = doc();
    expect(text).toMatch(/```mermaid/);
    expect(text).toMatch(/## Props/);
    expect(text).toMatch(/default/i);
    expect(text).toMatch(/## What it survives/);
    expect(text).toMatch(/## Errors/);
    expect(text).toContain('https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html');
    expect(text).toContain('https://aws.amazon.com/s3/sla-rtc/');
  });

  test('lists every error code the constructs can throw', () => {
    const source = ['replica-bucket.ts', 'replicated-bucket.ts'].map((f) => fs.readFileSync(path.join(root, 'lib', 'data', f), 'utf8')).join('\n');
    const codes = new Set([...source.matchAll(/code: '([A-Z_]+)'/g)].map((m) => m[1]));
    expect(codes.size).toBeGreaterThan(10);
    const text = doc();
    for (const code of codes) {
      expect(code).toMatch(/^(BUCKET|REPLICATION)_/);
      expect(text).toContain(code);
    }
  });
});
