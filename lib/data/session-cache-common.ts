import { Duration, Names, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeNagFinding } from '../core/nag';
import { Validator } from '../core/validation';
import { isolatedAzs } from './database-common';

/*
 * What both Regions of a SessionCache share: the endpoint shape, key, security group,
 * subnet group, AZ validation, node placement, alarms and physical ids. session-cache.ts
 * and session-cache-secondary.ts both import this file; it imports neither.
 */

/** A host and port to connect to. */
export interface CacheEndpoint {
  /** Host name. */
  readonly hostname: string;
  /** Port. */
  readonly port: number;
}

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
