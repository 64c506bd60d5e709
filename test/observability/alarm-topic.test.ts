import { Match, Template } from 'aws-cdk-lib/assertions';
import { AlarmTopic } from '../../lib';
import { nagFindings, newStack } from '../helpers/app';

describe('AlarmTopic', () => {
  const stack = newStack();
  const alerts = new AlarmTopic(stack, 'Alerts', { topicName: 'shop-alerts', displayName: 'Shop' });
  const t = Template.fromStack(stack);

  test('a TLS-only topic encrypted with its own rotating key, retained', () => {
    t.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'shop-alerts', DisplayName: 'Shop', KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsKey'), 'Arn'] } });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    expect(alerts.topic.topicName).toBeDefined();
  });

  test('CloudWatch alarms of this account may use the key', () => {
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
          }),
        ]),
      },
    });
  });

  test('cdk-nag clean', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});
