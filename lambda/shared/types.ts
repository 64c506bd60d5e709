/**
 * Types shared by the runbook handlers and by lib/dr (which renders RunbookConfig into
 * each handler's environment). No aws-cdk-lib imports here: this runs in Lambda.
 */

/** What an operator asks a runbook to do. */
export interface RunbookRequest {
  /** `failover`/`failback` move the workload to this runbook's Region; `plan` only reports. */
  readonly action: 'failover' | 'failback' | 'plan';
  /**
   * `planned`: a switchover with no data loss; needs a healthy primary.
   * `unplanned`: a failover that may lose the replication lag; needs `allowDataLoss: true`.
   */
  readonly mode: 'planned' | 'unplanned';
  /** Required for `unplanned`: the operator accepts losing up to the replication lag. */
  readonly allowDataLoss?: boolean;
  /** Idempotency key: the execution is named after it; a retried request starts nothing new. */
  readonly requestId: string;
  /** Why (kept in the execution input and the notification). */
  readonly reason: string;
}

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

/** What every step returns. */
export interface StepResult {
  readonly step: string;
  readonly startedAt: string;
  readonly endedAt: string;
  /** What the step did, in words, for the timeline and the failure report. */
  readonly actions: string[];
}

/** A Region as preflight sees it. */
export interface RegionState {
  readonly region: string;
  /** The Region answered its APIs. */
  readonly reachable: boolean;
  /** Healthy targets behind the Region's load balancer (undefined when unreachable). */
  readonly healthyTargets?: number;
  /** The Region serves (reachable and enough healthy targets). */
  readonly healthy: boolean;
  /** The Region holds the database writer. */
  readonly writer: boolean;
  /** Desired capacity of the Region's group. */
  readonly desiredCapacity?: number;
  /** Routing-control state, when routing controls are used. */
  readonly routingControl?: 'On' | 'Off';
}

/** The plan preflight computes. */
export interface Plan extends StepResult {
  readonly source: RegionState;
  readonly target: RegionState;
  /** Replication lag into the target, seconds (undefined when unknown). */
  readonly replicationLagSeconds?: number;
  /** Data the operation may lose: 0 for planned, up to the lag for unplanned. */
  readonly dataLossRiskSeconds?: number;
  /** What the runbook will do, in order. */
  readonly steps: string[];
  /** The workload already runs in the target Region: nothing to do. */
  readonly alreadyDone: boolean;
  /** Why the request as given would be refused (plan mode reports it instead of failing). */
  readonly refusal?: { readonly code: string; readonly message: string };
}
