/**
 * Sourced AWS recovery figures: the one place the runbook simulator, the assessment
 * model and the docs read them from. Where AWS gives a range, `seconds` is the
 * pessimistic end and `typicalSeconds` the optimistic one.
 */
export interface RecoveryFigure {
  /** What the figure measures. */
  readonly description: string;
  /** The value the model uses: the pessimistic end of AWS's range. */
  readonly seconds: number;
  /** The typical or optimistic value, where AWS gives one. */
  readonly typicalSeconds?: number;
  /** Where the figure comes from: an AWS document, or a measured drill. */
  readonly source: string;
}

/** The figures, keyed by operation. */
export const AWS_FIGURES = {
  rdsMultiAzInstanceFailover: {
    description: 'RDS Multi-AZ DB instance failover to the standby',
    seconds: 120,
    typicalSeconds: 60,
    source: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Failover.html',
  },
  rdsMultiAzClusterFailover: {
    description: 'RDS Multi-AZ DB cluster failover to a readable standby (typically under 35 s)',
    seconds: 35,
    source: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverDBCluster.html',
  },
  auroraFailoverWithReplica: {
    description: 'Aurora in-Region failover to a replica (under 60 s, often under 30 s)',
    seconds: 60,
    typicalSeconds: 30,
    source: 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html',
  },
  auroraFailoverWithoutReplica: {
    description: 'Aurora in-Region recovery with no replica: a new writer is created (under 10 min)',
    seconds: 600,
    source: 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html',
  },
  auroraGlobalReplicationLag: {
    description: 'Aurora global database storage-based replication lag (typically under 1 s)',
    seconds: 1,
    source: 'Disaster Recovery of Workloads on AWS (whitepaper)',
  },
  auroraGlobalSecondaryPromotion: {
    description:
      'Aurora global database secondary promotion: under 1 minute per AWS; one public full-Region failover measurement took about 8 minutes, which the model uses',
    seconds: 480,
    typicalSeconds: 60,
    source: 'Disaster Recovery of Workloads on AWS (whitepaper); https://github.com/keycloak/keycloak-benchmark/issues/445',
  },
  auroraPostgresManagedRpoMinimum: {
    description: 'Minimum value of the Aurora PostgreSQL managed RPO (rds.global_db_rpo)',
    seconds: 20,
    source: 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html',
  },
  rdsCrossRegionReplicaPromotion: {
    description: 'RDS cross-Region read replica promotion ("a few minutes", includes a reboot); the model uses 10 minutes',
    seconds: 600,
    typicalSeconds: 180,
    source: 'Disaster Recovery of Workloads on AWS (whitepaper)',
  },
  pointInTimeRestoreLag: {
    description: 'RDS and Aurora point-in-time restore: the latest restorable time is typically within the last 5 minutes (transaction logs are uploaded every 5 minutes)',
    seconds: 300,
    source: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIT.html',
  },
} as const satisfies Record<string, RecoveryFigure>;

/** A figure by key. */
export type AwsFigureKey = keyof typeof AWS_FIGURES;
