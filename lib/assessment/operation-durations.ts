import { AWS_FIGURES } from '../core/aws-figures';
import { TRAFFIC_GATE_DELAY_SECONDS } from '../routing/traffic-gate';

/**
 * Durations of the AWS operations a failover waits on, in seconds. The runbook simulator
 * (test/dr/simulator.ts) runs on exactly these (the typical or the worst-case table), and the
 * RTO model adds them up along the runbook's dependency graph, so the two cannot disagree on a
 * figure.
 */
export interface OperationDurations {
  /** Aurora global unplanned failover (FailoverGlobalCluster with AllowDataLoss). */
  readonly globalFailover: number;
  /** Aurora global planned switchover. */
  readonly globalSwitchover: number;
  /** RDS cross-Region read replica promotion (includes a reboot). */
  readonly replicaPromotion: number;
  /** A new Aurora instance (headless secondary) becoming available. */
  readonly instanceCreate: number;
  /** An instance launched by Auto Scaling becoming a healthy target. */
  readonly instanceToHealthy: number;
  /** A routing-control state change through the cluster endpoint. */
  readonly routingControlChange: number;
  /** A traffic gate write taking effect in Route 53 (alarm period + health checkers). */
  readonly trafficGate: number;
  /** The TTL resolvers keep a load balancer alias's answer for. */
  readonly dnsTtl: number;
  /** Latency of every other API call. */
  readonly apiLatency: number;
  /** The source's app tier draining before a promotion that leaves its database writable. */
  readonly sourceDrain: number;
}

/** One operation's duration: the typical case, the worst case the model holds a design to, and where both come from. */
export interface DurationRange {
  /** Seconds in the typical case: what a run usually takes. */
  readonly seconds: number;
  /** Seconds in the worst case the model plans for (AWS's pessimistic end, or a stated assumption). */
  readonly worstSeconds: number;
  /** Where the figures come from: an AWS document, a cdk-resilience assumption, or a measured drill. */
  readonly source: string;
}

const GLOBAL = AWS_FIGURES.auroraGlobalSecondaryPromotion;
const REPLICA = AWS_FIGURES.rdsCrossRegionReplicaPromotion;

/**
 * The durations, each typical and worst case, with its source: the one table the RTO model,
 * the tier table, the runbook simulator and the docs read. A target is met only when the
 * worst case meets it (lib/assessment/verdict.ts).
 */
export const OPERATION_DURATION_SOURCES: Record<keyof OperationDurations, DurationRange> = {
  globalFailover: { seconds: GLOBAL.typicalSeconds, worstSeconds: GLOBAL.seconds, source: `${GLOBAL.description}; ${GLOBAL.source}` },
  globalSwitchover: {
    seconds: 90,
    worstSeconds: GLOBAL.seconds + 120,
    source: `cdk-resilience assumption: a switchover first waits for the secondary to catch up, so it takes longer than a failover (typical 90 s; worst the failover's worst case, ${GLOBAL.seconds} s, plus 120 s of catching up); replace with a measured drill`,
  },
  replicaPromotion: { seconds: REPLICA.typicalSeconds, worstSeconds: REPLICA.seconds, source: `${REPLICA.description}; ${REPLICA.source}` },
  instanceCreate: {
    seconds: AWS_FIGURES.auroraFailoverWithoutReplica.seconds,
    worstSeconds: AWS_FIGURES.auroraFailoverWithoutReplica.seconds,
    source: `${AWS_FIGURES.auroraFailoverWithoutReplica.description}: AWS gives only the bound, so both cases use it; ${AWS_FIGURES.auroraFailoverWithoutReplica.source}`,
  },
  instanceToHealthy: {
    seconds: 180,
    worstSeconds: 300,
    source: 'cdk-resilience assumption: EC2 launch, boot and user data (about 120 s, worst 240 s) plus 2 ALB health checks at 30 s; replace with a measured drill',
  },
  routingControlChange: {
    seconds: 5,
    worstSeconds: 15,
    source: 'cdk-resilience assumption: one UpdateRoutingControlStates call to an ARC cluster endpoint; worst, the runbook tries each of the 5 Regional endpoints for 3 s (ARC_ENDPOINT_TIMEOUT_MS) and the last answers',
  },
  trafficGate: {
    seconds: TRAFFIC_GATE_DELAY_SECONDS,
    worstSeconds: TRAFFIC_GATE_DELAY_SECONDS + 90,
    source:
      "cdk-resilience assumption: the gate alarm's 60 s period (Route 53 reads standard-resolution alarms only, https://docs.aws.amazon.com/Route53/latest/APIReference/API_AlarmIdentifier.html) plus 30 s for Route 53 to read the alarm's data stream (no AWS figure); worst, one more period and one more read (90 s more); replace with a measured drill",
  },
  dnsTtl: { seconds: 60, worstSeconds: 60, source: 'the TTL of a load balancer alias (the ELB DNS name): https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html' },
  apiLatency: { seconds: 0.1, worstSeconds: 1, source: 'cdk-resilience assumption: one control-plane API call' },
  sourceDrain: {
    seconds: 30,
    worstSeconds: 30,
    source:
      "the web tier's default target-group deregistration delay (WebTier deregistrationDelay, 30 s): a scaled-in instance keeps its connections at most that long, https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#deregistration-delay",
  },
};

/** The durations in the typical case, in seconds: the runbook simulator's defaults. */
export const OPERATION_DURATIONS: OperationDurations = Object.fromEntries(Object.entries(OPERATION_DURATION_SOURCES).map(([k, v]) => [k, v.seconds])) as unknown as OperationDurations;

/** The durations in the worst case, in seconds. */
export const WORST_CASE_DURATIONS: OperationDurations = Object.fromEntries(Object.entries(OPERATION_DURATION_SOURCES).map(([k, v]) => [k, v.worstSeconds])) as unknown as OperationDurations;
