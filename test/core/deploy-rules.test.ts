/**
 * The deploy-time rules find what they are for: each planted defect is a violation, and its
 * fix is not.
 */
import { aliasOrderViolations, TemplateJson, topicKeyViolations } from '../helpers/deploy-rules';

const record = (name: string, extra: Record<string, unknown> = {}, dependsOn?: string[]) => ({ Type: 'AWS::Route53::RecordSet', Properties: { Name: name, Type: 'A', HostedZoneId: 'Z1', ...extra }, ...(dependsOn ? { DependsOn: dependsOn } : {}) });

describe('alias order', () => {
  const target = record('us-west-2.app.example.com', { AliasTarget: { DNSName: { 'Fn::GetAtt': ['Alb', 'DNSName'] }, HostedZoneId: 'Z2' } });
  const alias = (dependsOn?: string[]) => record('app.example.com', { AliasTarget: { DNSName: 'us-west-2.app.example.com.', HostedZoneId: 'Z1' }, SetIdentifier: 'us-west-2' }, dependsOn);

  test('an alias to a same-template record without a dependency is a violation; with one, or through another resource, it is not', () => {
    expect(aliasOrderViolations({ Resources: { Target: target, Alias: alias() } } as TemplateJson)).toEqual(['Alias aliases us-west-2.app.example.com. (Target) in the same template without depending on it']);
    expect(aliasOrderViolations({ Resources: { Target: target, Alias: alias(['Target']) } } as TemplateJson)).toEqual([]);
    expect(aliasOrderViolations({ Resources: { Target: target, Middle: { Type: 'AWS::CloudFormation::WaitConditionHandle', DependsOn: 'Target' }, Alias: alias(['Middle']) } } as TemplateJson)).toEqual([]);
  });

  test('an alias to a name another template holds is not this rule\'s (a stack dependency orders them)', () => {
    expect(aliasOrderViolations({ Resources: { Alias: alias() } } as TemplateJson)).toEqual([]);
  });
});

describe('topic keys', () => {
  const key = (services: string[]) => ({
    Type: 'AWS::KMS::Key',
    Properties: {
      KeyPolicy: {
        Statement: [
          { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' },
          ...services.map((s) => ({ Effect: 'Allow', Principal: { Service: s }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*' })),
        ],
      },
    },
  });
  const topic = { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } };
  const bucket = { Type: 'AWS::S3::Bucket', Properties: { NotificationConfiguration: { TopicConfigurations: [{ Event: 's3:Replication:OperationFailedReplication', Topic: { Ref: 'Topic' } }] } } };
  const alarm = { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmActions: [{ Ref: 'Topic' }] } };
  const rule = { Type: 'AWS::Events::Rule', Properties: { Targets: [{ Arn: { Ref: 'Topic' }, Id: 't' }] } };

  test('S3 notifications to a topic whose key allows only CloudWatch: the deploy would fail (aws-cdk#29511)', () => {
    expect(topicKeyViolations({ Resources: { Key: key(['cloudwatch.amazonaws.com']), Topic: topic, Bucket: bucket } } as TemplateJson)).toEqual([
      'Bucket: s3.amazonaws.com publishes to Topic, whose key Key does not let s3.amazonaws.com use it',
    ]);
    expect(topicKeyViolations({ Resources: { Key: key(['cloudwatch.amazonaws.com', 's3.amazonaws.com']), Topic: topic, Bucket: bucket } } as TemplateJson)).toEqual([]);
  });

  test('alarms and EventBridge rules each need their own service on the key', () => {
    expect(topicKeyViolations({ Resources: { Key: key(['s3.amazonaws.com']), Topic: topic, Alarm: alarm, Rule: rule } } as TemplateJson)).toEqual([
      'Alarm: cloudwatch.amazonaws.com publishes to Topic, whose key Key does not let cloudwatch.amazonaws.com use it',
      'Rule: events.amazonaws.com publishes to Topic, whose key Key does not let events.amazonaws.com use it',
    ]);
    expect(topicKeyViolations({ Resources: { Key: key(['cloudwatch.amazonaws.com', 'events.amazonaws.com']), Topic: topic, Alarm: alarm, Rule: rule } } as TemplateJson)).toEqual([]);
  });

  test('an unencrypted topic needs no key; a key held elsewhere cannot be checked here and says so', () => {
    expect(topicKeyViolations({ Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: {} }, Alarm: alarm } } as TemplateJson)).toEqual([]);
    expect(topicKeyViolations({ Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: 'alias/aws/sns' } }, Alarm: alarm } } as TemplateJson)).toEqual([
      'Alarm: cloudwatch.amazonaws.com publishes to Topic, whose key ("alias/aws/sns") is not in the template to check',
    ]);
  });
});
