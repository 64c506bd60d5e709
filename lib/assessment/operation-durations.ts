import { AWS_FIGURES } from '../core/aws-figures';
import { TRAFFIC_GATE_DELAY_SECONDS } from '../routing/traffic-gate';

/**
 * Durations of the AWS operations a failover waits on, in seconds. The runbook simulator
 * (test/dr/simulator.ts) runs on exactly these, and the RTO model adds them up along the
 * runbook's dependency graph, so the two cannot disagree on a figure.
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

/** The durations, each with its source. */
export const OPERATION_DURATION_SOURCES: Record<keyof OperationDurations, { readonly seconds: number; readonly source: string }> = {
  globalFailover: { seconds: AWS_FIGURES.auroraGlobalSecondaryPromotion.typicalSeconds, source: `${AWS_FIGURES.auroraGlobalSecondaryPromotion.description} (typical value); ${AWS_FIGURES.auroraGlobalSecondaryPromotion.source}` },
  globalSwitchover: { seconds: 90, source: 'cdk-resilience assumption: a switchover first waits for the secondary to catch up, so it takes longer than a failover; replace with a measured drill' },
  replicaPromotion: { seconds: 300, source: `${AWS_FIGURES.rdsCrossRegionReplicaPromotion.description}: between the typical ${AWS_FIGURES.rdsCrossRegionReplicaPromotion.typicalSeconds} s and the pessimistic ${AWS_FIGURES.rdsCrossRegionReplicaPromotion.seconds} s; ${AWS_FIGURES.rdsCrossRegionReplicaPromotion.source}` },
  instanceCreate: { seconds: AWS_FIGURES.auroraFailoverWithoutReplica.seconds, source: `${AWS_FIGURES.auroraFailoverWithoutReplica.description}; ${AWS_FIGURES.auroraFailoverWithoutReplica.source}` },
  instanceToHealthy: { seconds: 180, source: 'cdk-resilience assumption: EC2 launch, boot and user data (about 120 s) plus 2 ALB health checks at 30 s; replace with a measured drill' },
  routingControlChange: { seconds: 5, source: 'cdk-resilience assumption: one UpdateRoutingControlStates call to an ARC cluster endpoint' },
  trafficGate: {
    seconds: TRAFFIC_GATE_DELAY_SECONDS,
    source:
      'cdk-resilience assumption: the gate alarm\'s 60 s period (Route 53 reads standard-resolution alarms only, https://docs.aws.amazon.com/Route53/latest/APIReference/API_AlarmIdentifier.html) plus 30 s for Route 53 to read the alarm\'s data stream (no AWS figure); replace with a measured drill',
  },
  dnsTtl: { seconds: 60, source: 'the TTL of a load balancer alias (the ELB DNS name): https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html' },
  apiLatency: { seconds: 0.1, source: 'cdk-resilience assumption: one control-plane API call' },
  sourceDrain: {
    seconds: 30,
    source:
      "the web tier's default target-group deregistration delay (WebTier deregistrationDelay, 30 s): a scaled-in instance keeps its connections that long, https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#deregistration-delay",
  },
};

/** The durations, in seconds. */
export const OPERATION_DURATIONS: OperationDurations = Object.fromEntries(Object.entries(OPERATION_DURATION_SOURCES).map(([k, v]) => [k, v.seconds])) as unknown as OperationDurations;
