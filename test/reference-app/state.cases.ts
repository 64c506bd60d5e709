import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { resourcesOfType } from '../helpers/app';
import { referenceApp } from '../helpers/reference';

describe('reference app: state and decoupling tiers', () => {
  const { app } = referenceApp();
  const stack = (name: string): Stack => app.node.findChild(name) as Stack;
  const t = (name: string): Template => Template.fromStack(stack(name));

  test('ResilienceRef-Primary: a DecoupledQueue between the web tier (producer) and an order consumer (Lambda)', () => {
    const tpl = t('ResilienceRef-Primary');
    tpl.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'resilience-ref-orders', RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }), VisibilityTimeout: 120 });
    tpl.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'resilience-ref-orders-dlq' });
    tpl.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 10 } });
    const webPolicy = resourcesOfType(tpl, 'AWS::IAM::Policy').find(([id]) => id.startsWith('WebInstanceRoleDefaultPolicy'))![1];
    expect(JSON.stringify(webPolicy.Properties.PolicyDocument)).toContain('sqs:SendMessage');
  });

  test('RefActiveActive: a global table for sessions, its us-west-2 key in a stack deployed first', () => {
    const tpl = t('RefActiveActive-Primary');
    const sessions = resourcesOfType(tpl, 'AWS::DynamoDB::GlobalTable').find(([, r]) => r.Properties.TableName === 'ref-active-sessions')![1];
    const replicas = sessions.Properties.Replicas as { Region: string; SSESpecification: { KMSMasterKeyId: unknown } }[];
    expect(replicas.find((r) => r.Region === 'us-west-2')!.SSESpecification.KMSMasterKeyId).toBe('arn:aws:kms:us-west-2:111111111111:alias/ref-active-sessions-table');
    t('RefActiveActive-RecoveryData').hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/ref-active-sessions-table' });
    expect(stack('RefActiveActive-Primary').dependencies.map((s) => s.stackName)).toContain('RefActiveActive-RecoveryData');
    // Writes in us-west-2 are watched on their way to us-east-1 too.
    t('RefActiveActive-Recovery').hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ReplicationLatency', Dimensions: Match.arrayWith([{ Name: 'ReceivingRegion', Value: 'us-east-1' }]) });
    // The recovery Region's web tier reads and writes its replica.
    expect(JSON.stringify(t('RefActiveActive-Recovery').toJSON())).toContain('arn:aws:dynamodb:us-west-2:111111111111:table/ref-active-sessions');
  });

  test('RefActiveActive: CloudFront fails over from us-east-1 to us-west-2, request by request', () => {
    const tpl = t('RefActiveActive-Primary');
    const dist = resourcesOfType(tpl, 'AWS::CloudFront::Distribution')[0][1].Properties.DistributionConfig as {
      Origins: { DomainName: string }[];
      OriginGroups: { Items: { FailoverCriteria: { StatusCodes: { Items: number[] } } }[] };
    };
    expect(dist.Origins.map((o) => o.DomainName).sort()).toEqual(['us-east-1.ref-active.example.com', 'us-west-2.ref-active.example.com']);
    expect(dist.OriginGroups.Items[0].FailoverCriteria.StatusCodes.Items).toEqual([500, 502, 503, 504]);
  });

  test('RefWarmStandby: a session cache with a global datastore to the recovery Region', () => {
    t('RefWarmStandby-Primary').hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { MultiAZEnabled: true, AutomaticFailoverEnabled: true, TransitEncryptionEnabled: true, AtRestEncryptionEnabled: true });
    t('RefWarmStandby-Primary').resourceCountIs('AWS::ElastiCache::GlobalReplicationGroup', 1);
    t('RefWarmStandby-Recovery').hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { GlobalReplicationGroupId: Match.anyValue() });
  });

  test('RefWarmStandby: uploads replicated with S3 RTC to a bucket in a stack deployed first', () => {
    const rule = (resourcesOfType(t('RefWarmStandby-Primary'), 'AWS::S3::Bucket').find(([, r]) => r.Properties.ReplicationConfiguration)![1].Properties.ReplicationConfiguration as { Rules: Record<string, unknown>[] }).Rules[0];
    expect(rule).toMatchObject({
      Status: 'Enabled',
      Destination: { ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } }, Metrics: { Status: 'Enabled', EventThreshold: { Minutes: 15 } } },
    });
    expect(JSON.stringify(rule)).toContain(':s3:::ref-warm-uploads-111111111111-us-west-2');
    expect(stack('RefWarmStandby-Primary').dependencies.map((s) => s.stackName)).toContain('RefWarmStandby-RecoveryData');
    t('RefWarmStandby-RecoveryData').hasResourceProperties('AWS::S3::Bucket', { BucketName: 'ref-warm-uploads-111111111111-us-west-2', VersioningConfiguration: { Status: 'Enabled' } });
  });
});
