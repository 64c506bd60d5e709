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
      'Aurora global database secondary promotion: under 1 minute per AWS (the model\'s typical case); one public full-Region failover measurement took about 8 minutes (its worst case)',
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
  dynamoGlobalTableReplication: {
    description: 'DynamoDB global table replication (multi-Region eventual consistency): asynchronous, typically within a second; last writer wins',
    seconds: 1,
    source: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html',
  },
  s3ReplicationTimeControl: {
    description: 'S3 Replication Time Control: 99.99 % of new objects replicated within 15 minutes (backed by an SLA)',
    seconds: 900,
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html',
  },
  elasticacheMultiAzFailover: {
    description:
      'ElastiCache (Valkey, Redis OSS) Multi-AZ automatic failover: the replica with the least lag is promoted and the primary endpoint follows; AWS documents writes resuming "typically just a few minutes" later, which the model reads as 5 minutes',
    seconds: 300,
    source: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/AutoFailover.html; https://github.com/awsdocs/amazon-elasticache-docs/blob/master/doc_source/AutoFailover.md',
  },
  elasticacheGlobalReplicationLag: {
    description: 'ElastiCache global datastore cross-Region replication (asynchronous): RPO generally under 1 second',
    seconds: 1,
    source: 'https://disaster-recovery.workshop.aws/en/services/databases/elasticache/global-datastore.html',
  },
  elasticacheGlobalPromotion: {
    description: 'ElastiCache global datastore: promoting a secondary Region to primary (manual, no cross-Region auto-failover), RTO about 1 minute',
    seconds: 60,
    source:
      'https://disaster-recovery.workshop.aws/en/services/databases/elasticache/global-datastore.html; https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastores-Getting-Started.html',
  },
} as const satisfies Record<string, RecoveryFigure>;

/** A figure by key. */
export type AwsFigureKey = keyof typeof AWS_FIGURES;
