import { Aws, Duration, RemovalPolicy, Stack, Stage, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { ResilienceError, ResilienceProblem } from '../core/errors';
import { acknowledgeNagFinding, nagResourceName } from '../core/nag';
import { Validator } from '../core/validation';
import { addWarning, WarningId } from '../core/warnings';
import {
  BucketLifecycleProps,
  BucketObjectLockProps,
  encryptedTopic,
  hardenedBucket,
  REGION_RE,
  ReplicaBucket,
  replicationMetric,
  cloudWatchKeyStatement,
  s3KeyStatement,
  s3PublishStatement,
  validateBucketNamePrefix,
  validateLifecycle,
  validateObjectLock,
  validateStackEnv,
} from './replica-bucket';
import { addStackDependency } from '../core/stack-dependency';

/** S3 RTC's only threshold, and the replication-metrics event threshold: 15 minutes. */
const RTC_MINUTES = 15;
/** A general purpose bucket name (S3 bucket naming rules; the reserved affixes are checked apart). */
const BUCKET_NAME_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const RESERVED_BUCKET_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_BUCKET_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];
/** A KMS key ARN (single- or multi-Region key). */
const KEY_ARN_RE = /^arn:[a-z-]+:kms:([a-z0-9-]+):(\d{12}):key\/((mrk-)?[0-9a-f-]+)$/;
/** A KMS alias name: alias/ then letters, numbers, '/', '_', '-'; alias/aws/ is AWS's. */
const KEY_ALIAS_RE = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;

/**
 * The S3 event notifications the construct sends to its topic: every replication event
 * type S3 offers (they reach SNS, SQS and Lambda only; Amazon EventBridge does not
 * receive replication events).
 */
export const REPLICATION_EVENT_TYPES: readonly s3.EventType[] = [
  s3.EventType.REPLICATION_OPERATION_FAILED_REPLICATION,
  s3.EventType.REPLICATION_OPERATION_MISSED_THRESHOLD,
  s3.EventType.REPLICATION_OPERATION_REPLICATED_AFTER_THRESHOLD,
  s3.EventType.REPLICATION_OPERATION_NOT_TRACKED,
];
/** The event types that exist only with S3 Replication Time Control. */
const RTC_ONLY_EVENT_TYPES: s3.EventType[] = [
  s3.EventType.REPLICATION_OPERATION_MISSED_THRESHOLD,
  s3.EventType.REPLICATION_OPERATION_REPLICATED_AFTER_THRESHOLD,
];

/**
 * A replication destination outside this app (or in another app): a bucket in another
 * Region of the same account, addressed by name, with the KMS key that encrypts its replicas.
 * Give exactly one of `keyArn` and `keyAlias`.
 */
export interface ReplicationDestinationAttributes {
  /** Physical name of the destination bucket. It must exist, with versioning on, before this stack is deployed. */
  readonly bucketName: string;
  /** Region of the destination bucket. Must differ from this stack's Region. */
  readonly region: string;
  /**
   * ARN of the customer-managed key, in the destination's Region and this account, that
   * encrypts the replicas. The replication role may encrypt with this key only.
   * @default - use keyAlias
   */
  readonly keyArn?: string;
  /**
   * Alias (`alias/...`) of the customer-managed key, in the destination's Region and this
   * account, that encrypts the replicas. The replication role may encrypt with keys of the
   * destination Region that carry this alias (`kms:ResourceAliases`).
   * @default - use keyArn
   */
  readonly keyAlias?: string;
  /**
   * Whether the destination bucket has Object Lock enabled. Required (true) when this
   * bucket has Object Lock: S3 cannot replicate locked objects into a bucket without it.
   * @default false
   */
  readonly objectLockEnabled?: boolean;
}

/**
 * Props for {@link ReplicatedBucket}.
 */
export interface ReplicatedBucketProps {
  /**
   * The start of the bucket's physical name, which is `<prefix>-<account>-<region>`, e.g.
   * `shop-assets` gives `shop-assets-111111111111-us-east-1`. Same rules as
   * {@link ReplicaBucketProps.bucketNamePrefix}. The name is fixed because the
   * replication-latency alarm in the destination's Region names this bucket.
   */
  readonly bucketNamePrefix: string;
  /**
   * Where to replicate every object: the {@link ReplicaBucket} of the recovery Region's
   * stack (same account), or a bucket outside this app by name, Region and key.
   */
  readonly destination: ReplicaBucket | ReplicationDestinationAttributes;
  /**
   * Replicate delete markers: a delete without a version ID (which only hides the object
   * behind a delete marker) also hides it in the replica, so that after a failover the
   * replica shows what the source showed. Version-specific deletes (which destroy data) and
   * delete markers created by lifecycle rules are never replicated, whatever this says, and
   * hidden versions stay recoverable in both Regions until `noncurrentVersionExpiration`.
   * Set false to keep deleted objects visible in the replica (it then diverges from the
   * source: deleted objects reappear after a failover); the role then gets no
   * `s3:ReplicateDelete`.
   * @default true
   */
  readonly deleteMarkerReplication?: boolean;
  /**
   * S3 Replication Time Control: an SLA-backed 15-minute replication target, with
   * `OperationMissedThreshold` and `OperationReplicatedAfterThreshold` events. It costs
   * extra per GB replicated. Replication metrics (latency, pending, failed) and failure
   * events are on either way.
   * @default true
   */
  readonly replicationTimeControl?: boolean;
  /**
   * SNS topic, in this Region, for the replication events (failed, missed threshold,
   * replicated after threshold, not tracked) and the failed-replication alarm. For a topic
   * you pass, the construct adds a topic-policy statement letting this bucket's S3 events
   * publish (a no-op on an imported topic: grant it yourself), and the topic's KMS key, if
   * any, must let `s3.amazonaws.com` and `cloudwatch.amazonaws.com` use
   * `kms:GenerateDataKey*` and `kms:Decrypt`.
   * @default - a new topic encrypted with its own customer-managed key (rotation on),
   * TLS-only, that this bucket's S3 events and this account's CloudWatch alarms may publish to
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * Threshold of the replication-latency alarm created in the {@link ReplicaBucket}'s stack
   * (S3 publishes `ReplicationLatency` in the destination Region). At least 1 minute. Not
   * used for a destination outside the app: alarm on
   * {@link ReplicatedBucket.metricReplicationLatency} in that Region yourself.
   * @default Duration.minutes(15)
   */
  readonly latencyAlarmThreshold?: Duration;
  /**
   * Lifecycle of noncurrent versions and incomplete multipart uploads.
   * @default - noncurrent versions expire after 90 days, incomplete multipart uploads are
   * aborted after 7 days, expired delete markers are removed
   */
  readonly lifecycle?: BucketLifecycleProps;
  /**
   * Enable S3 Object Lock with a default retention. The destination must have Object Lock
   * too; the replication role gets `s3:GetObjectRetention` and `s3:GetObjectLegalHold`.
   * @default - no Object Lock
   */
  readonly objectLock?: BucketObjectLockProps;
  /**
   * Bucket that receives the server access logs, in this Region and account, SSE-S3
   * encrypted, without Object Lock.
   * @default - a new log bucket (SSE-S3, versioned, TLS-only, public access blocked, logs
   * expire after 365 days, retained)
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
  /**
   * What happens to the bucket and its KMS key when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The destination, resolved. */
interface Destination {
  /** Destination bucket name. */
  readonly bucketName: string;
  /** Destination Region. */
  readonly region: string;
  /** `ReplicaKmsKeyID`: a key ARN or an alias ARN. */
  readonly replicaKmsKeyId: string;
  /** The key resource the role may encrypt with (a key ARN, or `key/*` of the Region). */
  readonly keyResource: string;
  /**
   * The alias the key must carry (`kms:ResourceAliases`).
   * @default - the key is named by ARN
   */
  readonly keyAlias?: string;
  /** Whether the destination has Object Lock. */
  readonly objectLockEnabled: boolean;
  /**
   * The ReplicaBucket, when the destination is one.
   * @default - a bucket outside the app
   */
  readonly replica?: ReplicaBucket;
}

/**
 * An S3 bucket in the PRIMARY Region that replicates every object to a bucket in another
 * Region: the hardening of {@link ReplicaBucket} (versioning, its own customer-managed KMS
 * key, public access blocked, TLS-only, ACLs disabled, lifecycle, access logs, optional
 * Object Lock, retained), plus
 *
 * - one replication rule for the whole bucket (V2 schema: `Filter`, `Priority`,
 *   `DeleteMarkerReplication`) with S3 Replication Time Control and replication metrics
 *   (15 minutes), SSE-KMS objects included, replicas encrypted with the destination's key;
 * - a least-privilege replication role;
 * - the replication events (failed, missed threshold, replicated after threshold, not
 *   tracked) to an SNS topic, and alarms on `OperationsFailedReplication` (here) and
 *   `ReplicationLatency` (in the destination's Region, where S3 publishes it);
 * - a stack dependency on the destination's stack, since S3 checks the destination when the
 *   replication configuration is created.
 *
 * It survives the loss of the primary Region with an RPO of the replication lag (with RTC,
 * 99.99 % of objects within 15 minutes), the loss of either Region's KMS key, and the
 * overwrite or delete of an object (versions are kept in both Regions).
 */
export class ReplicatedBucket extends Construct {
  /** The bucket. */
  public readonly bucket: s3.Bucket;
  /** The customer-managed key that encrypts this bucket's objects. */
  public readonly key: kms.Key;
  /** The bucket's physical name, `<prefix>-<account>-<region>`. */
  public readonly bucketName: string;
  /** The role S3 assumes to replicate. */
  public readonly replicationRole: iam.Role;
  /** ID of the replication rule (the `RuleId` dimension of the replication metrics). */
  public readonly ruleId: string;
  /** Name of the destination bucket. */
  public readonly destinationBucketName: string;
  /** Region of the destination bucket. */
  public readonly destinationRegion: string;
  /** The key S3 encrypts replicas with (`ReplicaKmsKeyID`): a key ARN or an alias ARN. */
  public readonly replicaKmsKeyId: string;
  /** Whether delete markers are replicated. */
  public readonly deleteMarkerReplication: boolean;
  /** Whether S3 Replication Time Control is on. */
  public readonly replicationTimeControl: boolean;
  /** The topic that receives the replication events and the failed-replication alarm. */
  public readonly notificationTopic: sns.ITopic;
  /** Alarm on `OperationsFailedReplication` (published in this Region). */
  public readonly failedReplicationAlarm: cloudwatch.Alarm;
  /**
   * Alarm on `ReplicationLatency`, created in the {@link ReplicaBucket}'s stack; undefined
   * for a destination outside the app.
   */
  public readonly latencyAlarm?: cloudwatch.Alarm;
  /** The bucket that receives the server access logs. */
  public readonly serverAccessLogsBucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: ReplicatedBucketProps) {
    super(scope, id);

    const stack = Stack.of(this);
    const v = new Validator(this);
    const envOk = validateStackEnv(v, stack, 'the replication-latency alarm in the destination Region names this bucket');
    if (envOk) validateBucketNamePrefix(v, 'bucketNamePrefix', props.bucketNamePrefix, stack.account, stack.region);
    validateLifecycle(v, props.lifecycle);
    validateObjectLock(v, props.objectLock);
    v.duration('latencyAlarmThreshold', props.latencyAlarmThreshold, {
      code: 'REPLICATION_LATENCY_THRESHOLD',
      minSeconds: 60,
      fix: 'set latencyAlarmThreshold to Duration.minutes(15) (the S3 RTC threshold) or another duration of at least 1 minute',
    });
    const dest = validateDestination(v, this, props);
    v.throwIfAny();
    const destination = dest!;

    this.bucketName = ReplicaBucket.bucketNameFor(props.bucketNamePrefix, stack.account, stack.region);
    this.destinationBucketName = destination.bucketName;
    this.destinationRegion = destination.region;
    this.replicaKmsKeyId = destination.replicaKmsKeyId;
    this.deleteMarkerReplication = props.deleteMarkerReplication ?? true;
    this.replicationTimeControl = props.replicationTimeControl ?? true;
    // Rule IDs are at most 255 characters; bucket names at most 63.
    this.ruleId = `replicate-all-to-${destination.bucketName}`;

    const hardened = hardenedBucket(this, {
      bucketName: this.bucketName,
      purpose: `source of replication to ${destination.bucketName} in ${destination.region}`,
      lifecycle: props.lifecycle,
      objectLock: props.objectLock,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      removalPolicy: props.removalPolicy,
    });
    this.bucket = hardened.bucket;
    this.key = hardened.key;
    this.serverAccessLogsBucket = hardened.serverAccessLogsBucket;

    this.replicationRole = this.createReplicationRole(destination, props.objectLock !== undefined);
    const cfnBucket = this.bucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.replicationConfiguration = this.renderReplicationConfiguration(destination);

    // --- Replication events to SNS.
    this.notificationTopic =
      props.notificationTopic ??
      encryptedTopic(this, 'NotificationTopic', `Replication events of ${this.bucketName}`, { s3BucketName: this.bucketName }).topic;
    const published = this.notificationTopic.addToResourcePolicy(s3PublishStatement(this.notificationTopic, this.bucketName, stack.account));
    // A topic of the user's, encrypted with a key of this app: S3 (the notifications) and
    // CloudWatch (the alarm) must be able to use the key too, or the notification (and the
    // deploy) fails and the alarm's messages are dropped. An imported key is the user's to grant.
    const userKey = props.notificationTopic?.masterKey;
    const keyGrant = userKey?.addToResourcePolicy(s3KeyStatement({ account: stack.account, bucketName: this.bucketName }));
    userKey?.addToResourcePolicy(cloudWatchKeyStatement(stack.account));
    if (keyGrant?.statementAdded === false) {
      addWarning(this, WarningId.TOPIC_KEY_NOT_GRANTED, `the notification topic's KMS key is imported: its key policy must let s3.amazonaws.com (kms:GenerateDataKey, kms:Decrypt) and cloudwatch.amazonaws.com (kms:GenerateDataKey*, kms:Decrypt) use it, or S3 refuses the notification and the deploy fails (https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html)`);
    }
    // The key policy is part of the key resource: S3 validates the destination once the key exists with it.
    if (keyGrant?.statementAdded) cfnBucket.node.addDependency(props.notificationTopic!.masterKey!);
    // S3 sends a test event when the notification configuration is created: the topic
    // policy must exist first. It names the bucket by string, so there is no cycle.
    if (published.policyDependable) cfnBucket.node.addDependency(published.policyDependable);
    const events = this.replicationTimeControl ? REPLICATION_EVENT_TYPES : REPLICATION_EVENT_TYPES.filter((e) => !RTC_ONLY_EVENT_TYPES.includes(e));
    cfnBucket.notificationConfiguration = {
      topicConfigurations: events.map((event) => ({ event, topic: this.notificationTopic.topicArn })),
    };
    guardNativeNotifications(this, this.bucket);

    // --- Alarms.
    this.failedReplicationAlarm = new cloudwatch.Alarm(this, 'FailedReplicationAlarm', {
      alarmDescription: `S3 failed to replicate objects from ${this.bucketName} to ${destination.bucketName} (rule ${this.ruleId}). The replication events on the notification topic carry each object and failure reason.`,
      metric: this.metricOperationsFailedReplication(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // A minute without a datapoint is a minute without a failure.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.failedReplicationAlarm.addAlarmAction(new cloudwatchActions.SnsAction(this.notificationTopic));
    this.failedReplicationAlarm.addOkAction(new cloudwatchActions.SnsAction(this.notificationTopic));

    if (destination.replica) {
      this.latencyAlarm = destination.replica.monitorReplicationFrom({
        sourceBucketName: this.bucketName,
        ruleId: this.ruleId,
        threshold: props.latencyAlarmThreshold,
      });
      // S3 checks that the destination bucket exists (with versioning) when the
      // replication configuration is created: deploy the destination's stack first.
      const there = Stack.of(destination.replica);
      if (Stage.of(there) === Stage.of(stack)) {
        addStackDependency(
          stack,
          there,
          `ReplicatedBucket ${this.node.path} replicates to ReplicaBucket ${destination.replica.node.path}, which must exist first; if this is a cycle, put the ReplicaBucket in a stack that ${stack.stackName} does not depend on`,
        );
      }
    }
  }

  /**
   * `ReplicationLatency` of the rule (Maximum, seconds behind), in the destination's
   * Region, where S3 publishes it: for dashboards, or an alarm in that Region.
   */
  public metricReplicationLatency(): cloudwatch.Metric {
    return replicationMetric('ReplicationLatency', cloudwatch.Stats.MAXIMUM, this.metricDimensions(), this.destinationRegion);
  }

  /** `OperationsPendingReplication` of the rule (Maximum), in the destination's Region. */
  public metricOperationsPendingReplication(): cloudwatch.Metric {
    return replicationMetric('OperationsPendingReplication', cloudwatch.Stats.MAXIMUM, this.metricDimensions(), this.destinationRegion);
  }

  /** `OperationsFailedReplication` of the rule (Sum per minute), in this (the source) Region. */
  public metricOperationsFailedReplication(): cloudwatch.Metric {
    return replicationMetric('OperationsFailedReplication', cloudwatch.Stats.SUM, this.metricDimensions());
  }

  private metricDimensions(): { sourceBucketName: string; destinationBucketName: string; ruleId: string } {
    return { sourceBucketName: this.bucketName, destinationBucketName: this.destinationBucketName, ruleId: this.ruleId };
  }

  private renderReplicationConfiguration(destination: Destination): s3.CfnBucket.ReplicationConfigurationProperty {
    const minutes = { minutes: RTC_MINUTES };
    return {
      role: this.replicationRole.roleArn,
      rules: [
        {
          id: this.ruleId,
          status: 'Enabled',
          // Filter and Priority select the V2 schema, where DeleteMarkerReplication is explicit.
          priority: 1,
          filter: { prefix: '' },
          deleteMarkerReplication: { status: this.deleteMarkerReplication ? 'Enabled' : 'Disabled' },
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
          destination: {
            bucket: `arn:${Aws.PARTITION}:s3:::${destination.bucketName}`,
            encryptionConfiguration: { replicaKmsKeyId: destination.replicaKmsKeyId },
            replicationTime: this.replicationTimeControl ? { status: 'Enabled', time: minutes } : undefined,
            metrics: this.replicationTimeControl ? { status: 'Enabled', eventThreshold: minutes } : { status: 'Enabled' },
          },
        },
      ],
    };
  }

  /**
   * The replication role, least privilege, after the S3 User Guide ("Setting up permissions
   * for live replication", "Replicating encrypted objects"). Buckets are named by string
   * ARNs, so the role does not depend on the bucket that references it.
   */
  private createReplicationRole(destination: Destination, objectLock: boolean): iam.Role {
    const partition = Aws.PARTITION;
    const sourceArn = `arn:${partition}:s3:::${this.bucketName}`;
    const destArn = `arn:${partition}:s3:::${destination.bucketName}`;
    const here = Stack.of(this).region;
    const statements = [
      new iam.PolicyStatement({
        sid: 'SourceBucket',
        actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
        resources: [sourceArn],
      }),
      new iam.PolicyStatement({
        sid: 'SourceObjectVersions',
        actions: [
          's3:GetObjectVersionForReplication',
          's3:GetObjectVersionAcl',
          's3:GetObjectVersionTagging',
          ...(objectLock ? ['s3:GetObjectRetention', 's3:GetObjectLegalHold'] : []),
        ],
        resources: [`${sourceArn}/*`], // object-level actions: every key of the source bucket
      }),
      new iam.PolicyStatement({
        sid: 'DestinationObjects',
        actions: ['s3:ReplicateObject', 's3:ReplicateTags', ...(this.deleteMarkerReplication ? ['s3:ReplicateDelete'] : [])],
        resources: [`${destArn}/*`], // object-level actions: every key of the destination bucket
      }),
      new iam.PolicyStatement({
        sid: 'DecryptSourceObjects',
        actions: ['kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${here}.${Aws.URL_SUFFIX}` },
          // With an S3 Bucket Key the encryption context is the bucket ARN; without, the object ARN.
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [sourceArn, `${sourceArn}/*`] },
        },
      }),
      new iam.PolicyStatement({
        sid: 'EncryptReplicas',
        // kms:Decrypt as well: S3 verifies the destination's S3 Bucket Key with it.
        actions: ['kms:Encrypt', 'kms:Decrypt'],
        resources: [destination.keyResource],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${destination.region}.${Aws.URL_SUFFIX}` },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [destArn, `${destArn}/*`] },
          ...(destination.keyAlias ? { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': destination.keyAlias } } : {}),
        },
      }),
    ];
    const role = new iam.Role(this, 'ReplicationRole', {
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
      description: `S3 replication from ${this.bucketName} to ${destination.bucketName} (${destination.region})`,
      inlinePolicies: { Replication: new iam.PolicyDocument({ statements }) },
    });

    const stack = Stack.of(this);
    acknowledgeNagFinding(
      role,
      `AwsSolutions-IAM5[Resource::${nagResourceName(stack, `${sourceArn}/*`)}]`,
      'The replication object actions (s3:GetObjectVersionForReplication and the version ACL/tagging reads) are granted on the objects of the source bucket only; S3 replicates every key, so the key part must be a wildcard.',
    );
    acknowledgeNagFinding(
      role,
      `AwsSolutions-IAM5[Resource::${nagResourceName(stack, `${destArn}/*`)}]`,
      's3:ReplicateObject/ReplicateTags/ReplicateDelete are granted on the objects of the destination bucket only; replicas keep their source keys, so the key part must be a wildcard.',
    );
    if (destination.keyAlias) {
      acknowledgeNagFinding(
        role,
        `AwsSolutions-IAM5[Resource::${nagResourceName(stack, destination.keyResource)}]`,
        'The destination key lives in another Region and stack, so its key ID is unknown at synth time; the statement is scoped to keys of the destination Region and account that carry the destination alias (kms:ResourceAliases), used through S3 in that Region (kms:ViaService), for the destination bucket only (encryption context).',
      );
    }
    return role;
  }
}

/** Validates the destination and resolves it; undefined when it is unusable. */
function validateDestination(v: Validator, scope: IConstruct, props: ReplicatedBucketProps): Destination | undefined {
  const here = Stack.of(scope);
  const d = props.destination;
  let dest: Destination | undefined;
  if (ReplicaBucket.isReplicaBucket(d)) {
    if (!Token.isUnresolved(here.account)) {
      v.check(here.account !== d.account, {
        code: 'REPLICATION_ACCOUNT',
        prop: 'destination',
        value: `${d.node.path} in account ${d.account}`,
        message: `the ReplicaBucket is in another account than this stack (${here.account}); cross-account replication needs a destination bucket policy and key grants this construct does not create`,
        fix: 'put the ReplicaBucket in a stack of the same account',
      });
    }
    v.check(props.objectLock !== undefined && d.objectLock === undefined, {
      code: 'REPLICATION_OBJECT_LOCK',
      prop: 'objectLock',
      value: `${d.node.path} without objectLock`,
      message: 'this bucket has Object Lock but the destination does not; S3 cannot replicate locked objects into a bucket without Object Lock (DstBucketObjectLockConfigMissing)',
      fix: 'give the ReplicaBucket objectLock too (its retention may differ), or drop objectLock here',
    });
    checkNoCycle(v, here, d);
    dest = {
      bucketName: d.bucketName,
      region: d.region,
      replicaKmsKeyId: d.keyAliasArn,
      keyResource: `arn:${Aws.PARTITION}:kms:${d.region}:${d.account}:key/*`,
      keyAlias: d.keyAliasName,
      objectLockEnabled: d.objectLock !== undefined,
      replica: d,
    };
  } else {
    dest = validateExternalDestination(v, here, d, props.objectLock !== undefined);
  }
  if (dest && !Token.isUnresolved(dest.region) && !Token.isUnresolved(here.region)) {
    if (
      !v.check(dest.region === here.region, {
        code: 'REPLICATION_SAME_REGION',
        prop: 'destination',
        value: dest.region,
        message: `replicates to the stack's own Region ${here.region}, which does not survive the loss of that Region`,
        fix: "replicate to a bucket in another Region: a ReplicaBucket in the recovery Region's stack",
      })
    ) {
      return undefined;
    }
  }
  return dest;
}

function validateExternalDestination(
  v: Validator,
  here: Stack,
  d: ReplicationDestinationAttributes,
  objectLock: boolean,
): Destination | undefined {
  let ok = true;
  if (!Token.isUnresolved(d.bucketName)) {
    const reserved =
      RESERVED_BUCKET_PREFIXES.find((p) => d.bucketName.startsWith(p)) ?? RESERVED_BUCKET_SUFFIXES.find((s) => d.bucketName.endsWith(s));
    ok =
      v.check(!BUCKET_NAME_RE.test(d.bucketName) || d.bucketName.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(d.bucketName) || reserved !== undefined, {
        code: 'REPLICATION_DESTINATION_NAME',
        prop: 'destination.bucketName',
        value: d.bucketName,
        message: `is not a valid S3 bucket name: 3-63 lowercase letters, numbers, dots and hyphens, starting and ending with a letter or number, no '..', not an IP address, no reserved prefix or suffix${reserved ? ` (reserved: '${reserved}')` : ''}`,
        fix: "use the destination bucket's name, e.g. 'shop-assets-111111111111-us-west-2'",
      }) && ok;
  }
  if (!Token.isUnresolved(d.region)) {
    ok =
      v.check(!REGION_RE.test(d.region), {
        code: 'REPLICATION_DESTINATION_REGION',
        prop: 'destination.region',
        value: d.region,
        message: 'is not an AWS Region code',
        fix: "use a Region such as 'us-west-2'",
      }) && ok;
  }
  const both = d.keyArn !== undefined && d.keyAlias !== undefined;
  const none = d.keyArn === undefined && d.keyAlias === undefined;
  if (
    !v.check(both || none, {
      code: 'REPLICATION_DESTINATION_KEY',
      prop: 'destination.keyArn',
      value: { keyArn: d.keyArn, keyAlias: d.keyAlias },
      message: both
        ? 'both keyArn and keyAlias are given; the replicas are encrypted with one key'
        : 'no key is given; replicas must be encrypted with a customer-managed key in the destination Region',
      fix: "give exactly one of keyArn ('arn:aws:kms:us-west-2:111111111111:key/...') and keyAlias ('alias/...')",
    })
  ) {
    return undefined;
  }
  if (d.keyArn !== undefined && !Token.isUnresolved(d.keyArn)) {
    const m = KEY_ARN_RE.exec(d.keyArn);
    ok =
      v.check(!m, {
        code: 'REPLICATION_DESTINATION_KEY',
        prop: 'destination.keyArn',
        value: d.keyArn,
        message: 'is not a KMS key ARN',
        fix: 'use arn:<partition>:kms:<region>:<account>:key/<key id>',
      }) && ok;
    if (m && !Token.isUnresolved(d.region) && REGION_RE.test(d.region)) {
      ok =
        v.check(m[1] !== d.region, {
          code: 'REPLICATION_DESTINATION_KEY',
          prop: 'destination.keyArn',
          value: d.keyArn,
          message: `is in ${m[1]}, not in the destination Region ${d.region}; S3 needs a key in the destination bucket's Region`,
          fix: `use a key in ${d.region}`,
        }) && ok;
    }
    if (m && !Token.isUnresolved(here.account)) {
      ok =
        v.check(m[2] !== here.account, {
          code: 'REPLICATION_DESTINATION_KEY',
          prop: 'destination.keyArn',
          value: d.keyArn,
          message: `is in account ${m[2]}, not in this stack's account ${here.account}; this construct replicates within one account`,
          fix: `use a key of account ${here.account}`,
        }) && ok;
    }
  }
  if (d.keyAlias !== undefined && !Token.isUnresolved(d.keyAlias)) {
    ok =
      v.check(!KEY_ALIAS_RE.test(d.keyAlias) || d.keyAlias.startsWith('alias/aws/'), {
        code: 'REPLICATION_DESTINATION_KEY',
        prop: 'destination.keyAlias',
        value: d.keyAlias,
        message: "is not the alias of a customer-managed key: 'alias/' then letters, numbers, '/', '_' or '-', and not an AWS managed key (alias/aws/...)",
        fix: "use the alias of the destination's customer-managed key, e.g. 'alias/shop-assets-111111111111-us-west-2'",
      }) && ok;
  }
  ok =
    v.check(objectLock && !(d.objectLockEnabled ?? false), {
      code: 'REPLICATION_OBJECT_LOCK',
      prop: 'objectLock',
      value: `destination ${d.bucketName} with objectLockEnabled ${d.objectLockEnabled ?? false}`,
      message: 'this bucket has Object Lock but the destination does not; S3 cannot replicate locked objects into a bucket without Object Lock (DstBucketObjectLockConfigMissing)',
      fix: 'enable Object Lock on the destination bucket and set destination.objectLockEnabled: true, or drop objectLock here',
    }) && ok;
  if (!ok) return undefined;
  const account = here.account;
  return {
    bucketName: d.bucketName,
    region: d.region,
    replicaKmsKeyId: d.keyArn ?? `arn:${Aws.PARTITION}:kms:${d.region}:${account}:${d.keyAlias}`,
    keyResource: d.keyArn ?? `arn:${Aws.PARTITION}:kms:${d.region}:${account}:key/*`,
    keyAlias: d.keyArn ? undefined : d.keyAlias,
    objectLockEnabled: d.objectLockEnabled ?? false,
  };
}

/**
 * The source stack will depend on the ReplicaBucket's stack; refuse it when the
 * ReplicaBucket's stack already depends (directly or through others) on the source stack.
 */
function checkNoCycle(v: Validator, here: Stack, replica: ReplicaBucket): void {
  const there = Stack.of(replica);
  if (there === here || Stage.of(there) !== Stage.of(here)) return;
  const path = dependencyPath(there, here, new Set());
  v.check(path !== undefined, {
    code: 'REPLICATION_STACK_CYCLE',
    prop: 'destination',
    value: (path ?? []).map((s) => s.stackName).join(' -> '),
    message: `the ReplicaBucket's stack ${there.stackName} already depends on this stack ${here.stackName}, and this stack must be deployed after the ReplicaBucket exists (S3 checks the destination when replication is configured): the dependency would be a cycle`,
    fix: `put the ReplicaBucket in a stack of ${there.region} that ${here.stackName} does not depend on, e.g. new Stack(app, '${here.stackName}-ReplicaData', { env: { account: '${there.account}', region: '${there.region}' } })`,
  });
}

/** A dependency path from `from` to `to` through Stack.dependencies, if any. */
function dependencyPath(from: Stack, to: Stack, seen: Set<Stack>): Stack[] | undefined {
  if (from === to) return [from];
  if (seen.has(from)) return undefined;
  seen.add(from);
  for (const dep of from.dependencies) {
    const rest = dependencyPath(dep, to, seen);
    if (rest) return [from, ...rest];
  }
  return undefined;
}

/**
 * A synth-time check that nobody added S3 event notifications through the aws-cdk-lib L2
 * (`bucket.addEventNotification`): its custom resource replaces the bucket's whole
 * notification configuration, which would silently drop the replication events.
 */
function guardNativeNotifications(owner: IConstruct, bucket: s3.Bucket): void {
  owner.node.addValidation({
    validate: () => {
      const custom = bucket.node.tryFindChild('Notifications')?.node.tryFindChild('Resource');
      if (!custom) return [];
      const problem: ResilienceProblem = {
        code: 'BUCKET_NOTIFICATIONS_OVERWRITTEN',
        prop: 'bucket',
        value: 'bucket.addEventNotification(...)',
        message: "event notifications were added with the aws-cdk-lib custom resource, which replaces the bucket's notification configuration and would drop the replication events",
        fix: "add your notification to (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration next to the existing topicConfigurations, or subscribe to the construct's notificationTopic",
      };
      return [new ResilienceError(owner, [problem]).message];
    },
  });
}

