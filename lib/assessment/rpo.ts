import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AWS_FIGURES } from '../core/aws-figures';
import { DrStrategy } from '../dr/strategy';

/** The RPO a strategy can promise for a Region loss. */
export interface RpoEstimate {
  readonly strategy: string;
  readonly targetSeconds: number;
  readonly seconds: number;
  /** Whether the design bounds the loss (a managed RPO), or only reports it (a lag alarm, typical lag). */
  readonly bounded: boolean;
  readonly formula: string;
  readonly source: string;
}

/**
 * The data a Region loss can cost, from the strategy's data tier: an Aurora global database
 * loses its replication lag, bounded by the managed RPO when one is set; an RDS
 * cross-Region replica loses its lag, which its lag alarm reports at the threshold.
 */
export function estimateRpo(strategy: DrStrategy): RpoEstimate {
  const base = { strategy: strategy.strategyName, targetSeconds: strategy.objectives.rpo.toSeconds() };
  const g = strategy.globalDatabase;
  if (g) {
    if (g.managedRpo) {
      return {
        ...base,
        seconds: g.managedRpo.toSeconds(),
        bounded: true,
        formula: 'managed RPO (rds.global_db_rpo): Aurora blocks commits rather than let the secondary lag more',
        source: AWS_FIGURES.auroraPostgresManagedRpoMinimum.source,
      };
    }
    return {
      ...base,
      seconds: AWS_FIGURES.auroraGlobalReplicationLag.seconds,
      bounded: false,
      formula: 'typical storage-based replication lag; not bounded: set managedRpo (Aurora PostgreSQL) to bound it',
      source: AWS_FIGURES.auroraGlobalReplicationLag.source,
    };
  }
  const replica = strategy.replica!;
  const alarm = replica.replicaLagAlarm.node.defaultChild as cloudwatch.CfnAlarm;
  const threshold = Stack.of(replica).resolve(alarm.threshold) as number;
  return {
    ...base,
    seconds: threshold,
    bounded: false,
    formula: 'asynchronous replica: the lag at which its ReplicaLag alarm fires; not bounded',
    source: AWS_FIGURES.rdsCrossRegionReplicaPromotion.source,
  };
}
