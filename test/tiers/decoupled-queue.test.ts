import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DecoupledQueue, DecoupledQueueProps } from '../../lib/tiers/decoupled-queue';
import { errorOf, nagFindings, newStack, resourcesOfType } from '../helpers/app';

function consumerFunction(stack: Stack, timeout = Duration.seconds(20)): lambda.Function {
  return new lambda.Function(stack, 'Consumer', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'), timeout });
}

function build(props: DecoupledQueueProps | ((stack: Stack) => DecoupledQueueProps) = {}): { stack: Stack; q: DecoupledQueue; t: Template } {
  const stack = newStack();
  const q = new DecoupledQueue(stack, 'Orders', typeof props === 'function' ? props(stack) : props);
  return { stack, q, t: Template.fromStack(stack) };
}

describe('DecoupledQueue defaults', () => {
  const { t, q } = build((stack) => ({ queueName: 'orders', consumer: { lambda: { function: consumerFunction(stack) } }, alarmTopic: new sns.Topic(stack, 'Alerts') }));

  test('a queue and its DLQ, both with the customer-managed key, 5 receives before the DLQ, DLQ kept 14 days', () => {
    const queues = resourcesOfType(t, 'AWS::SQS::Queue');
    expect(queues).toHaveLength(2);
    const key = resourcesOfType(t, 'AWS::KMS::Key')[0][0];
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    t.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'orders',
      KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersDeadLetterQueue'), 'Arn'] }, maxReceiveCount: 5 },
      MessageRetentionPeriod: 345_600,
    });
    t.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'orders-dlq', KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] }, MessageRetentionPeriod: 1_209_600 });
  });

  test('the visibility timeout is 6 x the function timeout (20 s -> 120 s)', () => {
    expect(q.visibilityTimeout.toSeconds()).toBe(120);
    t.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'orders', VisibilityTimeout: 120 });
  });

  test('both queues deny requests without TLS', () => {
    const policies = resourcesOfType(t, 'AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(2);
    for (const [, p] of policies) {
      expect(p.Properties.PolicyDocument).toMatchObject({ Statement: [{ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] });
    }
  });

  test('the Lambda consumer reports partial batch failures, 10 messages a batch', () => {
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersQueue'), 'Arn'] } });
  });

  test('alarms: the oldest message over 15 minutes for 3 minutes, any message in the DLQ; both notify', () => {
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 900, EvaluationPeriods: 3, Statistic: 'Maximum', AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alerts') }] });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersDeadLetterQueue'), 'QueueName'] } }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^Alerts') }],
    });
  });

  test('grantSend: SendMessage on the queue and the key through SQS only, no wildcard actions', () => {
    const stack = newStack();
    const queue = new DecoupledQueue(stack, 'Orders');
    const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    queue.grantSend(producer);
    const consumer = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    queue.grantConsume(consumer);
    const policy = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('ProducerDefaultPolicy'))![1];
    const statements = policy.Properties.PolicyDocument.Statement as { Action: string[]; Condition?: unknown }[];
    expect(statements.flatMap((x) => x.Action)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
    expect(statements[0].Condition).toEqual({ StringEquals: { 'kms:ViaService': 'sqs.us-east-1.amazonaws.com' } });
    // A consumer decrypts only: it never needs to generate data keys.
    const cp = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('WorkerDefaultPolicy'))![1];
    expect((cp.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((x) => x.Action)).toEqual(['kms:Decrypt', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage']);
  });

  test('no AwsSolutions findings on the queues', () => {
    expect(nagFindings(Stack.of(q)).filter((f) => f.includes('/Orders/'))).toEqual([]);
  });
});

describe('DecoupledQueue options', () => {
  test('without a consumer: the consumer timeout + 30 s, 30 s assumed', () => {
    expect(build().q.visibilityTimeout.toSeconds()).toBe(60);
    expect(build({ consumerTimeout: Duration.minutes(2) }).q.visibilityTimeout.toSeconds()).toBe(150);
  });

  test('a Lambda batching window adds to the visibility timeout: 6 x 20 s + 10 s = 130 s', () => {
    expect(build((stack) => ({ consumer: { lambda: { function: consumerFunction(stack), maxBatchingWindow: Duration.seconds(10) } } })).q.visibilityTimeout.toSeconds()).toBe(130);
  });

  test('FIFO: both queues FIFO, with .fifo names', () => {
    const { t } = build({ queueName: 'ledger', fifo: true });
    t.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'ledger.fifo', FifoQueue: true });
    t.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'ledger-dlq.fifo', FifoQueue: true });
  });

  test('an Auto Scaling consumer may consume and steps on the backlog per instance', () => {
    const { t } = build((stack) => {
      const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['us-east-1a', 'us-east-1b'], natGateways: 2 });
      const asg = new autoscaling.AutoScalingGroup(stack, 'Workers', { vpc, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023() });
      return { consumer: { group: { autoScalingGroup: asg, processingTimeout: Duration.minutes(1), messagesPerInstance: 50 } } };
    });
    t.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 90 });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['sqs:DeleteMessage', 'sqs:ReceiveMessage']) })]) },
      Roles: [{ Ref: Match.stringLikeRegexp('^WorkersInstanceRole') }],
    });
    t.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepAdjustments: Match.arrayWith([Match.objectLike({ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 })]),
    });
    // The backlog is every message not yet done (waiting + in flight): a busy fleet is not scaled in.
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 50,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'FILL(visible, 0) + FILL(inflight, 0)' }),
        Match.objectLike({ Id: 'inflight', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ApproximateNumberOfMessagesNotVisible' }) }) }),
      ]),
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 0, ComparisonOperator: 'LessThanOrEqualToThreshold', Metrics: Match.arrayWith([Match.objectLike({ Expression: 'FILL(visible, 0) + FILL(inflight, 0)' })]) });
  });
});

describe('DecoupledQueue rejects invalid input', () => {
  test.each<[string, DecoupledQueueProps | ((s: Stack) => DecoupledQueueProps), string, RegExp]>([
    ['a maxReceiveCount of 0', { maxReceiveCount: 0 }, 'QUEUE_MAX_RECEIVE', /maxReceiveCount.*got: 0/],
    ['a maxReceiveCount over 1000', { maxReceiveCount: 1001 }, 'QUEUE_MAX_RECEIVE', /got: 1001/],
    ['a visibility timeout shorter than the consumer timeout', { consumerTimeout: Duration.minutes(5), visibilityTimeout: Duration.minutes(1) }, 'QUEUE_VISIBILITY', /shorter than the consumer's timeout \(5 minutes\)/],
    ['a visibility timeout shorter than the function timeout', (s) => ({ consumer: { lambda: { function: consumerFunction(s, Duration.minutes(2)) } }, visibilityTimeout: Duration.seconds(30) }), 'QUEUE_VISIBILITY', /6 x the function timeout \(720 s\)/],
    ['a visibility timeout over 12 hours', { visibilityTimeout: Duration.hours(13) }, 'QUEUE_VISIBILITY', /visibilityTimeout/],
    ['a retention under a minute', { retentionPeriod: Duration.seconds(30) }, 'QUEUE_RETENTION', /retentionPeriod/],
    ['a batch of 11 without a window', (s) => ({ consumer: { lambda: { function: consumerFunction(s), batchSize: 11 } } }), 'QUEUE_BATCH', /maxBatchingWindow/],
    ['a FIFO batch of 20', (s) => ({ fifo: true, consumer: { lambda: { function: consumerFunction(s), batchSize: 20, maxBatchingWindow: Duration.seconds(5) } } }), 'QUEUE_BATCH', /FIFO/],
    ['a name with a dot', { queueName: 'orders.v2' }, 'QUEUE_NAME', /got: "orders.v2"/],
  ])('%s', (_name, props, code, message) => {
    const err = errorOf(() => build(props));
    expect(err.codes).toContain(code);
    expect(err.message).toMatch(message);
    expect(err.message).toContain('Test/Orders');
    expect(err.message).toContain('Fix:');
  });
});
