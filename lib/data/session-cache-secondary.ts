import { Duration, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeCustomResourceProvider, acknowledgeNagFinding } from '../core/nag';
import { Validator } from '../core/validation';
import { addWarning, WarningId } from '../core/warnings';

import {
  acknowledgeCacheDefaultPort,
  buildCacheAlarms,
  CACHE_DEFAULT_PORT,
  type CacheEndpoint,
  createCacheKey,
  createCacheSecurityGroup,
  createCacheSubnetGroup,
  placeNodes,
  type SessionCacheAlarms,
  type SessionCacheAlarmThresholds,
  validateCacheAzs,
} from './session-cache-common';

/* The secondary Region of a SessionCache global datastore. */
/** Options for the secondary Region of a {@link SessionCache} global datastore. */
export interface SessionCacheSecondaryOptions {
  /** The VPC in the secondary Region; the cache goes into its isolated subnets. */
  readonly vpc: ec2.IVpc;
  /**
   * AZs to use, a subset of the VPC's isolated-subnet AZs (at least 2).
   * @default - every AZ of the VPC's isolated subnets
   */
  readonly availabilityZones?: string[];
  /**
   * Replicas per shard in the secondary Region, 1-5, each in another AZ than its primary.
   * A global datastore allows each Region its own replica count.
   * @default - the primary's replicas per shard
   */
  readonly replicasPerShard?: number;
  /**
   * Peers allowed to connect on the cache port in the secondary Region.
   * @default - nobody
   */
  readonly allowFrom?: ec2.IConnectable[];
  /**
   * Customer-managed key for the secondary's storage.
   * @default - a new key in the secondary Region, rotation on, retained on delete
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * A topic in the secondary Region that the secondary's alarms notify.
   * @default - no action (the construct warns)
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Alarm when `GlobalDatastoreReplicationLag` (cross-Region) is above this for 3 of 5 minutes.
   * @default Duration.seconds(5)
   */
  readonly globalReplicationLagThreshold?: Duration;
  /**
   * Thresholds of the secondary's in-Region alarms (CPU, memory, evictions, replica lag).
   * @default - the primary's thresholds
   */
  readonly alarms?: SessionCacheAlarmThresholds;
}

/** Props for {@link SessionCacheSecondary}: built by `SessionCache.addSecondary`. */
export interface SessionCacheSecondaryProps extends SessionCacheSecondaryOptions {
  /** The primary Region (where the global datastore id is published). */
  readonly primaryRegion: string;
  /** Name of the SSM parameter in the primary Region that holds the global datastore id. */
  readonly globalIdParameterName: string;
  /** Whether cluster mode is enabled (inherited from the primary). */
  readonly clusterMode: boolean;
  /** Number of shards (inherited from the primary). */
  readonly shards: number;
  /** Port, the primary's. */
  readonly port: number;
  /** Name of the AUTH token secret, replicated to this Region by the primary. */
  readonly authTokenSecretName: string;
  /** Automatic snapshot retention, in days. */
  readonly snapshotRetentionDays: number;
  /** Daily snapshot window, UTC. */
  readonly snapshotWindow: string;
  /** Weekly maintenance window, UTC. */
  readonly maintenanceWindow: string;
  /** Removal policy. */
  readonly removalPolicy: RemovalPolicy;
  /** Replicas per shard, resolved. */
  readonly replicas: number;
}

/**
 * The secondary Region of a {@link SessionCache} global datastore: a replication group in
 * this stack's Region that joins the global datastore created in the primary stack.
 *
 * The global datastore id carries a Region-specific prefix that ElastiCache chooses, so it
 * is not known at synth: the primary publishes it in an SSM parameter with a deterministic
 * name, and this construct reads it across Regions with an AwsCustomResource whose IAM
 * policy allows `ssm:GetParameter` on that one parameter ARN. No cross-Region reference.
 *
 * What the secondary inherits from the primary (engine, version, node type, shard count,
 * parameter group, encryption in transit and at rest) is left out of its template: AWS
 * rejects those properties on a secondary. It has its own KMS key, subnets, security
 * group, AZ placement, snapshots and alarms, and authenticates with the primary's AUTH
 * token, whose secret the primary replicates to this Region.
 */
export class SessionCacheSecondary extends Construct implements ec2.IConnectable {
  /** The Region. */
  public readonly region: string;
  /** The replication group (L1). */
  public readonly replicationGroup: elasticache.CfnReplicationGroup;
  /** Its id (a token of this stack). */
  public readonly replicationGroupId: string;
  /** The global datastore id, read from the primary Region at deploy time (a token). */
  public readonly globalReplicationGroupId: string;
  /** The custom resource that reads the global datastore id from SSM in the primary Region. */
  public readonly globalIdLookup: cr.AwsCustomResource;
  /** Primary (cluster mode disabled) or configuration (cluster mode enabled) endpoint; read-only until promoted. */
  public readonly endpoint: CacheEndpoint;
  /** Reader endpoint (cluster mode disabled only). */
  public readonly readerEndpoint?: CacheEndpoint;
  /** Port. */
  public readonly port: number;
  /** The AUTH token secret, as replicated to this Region (key `password`). */
  public readonly secret: secretsmanager.ISecret;
  /** This Region's KMS key. */
  public readonly encryptionKey: kms.IKey;
  /** Security group. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Connections on the cache port. */
  public readonly connections: ec2.Connections;
  /** Subnet group. */
  public readonly subnetGroup: elasticache.CfnSubnetGroup;
  /** The AZs the nodes are placed in (empty when ElastiCache chooses). */
  public readonly availabilityZones: string[];
  /** Alarms, including `GlobalDatastoreReplicationLag`. */
  public readonly alarms: SessionCacheAlarms;

  constructor(scope: Construct, id: string, props: SessionCacheSecondaryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.region = stack.region;
    this.port = props.port;

    const v = new Validator(this);
    const azs = validateCacheAzs(v, props.vpc, props.availabilityZones);
    v.throwIfAny();
    this.availabilityZones = azs;

    this.encryptionKey = props.encryptionKey ?? createCacheKey(this, `Session cache ${this.node.path}: storage (global datastore secondary)`);
    this.securityGroup = createCacheSecurityGroup(this, props.vpc);
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(props.port) });
    for (const peer of props.allowFrom ?? []) this.connections.allowDefaultPortFrom(peer);
    this.subnetGroup = createCacheSubnetGroup(this, props.vpc, props.availabilityZones);

    const parameterArn = `arn:${stack.partition}:ssm:${props.primaryRegion}:${stack.account}:parameter${props.globalIdParameterName}`;
    const getParameter: cr.AwsSdkCall = {
      service: 'SSM',
      action: 'GetParameter',
      region: props.primaryRegion,
      parameters: { Name: props.globalIdParameterName },
      physicalResourceId: cr.PhysicalResourceId.of(props.globalIdParameterName),
      outputPaths: ['Parameter.Value'],
    };
    this.globalIdLookup = new cr.AwsCustomResource(this, 'GlobalIdLookup', {
      onCreate: getParameter,
      onUpdate: getParameter,
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [parameterArn] })]),
    });
    acknowledgeCustomResourceProvider(stack);
    this.globalReplicationGroupId = this.globalIdLookup.getResponseField('Parameter.Value');

    this.secret = secretsmanager.Secret.fromSecretNameV2(this, 'Secret', props.authTokenSecretName);
    const placement = placeNodes(azs, 1, props.replicas);
    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupDescription: `Session cache ${this.node.path} (global datastore secondary)`,
      globalReplicationGroupId: this.globalReplicationGroupId,
      // Inherited from the primary and rejected here: Engine, EngineVersion, CacheNodeType,
      // NumNodeGroups, CacheParameterGroupName, TransitEncryptionEnabled, AtRestEncryptionEnabled.
      multiAzEnabled: true,
      automaticFailoverEnabled: true,
      ...(props.clusterMode
        ? { replicasPerNodeGroup: props.replicas }
        : { numCacheClusters: props.replicas + 1, preferredCacheClusterAZs: placement ? [placement[0].primary, ...placement[0].replicas] : undefined }),
      kmsKeyId: this.encryptionKey.keyArn,
      authToken: SecretValue.secretsManager(props.authTokenSecretName, { jsonField: 'password' }).unsafeUnwrap(),
      cacheSubnetGroupName: this.subnetGroup.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      port: props.port,
      snapshotRetentionLimit: props.snapshotRetentionDays,
      snapshotWindow: props.snapshotWindow,
      preferredMaintenanceWindow: props.maintenanceWindow,
      autoMinorVersionUpgrade: true,
    });
    this.replicationGroup.applyRemovalPolicy(props.removalPolicy);
    this.replicationGroupId = this.replicationGroup.ref;
    acknowledgeNagFinding(
      this.replicationGroup,
      'AwsSolutions-AEC3',
      'Encryption in transit and at rest are inherited from the global datastore primary, which enables both; AWS rejects TransitEncryptionEnabled and AtRestEncryptionEnabled on a secondary.',
    );
    // The secondary carries no Engine (inherited), so AEC5 treats any 6379 as the Redis default.
    if (props.port === CACHE_DEFAULT_PORT) acknowledgeCacheDefaultPort(this.replicationGroup);

    if (props.clusterMode) {
      this.endpoint = { hostname: this.replicationGroup.attrConfigurationEndPointAddress, port: props.port };
    } else {
      this.endpoint = { hostname: this.replicationGroup.attrPrimaryEndPointAddress, port: props.port };
      this.readerEndpoint = { hostname: this.replicationGroup.attrReaderEndPointAddress, port: props.port };
    }

    this.alarms = buildCacheAlarms(this, {
      replicationGroupId: this.replicationGroupId,
      clusterMode: props.clusterMode,
      shards: props.shards,
      nodesPerShard: props.replicas + 1,
      thresholds: props.alarms,
      topic: props.alarmTopic,
      label: `Session cache ${this.node.path} (${stack.region}, global datastore secondary)`,
      globalReplicationLag: props.globalReplicationLagThreshold ?? Duration.seconds(5),
    });
    if (!props.alarmTopic) {
      addWarning(this, WarningId.ALARMS_WITHOUT_ACTIONS, "The session cache secondary's alarms notify nobody: pass alarmTopic (a topic in the secondary Region).");
    }
  }

  /** Allow a peer to connect on the cache port. */
  public allowConnectionsFrom(peer: ec2.IConnectable): void {
    this.connections.allowDefaultPortFrom(peer);
  }
}
