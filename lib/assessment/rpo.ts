import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AWS_FIGURES } from '../core/aws-figures';
import { CrossRegionReadReplica } from '../data/cross-region-read-replica';
import { GlobalDatabase } from '../data/global-database';
import { DrStrategy } from '../dr/strategy';
import { rpoVerdict, Verdict } from './verdict';

/** The RPO a strategy can promise for a Region loss. */
export interface RpoEstimate {
  readonly strategy: string;
  readonly targetSeconds: number;
  readonly seconds: number;
  /** Whether the design bounds the loss (a managed RPO), or only reports it (a lag alarm, typical lag). */
  readonly bounded: boolean;
  /** Met only when a bound meets the target; unbounded when only a typical figure does. */
  readonly verdict: Verdict;
  readonly formula: string;
  readonly source: string;
}

/** The data one failure can cost a tier: a bound or a typical figure, with its formula and source. */
export interface DataLoss {
  readonly seconds: number;
  /** Whether the design bounds the loss (synchronous writes, a managed RPO), or only reports it. */
  readonly bounded: boolean;
  readonly formula: string;
  readonly source: string;
}

/**
 * The data losing the primary Region costs an Aurora global database: its replication
 * lag, bounded by the managed RPO when one is set.
 */
export function globalDatabaseRegionLoss(g: GlobalDatabase): DataLoss {
  if (g.managedRpo) {
    return {
      seconds: g.managedRpo.toSeconds(),
      bounded: true,
      formula: 'managed RPO (rds.global_db_rpo): Aurora blocks commits rather than let the secondary lag more',
      source: AWS_FIGURES.auroraPostgresManagedRpoMinimum.source,
    };
  }
  return {
    seconds: AWS_FIGURES.auroraGlobalReplicationLag.seconds,
    bounded: false,
    formula: 'typical storage-based replication lag; not bounded: set managedRpo (Aurora PostgreSQL) to bound it',
    source: AWS_FIGURES.auroraGlobalReplicationLag.source,
  };
}

/** The data losing the source Region costs an RDS cross-Region replica: the lag its alarm fires at. */
export function replicaRegionLoss(replica: CrossRegionReadReplica): DataLoss {
  const alarm = replica.replicaLagAlarm.node.defaultChild as cloudwatch.CfnAlarm;
  const threshold = Stack.of(replica).resolve(alarm.threshold) as number;
  return {
    seconds: threshold,
    bounded: false,
    formula: 'asynchronous replica: the lag at which its ReplicaLag alarm fires; not bounded',
    source: AWS_FIGURES.rdsCrossRegionReplicaPromotion.source,
  };
}

/**
 * The data a Region loss can cost, from the strategy's data tier: an Aurora global database
 * loses its replication lag, bounded by the managed RPO when one is set; an RDS
 * cross-Region replica loses its lag, which its lag alarm reports at the threshold.
 */
export function estimateRpo(strategy: DrStrategy): RpoEstimate {
  const loss = strategy.globalDatabase ? globalDatabaseRegionLoss(strategy.globalDatabase) : replicaRegionLoss(strategy.replica!);
  const targetSeconds = strategy.objectives.rpo.toSeconds();
  return { strategy: strategy.strategyName, targetSeconds, ...loss, verdict: rpoVerdict(loss.seconds, loss.bounded, targetSeconds) };
}
