/**
 * The runbook's configuration: what lib/dr renders into each handler's RUNBOOK_CONFIG
 * environment variable at deploy, and what the handlers read. Pure TypeScript, shared by
 * lib/, lambda/ and cli/ (see ../shared/DESIGN.md, "Layout").
 */

/** Desired capacity of an Auto Scaling group. */
export interface Capacity {
  readonly min: number;
  readonly max: number;
  readonly desired: number;
}

/** One Region's compute. */
export interface ComputeConfig {
  readonly region: string;
  readonly asgName: string;
  /**
   * Target group whose healthy targets prove the Region serves. Without it (the other
   * Region's group, whose ARN is not known by name), the group's instances' ELB health
   * as Auto Scaling reports it is used.
   */
  readonly targetGroupArn?: string;
  /** Capacity when the Region serves the whole workload. */
  readonly full: Capacity;
  /** Capacity while the Region stands by (0 for pilot light). */
  readonly standby: Capacity;
  /** Healthy targets that count as ready. */
  readonly requiredHealthy: number;
}

/** One Region's Aurora cluster in a global database. */
export interface AuroraRegionConfig {
  readonly identifier: string;
  readonly arn: string;
  readonly headless: boolean;
  /** Instance class to add when the cluster is headless. */
  readonly instanceClass: string;
  readonly engine: string;
}

/** An Aurora global database. */
export interface AuroraGlobalConfig {
  readonly kind: 'aurora-global';
  readonly globalClusterIdentifier: string;
  readonly clusters: Record<string, AuroraRegionConfig>;
}

/** An RDS instance and its cross-Region read replica. */
export interface RdsReplicaConfig {
  readonly kind: 'rds-replica';
  readonly source: { readonly region: string; readonly identifier: string; readonly arn: string };
  readonly replica: { readonly region: string; readonly identifier: string; readonly arn: string };
}

/** An Aurora MySQL cluster and its cross-Region replica cluster (binlog replication). */
export interface AuroraReplicaConfig {
  readonly kind: 'aurora-replica';
  readonly source: { readonly region: string; readonly identifier: string; readonly arn: string };
  readonly replica: { readonly region: string; readonly identifier: string; readonly arn: string };
}

/** How traffic moves. */
export type TrafficConfig =
  | {
      /** Route 53 ARC routing controls: flipped through the cluster's data plane. */
      readonly kind: 'routing-control';
      readonly controls: Record<string, string>;
      /** SSM parameter (name and Region) holding the cluster endpoints (JSON), read at run time. */
      readonly endpointsParameter: { readonly name: string; readonly region: string };
    }
  | {
      /** Route 53 health checks: fencing the source makes its health check fail. */
      readonly kind: 'health-check';
      /** Interval x threshold of the source's health check, waited after fencing. */
      readonly detectionSeconds: number;
    };

/** Everything a runbook needs, rendered into each handler's RUNBOOK_CONFIG at deploy. */
export interface RunbookConfig {
  readonly strategy: 'pilot-light' | 'warm-standby' | 'active-active';
  /** The strategy's name (metrics dimension, messages). */
  readonly name: string;
  /** Which way this runbook moves the workload: the request's action must match. */
  readonly direction: 'failover' | 'failback';
  /** The Region this runbook moves the workload to (and runs in). */
  readonly targetRegion: string;
  /** The Region the workload moves away from. */
  readonly sourceRegion: string;
  readonly database: AuroraGlobalConfig | RdsReplicaConfig | AuroraReplicaConfig;
  readonly compute: { readonly source: ComputeConfig; readonly target: ComputeConfig };
  readonly traffic: TrafficConfig;
  /** A planned switchover refuses to start above this replication lag. */
  readonly maxPlannedLagSeconds: number;
  /** SNS topic for the outcome. */
  readonly notifyTopicArn?: string;
  /** The strategy's declared RTO, for the timeline's target marker. */
  readonly rtoSeconds?: number;
  /** CloudWatch namespace of the timeline metrics. */
  readonly metricsNamespace: string;
  /** Bound of each best-effort call to the source Region, in ms. */
  readonly sourceCallTimeoutMs: number;
}

