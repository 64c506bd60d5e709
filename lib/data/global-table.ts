import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledgeNagFinding, nagResourceName } from '../core/nag';
import { Validator } from '../core/validation';
import { GlobalTableReplicaKey, replicaKeyAlias, replicaKeyAliasArn, validateTableName } from './global-table-replica-key';
import { addStackDependency } from '../core/stack-dependency';

/** One replica of a {@link GlobalTable}. */
export interface GlobalTableReplica {
  /** Its Region (not the table's own stack Region). */
  readonly region: string;
  /**
   * Its customer-managed key: a {@link GlobalTableReplicaKey} in that Region.
   * @default - the key of a GlobalTableReplicaKey for this table in that Region, named by
   * its alias (`alias/<tableName>-table`): deploy one there first
   */
  readonly key?: GlobalTableReplicaKey;
}

/** Provisioned capacity with auto scaling, for one of read or write. */
export interface GlobalTableCapacity {
  /** Minimum capacity units. */
  readonly min: number;
  /** Maximum capacity units. */
  readonly max: number;
  /**
   * Target utilization, percent.
   * @default 70
   */
  readonly targetUtilization?: number;
}

/** Props for {@link GlobalTable}. */
export interface GlobalTableProps {
  /** Table name, the same in every Region (the replica keys' aliases derive from it). */
  readonly tableName: string;
  /** Partition key. */
  readonly partitionKey: dynamodb.Attribute;
  /**
   * Sort key.
   * @default - none
   */
  readonly sortKey?: dynamodb.Attribute;
  /** The other Regions' replicas (at least one: a table in one Region is not global). */
  readonly replicas: GlobalTableReplica[];
  /**
   * Provisioned capacity with auto scaling, the same in every Region (global tables need
   * identical write capacity everywhere: every replica absorbs every write).
   * @default - on-demand
   */
  readonly capacity?: { readonly read: GlobalTableCapacity; readonly write: GlobalTableCapacity };
  /**
   * CloudWatch contributor insights (most accessed and throttled keys).
   * @default false
   */
  readonly contributorInsights?: boolean;
  /**
   * Point-in-time recovery window, days (1-35).
   * @default 35
   */
  readonly pointInTimeRecoveryDays?: number;
  /**
   * Alarm when `ReplicationLatency` to any replica stays above this for 5 minutes.
   * @default Duration.minutes(1)
   */
  readonly replicationLatencyThreshold?: Duration;
  /**
   * Topic the alarms notify.
   * @default - none
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Stream of item changes (for consumers such as Lambda).
   * @default - none
   */
  readonly stream?: dynamodb.StreamViewType;
}

/**
 * A DynamoDB global table (version 2019.11.21) with a replica in each of the given Regions:
 * point-in-time recovery, deletion protection, a customer-managed key in every Region,
 * on-demand or auto-scaled capacity, and an alarm on `ReplicationLatency` per replica.
 *
 * Writes in any Region replicate asynchronously to the others (typically within a
 * second); concurrent writes to the same item in two Regions are resolved by last writer
 * wins, item by item.
 */
export class GlobalTable extends Construct {
  /** The table. */
  public readonly table: dynamodb.TableV2;
  /** The key in this stack's Region. */
  public readonly key: kms.Key;
  /** All Regions, this one first. */
  public readonly regions: string[];
  /** `ReplicationLatency` alarms, by receiving Region. */
  public readonly replicationLatencyAlarms: Record<string, cloudwatch.Alarm> = {};

  constructor(scope: Construct, id: string, props: GlobalTableProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const v = new Validator(this);
    validate(v, stack, props);
    v.throwIfAny();

    this.regions = [stack.region, ...props.replicas.map((r) => r.region)];
    for (const r of props.replicas) if (r.key) dependOn(this, r.key);

    this.key = new kms.Key(this, 'Key', { description: `Encrypts the ${props.tableName} global table in ${stack.region}`, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    const replicaKeyArns = Object.fromEntries(props.replicas.map((r) => [r.region, r.key?.aliasArn ?? replicaKeyAliasArn(stack.partition, r.region, stack.account, props.tableName)]));
    const scaled = (c: GlobalTableCapacity): dynamodb.Capacity => dynamodb.Capacity.autoscaled({ minCapacity: c.min, maxCapacity: c.max, targetUtilizationPercent: c.targetUtilization ?? 70 });
    this.table = new dynamodb.TableV2(this, 'Table', {
      tableName: props.tableName,
      partitionKey: props.partitionKey,
      sortKey: props.sortKey,
      billing: props.capacity ? dynamodb.Billing.provisioned({ readCapacity: scaled(props.capacity.read), writeCapacity: scaled(props.capacity.write) }) : dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(this.key, replicaKeyArns),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: props.pointInTimeRecoveryDays ?? 35 },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      contributorInsightsSpecification: props.contributorInsights ? { enabled: true } : undefined,
      dynamoStream: props.stream,
      replicas: props.replicas.map((r) => ({ region: r.region, deletionProtection: true, contributorInsightsSpecification: props.contributorInsights ? { enabled: true } : undefined })),
    });

    const threshold = props.replicationLatencyThreshold ?? Duration.minutes(1);
    for (const r of props.replicas) {
      this.replicationLatencyAlarms[r.region] = GlobalTable.addReplicaLatencyAlarm(this, `ReplicationLatency-${r.region}`, {
        tableName: props.tableName,
        toRegion: r.region,
        threshold,
        alarmTopic: props.alarmTopic,
      });
    }
    this.tableName = props.tableName;
  }

  /** The table name, the same in every Region. */
  public readonly tableName: string;

  /**
   * Let a principal in this Region read and write items: the item actions on the table and
   * its indexes, and the key's actions through DynamoDB only. No wildcard actions.
   */
  public grantReadWriteData(grantee: iam.IGrantable): void {
    const stack = Stack.of(this);
    const indexes = `${this.table.tableArn}/index/*`; // every index of this one table: index names are the caller's
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: READ_WRITE_ACTIONS, resources: [this.table.tableArn, indexes] }));
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: TABLE_KEY_ACTIONS, resources: [this.key.keyArn], conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com` } } }),
    );
    acknowledgeOnPolicy(grantee, `AwsSolutions-IAM5[Resource::${nagResourceName(stack, indexes)}]`, `Queries on any index of the ${this.tableName} table only; the index names are the caller's.`);
  }

  /**
   * Alarm on `ReplicationLatency` of the writes made in `scope`'s Region towards `toRegion`
   * (the table uses it for its own Region). Call it in each replica's stack too: in
   * active-active both directions carry writes.
   */
  public static addReplicaLatencyAlarm(scope: Construct, id: string, props: { readonly tableName: string; readonly toRegion: string; readonly threshold?: Duration; readonly alarmTopic?: sns.ITopic }): cloudwatch.Alarm {
    const threshold = props.threshold ?? Duration.minutes(1);
    const alarm = new cloudwatch.Alarm(scope, id, {
      alarmDescription: `${props.tableName}: writes from ${Stack.of(scope).region} take over ${threshold.toHumanString()} to reach ${props.toRegion}; data written there would be lost with that Region`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/DynamoDB',
        metricName: 'ReplicationLatency',
        dimensionsMap: { TableName: props.tableName, ReceivingRegion: props.toRegion },
        statistic: cloudwatch.Stats.AVERAGE,
        period: Duration.minutes(1),
      }),
      threshold: threshold.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic) {
      alarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
      alarm.addOkAction(new cwActions.SnsAction(props.alarmTopic));
    }
    return alarm;
  }

  /**
   * Let a principal in a replica's Region (its own stack) read and write that replica: the
   * item actions on the replica table's ARN, and the replica key's actions through DynamoDB,
   * on keys of that Region that carry the replica key's alias (the key's id is not known
   * at synth in another stack).
   */
  public static grantReplicaReadWriteData(grantee: iam.IGrantable, tableName: string, region: string, account: string, partition = 'aws'): void {
    const tableArn = `arn:${partition}:dynamodb:${region}:${account}:table/${tableName}`;
    const indexes = `${tableArn}/index/*`; // every index of this one table: index names are the caller's
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: READ_WRITE_ACTIONS, resources: [tableArn, indexes] }));
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: TABLE_KEY_ACTIONS,
        resources: [`arn:${partition}:kms:${region}:${account}:key/*`], // narrowed by the alias condition below
        conditions: {
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': replicaKeyAlias(tableName) },
          StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` },
        },
      }),
    );
    acknowledgeOnPolicy(grantee, `AwsSolutions-IAM5[Resource::${indexes}]`, `Queries on any index of the ${tableName} table only; the index names are the caller's.`);
    acknowledgeOnPolicy(
      grantee,
      `AwsSolutions-IAM5[Resource::arn:${partition}:kms:${region}:${account}:key/*]`,
      `Only keys carrying the alias ${replicaKeyAlias(tableName)} (kms:ResourceAliases) and only through DynamoDB: the replica key's id is not known in this stack.`,
    );
  }
}

/** Acknowledge a finding on the default policy of a role the grant went to (other principals: nothing to do). */
function acknowledgeOnPolicy(grantee: iam.IGrantable, ruleId: string, reason: string): void {
  const principal = grantee.grantPrincipal;
  if (!(principal instanceof iam.Role)) return;
  const policy = principal.node.tryFindChild('DefaultPolicy');
  if (policy) acknowledgeNagFinding(policy, ruleId, reason);
}

/** DynamoDB item actions a reader and writer needs (no table management). */
const READ_WRITE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:DescribeTable',
];
/** The KMS actions DynamoDB needs from a principal using a table under a customer-managed key. */
const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];

/** The table's stack must come after the replica key's; a cycle means the key is in the wrong stack. */
function dependOn(table: GlobalTable, key: GlobalTableReplicaKey): void {
  const here = Stack.of(table);
  const there = Stack.of(key);
  if (here === there) return;
  try {
    addStackDependency(here, there, `the replica key ${key.aliasName} must exist before the global table's replica in ${key.region}`);
  } catch (e) {
    const v = new Validator(table);
    v.add({
      code: 'GLOBAL_TABLE_KEY',
      prop: 'replicas[].key',
      value: there.stackName,
      message: `the replica key is in ${there.stackName}, which depends on ${here.stackName}, but the key must exist before the table (${(e as Error).message.split('\n')[0]})`,
      fix: `put the GlobalTableReplicaKey in a stack of ${key.region} that does not depend on ${here.stackName} (for a DR strategy: a separate recovery-Region stack deployed first)`,
    });
    v.throwIfAny();
  }
}

function validate(v: Validator, stack: Stack, props: GlobalTableProps): void {
  validateTableName(v, props.tableName);
  v.check(Token.isUnresolved(stack.region), {
    code: 'GLOBAL_TABLE_REGIONS',
    prop: 'scope',
    value: stack.region,
    message: 'a global table needs a stack with a literal Region',
    fix: "give the stack an env with a region, e.g. { account: '111111111111', region: 'us-east-1' }",
  });
  const regions = props.replicas.map((r) => r.region);
  v.check(regions.length === 0, {
    code: 'GLOBAL_TABLE_REGIONS',
    prop: 'replicas',
    value: '[]',
    message: 'a global table needs a replica in at least one other Region',
    fix: "add the recovery Region: replicas: [{ region: 'us-west-2' }]",
  });
  const dupes = regions.filter((r, i) => regions.indexOf(r) !== i);
  v.check(dupes.length > 0, {
    code: 'GLOBAL_TABLE_REGIONS',
    prop: 'replicas',
    value: [...new Set(dupes)],
    message: 'a global table has one replica per Region; these Regions are listed twice',
    fix: 'list each Region once',
  });
  v.check(regions.includes(stack.region), {
    code: 'GLOBAL_TABLE_REGIONS',
    prop: 'replicas',
    value: stack.region,
    message: "the table's own Region is listed as a replica; the table already lives there",
    fix: 'list only the other Regions',
  });
  props.replicas.forEach((r, i) => {
    v.check(Token.isUnresolved(r.region) || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(r.region), {
      code: 'GLOBAL_TABLE_REGIONS',
      prop: `replicas[${i}].region`,
      value: r.region,
      message: 'is not a Region name (a literal is needed: the replica is created by this stack)',
      fix: "use a Region like 'us-west-2'",
    });
    v.check(r.key !== undefined && r.key.region !== r.region, {
      code: 'GLOBAL_TABLE_KEY',
      prop: `replicas[${i}].key`,
      value: r.key?.region,
      message: `the key is in ${r.key?.region}, the replica in ${r.region}: DynamoDB needs a key in the replica's Region`,
      fix: `use a GlobalTableReplicaKey built in a ${r.region} stack`,
    });
  });
  v.integer('pointInTimeRecoveryDays', props.pointInTimeRecoveryDays, { code: 'GLOBAL_TABLE_PITR', min: 1, max: 35, fix: 'use 1-35 days' });
  if (props.capacity) {
    for (const which of ['read', 'write'] as const) {
      const c = props.capacity[which];
      v.integer(`capacity.${which}.min`, c.min, { code: 'GLOBAL_TABLE_CAPACITY', min: 1, fix: 'use at least 1 capacity unit' });
      v.check(c.max < c.min, { code: 'GLOBAL_TABLE_CAPACITY', prop: `capacity.${which}.max`, value: c.max, message: `is below the minimum (${c.min})`, fix: 'raise max to at least min' });
      v.integer(`capacity.${which}.targetUtilization`, c.targetUtilization, { code: 'GLOBAL_TABLE_CAPACITY', min: 20, max: 90, fix: 'use a target of 20-90 %' });
    }
  }
  v.duration('replicationLatencyThreshold', props.replicationLatencyThreshold, { code: 'GLOBAL_TABLE_ALARM', minSeconds: 1, maxSeconds: 3600 });
}
