import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
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
import { EngineFamily } from './database-engine';
import { addStackDependency } from '../core/stack-dependency';

/** The binlog formats that let an Aurora MySQL cluster feed a cross-Region replica. */
export const REPLICATION_BINLOG_FORMATS = ['ROW', 'MIXED', 'STATEMENT'];

/** Props for {@link CrossRegionReplicaCluster}. */
export interface CrossRegionReplicaClusterProps {
  /**
   * The source: an Aurora MySQL {@link Database} with an `identifier` and binary logging
   * on (`parameters: { binlog_format: 'ROW' }`), in another Region's stack of the app.
   */
  readonly source: Database;
  /** The VPC in this Region; the cluster goes into its isolated subnets. */
  readonly vpc: ec2.IVpc;
  /**
   * Instance class of the replica cluster's instance.
   * @default db.r6g.large
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Physical identifier of the replica cluster.
   * @default `<source identifier>-<this region>`
   */
  readonly identifier?: string;
  /**
   * Peers allowed to connect on the database port.
   * @default - nobody
   */
  readonly allowFrom?: ec2.IConnectable[];
  /**
   * Alarm when `AuroraBinlogReplicaLag` exceeds this.
   * @default Duration.seconds(60)
   */
  readonly replicaLagThreshold?: Duration;
  /**
   * Topic the lag alarm notifies.
   * @default - no action
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * An Aurora MySQL cross-Region replica cluster (binary-log replication), for a pilot
 * light on Aurora MySQL when a global database is not wanted. Promotion
 * (`PromoteReadReplicaDBCluster`, a runbook step) makes it a standalone writer.
 *
 * Aurora PostgreSQL has no such replica: use a {@link GlobalDatabase}, whose storage-level
 * replication is also faster (lag typically under 1 s) than binlog replication.
 */
export class CrossRegionReplicaCluster extends Construct implements ec2.IConnectable {
  /** The replica cluster. */
  public readonly cluster: rds.CfnDBCluster;
  /** Its instance. */
  public readonly instance: rds.CfnDBInstance;
  /** The replica cluster's identifier. */
  public readonly identifier: string;
  /** Its ARN (a plain string). */
  public readonly arn: string;
  /** The source cluster's ARN (a plain string). */
  public readonly sourceArn: string;
  /** This Region. */
  public readonly region: string;
  /** The source Region. */
  public readonly sourceRegion: string;
  /** This Region's key. */
  public readonly encryptionKey: kms.Key;
  /** Security group. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Connections on the database port. */
  public readonly connections: ec2.Connections;
  /** The cluster endpoint. */
  public readonly endpoint: DatabaseEndpoint;
  /** Alarm on `AuroraBinlogReplicaLag`. */
  public readonly replicaLagAlarm: cloudwatch.Alarm;
  /** The promotion figure, with its source. */
  public readonly promotion: RecoveryFigure = AWS_FIGURES.rdsCrossRegionReplicaPromotion;

  constructor(scope: Construct, id: string, props: CrossRegionReplicaClusterProps) {
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
        fix: `put the replica in a stack of another Region than ${sourceStack.region} (in-Region readers come with Aurora)`,
      });
    }
    v.check(props.source.kind !== DatabaseKind.AURORA || props.source.engine.family !== EngineFamily.AURORA_MYSQL, {
      code: 'REPLICA_SOURCE_KIND',
      prop: 'source',
      value: `${props.source.kind} ${props.source.engine.toString()}`,
      message: 'cross-Region replica clusters replicate Aurora MySQL binary logs; other engines have none',
      fix: 'use a GlobalDatabase (any Aurora engine) or, for RDS instances, a CrossRegionReadReplica',
    });
    v.check(props.source.physicalIdentifier === undefined, {
      code: 'REPLICA_SOURCE_IDENTIFIER',
      prop: 'source',
      value: props.source.node.path,
      message: 'the source has no physical identifier, so this Region cannot name it without a cross-Region reference',
      fix: "give the source Database identifier: 'my-db'",
    });
    const binlog = props.source.parameters?.binlog_format;
    v.check(!REPLICATION_BINLOG_FORMATS.includes((binlog ?? '').toUpperCase()), {
      code: 'REPLICA_BINLOG',
      prop: 'source',
      value: binlog ?? 'binlog_format not set',
      message: 'the source cluster writes no binary log, so a replica cluster has nothing to replicate',
      fix: "give the source Database parameters: { binlog_format: 'ROW' }",
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
    this.sourceArn = `arn:${sourceStack.partition}:rds:${sourceStack.region}:${sourceStack.account}:cluster:${props.source.physicalIdentifier}`;
    this.identifier = props.identifier ?? `${props.source.physicalIdentifier}-${stack.region}`;
    this.arn = `arn:${stack.partition}:rds:${stack.region}:${stack.account}:cluster:${this.identifier}`;

    this.encryptionKey = createDatabaseKey(this, `Replica cluster ${this.identifier}: storage and Performance Insights`);
    this.securityGroup = createDatabaseSecurityGroup(this, props.vpc);
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(port) });
    for (const peer of props.allowFrom ?? []) this.connections.allowDefaultPortFrom(peer);
    const subnetGroup = createIsolatedSubnetGroup(this, props.vpc);
    const monitoringRole = createMonitoringRole(this);

    // The source's parameters (TLS required among them): parameter groups are per Region, and
    // this cluster becomes the writer when it is promoted.
    const parameterGroup = new rds.CfnDBClusterParameterGroup(this, 'ParameterGroup', {
      description: `Parameters of ${this.identifier}, copied from its source`,
      family: engine.parameterGroupFamily,
      parameters: props.source.parameters,
    });
    this.cluster = new rds.CfnDBCluster(this, 'Cluster', {
      dbClusterIdentifier: this.identifier,
      dbClusterParameterGroupName: parameterGroup.ref,
      engine: engine.cfnEngine,
      engineVersion: engine.version,
      replicationSourceIdentifier: this.sourceArn,
      sourceRegion: sourceStack.region,
      // No master credentials: the replica replicates the source's users.
      storageEncrypted: true,
      kmsKeyId: this.encryptionKey.keyArn,
      dbSubnetGroupName: subnetGroup.subnetGroupName,
      vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
      port,
      backupRetentionPeriod: 7,
      copyTagsToSnapshot: true,
      deletionProtection: true,
      enableCloudwatchLogsExports: engine.logExports,
      enableIamDatabaseAuthentication: true,
    });
    this.cluster.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
    this.instance = new rds.CfnDBInstance(this, 'Instance', {
      dbClusterIdentifier: this.cluster.ref,
      engine: engine.cfnEngine,
      dbInstanceClass: `db.${(props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE)).toString()}`,
      autoMinorVersionUpgrade: true,
      enablePerformanceInsights: true,
      performanceInsightsKmsKeyId: this.encryptionKey.keyArn,
      performanceInsightsRetentionPeriod: 7,
      monitoringInterval: 60,
      monitoringRoleArn: monitoringRole.roleArn,
      publiclyAccessible: false,
      caCertificateIdentifier: 'rds-ca-rsa2048-g1',
      dbSubnetGroupName: subnetGroup.subnetGroupName,
    });
    this.instance.applyRemovalPolicy(RemovalPolicy.DESTROY);
    acknowledgeNagFinding(
      this.cluster,
      'AwsSolutions-RDS14',
      'Backtrack is not available to binlog replica clusters; recovery uses point-in-time restore and snapshots.',
    );
    if (port === engine.defaultPort) acknowledgeDefaultPort(this.cluster);
    addStackDependency(stack, sourceStack, `replica cluster ${this.identifier} replicates from ${props.source.physicalIdentifier}`);
    props.source.replicateSecretTo(stack.region);

    this.endpoint = { hostname: this.cluster.attrEndpointAddress, port };
    this.replicaLagAlarm = new cloudwatch.Alarm(this, 'ReplicaLagAlarm', {
      alarmDescription: `Replica cluster ${this.identifier} lags its source in ${sourceStack.region} (RPO exposure of a promotion).`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/RDS',
        metricName: 'AuroraBinlogReplicaLag',
        dimensionsMap: { DBClusterIdentifier: this.identifier },
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
