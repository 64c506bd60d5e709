import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IConstruct } from 'constructs';
import { Experiment } from '../chaos/experiment';
import { AWS_FIGURES, RecoveryFigure } from '../core/aws-figures';
import { CrossRegionReadReplica } from '../data/cross-region-read-replica';
import { ResilientBackup } from '../data/backup';
import { Database, DatabaseKind } from '../data/database';
import { GlobalDatabase } from '../data/global-database';
import { GlobalTable } from '../data/global-table';
import { ReplicatedBucket } from '../data/replicated-bucket';
import { SessionCache } from '../data/session-cache';
import { SessionCacheSecondary } from '../data/session-cache-secondary';
import { WebTier } from '../tiers/web-tier';
import { longestCronGapSeconds } from './cron';
import { OPERATION_DURATION_SOURCES } from './operation-durations';
import { DataLoss, globalDatabaseRegionLoss, replicaRegionLoss } from './rpo';
import { type EstimateTerm, worstOf } from './rto';

/** What one tier can promise for the failure it is built to survive. */
export interface TierEstimate {
  /** The tier's construct path. */
  readonly path: string;
  readonly tier: 'web' | 'database' | 'global-database' | 'replica' | 'backup' | 'global-table' | 'session-cache' | 'replicated-bucket';
  /** The failure the figures are for. */
  readonly failure: string;
  /**
   * Time to serve again, typical and worst case (the operation durations' two tables, or AWS's
   * range), by term; absent when the model cannot estimate it (say why in `note`).
   */
  readonly rto?: { readonly seconds: number; readonly worstSeconds: number; readonly terms: EstimateTerm[] };
  /** Data the failure can cost; absent for a stateless tier. */
  readonly rpo?: DataLoss;
  /** What the model leaves out for this tier. */
  readonly note?: string;
  /** FIS experiments that break this tier (by construct path), from the chaos scenarios. */
  readonly experiments: string[];
}

/** A tier's figures, before experiments are attributed. */
export type TierFigures = Omit<TierEstimate, 'experiments'>;

/** Options of {@link estimateTiers}. */
export interface TierEstimateOptions {
  /**
   * Time for a backup job and its cross-Region copy to complete, added to the interval
   * between backups in a backup-only RPO. Measure it: the `CompletionDate - CreationDate`
   * of your copy jobs (`aws backup list-copy-jobs`).
   * @default BACKUP_AND_COPY_ASSUMPTION (1 hour)
   */
  readonly backupAndCopy?: Duration;
}

/** AWS Backup's default start window: a job may start up to 8 hours after its scheduled time. */
export const AWS_BACKUP_DEFAULT_START_WINDOW_SECONDS = 8 * 3600;

/** The default time a backup and its cross-Region copy take, until a measured figure replaces it. */
export const BACKUP_AND_COPY_ASSUMPTION = {
  seconds: 3600,
  source: 'cdk-resilience assumption: one backup job and its cross-Region copy; replace with your copy jobs\' measured duration',
} as const;

const ALB_TARGET_HEALTH_SOURCE = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html';
const MULTI_AZ_SOURCES: Record<DatabaseKind, { readonly formula: string; readonly source: string }> = {
  [DatabaseKind.MULTI_AZ_INSTANCE]: {
    formula: 'synchronous standby: a commit is written in both AZs before it is acknowledged',
    source: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html',
  },
  [DatabaseKind.MULTI_AZ_CLUSTER]: {
    formula: 'semi-synchronous: a commit is acknowledged once one readable standby has it',
    source: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/multi-az-db-clusters-concepts.html',
  },
  [DatabaseKind.AURORA]: {
    formula: 'shared storage: a write is durable on 4 of 6 copies across 3 AZs before it is acknowledged',
    source: 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Overview.StorageReliability.html',
  },
};

/**
 * Estimates per tier, for every tier under `scope` (not only those inside a DR strategy):
 * a web tier losing an AZ, a database losing its writer, a global database or replica
 * losing its Region, a backup plan restoring after a Region loss.
 */
export function estimateTiers(scope: IConstruct, options: TierEstimateOptions = {}): TierEstimate[] {
  const out: TierFigures[] = [];
  const all = scope.node.findAll();
  const experiments = all.filter((c): c is Experiment => c instanceof Experiment);
  for (const c of all) {
    if (c instanceof WebTier) out.push(webTierEstimate(c));
    else if (c instanceof Database) out.push(databaseEstimate(c));
    else if (c instanceof GlobalDatabase) out.push(globalDatabaseEstimate(c));
    else if (c instanceof CrossRegionReadReplica) out.push(replicaEstimate(c));
    else if (c instanceof ResilientBackup) out.push(...backupEstimates(c, options));
    else if (c instanceof GlobalTable) out.push(globalTableEstimate(c));
    else if (c instanceof SessionCache) out.push(sessionCacheEstimate(c));
    else if (c instanceof SessionCacheSecondary) out.push(sessionCacheSecondaryEstimate(c));
    else if (c instanceof ReplicatedBucket) out.push(replicatedBucketEstimate(c));
  }
  return out.map((t) => ({ ...t, experiments: experiments.filter((e) => e.tiers.some((x) => x.node.path === t.path)).map((e) => e.node.path) }));
}

/**
 * A web tier losing one AZ: the load balancer stops sending to the lost targets once their
 * health checks fail; a tier sized to survive the loss (static stability) needs nothing
 * else, one that is not waits for Auto Scaling to launch replacements in the other AZs.
 */
export function webTierEstimate(web: WebTier): TierFigures {
  const tg = web.targetGroup.node.defaultChild as elbv2.CfnTargetGroup;
  const stack = Stack.of(web);
  const interval = stack.resolve(tg.healthCheckIntervalSeconds) as number;
  const threshold = stack.resolve(tg.unhealthyThresholdCount) as number;
  const plan = web.capacityPlan;
  const stable = plan.survivesAzLoss;
  const terms: EstimateTerm[] = [
    {
      name: 'detection',
      seconds: interval * threshold,
      formula: `target health check: interval ${interval} s x unhealthy threshold ${threshold}`,
      source: ALB_TARGET_HEALTH_SOURCE,
    },
    {
      name: 'capacity',
      seconds: stable ? 0 : OPERATION_DURATION_SOURCES.instanceToHealthy.seconds,
      worstSeconds: stable ? 0 : OPERATION_DURATION_SOURCES.instanceToHealthy.worstSeconds,
      formula: stable
        ? `statically stable: the other ${plan.azCount - 1} AZs keep ${plan.afterAzLoss} instances, at least the ${plan.declaredMin} declared`
        : `after the loss ${plan.afterAzLoss} of ${plan.declaredMin} instances remain: Auto Scaling must launch replacements (set reserveForAzLoss)`,
      source: stable ? 'WebTier.capacityPlan' : OPERATION_DURATION_SOURCES.instanceToHealthy.source,
    },
  ];
  const note = plan.running < plan.groupMin ? `standby: runs ${plan.running} instance(s) until a failover scales it to ${plan.groupMin}; the figures are for after that` : undefined;
  return { path: web.node.path, tier: 'web', failure: 'loss of one AZ', rto: total(terms), note };
}

/** A database losing its writer (or the writer's AZ): the managed in-Region failover. */
export function databaseEstimate(db: Database): TierFigures {
  const sync = MULTI_AZ_SOURCES[db.kind];
  return {
    path: db.node.path,
    tier: 'database',
    failure: 'loss of the writer instance or its AZ',
    rto: total([figureTerm(db.failover, `${db.failover.description} (detection included)`)]),
    rpo: { seconds: 0, bounded: true, formula: sync.formula, source: sync.source },
  };
}

/** An Aurora global database losing its primary Region: promotion of a secondary, unplanned. */
export function globalDatabaseEstimate(g: GlobalDatabase): TierFigures {
  const f = OPERATION_DURATION_SOURCES.globalFailover;
  return {
    path: g.node.path,
    tier: 'global-database',
    failure: 'loss of the primary Region',
    rto: total([{ name: 'failover', seconds: f.seconds, worstSeconds: f.worstSeconds, formula: 'unplanned promotion of a secondary (FailoverGlobalCluster)', source: f.source }]),
    rpo: globalDatabaseRegionLoss(g),
    note: 'the database alone: detection, the decision and moving traffic are in the strategy estimate',
  };
}

/** An RDS cross-Region replica losing its source Region: promotion. */
export function replicaEstimate(r: CrossRegionReadReplica): TierFigures {
  return {
    path: r.node.path,
    tier: 'replica',
    failure: 'loss of the source Region',
    rto: total([figureTerm(r.promotion)]),
    rpo: replicaRegionLoss(r),
    note: 'the database alone: detection, the decision and moving traffic are in the strategy estimate',
  };
}

/** A global table losing a Region: every other replica is already writable; writes not yet replicated are lost. */
export function globalTableEstimate(t: GlobalTable): TierFigures {
  const f = AWS_FIGURES.dynamoGlobalTableReplication;
  return {
    path: t.node.path,
    tier: 'global-table',
    failure: 'loss of a Region',
    rto: total([{ name: 'failover', seconds: 0, formula: 'every replica is writable: nothing to promote; traffic moves with the strategy', source: f.source }]),
    rpo: { seconds: f.seconds, bounded: false, formula: `${f.description}; the ReplicationLatency alarm reports more`, source: f.source },
  };
}

/**
 * A session cache losing its primary node or its AZ: automatic failover to a replica;
 * replication to replicas is asynchronous, so writes it had not copied are lost (its
 * replication-lag alarm threshold says how many seconds that can be).
 */
export function sessionCacheEstimate(c: SessionCache): TierFigures {
  const lag = c.alarms.replicationLag[0];
  const threshold = lag ? (Stack.of(c).resolve((lag.node.defaultChild as cloudwatch.CfnAlarm).threshold) as number) : undefined;
  return {
    path: c.node.path,
    tier: 'session-cache',
    failure: 'loss of the primary node or its AZ',
    rto: total([figureTerm(c.failover)]),
    rpo:
      threshold === undefined
        ? undefined
        : { seconds: threshold, bounded: false, formula: 'asynchronous replication to the replicas: the lag at which its ReplicationLag alarm fires; not bounded', source: c.failover.source },
  };
}

/** A global datastore's secondary losing the primary Region: promotion (manual), losing the replication lag. */
export function sessionCacheSecondaryEstimate(c: SessionCacheSecondary): TierFigures {
  const promotion = AWS_FIGURES.elasticacheGlobalPromotion;
  const lag = AWS_FIGURES.elasticacheGlobalReplicationLag;
  return {
    path: c.node.path,
    tier: 'session-cache',
    failure: 'loss of the primary Region (promote this secondary)',
    rto: total([figureTerm(promotion)]),
    rpo: { seconds: lag.seconds, bounded: false, formula: lag.description, source: lag.source },
    note: 'the cache alone; a person or a runbook starts the promotion',
  };
}

/**
 * A replicated bucket losing its Region: the replica is readable in place; with S3 RTC,
 * 99.99 % of objects were there within 15 minutes of being written.
 */
export function replicatedBucketEstimate(b: ReplicatedBucket): TierFigures {
  const rtc = AWS_FIGURES.s3ReplicationTimeControl;
  return {
    path: b.node.path,
    tier: 'replicated-bucket',
    failure: `loss of the source Region (read the replica in ${b.destinationRegion})`,
    rto: total([{ name: 'failover', seconds: 0, formula: 'the replica bucket is readable in place; the application switches to it with its Region', source: rtc.source }]),
    rpo: b.replicationTimeControl
      ? { seconds: rtc.seconds, bounded: true, formula: `${rtc.description}; the 0.01 % tail is not bounded`, source: rtc.source }
      : { seconds: 172_800, bounded: false, formula: 'replication without RTC: most objects within 15 minutes, some up to 48 hours', source: 'https://repost.aws/knowledge-center/s3-crr-replication-time' },
  };
}

/**
 * A backup plan's RPO. With a cross-Region copy: after a Region loss the newest recovery
 * point in the other Region is at worst the longest interval between backups plus the time
 * a backup and its copy take. Without one: a Region loss loses the backups too. With
 * continuous backup, an in-Region point-in-time restore (after corruption or a bad
 * deletion) loses at most the point-in-time lag.
 */
export function backupEstimates(b: ResilientBackup, options: TierEstimateOptions = {}): TierFigures[] {
  const path = b.node.path;
  const note = 'restore time depends on the data size; measure it with a restore drill';
  const out: TierFigures[] = [];
  if (b.continuousBackup) {
    const f = AWS_FIGURES.pointInTimeRestoreLag;
    out.push({
      path,
      tier: 'backup',
      failure: 'data corruption or deletion (point-in-time restore in this Region)',
      rpo: { seconds: f.seconds, bounded: true, formula: f.description, source: f.source },
      note,
    });
  }
  if (!b.copyTargetRegion) {
    out.push({ path, tier: 'backup', failure: 'loss of the Region', note: 'no cross-Region copy: the backups are lost with the Region (pass copyTo)' });
    return out;
  }
  const failure = `loss of the Region (restore from the copy in ${b.copyTargetRegion})`;
  const expressions = b.rules.map((r) => r.schedule.expressionString);
  const gap = longestCronGapSeconds(expressions);
  if (gap === undefined) {
    out.push({ path, tier: 'backup', failure, note: `schedules ${expressions.join(', ')} are not evaluated by the model; ${note}` });
    return out;
  }
  const copy = options.backupAndCopy?.toSeconds() ?? BACKUP_AND_COPY_ASSUMPTION.seconds;
  // A job may start up to its start window after the scheduled time (the rules set none: AWS Backup's default).
  const startWindow = AWS_BACKUP_DEFAULT_START_WINDOW_SECONDS;
  out.push({
    path,
    tier: 'backup',
    failure,
    rpo: {
      seconds: gap + startWindow + copy,
      bounded: true,
      formula: `longest interval between backups ${gap} s (${expressions.join(', ')}) + start window ${startWindow} s (AWS Backup's default) + backup and copy ${copy} s`,
      source: `https://docs.aws.amazon.com/aws-backup/latest/devguide/cross-region-backup.html; https://docs.aws.amazon.com/aws-backup/latest/devguide/creating-a-backup-plan.html (start window, default 8 hours); ${options.backupAndCopy ? 'backup and copy time given' : BACKUP_AND_COPY_ASSUMPTION.source}`,
    },
    note,
  });
  return out;
}

function total(terms: EstimateTerm[]): { seconds: number; worstSeconds: number; terms: EstimateTerm[] } {
  return { seconds: terms.reduce((s, t) => s + t.seconds, 0), worstSeconds: terms.reduce((s, t) => s + worstOf(t), 0), terms };
}

/** A failover term from an AWS figure: its typical value (where AWS gives one) and its pessimistic end. */
function figureTerm(f: RecoveryFigure, formula = f.description): EstimateTerm {
  return { name: 'failover', seconds: f.typicalSeconds ?? f.seconds, worstSeconds: f.seconds, formula, source: f.source };
}
