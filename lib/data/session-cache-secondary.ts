import { Duration, Names, RemovalPolicy, SecretValue, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeCustomResourceProvider, acknowledgeNagFinding } from '../core/nag';
import { Validator } from '../core/validation';
import { addWarning, WarningId } from '../core/warnings';
import { isolatedAzs } from './database-common';
import type { CacheEndpoint } from './session-cache';

/*
 * The secondary Region of a SessionCache global datastore, and the building blocks both
 * Regions share (key, security group, subnet group, node placement, alarms). They live
 * here so that session-cache.ts depends on this file and not the other way round.
 */

/** The default port of Valkey and Redis OSS. */
export const CACHE_DEFAULT_PORT = 6379;

/** Alarm thresholds of a session cache (primary or secondary Region). */
export interface SessionCacheAlarmThresholds {
  /**
   * Alarm when `EngineCPUUtilization` (the engine thread) of any node of a shard is above
   * this percentage for 3 of 5 minutes.
   * @default 90
   */
  readonly engineCpuPercent?: number;
  /**
   * Alarm when `DatabaseMemoryUsagePercentage` of any node of a shard is above this
   * percentage for 3 of 5 minutes.
   * @default 80
   */
  readonly memoryPercent?: number;
  /**
   * Alarm when any node of a shard evicts more than this many keys in a minute. Every
   * eviction of a session key logs a user out, so the default alarms on the first one.
   * @default 0
   */
  readonly evictionsPerMinute?: number;
  /**
   * Alarm when `ReplicationLag` of any replica of a shard is above this for 3 of 5 minutes.
   * @default Duration.seconds(5)
   */
  readonly replicationLag?: Duration;
}

/** The CloudWatch alarms of one Region of a session cache, one alarm per shard and concern. */
export interface SessionCacheAlarms {
  /** `EngineCPUUtilization`, the maximum over the nodes of each shard. */
  readonly engineCpu: cloudwatch.Alarm[];
  /** `DatabaseMemoryUsagePercentage`, the maximum over the nodes of each shard. */
  readonly memory: cloudwatch.Alarm[];
  /** `Evictions`, the maximum over the nodes of each shard. */
  readonly evictions: cloudwatch.Alarm[];
  /** `ReplicationLag` of the replicas of each shard, in this Region. */
  readonly replicationLag: cloudwatch.Alarm[];
  /** `GlobalDatastoreReplicationLag` of each shard (secondary Region only, else empty). */
  readonly globalReplicationLag: cloudwatch.Alarm[];
}

/** Every alarm of a {@link SessionCacheAlarms}, flattened. */
export function allCacheAlarms(alarms: SessionCacheAlarms): cloudwatch.Alarm[] {
  return [...alarms.engineCpu, ...alarms.memory, ...alarms.evictions, ...alarms.replicationLag, ...alarms.globalReplicationLag];
}

/** A customer-managed key (rotation on, retained on delete) for one Region's cache. */
export function createCacheKey(scope: Construct, description: string): kms.Key {
  return new kms.Key(scope, 'Key', { description, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
}

/** A security group that admits nobody until the owner allows a peer, with no egress. */
export function createCacheSecurityGroup(scope: Construct, vpc: ec2.IVpc): ec2.SecurityGroup {
  return new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc,
    description: 'Session cache: admits only the callers the owner allows',
    allowAllOutbound: false,
  });
}

/** A cache subnet group of the VPC's isolated subnets (in the given AZs, when given). */
export function createCacheSubnetGroup(scope: Construct, vpc: ec2.IVpc, availabilityZones?: string[]): elasticache.CfnSubnetGroup {
  const subnets = vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED, availabilityZones });
  return new elasticache.CfnSubnetGroup(scope, 'SubnetGroup', {
    description: `Session cache ${scope.node.path}: isolated subnets, one per AZ`,
    subnetIds: subnets.subnetIds,
  });
}

/**
 * Validate the AZs a cache can use: the VPC's isolated subnets (or the requested subset
 * of them), at least two distinct AZs so every replica can live outside its primary's AZ.
 * Returns the AZs to place nodes in (empty when they cannot be known at synth).
 */
export function validateCacheAzs(v: Validator, vpc: ec2.IVpc, requested: string[] | undefined, prefix = ''): string[] {
  const vpcAzs = isolatedAzs(vpc);
  if (vpcAzs === undefined) {
    v.add({
      code: 'CACHE_TOO_FEW_AZS',
      prop: `${prefix}vpc`,
      value: 'no isolated subnets',
      message: 'the cache runs in isolated subnets only, and the VPC has none',
      fix: 'use a VPC with PRIVATE_ISOLATED subnets in each AZ (MultiAzVpc builds them)',
    });
    return [];
  }
  let azs = vpcAzs;
  if (requested !== undefined && !Token.isUnresolved(requested)) {
    const known = !vpcAzs.some((az) => Token.isUnresolved(az));
    const missing = known ? requested.filter((az) => !vpcAzs.includes(az)) : [];
    v.check(missing.length > 0, {
      code: 'CACHE_AZ_NOT_IN_VPC',
      prop: `${prefix}availabilityZones`,
      value: missing,
      message: `are not AZs of the VPC's isolated subnets (${vpcAzs.join(', ')})`,
      fix: "list only AZs where the VPC has an isolated subnet, or drop availabilityZones to use all of them",
    });
    azs = [...new Set(requested)];
  }
  if (azs.some((az) => Token.isUnresolved(az))) return [];
  v.check(azs.length < 2, {
    code: 'CACHE_TOO_FEW_AZS',
    prop: requested !== undefined ? `${prefix}availabilityZones` : `${prefix}vpc`,
    value: azs,
    message: 'a replica in the same AZ as its primary dies with it: the cache needs isolated subnets in at least 2 AZs',
    fix: 'use a VPC (or availabilityZones) with isolated subnets in 3 AZs, or at least 2',
  });
  return azs;
}

/** Where the nodes of one shard go: the primary's AZ and one AZ per replica. */
export interface ShardPlacement {
  /** AZ of the primary node. */
  readonly primary: string;
  /** AZs of the replicas, each different from the primary's. */
  readonly replicas: string[];
}

/**
 * Place the nodes of every shard: primaries rotate over the AZs, and each replica goes to
 * an AZ other than its primary's, rotating so replicas spread too. Undefined when the AZs
 * are not known at synth (ElastiCache then chooses).
 */
export function placeNodes(azs: string[], shards: number, replicas: number): ShardPlacement[] | undefined {
  if (azs.length < 2 || azs.some((az) => Token.isUnresolved(az))) return undefined;
  return Array.from({ length: shards }, (_, s) => {
    const primary = azs[s % azs.length];
    const others = azs.filter((az) => az !== primary);
    return { primary, replicas: Array.from({ length: replicas }, (_, r) => others[(s + r) % others.length]) };
  });
}

/**
 * The cache cluster ids of the nodes of one shard, as ElastiCache names a replication
 * group's member clusters: `<group>-00N` with cluster mode disabled, `<group>-000S-00N`
 * with cluster mode enabled. The CloudWatch metrics of each node carry it as `CacheClusterId`.
 */
export function memberClusterIds(replicationGroupId: string, clusterMode: boolean, shard: number, nodes: number): string[] {
  const pad = (n: number, width: number): string => String(n).padStart(width, '0');
  return Array.from({ length: nodes }, (_, i) =>
    clusterMode ? `${replicationGroupId}-${pad(shard, 4)}-${pad(i + 1, 3)}` : `${replicationGroupId}-${pad(i + 1, 3)}`,
  );
}

/** What {@link buildCacheAlarms} needs to know. */
export interface CacheAlarmSettings {
  /** The replication group id (may be a token of the same stack). */
  readonly replicationGroupId: string;
  /** Whether cluster mode is enabled (it decides the member cluster ids). */
  readonly clusterMode: boolean;
  /** Number of shards. */
  readonly shards: number;
  /** Nodes per shard (primary and replicas). */
  readonly nodesPerShard: number;
  /**
   * Thresholds.
   * @default - engine CPU 90%, memory 80%, any eviction, replica lag 5 s
   */
  readonly thresholds?: SessionCacheAlarmThresholds;
  /**
   * Topic notified on ALARM and OK.
   * @default - no action
   */
  readonly topic?: sns.ITopic;
  /** How the alarms name the cache, e.g. `Session cache Primary/Sessions (us-east-1)`. */
  readonly label: string;
  /**
   * In a global datastore secondary: alarm on `GlobalDatastoreReplicationLag` above this.
   * @default - no such alarm (primary Region)
   */
  readonly globalReplicationLag?: Duration;
}

/**
 * One alarm per shard and concern, each on the maximum over the shard's nodes (metric
 * math `MAX([...])`, at most 6 metrics, well within CloudWatch's limit per alarm). The
 * maximum follows a failover: whichever node is primary or replica, the worst one alarms.
 */
export function buildCacheAlarms(scope: Construct, s: CacheAlarmSettings): SessionCacheAlarms {
  const t = s.thresholds ?? {};
  const alarms: SessionCacheAlarms = { engineCpu: [], memory: [], evictions: [], replicationLag: [], globalReplicationLag: [] };
  const action = s.topic ? new cwActions.SnsAction(s.topic) : undefined;
  for (let shard = 1; shard <= s.shards; shard++) {
    const nodes = memberClusterIds(s.replicationGroupId, s.clusterMode, shard, s.nodesPerShard);
    const where = s.shards > 1 ? `${s.label}, shard ${String(shard).padStart(4, '0')}` : s.label;
    const suffix = s.shards > 1 ? `Shard${String(shard).padStart(4, '0')}` : '';
    const maxOver = (metricName: string, statistic: string, label: string): cloudwatch.MathExpression => {
      const usingMetrics: Record<string, cloudwatch.IMetric> = {};
      nodes.forEach((node, i) => {
        usingMetrics[`n${i + 1}`] = new cloudwatch.Metric({
          namespace: 'AWS/ElastiCache',
          metricName,
          dimensionsMap: { CacheClusterId: node },
          statistic,
          period: Duration.minutes(1),
        });
      });
      return new cloudwatch.MathExpression({
        expression: `MAX([${Object.keys(usingMetrics).join(', ')}])`,
        usingMetrics,
        label,
        period: Duration.minutes(1),
      });
    };
    const alarm = (
      id: string,
      metric: cloudwatch.MathExpression,
      threshold: number,
      description: string,
      evaluation: { periods: number; datapoints: number },
      missing: cloudwatch.TreatMissingData,
    ): cloudwatch.Alarm => {
      const a = new cloudwatch.Alarm(scope, `${id}${suffix}`, {
        alarmDescription: `${where}: ${description}`,
        metric,
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: evaluation.periods,
        datapointsToAlarm: evaluation.datapoints,
        treatMissingData: missing,
      });
      if (action) {
        a.addAlarmAction(action);
        a.addOkAction(action);
      }
      return a;
    };
    const sustained = { periods: 5, datapoints: 3 };
    const cpu = t.engineCpuPercent ?? 90;
    alarms.engineCpu.push(
      alarm('EngineCpuAlarm', maxOver('EngineCPUUtilization', cloudwatch.Stats.MAXIMUM, 'Engine CPU % (max over nodes)'), cpu,
        `engine thread CPU above ${cpu}% (scale up or out before requests queue)`, sustained, cloudwatch.TreatMissingData.NOT_BREACHING),
    );
    const memory = t.memoryPercent ?? 80;
    alarms.memory.push(
      alarm('MemoryAlarm', maxOver('DatabaseMemoryUsagePercentage', cloudwatch.Stats.MAXIMUM, 'Memory used % (max over nodes)'), memory,
        `memory use above ${memory}% (evictions, and so lost sessions, come next)`, sustained, cloudwatch.TreatMissingData.NOT_BREACHING),
    );
    const evictions = t.evictionsPerMinute ?? 0;
    alarms.evictions.push(
      alarm('EvictionsAlarm', maxOver('Evictions', cloudwatch.Stats.SUM, 'Evictions per minute (max over nodes)'), evictions,
        `more than ${evictions} evictions in a minute: sessions are being dropped for memory`, { periods: 1, datapoints: 1 }, cloudwatch.TreatMissingData.NOT_BREACHING),
    );
    const lag = (t.replicationLag ?? Duration.seconds(5)).toMilliseconds() / 1000;
    alarms.replicationLag.push(
      alarm('ReplicationLagAlarm', maxOver('ReplicationLag', cloudwatch.Stats.MAXIMUM, 'Replica lag s (max over replicas)'), lag,
        `a replica lags its primary by more than ${lag} s: a failover now would lose those writes`, sustained, cloudwatch.TreatMissingData.NOT_BREACHING),
    );
    if (s.globalReplicationLag !== undefined) {
      const global = s.globalReplicationLag.toMilliseconds() / 1000;
      alarms.globalReplicationLag.push(
        alarm('GlobalReplicationLagAlarm', maxOver('GlobalDatastoreReplicationLag', cloudwatch.Stats.MAXIMUM, 'Cross-Region lag s (max over nodes)'), global,
          `cross-Region replication lags the primary Region by more than ${global} s (RPO exposure); no data means no replication, or this Region was promoted`,
          sustained, cloudwatch.TreatMissingData.BREACHING),
      );
    }
  }
  return alarms;
}

/** Acknowledge cdk-nag's default-port finding (AEC5) on one replication group, with the reason. */
export function acknowledgeCacheDefaultPort(scope: IConstruct): void {
  acknowledgeNagFinding(
    scope,
    'AwsSolutions-AEC5',
    'A non-default port is obscurity, not a control: the security group admits only the callers the owner allows, and every client must authenticate over TLS.',
  );
}

/** A physical id derived from the construct path: lowercase letters, digits and hyphens, starting with a letter. */
export function cachePhysicalId(scope: IConstruct, suffix: string, maxLength = 40): string {
  const raw = Names.uniqueResourceName(scope, { maxLength: Math.max(8, maxLength - suffix.length - 1), separator: '-' });
  let id = raw.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(id)) id = `c${id}`.slice(0, Math.max(8, maxLength - suffix.length - 1));
  return suffix ? `${id}-${suffix}` : id;
}

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
