import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AWS_FIGURES, RecoveryFigure } from '../core/aws-figures';
import { acknowledgeNagFinding } from '../core/nag';
import { Validator } from '../core/validation';
import { addWarning, WarningId } from '../core/warnings';
import {
  acknowledgeDefaultPort,
  createDatabaseKey,
  createDatabaseSecurityGroup,
  createIsolatedSubnetGroup,
  createMonitoringRole,
  validateIdentifier,
  validateIsolatedSubnets,
} from './database-common';
import { Database, DatabaseEndpoint, DatabaseKind } from './database';
import { addStackDependency } from '../core/stack-dependency';

/** Props for {@link CrossRegionReadReplica}. */
export interface CrossRegionReadReplicaProps {
  /**
   * The source: a Multi-AZ instance {@link Database} with an `identifier`, in another
   * Region's stack of the same app.
   */
  readonly source: Database;
  /** The VPC in this Region; the replica goes into its isolated subnets. */
  readonly vpc: ec2.IVpc;
  /**
   * Instance class.
   * @default - db.m6g.large
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Run the replica itself as a Multi-AZ instance, so it is highly available the moment
   * it is promoted. Costs a standby. A pilot light usually leaves it off and converts
   * after promotion.
   * @default false
   */
  readonly multiAz?: boolean;
  /**
   * Physical identifier of the replica.
   * @default `<source identifier>-<this region>`
   */
  readonly identifier?: string;
  /**
   * Peers allowed to connect on the database port.
   * @default - nobody
   */
  readonly allowFrom?: ec2.IConnectable[];
  /**
   * Alarm when `ReplicaLag` exceeds this: the RPO exposure of a promotion.
   * @default Duration.seconds(60)
   */
  readonly replicaLagThreshold?: Duration;
  /**
   * Topic the lag alarm notifies.
   * @default - no action
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Deletion protection.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * An RDS read replica of a {@link Database} in another Region, for the pilot light
 * strategy: encrypted with this Region's own KMS key, in isolated subnets, with a lag
 * alarm. Promotion (a runbook step) turns it into a standalone writable instance in
 * "a few minutes", including a reboot. The source's master secret is replicated to
 * this Region so the credentials survive the loss of the source Region.
 */
export class CrossRegionReadReplica extends Construct implements ec2.IConnectable {
  /** The replica (L1: aws-cdk-lib's replica L2 cannot take a cross-Region KMS key and source ARN cleanly). */
  public readonly instance: rds.CfnDBInstance;
  /** The replica's identifier. */
  public readonly identifier: string;
  /** The replica's ARN (a plain string). */
  public readonly arn: string;
  /** The source instance's ARN (a plain string). */
  public readonly sourceArn: string;
  /** The source Region. */
  public readonly sourceRegion: string;
  /** This Region. */
  public readonly region: string;
  /** The KMS key of this Region. */
  public readonly encryptionKey: kms.Key;
  /** Security group. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Connections on the database port. */
  public readonly connections: ec2.Connections;
  /** The endpoint. */
  public readonly endpoint: DatabaseEndpoint;
  /** Alarm on `ReplicaLag`. */
  public readonly replicaLagAlarm: cloudwatch.Alarm;
  /** The promotion figure, with its source. */
  public readonly promotion: RecoveryFigure = AWS_FIGURES.rdsCrossRegionReplicaPromotion;

  constructor(scope: Construct, id: string, props: CrossRegionReadReplicaProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const sourceStack = Stack.of(props.source);

    const v = new Validator(this);
    if ([stack.region, stack.account, sourceStack.region, sourceStack.account].some((x) => Token.isUnresolved(x))) {
      v.add({
        code: 'REPLICA_ENV',
        prop: 'source',
        value: `${sourceStack.node.path} -> ${stack.node.path}`,
        message: 'both stacks need a concrete account and Region to link the replica to its source by ARN',
        fix: 'give both stacks an env with account and region',
      });
    } else {
      v.check(stack.region === sourceStack.region, {
        code: 'REPLICA_SAME_REGION',
        prop: 'source',
        value: stack.region,
        message: 'the replica is in the same Region as its source, which does not survive a Region loss',
        fix: `put the replica in a stack of another Region than ${sourceStack.region} (in-Region standbys come with the Multi-AZ kinds)`,
      });
    }
    v.check(props.source.kind !== DatabaseKind.MULTI_AZ_INSTANCE, {
      code: 'REPLICA_SOURCE_KIND',
      prop: 'source',
      value: props.source.kind,
      message: 'a cross-Region read replica is for RDS DB instances',
      fix: 'use a Database of kind MULTI_AZ_INSTANCE, or a GlobalDatabase for Aurora',
    });
    v.check(props.source.physicalIdentifier === undefined, {
      code: 'REPLICA_SOURCE_IDENTIFIER',
      prop: 'source',
      value: props.source.node.path,
      message: 'the source has no physical identifier, so this Region cannot name it without a cross-Region reference',
      fix: "give the source Database identifier: 'my-db'",
    });
    if (props.source.physicalIdentifier !== undefined && !Token.isUnresolved(stack.region)) {
      validateIdentifier(v, 'identifier', props.identifier ?? `${props.source.physicalIdentifier}-${stack.region}`, 'REPLICA_IDENTIFIER');
    }
    validateIsolatedSubnets(v, props.vpc, 2, 'REPLICA_TOO_FEW_AZS', 'the replica must be able to fail over within its Region after promotion');
    v.duration('replicaLagThreshold', props.replicaLagThreshold, { code: 'REPLICA_ALARM', minSeconds: 1 });
    v.throwIfAny();

    const engine = props.source.engine;
    const port = props.source.endpoint.port;
    this.region = stack.region;
    this.sourceRegion = sourceStack.region;
    this.sourceArn = `arn:${sourceStack.partition}:rds:${sourceStack.region}:${sourceStack.account}:db:${props.source.physicalIdentifier}`;
    this.identifier = props.identifier ?? `${props.source.physicalIdentifier}-${stack.region}`;
    this.arn = `arn:${stack.partition}:rds:${stack.region}:${stack.account}:db:${this.identifier}`;

    this.encryptionKey = createDatabaseKey(this, `Read replica ${this.identifier}: storage and Performance Insights`);
    this.securityGroup = createDatabaseSecurityGroup(this, props.vpc);
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(port) });
    for (const peer of props.allowFrom ?? []) this.connections.allowDefaultPortFrom(peer);
    const subnetGroup = createIsolatedSubnetGroup(this, props.vpc);
    const monitoringRole = createMonitoringRole(this);

    const instanceType = props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.M6G, ec2.InstanceSize.LARGE);
    // A cross-Region replica starts with the engine's default parameter group: give it the
    // source's parameters, or the Region it fails over to runs differently.
    const parameterGroup = props.source.parameters
      ? new rds.ParameterGroup(this, 'Parameters', {
          engine: engine.instanceEngine(),
          description: `Parameters of ${this.identifier}, copied from its source`,
          parameters: props.source.parameters,
        })
      : undefined;
    this.instance = new rds.CfnDBInstance(this, 'Instance', {
      dbInstanceIdentifier: this.identifier,
      sourceDbInstanceIdentifier: this.sourceArn,
      sourceRegion: sourceStack.region,
      dbInstanceClass: `db.${instanceType.toString()}`,
      engine: engine.cfnEngine,
      multiAz: props.multiAz ?? false,
      // Encryption is inherited from the (encrypted) source; CloudFormation wants no
      // StorageEncrypted on a replica, only this Region's key.
      kmsKeyId: this.encryptionKey.keyArn,
      dbSubnetGroupName: subnetGroup.subnetGroupName,
      vpcSecurityGroups: [this.securityGroup.securityGroupId],
      port: String(port),
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      copyTagsToSnapshot: true,
      deletionProtection: props.deletionProtection ?? true,
      enablePerformanceInsights: true,
      performanceInsightsKmsKeyId: this.encryptionKey.keyArn,
      performanceInsightsRetentionPeriod: 7,
      monitoringInterval: 60,
      monitoringRoleArn: monitoringRole.roleArn,
      enableCloudwatchLogsExports: engine.logExports,
      enableIamDatabaseAuthentication: true,
      caCertificateIdentifier: 'rds-ca-rsa2048-g1',
      dbParameterGroupName: parameterGroup?.bindToInstance({}).parameterGroupName,
    });
    // CloudFormation ignores deletion policies on read replicas; deletion protection is
    // what keeps a (promoted) replica from being deleted with its stack.
    addStackDependency(stack, sourceStack, `read replica ${this.identifier} replicates from ${props.source.physicalIdentifier}`);
    props.source.replicateSecretTo(stack.region);

    if (!(props.multiAz ?? false)) {
      acknowledgeNagFinding(
        this.instance,
        'AwsSolutions-RDS3',
        'A pilot-light read replica runs single-AZ to keep the standby Region cheap; its source is Multi-AZ, and the runbook converts the replica to Multi-AZ after promotion (or set multiAz: true).',
      );
      addWarning(
        this,
        WarningId.NO_DATABASE_REPLICA,
        `Replica ${this.identifier} is single-AZ: after promotion it has no standby until it is modified to Multi-AZ. Set multiAz: true to pay for one in advance.`,
      );
    }
    if (port === engine.defaultPort) acknowledgeDefaultPort(this.instance);
    acknowledgeNagFinding(
      this.instance,
      'AwsSolutions-RDS2',
      "The replica inherits storage encryption from its encrypted source and is encrypted with this Region's KmsKeyId; CloudFormation rejects StorageEncrypted on replicas.",
    );

    this.endpoint = { hostname: this.instance.attrEndpointAddress, port };
    this.replicaLagAlarm = new cloudwatch.Alarm(this, 'ReplicaLagAlarm', {
      alarmDescription: `Read replica ${this.identifier} lags its source in ${sourceStack.region} (RPO exposure of a promotion).`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/RDS',
        metricName: 'ReplicaLag',
        dimensionsMap: { DBInstanceIdentifier: this.identifier },
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
      threshold: (props.replicaLagThreshold ?? Duration.seconds(60)).toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    if (props.alarmTopic) {
      const action = new cwActions.SnsAction(props.alarmTopic);
      this.replicaLagAlarm.addAlarmAction(action);
      this.replicaLagAlarm.addOkAction(action);
    }
  }
}
