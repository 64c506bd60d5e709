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
  /**
   * AZs for the instances a headless secondary gets at failover: the writer in the first,
   * a reader in the second, so the new writer survives the loss of an AZ.
   * @default - one instance, in an AZ Aurora picks
   */
  readonly availabilityZones?: string[];
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

/**
 * Where the runbook observes that traffic moved: two TXT records per Region, answered by the
 * zone's authoritative name servers, that Route 53 itself selects with that Region's record
 * health check (`serving` while it passes, `withdrawn` otherwise). Querying them is a DNS
 * (data-plane) read; the name servers are published at deploy, because GetHostedZone is a
 * Route 53 control-plane call (us-east-1).
 */
export interface DnsObservation {
  /** The zone's authoritative name servers (host names). */
  readonly nameServers: string[];
  /** Per Region, the status record's name (`_status.<region>.<record>`). */
  readonly statusRecords: Record<string, string>;
  /**
   * Per Region, the fence record's name (`_fence.<region>.<record>`): `open` or `closed` as
   * Route 53 reads the Region's traffic gates, whatever its endpoint. A status record says
   * `withdrawn` for a Region that is down, fenced or not; this says whether the fence holds.
   */
  readonly fenceRecords?: Record<string, string>;
  /** The TTL resolvers keep the answer of the public record for, in seconds. */
  readonly ttlSeconds: number;
}

/**
 * The traffic gates of health-check mode: for every Region X, one CloudWatch alarm in each
 * Region Y (`alarms[X][Y]`), on the metric `metricName` {Strategy, Region: X} that runbooks
 * write in Y (namespace per strategy). X's record is healthy only while both of X's gates are
 * (and, except for a failover SECONDARY, its endpoint check). Route 53 reads a gate's data
 * stream and keeps the last status it determined when the stream goes silent, so one write
 * holds: through the holding Region's outage and after it. Closing a gate needs only the
 * Region that holds it, so a runbook closes the Region it leaves in that Region when it
 * answers and in its own Region otherwise.
 */
export interface TrafficGates {
  readonly namespace: string;
  readonly metricName: string;
  /** `alarms[gatedRegion][holdingRegion]`: the gate's alarm. */
  readonly alarms: Record<string, Record<string, GateAlarm>>;
  /**
   * Seconds from a gate write to Route 53 answering on it: the alarm's period (standard
   * resolution, 60 s) plus the health checkers reading the alarm's data stream.
   */
  readonly delaySeconds: number;
}

/** One gate: an alarm in the holding Region. Never written, a gate is open. */
export interface GateAlarm {
  readonly alarmName: string;
}

/** Seconds Route 53 may take to answer on a routing-control change, when the configuration gives none. */
export const ROUTING_CONTROL_SETTLE_SECONDS = 10;

/**
 * Resolvers count a TTL in whole seconds: one that got the old answer a moment before Route 53
 * changed it, within the second the runbook saw the change, may serve it until the end of the
 * second one TTL later. The runbook waits one second more than the TTL (the property test found
 * a success reported 60.8 s after the change it saw, with a resolver still holding the old
 * answer), and the RTO model counts the same second.
 */
export const DNS_TTL_MARGIN_SECONDS = 1;

/** How traffic moves. */
export type TrafficConfig =
  | {
      /** Route 53 ARC routing controls: flipped through the cluster's data plane. */
      readonly kind: 'routing-control';
      readonly controls: Record<string, string>;
      /** SSM parameter (name and Region) holding the cluster endpoints (JSON), read at run time. */
      readonly endpointsParameter: { readonly name: string; readonly region: string };
      /** Seconds from a routing-control change to Route 53 answering on it. */
      readonly delaySeconds?: number;
      /** Where the switch is observed besides the control state. */
      readonly dns?: DnsObservation;
    }
  | {
      /** Route 53 health checks gated by alarms the runbook writes (see TrafficGates). */
      readonly kind: 'health-check';
      /** Interval x threshold of a Region's endpoint health check. */
      readonly detectionSeconds: number;
      readonly gates: TrafficGates;
      readonly dns: DnsObservation;
    };

/**
 * The lock that lets one runbook of a strategy run at a time, whichever its direction: an
 * item in a DynamoDB global table with a replica in both Regions, written with a condition in
 * the runbook's own Region (so it never needs the other one).
 */
export interface RunbookLock {
  readonly tableName: string;
  /** A holder that stops renewing loses the lock after this many seconds. */
  readonly leaseSeconds: number;
}

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
  /**
   * How long Verify waits for traffic, the writer and healthy targets to be seen on the
   * target before the run fails with what it saw.
   * @default 900
   */
  readonly verifyTimeoutSeconds?: number;
  /**
   * How long the compute reconciler waits for the target's healthy targets before it fails
   * with the group's latest scaling activity.
   * @default 1800
   */
  readonly computeTimeoutSeconds?: number;
  /**
   * How long the database reconciler may take (instances of a headless secondary, Aurora
   * refusing, the fence, the replica catching up, the operation itself) before it fails with
   * what it last saw: a bound below the state machine's own, so the failure is reported.
   * @default 2400
   */
  readonly databaseTimeoutSeconds?: number;
  /** The lock shared with the runbook of the other direction. */
  readonly lock: RunbookLock;
}

