import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from '../core/nag';
import {
  acknowledgeDefaultPort,
  auroraInstanceAzs,
  createDatabaseKey,
  createDatabaseSecurityGroup,
  createIsolatedSubnetGroup,
  createMonitoringRole,
} from './database-common';
import { DatabaseEndpoint } from './database';
import { DatabaseEngine, EngineFamily } from './database-engine';

/** Options for a secondary Region of a {@link GlobalDatabase}. */
export interface GlobalDatabaseSecondaryOptions {
  /** The VPC in the secondary Region; the cluster goes into its isolated subnets. */
  readonly vpc: ec2.IVpc;
  /**
   * A headless secondary has a cluster (storage replicating from the primary) and no
   * instances: the cheapest pilot light. Failover must add an instance first.
   * @default false
   */
  readonly headless?: boolean;
  /**
   * Readers besides the instance that becomes the writer on promotion.
   * @default 1
   */
  readonly readers?: number;
  /**
   * Instance class.
   * @default - the primary's instance class
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Peers allowed to connect on the database port.
   * @default - nobody
   */
  readonly allowFrom?: ec2.IConnectable[];
  /**
   * Alarm when `AuroraGlobalDBReplicationLag` exceeds this.
   * @default Duration.seconds(5)
   */
  readonly replicationLagThreshold?: Duration;
  /**
   * Topic the lag alarms notify.
   * @default - no action
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Not supported. A secondary inherits its users and passwords from the primary by
   * replication; giving it master credentials is what makes CloudFormation fail with
   * "Invalid master password" (aws-cdk #29880). Setting it is a synth error.
   * @default - none, and it must stay so
   */
  readonly masterUsername?: string;
}

/** Props for {@link GlobalDatabaseSecondary}: built by {@link GlobalDatabase.addSecondary}. */
export interface GlobalDatabaseSecondaryProps extends GlobalDatabaseSecondaryOptions {
  /** The global cluster identifier. */
  readonly globalClusterIdentifier: string;
  /** This cluster's identifier. */
  readonly clusterIdentifier: string;
  /** The engine, identical to the primary's. */
  readonly engine: DatabaseEngine;
  /** Instance class. */
  readonly instanceType: ec2.InstanceType;
  /** Port. */
  readonly port: number;
  /** Backup retention. */
  readonly backupRetention: Duration;
  /** Managed RPO for Aurora PostgreSQL (`rds.global_db_rpo`). */
  readonly managedRpo?: Duration;
  /** Deletion protection. */
  readonly deletionProtection: boolean;
  /** Removal policy. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * One secondary Region of an Aurora global database, built from the L1 because the
 * aws-cdk-lib `DatabaseCluster` cannot join a global database (aws-cdk #22212): a
 * cluster with `GlobalClusterIdentifier` and no master credentials, its own KMS key,
 * isolated subnets, and instances in distinct AZs (unless headless).
 */
export class GlobalDatabaseSecondary extends Construct implements ec2.IConnectable {
  /** The Region. */
  public readonly region: string;
  /** The cluster identifier (deterministic: `<global id>-<region>`). */
  public readonly clusterIdentifier: string;
  /** The cluster ARN (a plain string: usable from any Region's stack). */
  public readonly clusterArn: string;
  /** The cluster. */
  public readonly cluster: rds.CfnDBCluster;
  /** The instances; empty when headless. */
  public readonly instances: rds.CfnDBInstance[];
  /** Whether the secondary has no instances. */
  public readonly headless: boolean;
  /** This Region's KMS key. */
  public readonly encryptionKey: kms.Key;
  /** Security group. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Connections on the database port. */
  public readonly connections: ec2.Connections;
  /** Cluster (writer after promotion) endpoint. */
  public readonly endpoint: DatabaseEndpoint;
  /** Reader endpoint. */
  public readonly readerEndpoint: DatabaseEndpoint;
  /** Alarm on `AuroraGlobalDBReplicationLag`. */
  public readonly replicationLagAlarm: cloudwatch.Alarm;
  /** Alarm on `AuroraGlobalDBRPOLag` (Aurora PostgreSQL only). */
  public readonly rpoLagAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: GlobalDatabaseSecondaryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.region = stack.region;
    this.clusterIdentifier = props.clusterIdentifier;
    this.clusterArn = `arn:${stack.partition}:rds:${stack.region}:${stack.account}:cluster:${props.clusterIdentifier}`;
    this.headless = props.headless ?? false;

    this.encryptionKey = createDatabaseKey(this, `Global database ${props.globalClusterIdentifier}: ${stack.region} storage and Performance Insights`);
    this.securityGroup = createDatabaseSecurityGroup(this, props.vpc);
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(props.port) });
    for (const peer of props.allowFrom ?? []) this.connections.allowDefaultPortFrom(peer);
    const subnetGroup = createIsolatedSubnetGroup(this, props.vpc);
    const monitoringRole = createMonitoringRole(this);

    // The managed RPO (rds.global_db_rpo) is set on the primary only: with two Regions
    // AWS advises keeping the default on the secondary, or a failover could block commits.
    // TLS is required here as on the primary: parameter groups are per Region, and this cluster
    // becomes the writer after a failover.
    const parameterGroup = new rds.CfnDBClusterParameterGroup(this, 'ParameterGroup', {
      description: `Parameters of ${props.clusterIdentifier}: TLS required, as on the primary`,
      family: props.engine.parameterGroupFamily,
      parameters: props.engine.tlsParameters,
    });

    this.cluster = new rds.CfnDBCluster(this, 'Cluster', {
      globalClusterIdentifier: props.globalClusterIdentifier,
      dbClusterIdentifier: props.clusterIdentifier,
      engine: props.engine.cfnEngine,
      engineVersion: props.engine.version,
      // No MasterUsername / MasterUserPassword: the secondary inherits them.
      dbSubnetGroupName: subnetGroup.subnetGroupName,
      vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
      port: props.port,
      storageEncrypted: true,
      kmsKeyId: this.encryptionKey.keyArn,
      backupRetentionPeriod: props.backupRetention.toDays(),
      copyTagsToSnapshot: true,
      deletionProtection: props.deletionProtection,
      enableCloudwatchLogsExports: props.engine.logExports,
      enableIamDatabaseAuthentication: true,
      dbClusterParameterGroupName: parameterGroup.ref,
    });
    this.cluster.applyRemovalPolicy(props.removalPolicy);
    if (props.engine.family === EngineFamily.AURORA_MYSQL) {
      acknowledgeNagFinding(
        this.cluster,
        'AwsSolutions-RDS14',
        'Backtrack is not supported for clusters in an Aurora global database; recovery uses point-in-time restore and snapshots.',
      );
      if (props.port === props.engine.defaultPort) acknowledgeDefaultPort(this.cluster);
    }

    const readers = this.headless ? 0 : (props.readers ?? 1);
    const azs = this.headless ? [] : auroraInstanceAzs(azsOf(props.vpc), readers);
    this.instances = azs.map((az, i) => {
      const instance = new rds.CfnDBInstance(this, i === 0 ? 'Instance1' : `Instance${i + 1}`, {
        dbClusterIdentifier: this.cluster.ref,
        engine: props.engine.cfnEngine,
        dbInstanceClass: `db.${props.instanceType.toString()}`,
        availabilityZone: az,
        promotionTier: i,
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
      // The data lives in the cluster (and its snapshot); instances are compute.
      instance.applyRemovalPolicy(RemovalPolicy.DESTROY);
      return instance;
    });

    this.endpoint = { hostname: this.cluster.attrEndpointAddress, port: props.port };
    this.readerEndpoint = { hostname: this.cluster.attrReadEndpointAddress, port: props.port };

    const lag = (metricName: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: 'AWS/RDS',
        metricName,
        dimensionsMap: { DBClusterIdentifier: props.clusterIdentifier },
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
        unit: cloudwatch.Unit.MILLISECONDS,
      });
    const threshold = (props.replicationLagThreshold ?? Duration.seconds(5)).toMilliseconds();
    this.replicationLagAlarm = new cloudwatch.Alarm(this, 'ReplicationLagAlarm', {
      alarmDescription: `Global database ${props.globalClusterIdentifier}: storage replication lag to ${stack.region} (RPO exposure).`,
      metric: lag('AuroraGlobalDBReplicationLag'),
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      // No data means no replication (or a broken alarm): either way, page.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    if (props.engine.isPostgres) {
      this.rpoLagAlarm = new cloudwatch.Alarm(this, 'RpoLagAlarm', {
        alarmDescription: `Global database ${props.globalClusterIdentifier}: RPO lag of ${stack.region}.`,
        metric: lag('AuroraGlobalDBRPOLag'),
        threshold: props.managedRpo ? props.managedRpo.toMilliseconds() : threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    }
    if (props.alarmTopic) {
      const action = new cwActions.SnsAction(props.alarmTopic);
      for (const alarm of [this.replicationLagAlarm, this.rpoLagAlarm]) {
        alarm?.addAlarmAction(action);
        alarm?.addOkAction(action);
      }
    }
  }
}

function azsOf(vpc: ec2.IVpc): string[] {
  try {
    return [...new Set(vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).availabilityZones)];
  } catch {
    return [];
  }
}
