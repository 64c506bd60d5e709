import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaEvents from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { Validator } from '../core/validation';

/** A Lambda consumer: an event source mapping that reports partial batch failures. */
export interface QueueLambdaConsumer {
  /** The function. Its timeout sets the queue's visibility timeout. */
  readonly function: lambda.Function;
  /**
   * Messages per invocation (1-10, or up to 10 000 with a batching window; FIFO: 1-10).
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * Time to gather a batch.
   * @default - none
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Most concurrent invocations this queue drives (2-1000), so a backlog cannot take the
   * account's whole concurrency.
   * @default - no limit
   */
  readonly maxConcurrency?: number;
}

/** An Auto Scaling group of workers polling the queue, scaled on the backlog. */
export interface QueueGroupConsumer {
  /** The group; its instances' role is granted consume. */
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  /** How long a worker takes at most to process one message (sets the visibility timeout). */
  readonly processingTimeout: Duration;
  /**
   * Visible messages one instance can carry; the group steps out as the backlog grows past
   * multiples of it and back in when it drains.
   * @default 100
   */
  readonly messagesPerInstance?: number;
}

/** Props for {@link DecoupledQueue}. */
export interface DecoupledQueueProps {
  /**
   * Queue name (`.fifo` is added for FIFO queues).
   * @default - generated
   */
  readonly queueName?: string;
  /**
   * FIFO (ordered, exactly-once processing) instead of standard.
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * The consumer: a Lambda function or an Auto Scaling group.
   * @default - none (grant consume to your own consumer and set consumerTimeout)
   */
  readonly consumer?: { readonly lambda?: QueueLambdaConsumer; readonly group?: QueueGroupConsumer };
  /**
   * How long a consumer may hold a message, for a consumer this construct does not build.
   * @default - from the consumer; 30 s without one
   */
  readonly consumerTimeout?: Duration;
  /**
   * Visibility timeout. Must be at least the consumer's timeout, or a message in progress
   * is handed to a second consumer.
   * @default - 6 x the Lambda function's timeout plus its batching window (AWS's guidance
   * for Lambda event sources), or the consumer timeout + 30 s
   */
  readonly visibilityTimeout?: Duration;
  /**
   * Receives before a message moves to the dead-letter queue (1-1000).
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * How long the queue keeps a message (1 minute to 14 days).
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;
  /**
   * Alarm when the oldest message is older than this: consumers are down or too slow.
   * @default Duration.minutes(15)
   */
  readonly maxMessageAge?: Duration;
  /**
   * Topic the alarms notify.
   * @default - none
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * An SQS queue between two services, so a slow or failed consumer makes messages wait
 * instead of failing the producer: a dead-letter queue (kept 14 days) for messages that
 * keep failing, a visibility timeout derived from the consumer's timeout, a customer-
 * managed key, a TLS-only policy, alarms on the oldest message's age and on the DLQ, and
 * an optional Lambda (partial batch failures) or Auto Scaling (backlog scaling) consumer.
 */
export class DecoupledQueue extends Construct {
  /** The queue. */
  public readonly queue: sqs.Queue;
  /** Its dead-letter queue. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The key of both queues. */
  public readonly key: kms.Key;
  /** The visibility timeout chosen. */
  public readonly visibilityTimeout: Duration;
  /** Alarm: the oldest message is older than `maxMessageAge`. */
  public readonly oldestMessageAlarm: cloudwatch.Alarm;
  /** Alarm: a message reached the dead-letter queue. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The Lambda event source, when the consumer is a function. */
  public readonly eventSource?: lambdaEvents.SqsEventSource;

  constructor(scope: Construct, id: string, props: DecoupledQueueProps = {}) {
    super(scope, id);
    const consumerTimeout = props.consumer?.lambda?.function.timeout ?? props.consumer?.group?.processingTimeout ?? props.consumerTimeout;
    // AWS's guidance for a Lambda event source: 6 x the function timeout, plus the batching window.
    const derived = props.consumer?.lambda
      ? Duration.seconds(6 * (consumerTimeout?.toSeconds() ?? 3) + (props.consumer.lambda.maxBatchingWindow?.toSeconds() ?? 0))
      : Duration.seconds((consumerTimeout?.toSeconds() ?? 30) + 30);
    const visibility = props.visibilityTimeout ?? Duration.seconds(Math.min(derived.toSeconds(), 43_200));
    const v = new Validator(this);
    validate(v, props, visibility, consumerTimeout);
    v.throwIfAny();
    this.visibilityTimeout = visibility;

    this.key = new kms.Key(this, 'Key', { description: `Encrypts the queues of ${this.node.path}`, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    const fifo = props.fifo ?? false;
    const name = (suffix: string): string | undefined => (props.queueName ? `${props.queueName}${suffix}${fifo ? '.fifo' : ''}` : undefined);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: name('-dlq'),
      fifo: fifo || undefined,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: name(''),
      fifo: fifo || undefined,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      dataKeyReuse: Duration.minutes(5),
      enforceSSL: true,
      visibilityTimeout: visibility,
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });

    const minute = Duration.minutes(1);
    const maxAge = props.maxMessageAge ?? Duration.minutes(15);
    this.oldestMessageAlarm = new cloudwatch.Alarm(this, 'OldestMessageAlarm', {
      alarmDescription: `The oldest message of ${this.node.path} is older than ${maxAge.toHumanString()}: the consumers are down or cannot keep up.`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({ statistic: cloudwatch.Stats.MAXIMUM, period: minute }),
      threshold: maxAge.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `Messages of ${this.node.path} failed ${props.maxReceiveCount ?? 5} times and wait in the dead-letter queue: inspect them, fix the consumer, then redrive.`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: minute }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic) {
      for (const a of [this.oldestMessageAlarm, this.deadLetterAlarm]) {
        a.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
        a.addOkAction(new cwActions.SnsAction(props.alarmTopic));
      }
    }

    const l = props.consumer?.lambda;
    if (l) {
      this.eventSource = new lambdaEvents.SqsEventSource(this.queue, {
        batchSize: l.batchSize ?? 10,
        maxBatchingWindow: l.maxBatchingWindow,
        maxConcurrency: l.maxConcurrency,
        reportBatchItemFailures: true,
      });
      l.function.addEventSource(this.eventSource);
    }
    const g = props.consumer?.group;
    if (g) {
      this.grantConsume(g.autoScalingGroup.role);
      const perInstance = g.messagesPerInstance ?? 100;
      // The backlog is every message not yet done: waiting and in flight. Scaling in on the
      // visible ones alone would shrink a busy fleet whose messages are all in flight.
      g.autoScalingGroup.scaleOnMetric('ScaleOnBacklog', {
        metric: new cloudwatch.MathExpression({
          expression: 'FILL(visible, 0) + FILL(inflight, 0)',
          usingMetrics: {
            visible: this.queue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: minute }),
            inflight: this.queue.metricApproximateNumberOfMessagesNotVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: minute }),
          },
          period: minute,
          label: 'messages not yet done',
        }),
        scalingSteps: [
          { upper: 0, change: -1 },
          { lower: perInstance, change: +1 },
          { lower: perInstance * 5, change: +3 },
        ],
        adjustmentType: autoscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      });
    }
  }

  /**
   * Let a producer send: `sqs:SendMessage` on the queue, and the two KMS actions SQS needs
   * from a producer (GenerateDataKey, Decrypt), through SQS only. No wildcard actions.
   */
  public grantSend(grantee: iam.IGrantable): iam.Grant {
    this.grantKey(grantee, ['kms:GenerateDataKey', 'kms:Decrypt']);
    return iam.Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], resourceArns: [this.queue.queueArn] });
  }

  /** Let a consumer receive, delete and extend visibility, and decrypt through SQS (it encrypts nothing). */
  public grantConsume(grantee: iam.IGrantable): iam.Grant {
    this.grantKey(grantee, ['kms:Decrypt']);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      resourceArns: [this.queue.queueArn],
    });
  }

  private grantKey(grantee: iam.IGrantable, actions: string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions,
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }
}

function validate(v: Validator, props: DecoupledQueueProps, visibility: Duration, consumerTimeout: Duration | undefined): void {
  v.integer('maxReceiveCount', props.maxReceiveCount, {
    code: 'QUEUE_MAX_RECEIVE',
    min: 1,
    max: 1000,
    fix: 'use 3-10: enough to ride out a transient failure, few enough to park a poison message quickly',
  });
  const visOk = v.duration('visibilityTimeout', props.visibilityTimeout, { code: 'QUEUE_VISIBILITY', minSeconds: 0, maxSeconds: 43_200 });
  if (visOk && consumerTimeout && !consumerTimeout.isUnresolved() && !visibility.isUnresolved()) {
    v.check(visibility.toSeconds() < consumerTimeout.toSeconds(), {
      code: 'QUEUE_VISIBILITY',
      prop: 'visibilityTimeout',
      value: visibility.toHumanString(),
      message: `is shorter than the consumer's timeout (${consumerTimeout.toHumanString()}): a message still being processed becomes visible and a second consumer processes it too`,
      fix: props.consumer?.lambda ? `use at least 6 x the function timeout (${6 * consumerTimeout.toSeconds()} s), or drop visibilityTimeout to derive it` : `use at least ${consumerTimeout.toSeconds()} s, or drop visibilityTimeout to derive it`,
    });
  }
  v.duration('retentionPeriod', props.retentionPeriod, { code: 'QUEUE_RETENTION', minSeconds: 60, maxSeconds: 1_209_600 });
  v.duration('maxMessageAge', props.maxMessageAge, { code: 'QUEUE_ALARM', minSeconds: 60, maxSeconds: 1_209_600 });
  const name = props.queueName;
  v.check(name !== undefined && !Token.isUnresolved(name) && !/^[A-Za-z0-9_-]{1,70}$/.test(name), {
    code: 'QUEUE_NAME',
    prop: 'queueName',
    value: name,
    message: 'a queue name is 1-70 letters, digits, hyphens and underscores here (the suffixes -dlq and .fifo are added)',
    fix: "use a name like 'orders'",
  });
  const l = props.consumer?.lambda;
  if (l) {
    const max = props.fifo ? 10 : l.maxBatchingWindow ? 10_000 : 10;
    v.integer('consumer.lambda.batchSize', l.batchSize, {
      code: 'QUEUE_BATCH',
      min: 1,
      max,
      fix: props.fifo ? 'FIFO event sources take 1-10 messages' : 'use 1-10, or set maxBatchingWindow for up to 10 000',
    });
    v.integer('consumer.lambda.maxConcurrency', l.maxConcurrency, { code: 'QUEUE_BATCH', min: 2, max: 1000, fix: 'use 2-1000 concurrent invocations' });
  }
  v.check(props.consumer?.lambda !== undefined && props.consumer?.group !== undefined, {
    code: 'QUEUE_CONSUMER',
    prop: 'consumer',
    value: 'lambda and group',
    message: 'two consumer kinds on one queue compete for the same messages',
    fix: 'give one consumer, or one queue per consumer (fan out with SNS)',
  });
  const g = props.consumer?.group;
  if (g) v.integer('consumer.group.messagesPerInstance', g.messagesPerInstance, { code: 'QUEUE_CONSUMER', min: 1, fix: 'use at least 1 message per instance' });
}
