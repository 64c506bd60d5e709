import { Aws, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from '../core/nag';
import { Validator } from '../core/validation';

const REPLICA_BUCKET_SYMBOL = Symbol.for('cdk-resilience.ReplicaBucket');

const DAY_MS = 24 * 60 * 60 * 1000;
/** Longest Object Lock default retention S3 accepts (and aws-cdk-lib checks): 100 years. */
const MAX_OBJECT_LOCK_DAYS = 36500;
/**
 * An AWS Region code such as us-east-1 or us-gov-west-1.
 * @internal
 */
export const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/**
 * The prefix of a derived bucket name: lowercase letters, numbers and hyphens, starting
 * and ending with a letter or number. Dots are valid in bucket names but not here: they
 * break TLS for virtual-hosted-style requests and are not allowed in the KMS alias that
 * is derived from the bucket name.
 */
const PREFIX_RE = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
/** Bucket name prefixes S3 reserves (bucket naming rules). */
const RESERVED_NAME_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
/** Longest bucket name S3 accepts. */
const MAX_BUCKET_NAME = 63;

/**
 * Period of the replication metrics and alarms (see docs/replicated-bucket.md).
 * @internal
 */
export const REPLICATION_ALARM_PERIOD = Duration.minutes(1);
/**
 * Consecutive one-minute datapoints above the threshold before the latency alarm fires.
 * @internal
 */
export const LATENCY_ALARM_DATAPOINTS = 3;

/**
 * Lifecycle of a hardened bucket's versions and uploads.
 */
export interface BucketLifecycleProps {
  /**
   * Permanently delete a noncurrent (overwritten or deleted) object version this long
   * after it became noncurrent. Whole days, at least 1. This is the window in which an
   * overwrite or a delete can be undone. A version under Object Lock retention is kept
   * until its retention ends, whatever this says.
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * Abort a multipart upload that is still incomplete this long after it started, so
   * its parts stop costing storage. Whole days, at least 1.
   * @default Duration.days(7)
   */
  readonly abortIncompleteMultipartUploadAfter?: Duration;
}

/**
 * S3 Object Lock with a default retention for new object versions.
 */
export interface BucketObjectLockProps {
  /**
   * Retention mode of new object versions. `GOVERNANCE`: principals with
   * `s3:BypassGovernanceRetention` can still delete or shorten it. `COMPLIANCE`: nobody can,
   * not even the root user, until the retention ends.
   */
  readonly mode: s3.ObjectLockMode;
  /** Default retention of every new object version: whole days, 1 to 36500. */
  readonly defaultRetention: Duration;
}

/**
 * Props for {@link ReplicaBucket}.
 */
export interface ReplicaBucketProps {
  /**
   * The start of the bucket's physical name, which is `<prefix>-<account>-<region>`, e.g.
   * `shop-assets` gives `shop-assets-111111111111-us-west-2`. Lowercase letters, numbers
   * and hyphens, starting and ending with a letter or number, no reserved S3 prefix
   * (`xn--`, `sthree-`, `amzn-s3-demo-`), and short enough that the full name has at most
   * 63 characters. The name is fixed so that the source bucket in the other Region can
   * address the bucket and its key without a cross-Region reference.
   */
  readonly bucketNamePrefix: string;
  /**
   * Lifecycle of noncurrent versions and incomplete multipart uploads.
   * @default - noncurrent versions expire after 90 days, incomplete multipart uploads are
   * aborted after 7 days, expired delete markers are removed
   */
  readonly lifecycle?: BucketLifecycleProps;
  /**
   * Enable S3 Object Lock with a default retention. Required when the source bucket has
   * Object Lock (S3 cannot replicate locked objects into a bucket without it). Object
   * Lock cannot be turned off again, and this construct does not add it to an existing
   * bucket.
   * @default - no Object Lock
   */
  readonly objectLock?: BucketObjectLockProps;
  /**
   * Bucket that receives the server access logs, in this bucket's Region and account.
   * Its default encryption must be SSE-S3 (S3 does not deliver access logs to an SSE-KMS
   * bucket), and it must not have Object Lock.
   * @default - a new log bucket (SSE-S3, versioned, TLS-only, public access blocked, logs
   * expire after 365 days, retained)
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
  /**
   * SNS topic, in this Region, for the replication-latency alarms that sources add with
   * {@link ReplicaBucket.monitorReplicationFrom}. S3 publishes `ReplicationLatency` in the
   * destination's Region, so the alarm, and its topic, live here. A topic you pass must
   * let `cloudwatch.amazonaws.com` publish (and use its KMS key, if it has one).
   * @default - a new topic encrypted with its own customer-managed key (rotation on),
   * TLS-only, that CloudWatch alarms of this account may publish to
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * What happens to the bucket and its KMS key when they leave the stack. A retained bucket
   * keeps its fixed name: deploying it again fails until it is deleted or the prefix changes.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Options for {@link ReplicaBucket.monitorReplicationFrom}.
 */
export interface ReplicationMonitorOptions {
  /** Physical name of the source bucket (the `SourceBucket` dimension). */
  readonly sourceBucketName: string;
  /** ID of the replication rule (the `RuleId` dimension). */
  readonly ruleId: string;
  /**
   * Alarm when the replica is more than this far behind the source for 3 consecutive
   * minutes. At least 1 minute.
   * @default Duration.minutes(15) - the S3 Replication Time Control threshold
   */
  readonly threshold?: Duration;
}

/**
 * The destination of cross-Region replication, in the RECOVERY Region's stack: a bucket
 * with a deterministic name (`<prefix>-<account>-<region>`), versioning, its own
 * customer-managed KMS key (rotation on, S3 Bucket Key) with the deterministic alias
 * `alias/<bucket name>`, public access blocked, a TLS-only bucket policy, ACLs disabled
 * (bucket owner enforced), lifecycle rules for noncurrent versions and incomplete uploads,
 * server access logs, optional Object Lock, and retained with its key.
 *
 * Pass it to {@link ReplicatedBucket} `destination` in the primary Region's stack: the
 * source addresses the bucket and the key alias by name, plain strings, so no
 * cross-Region reference is created.
 */
export class ReplicaBucket extends Construct {
  /** Whether `x` is a {@link ReplicaBucket} (works across copies of this library). */
  public static isReplicaBucket(x: unknown): x is ReplicaBucket {
    return typeof x === 'object' && x !== null && REPLICA_BUCKET_SYMBOL in x;
  }

  /** The physical bucket name a prefix gives in an account and Region: `<prefix>-<account>-<region>`. */
  public static bucketNameFor(prefix: string, account: string, region: string): string {
    return `${prefix}-${account}-${region}`;
  }

  /** The bucket. */
  public readonly bucket: s3.Bucket;
  /** The customer-managed key that encrypts the replicas. */
  public readonly key: kms.Key;
  /** The key's alias, `alias/<bucket name>`. */
  public readonly keyAlias: kms.Alias;
  /** The bucket's physical name, `<prefix>-<account>-<region>`. */
  public readonly bucketName: string;
  /** `arn:${AWS::Partition}:s3:::<bucket name>`: a plain string, safe in another Region's stack. */
  public readonly bucketArn: string;
  /** The key alias name, `alias/<bucket name>`. */
  public readonly keyAliasName: string;
  /**
   * `arn:${AWS::Partition}:kms:<region>:<account>:alias/<bucket name>`: a plain string,
   * safe in another Region's stack. S3 replication accepts it as `ReplicaKmsKeyID`.
   */
  public readonly keyAliasArn: string;
  /** The Region of the bucket (the stack's literal Region). */
  public readonly region: string;
  /** The account of the bucket (the stack's literal account). */
  public readonly account: string;
  /** Object Lock settings, if enabled. */
  public readonly objectLock?: BucketObjectLockProps;
  /** The bucket that receives the server access logs. */
  public readonly serverAccessLogsBucket: s3.IBucket;
  /** The topic the replication-latency alarms notify. */
  public readonly alarmTopic: sns.ITopic;
  /** The replication-latency alarms added by sources, by source bucket name. */
  public readonly latencyAlarms: Record<string, cloudwatch.Alarm> = {};

  constructor(scope: Construct, id: string, props: ReplicaBucketProps) {
    super(scope, id);
    Object.defineProperty(this, REPLICA_BUCKET_SYMBOL, { value: true });

    const stack = Stack.of(this);
    const v = new Validator(this);
    const envOk = validateStackEnv(v, stack, 'the source bucket in the other Region names this bucket and its key');
    if (envOk) validateBucketNamePrefix(v, 'bucketNamePrefix', props.bucketNamePrefix, stack.account, stack.region);
    validateLifecycle(v, props.lifecycle);
    validateObjectLock(v, props.objectLock);
    v.throwIfAny();

    this.account = stack.account;
    this.region = stack.region;
    this.bucketName = ReplicaBucket.bucketNameFor(props.bucketNamePrefix, this.account, this.region);
    this.bucketArn = `arn:${Aws.PARTITION}:s3:::${this.bucketName}`;
    this.keyAliasName = `alias/${this.bucketName}`;
    this.keyAliasArn = `arn:${Aws.PARTITION}:kms:${this.region}:${this.account}:${this.keyAliasName}`;
    this.objectLock = props.objectLock;

    const hardened = hardenedBucket(this, {
      bucketName: this.bucketName,
      purpose: `replicas in ${this.bucketName}`,
      lifecycle: props.lifecycle,
      objectLock: props.objectLock,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      removalPolicy: props.removalPolicy,
    });
    this.bucket = hardened.bucket;
    this.key = hardened.key;
    this.serverAccessLogsBucket = hardened.serverAccessLogsBucket;
    this.keyAlias = new kms.Alias(this, 'KeyAlias', { aliasName: this.keyAliasName, targetKey: this.key });
    this.alarmTopic = props.alarmTopic ?? encryptedTopic(this, 'AlarmTopic', `Replication alarms of ${this.bucketName}`).topic;
  }

  /**
   * Alarm, in this bucket's Region, when replication from a source falls behind:
   * `ReplicationLatency` (namespace `AWS/S3`, Maximum, dimensions `SourceBucket`,
   * `DestinationBucket`, `RuleId`) above the threshold for 3 consecutive minutes, to
   * {@link alarmTopic}. S3 publishes this metric in the destination's Region only, which
   * is why the alarm is here and not next to the source. {@link ReplicatedBucket} calls
   * this for you; call it yourself for a source outside this app.
   */
  public monitorReplicationFrom(options: ReplicationMonitorOptions): cloudwatch.Alarm {
    const v = new Validator(this);
    v.duration('threshold', options.threshold, {
      code: 'REPLICATION_LATENCY_THRESHOLD',
      minSeconds: 60,
      fix: 'set threshold to Duration.minutes(15) (the S3 RTC threshold) or another duration of at least 1 minute',
    });
    v.throwIfAny();
    const threshold = options.threshold ?? Duration.minutes(15);
    const id = `LatencyAlarm-${options.sourceBucketName.replace(/[^A-Za-z0-9-]/g, '-')}`;
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: `S3 replication from ${options.sourceBucketName} to ${this.bucketName} (rule ${options.ruleId}) is more than ${threshold.toHumanString()} behind: the recovery point in ${this.region} is older than that.`,
      metric: replicationMetric('ReplicationLatency', cloudwatch.Stats.MAXIMUM, {
        sourceBucketName: options.sourceBucketName,
        destinationBucketName: this.bucketName,
        ruleId: options.ruleId,
      }),
      threshold: threshold.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: LATENCY_ALARM_DATAPOINTS,
      datapointsToAlarm: LATENCY_ALARM_DATAPOINTS,
      // AWS recommends "ignore (maintain the alarm state)" for replication-metric alarms:
      // S3 only publishes the metric while there is replication activity.
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
    alarm.addOkAction(new cloudwatchActions.SnsAction(this.alarmTopic));
    this.latencyAlarms[options.sourceBucketName] = alarm;
    return alarm;
  }
}

/**
 * An S3 replication metric (namespace `AWS/S3`) for one rule.
 * @internal
 */
export function replicationMetric(
  metricName: 'ReplicationLatency' | 'OperationsFailedReplication' | 'OperationsPendingReplication' | 'BytesPendingReplication',
  statistic: string,
  dims: { sourceBucketName: string; destinationBucketName: string; ruleId: string },
  region?: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/S3',
    metricName,
    dimensionsMap: { SourceBucket: dims.sourceBucketName, DestinationBucket: dims.destinationBucketName, RuleId: dims.ruleId },
    statistic,
    period: REPLICATION_ALARM_PERIOD,
    region,
  });
}

/** @internal */
export interface HardenedBucketOptions {
  /** Physical bucket name. */
  readonly bucketName: string;
  /** What the bucket holds, for the key description. */
  readonly purpose: string;
  /**
   * Lifecycle overrides.
   * @default - see {@link BucketLifecycleProps}
   */
  readonly lifecycle?: BucketLifecycleProps;
  /**
   * Object Lock.
   * @default - none
   */
  readonly objectLock?: BucketObjectLockProps;
  /**
   * Access-log bucket.
   * @default - a new log bucket
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
  /**
   * Removal policy of the bucket and its key.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The bucket both constructs build: versioned, CMK (rotation on) with S3 Bucket Key,
 * public access blocked, TLS-only, ACLs disabled, lifecycle rules, server access logs,
 * optional Object Lock, retained.
 * @internal
 */
export function hardenedBucket(
  scope: Construct,
  opts: HardenedBucketOptions,
): { bucket: s3.Bucket; key: kms.Key; serverAccessLogsBucket: s3.IBucket } {
  const removalPolicy = opts.removalPolicy ?? RemovalPolicy.RETAIN;
  const key = new kms.Key(scope, 'Key', {
    description: `Encrypts the objects of S3 bucket ${opts.bucketName} (${opts.purpose})`,
    enableKeyRotation: true,
    // Losing the key loses every object it encrypts.
    removalPolicy,
  });
  const serverAccessLogsBucket = opts.serverAccessLogsBucket ?? accessLogBucket(scope);
  const lifecycle = opts.lifecycle ?? {};
  const bucket = new s3.Bucket(scope, 'Bucket', {
    bucketName: opts.bucketName,
    versioned: true,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    // One data key per bucket instead of one KMS request per object: up to 99 % fewer KMS
    // requests, and fewer KMS throttles when replication is busy.
    bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [
      {
        id: 'NoncurrentVersionsAndIncompleteUploads',
        noncurrentVersionExpiration: lifecycle.noncurrentVersionExpiration ?? Duration.days(90),
        abortIncompleteMultipartUploadAfter: lifecycle.abortIncompleteMultipartUploadAfter ?? Duration.days(7),
        expiredObjectDeleteMarker: true,
      },
    ],
    objectLockEnabled: opts.objectLock ? true : undefined,
    objectLockDefaultRetention: opts.objectLock
      ? opts.objectLock.mode === s3.ObjectLockMode.COMPLIANCE
        ? s3.ObjectLockRetention.compliance(opts.objectLock.defaultRetention)
        : s3.ObjectLockRetention.governance(opts.objectLock.defaultRetention)
      : undefined,
    // A log bucket built here is wired below, the same way with or without feature flags;
    // an imported one is left to aws-cdk-lib (which cannot add to its policy, and says so).
    serverAccessLogsBucket: serverAccessLogsBucket instanceof s3.Bucket ? undefined : serverAccessLogsBucket,
    serverAccessLogsPrefix: serverAccessLogsBucket instanceof s3.Bucket ? undefined : `${opts.bucketName}/`,
    removalPolicy,
  });
  if (serverAccessLogsBucket instanceof s3.Bucket) logToBucketByPolicy(bucket, serverAccessLogsBucket, `${opts.bucketName}/`);
  return { bucket, key, serverAccessLogsBucket };
}

/**
 * Server access logs of `bucket` into `logs` under `prefix`, allowed by a bucket policy for
 * the S3 logging service: what aws-cdk-lib does only with the feature flag
 * `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy`. Without it aws-cdk-lib grants the
 * LogDeliveryWrite ACL instead, which a bucket with ACLs disabled (BucketOwnerEnforced,
 * as every bucket here) refuses: synth failed in an app without this repo's flags.
 */
function logToBucketByPolicy(bucket: s3.Bucket, logs: s3.Bucket, prefix: string): void {
  (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = { destinationBucketName: logs.bucketName, logFilePrefix: prefix };
  logs.addToResourcePolicy(
    new iam.PolicyStatement({
      effect: iam.Effect.ALLOW,
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [logs.arnForObjects(`${prefix}*`)],
      conditions:
        Stack.of(logs) === Stack.of(bucket) ? { ArnLike: { 'aws:SourceArn': bucket.bucketArn }, StringEquals: { 'aws:SourceAccount': bucket.env.account } } : undefined,
    }),
  );
}

function accessLogBucket(scope: Construct): s3.Bucket {
  const bucket = new s3.Bucket(scope, 'AccessLogs', {
    // S3 server access logs can only be delivered to an SSE-S3 bucket.
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgeNagFinding(
    bucket,
    'AwsSolutions-S1',
    'This bucket is itself the server access log destination of the replicated bucket; logging its own access would need another log bucket and loop.',
  );
  return bucket;
}

/** @internal */
export interface EncryptedTopicPublishers {
  /**
   * Let S3 event notifications of this bucket (by name, in this account) use the key.
   * @default - S3 may not use the key
   */
  readonly s3BucketName?: string;
}

/**
 * An SNS topic encrypted with its own key (rotation on), TLS-only, that CloudWatch alarms
 * of this account may publish to, and optionally S3 event notifications of one bucket.
 * @internal
 */
export function encryptedTopic(
  scope: Construct,
  id: string,
  displayName: string,
  publishers: EncryptedTopicPublishers = {},
): { topic: sns.Topic; key: kms.Key } {
  const account = Stack.of(scope).account;
  const key = new kms.Key(scope, `${id}Key`, {
    description: `Encrypts the SNS topic ${scope.node.path}/${id}`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  key.addToResourcePolicy(cloudWatchKeyStatement(account));
  if (publishers.s3BucketName !== undefined) key.addToResourcePolicy(s3KeyStatement());
  const topic = new sns.Topic(scope, id, { displayName, masterKey: key, enforceSSL: true });
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': account } },
    }),
  );
  return { topic, key };
}

/**
 * The key-policy statement CloudWatch alarms need to publish to a topic encrypted with the key:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html
 * @internal
 */
export function cloudWatchKeyStatement(account: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsToPublish',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'], // in a key policy, '*' means this key
    conditions: { StringEquals: { 'aws:SourceAccount': account } },
  });
}

/**
 * The key-policy statement S3 event notifications need to publish to a topic encrypted with
 * the key (S3 validates the destination when the notification is set, and fails without it:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html).
 * The topic policy restricts publishing to one bucket of this account.
 * @internal
 */
export function s3KeyStatement(scoped?: { readonly account: string; readonly bucketName: string }): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: scoped ? `AllowS3EventNotificationsOf${scoped.bucketName.replace(/[^A-Za-z0-9]/g, '')}` : 'AllowS3EventNotificationsToPublish',
    principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: ['*'], // in a key policy, '*' means this key
    // On a key that may be shared (a user's), only this bucket of this account (no confused deputy).
    conditions: scoped ? { StringEquals: { 'aws:SourceAccount': scoped.account }, ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:s3:::${scoped.bucketName}` } } : undefined,
  });
}

/**
 * The statement that lets S3 event notifications of one bucket (by name, in this account)
 * publish to a topic.
 * @internal
 */
export function s3PublishStatement(topic: sns.ITopic, bucketName: string, account: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AllowS3ReplicationEventsToPublish',
    principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: {
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:s3:::${bucketName}` },
      StringEquals: { 'aws:SourceAccount': account },
    },
  });
}

// --- Validation shared by ReplicaBucket and ReplicatedBucket.

/**
 * The stack must have a literal account and Region: the bucket name is derived from them.
 * Returns whether they are literal.
 * @internal
 */
export function validateStackEnv(v: Validator, stack: Stack, why: string): boolean {
  return v.check(Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region), {
    code: 'BUCKET_STACK_ENV',
    prop: 'env',
    value: `account ${Token.isUnresolved(stack.account) ? '(unresolved)' : stack.account}, region ${Token.isUnresolved(stack.region) ? '(unresolved)' : stack.region}`,
    message: `the stack ${stack.stackName} is environment-agnostic, so the bucket name (<prefix>-<account>-<region>) cannot be known at synth time, and ${why}`,
    fix: "give the stack an explicit env, e.g. new Stack(app, 'Recovery', { env: { account: '111111111111', region: 'us-west-2' } })",
  });
}

/** @internal */
export function validateBucketNamePrefix(v: Validator, prop: string, prefix: string, account: string, region: string): boolean {
  if (Token.isUnresolved(prefix)) return true;
  const reserved = RESERVED_NAME_PREFIXES.find((p) => prefix.startsWith(p));
  const fullName = ReplicaBucket.bucketNameFor(prefix, account, region);
  const maxPrefix = MAX_BUCKET_NAME - (fullName.length - prefix.length);
  return (
    v.check(!PREFIX_RE.test(prefix), {
      code: 'BUCKET_NAME_PREFIX',
      prop,
      value: prefix,
      message: 'is not a valid bucket name prefix: lowercase letters, numbers and hyphens, starting and ending with a letter or number (no dots: they break TLS for virtual-hosted-style requests and KMS aliases)',
      fix: "use a prefix such as 'shop-assets'",
    }) &&
    v.check(reserved !== undefined, {
      code: 'BUCKET_NAME_PREFIX',
      prop,
      value: prefix,
      message: `starts with '${reserved}', a bucket name prefix S3 reserves`,
      fix: `use a prefix that does not start with ${RESERVED_NAME_PREFIXES.map((p) => `'${p}'`).join(', ')}`,
    }) &&
    v.check(fullName.length > MAX_BUCKET_NAME, {
      code: 'BUCKET_NAME_PREFIX',
      prop,
      value: prefix,
      message: `makes the bucket name '${fullName}' ${fullName.length} characters long; S3 allows at most ${MAX_BUCKET_NAME}`,
      fix: `shorten the prefix to at most ${maxPrefix} characters (the name adds -<account>-<region>)`,
    })
  );
}

/** @internal */
export function validateLifecycle(v: Validator, lifecycle: BucketLifecycleProps | undefined): void {
  if (!lifecycle) return;
  wholeDays(v, 'lifecycle.noncurrentVersionExpiration', lifecycle.noncurrentVersionExpiration, 'BUCKET_LIFECYCLE', 1);
  wholeDays(v, 'lifecycle.abortIncompleteMultipartUploadAfter', lifecycle.abortIncompleteMultipartUploadAfter, 'BUCKET_LIFECYCLE', 1);
}

/** @internal */
export function validateObjectLock(v: Validator, objectLock: BucketObjectLockProps | undefined): void {
  if (!objectLock) return;
  wholeDays(v, 'objectLock.defaultRetention', objectLock.defaultRetention, 'BUCKET_OBJECT_LOCK_RETENTION', 1, MAX_OBJECT_LOCK_DAYS);
}

/** A whole number of days within bounds; returns the days when usable. */
function wholeDays(v: Validator, prop: string, d: Duration | undefined, code: string, min: number, max?: number): number | undefined {
  if (d === undefined || d.isUnresolved()) return undefined;
  const ms = d.toMilliseconds();
  const range = max === undefined ? `of at least ${min}` : `between ${min} and ${max}`;
  const ok = v.check(ms % DAY_MS !== 0 || ms / DAY_MS < min || (max !== undefined && ms / DAY_MS > max), {
    code,
    prop,
    value: d.toHumanString(),
    message: `must be a whole number of days ${range}`,
    fix: max === undefined ? `use Duration.days(n) with n >= ${min}` : `use Duration.days(n) with ${min} <= n <= ${max}`,
  });
  return ok ? ms / DAY_MS : undefined;
}
