import { DescribeAutoScalingGroupsCommand, DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, DescribeGlobalClustersCommand } from '@aws-sdk/client-rds';
import { GetRoutingControlStateCommand, UpdateRoutingControlStatesCommand } from '@aws-sdk/client-route53-recovery-cluster';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { ComputeConfig, RegionState, RunbookConfig } from '../../protocol';
import { arcCluster, autoscaling, bounded, cloudwatch, elbv2, isPermissionError, permissionDenied, rds, ssm, withTimeout } from './aws';
import { now } from './clock';
import { fenceStatus, trafficStatus } from './dns';

export { RunbookRefused } from './refused';

/** Where the database writer is, and what state the database is in. */
export interface DatabaseState {
  /** Region of the writer, if it is known. */
  readonly writerRegion?: string;
  /** A global operation (failover, switchover) or a promotion is under way. */
  readonly busy: boolean;
  /** Raw status for messages. */
  readonly status: string;
  /** For an operation under way: the cluster it promotes (Aurora global FailoverState). */
  readonly promoting?: string;
  /** The target's cluster left the global database (detach-and-promote). */
  readonly detached?: boolean;
  /** A read replica that no longer replicates (promoted, or being promoted). */
  readonly standalone?: boolean;
}

/**
 * Read the database's state, never from the Region the runbook leaves: an Aurora global
 * database from the target Region (every member Region sees the global cluster); a read
 * replica from the Region it lives in, which is the target of a failover.
 *
 * An Aurora global operation is done when the global cluster has no FailoverState (it is
 * empty unless a switchover or failover was called, and cleared when it ends) and the
 * target member reads `IsWriter`. https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html
 */
export async function readDatabase(config: RunbookConfig): Promise<DatabaseState> {
  const db = config.database;
  if (db.kind === 'aurora-global') {
    const out = await rds(config.targetRegion).send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: db.globalClusterIdentifier }));
    const gc = out.GlobalClusters?.[0];
    const target = db.clusters[config.targetRegion];
    const targetIsMember = (gc?.GlobalClusterMembers ?? []).some((m) => m.DBClusterArn === target.arn);
    if (gc && !targetIsMember) {
      // Detached (detach-and-promote): the target cluster is a standalone writer once available.
      const cluster = (await rds(config.targetRegion).send(new DescribeDBClustersCommand({ DBClusterIdentifier: target.identifier }))).DBClusters?.[0];
      const status = cluster?.Status ?? 'unknown';
      return { writerRegion: status === 'available' ? config.targetRegion : undefined, busy: status !== 'available', status: `detached, ${status}`, detached: true };
    }
    const writer = gc?.GlobalClusterMembers?.find((m) => m.IsWriter);
    const writerRegion = Object.entries(db.clusters).find(([, c]) => c.arn === writer?.DBClusterArn)?.[0];
    const failover = gc?.FailoverState;
    const underWay = failover !== undefined && (failover.Status !== undefined || failover.ToDbClusterArn !== undefined);
    const promoting = underWay ? Object.entries(db.clusters).find(([, c]) => c.arn === failover?.ToDbClusterArn)?.[0] : undefined;
    const status = underWay ? `${failover?.Status ?? 'operation'} to ${promoting ?? failover?.ToDbClusterArn ?? '?'}` : (gc?.Status ?? 'unknown');
    return { writerRegion, busy: underWay || (gc?.Status !== undefined && gc.Status !== 'available'), status, promoting };
  }
  const promoting = (status: string): boolean => status !== 'available';
  if (db.kind === 'aurora-replica') {
    const cluster = (await rds(db.replica.region).send(new DescribeDBClustersCommand({ DBClusterIdentifier: db.replica.identifier }))).DBClusters?.[0];
    const status = cluster?.Status ?? 'unknown';
    const standalone = cluster !== undefined && !cluster.ReplicationSourceIdentifier;
    return { writerRegion: standalone && !promoting(status) ? db.replica.region : db.source.region, busy: promoting(status), status: standalone ? `promoted, ${status}` : `replica, ${status}`, standalone };
  }
  const out = await rds(db.replica.region).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: db.replica.identifier }));
  const replica = out.DBInstances?.[0];
  const status = replica?.DBInstanceStatus ?? 'unknown';
  const standalone = replica !== undefined && !replica.ReadReplicaSourceDBInstanceIdentifier;
  return { writerRegion: standalone && !promoting(status) ? db.replica.region : db.source.region, busy: promoting(status), status: standalone ? `promoted, ${status}` : `replica, ${status}`, standalone };
}

/** What a Region's compute looks like. */
export interface ComputeState {
  readonly reachable: boolean;
  readonly healthy?: number;
  readonly desired?: number;
  /** Instances in the group, whatever their state (a scaled-in instance stays while it drains). */
  readonly instances?: number;
}

/** Healthy targets and desired capacity of one Region's compute; bounded for the source. */
export async function readCompute(compute: ComputeConfig, timeoutMs: number): Promise<ComputeState> {
  const group = await bounded(
    timeoutMs,
    (abortSignal) => autoscaling(compute.region).send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [compute.asgName] }), { abortSignal }),
    `describe the Auto Scaling group ${compute.asgName}`,
    compute.region,
  );
  if (group instanceof Error) return { reachable: false };
  const asg = group.AutoScalingGroups?.[0];
  if (!compute.targetGroupArn) {
    const healthy = (asg?.Instances ?? []).filter((i) => i.LifecycleState === 'InService' && i.HealthStatus === 'Healthy').length;
    return { reachable: true, healthy, desired: asg?.DesiredCapacity, instances: (asg?.Instances ?? []).length };
  }
  const targetGroupArn = compute.targetGroupArn;
  const health = await bounded(
    timeoutMs,
    (abortSignal) => elbv2(compute.region).send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }), { abortSignal }),
    `describe the target health of ${targetGroupArn}`,
    compute.region,
  );
  if (health instanceof Error) return { reachable: false };
  return {
    reachable: true,
    healthy: (health.TargetHealthDescriptions ?? []).filter((t) => t.TargetHealth?.State === 'healthy').length,
    desired: asg?.DesiredCapacity,
    instances: (asg?.Instances ?? []).length,
  };
}

/** Whether a Region's compute serves the workload: full capacity asked and enough healthy targets. */
export function computeReady(compute: ComputeConfig, state: ComputeState): boolean {
  return state.reachable && (state.desired ?? 0) >= compute.full.desired && (state.healthy ?? 0) >= compute.requiredHealthy;
}

/** The group's latest failed or cancelled scaling activity (an out-of-capacity launch, a quota), if any. */
export async function lastScalingFailure(compute: ComputeConfig): Promise<string | undefined> {
  const out = await autoscaling(compute.region).send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: compute.asgName, MaxRecords: 10 }));
  const failed = (out.Activities ?? []).find((a) => a.StatusCode === 'Failed' || a.StatusCode === 'Cancelled');
  return failed ? `${failed.Description ?? 'scaling activity'}: ${failed.StatusMessage ?? failed.StatusCode}` : undefined;
}

/** The ARC cluster endpoints, from the SSM parameter the RoutingControls construct publishes. */
export async function clusterEndpoints(config: RunbookConfig): Promise<{ region: string; endpoint: string }[]> {
  if (config.traffic.kind !== 'routing-control') return [];
  const p = config.traffic.endpointsParameter;
  const out = await ssm(p.region).send(new GetParameterCommand({ Name: p.name }));
  const parsed = JSON.parse(out.Parameter?.Value ?? '{}') as { clusterEndpoints?: { region: string; endpoint: string }[] };
  return parsed.clusterEndpoints ?? [];
}

/** The bound of one call to one ARC cluster endpoint: five of them fit in a step. */
export const ARC_ENDPOINT_TIMEOUT_MS = 3_000;

/**
 * Run an ARC data-plane call against each cluster endpoint in turn until one answers:
 * the five endpoints are independent, so one impaired Region does not block the switch.
 * Each endpoint gets at most ARC_ENDPOINT_TIMEOUT_MS, so a black-holed one costs seconds.
 */
export async function onAnyEndpoint<T>(config: RunbookConfig, what: string, call: (client: ReturnType<typeof arcCluster>, abortSignal: AbortSignal) => Promise<T>): Promise<T> {
  const endpoints = await clusterEndpoints(config);
  const errors: string[] = [];
  // Start with the runbook's own Region's endpoint when there is one.
  // (Two filters, not a sort: a comparator that favours one element is easy to get subtly wrong.)
  const ordered = [...endpoints.filter((ep) => ep.region === config.targetRegion), ...endpoints.filter((ep) => ep.region !== config.targetRegion)];
  for (const ep of ordered) {
    try {
      return await withTimeout(ARC_ENDPOINT_TIMEOUT_MS, (signal) => call(arcCluster(ep.region, ep.endpoint), signal));
    } catch (e) {
      if (isPermissionError(e)) throw permissionDenied(what, ep.region, e as Error);
      errors.push(`${ep.region}: ${(e as Error).name}`);
    }
  }
  const err = new Error(`no ARC cluster endpoint answered (${errors.join(', ') || 'no endpoints'})`);
  err.name = 'RoutingControlUnavailable';
  throw err;
}

/** Read a routing control's state through the data plane. */
export async function routingControlState(config: RunbookConfig, region: string): Promise<'On' | 'Off' | undefined> {
  if (config.traffic.kind !== 'routing-control') return undefined;
  const arn = config.traffic.controls[region];
  const out = await onAnyEndpoint(config, 'read a routing control', (c, abortSignal) => c.send(new GetRoutingControlStateCommand({ RoutingControlArn: arn }), { abortSignal }));
  return out.RoutingControlState as 'On' | 'Off';
}

/** Set routing controls in one atomic call (the safety rule sees the final state). */
export async function setRoutingControls(config: RunbookConfig, states: Record<string, 'On' | 'Off'>): Promise<void> {
  if (config.traffic.kind !== 'routing-control') return;
  const controls = config.traffic.controls;
  await onAnyEndpoint(config, 'set routing controls', (c, abortSignal) =>
    c.send(
      new UpdateRoutingControlStatesCommand({
        UpdateRoutingControlStateEntries: Object.entries(states).map(([region, state]) => ({ RoutingControlArn: controls[region], RoutingControlState: state })),
      }),
      { abortSignal },
    ),
  );
}

/** Replication lag into the target Region, in seconds, from CloudWatch there. */
export async function replicationLagSeconds(config: RunbookConfig): Promise<number | undefined> {
  const db = config.database;
  const [metricName, dimension, id, unitDivisor] =
    db.kind === 'aurora-global'
      ? ['AuroraGlobalDBReplicationLag', 'DBClusterIdentifier', db.clusters[config.targetRegion]?.identifier, 1000]
      : db.kind === 'aurora-replica'
        ? ['AuroraBinlogReplicaLag', 'DBClusterIdentifier', db.replica.identifier, 1]
        : ['ReplicaLag', 'DBInstanceIdentifier', db.replica.identifier, 1];
  if (!id) return undefined;
  const end = new Date(now());
  const out = await cloudwatch(config.targetRegion).send(
    new GetMetricDataCommand({
      StartTime: new Date(end.getTime() - 5 * 60_000),
      EndTime: end,
      MetricDataQueries: [
        { Id: 'lag', MetricStat: { Metric: { Namespace: 'AWS/RDS', MetricName: metricName, Dimensions: [{ Name: dimension, Value: id }] }, Period: 60, Stat: 'Maximum' } },
      ],
    }),
  );
  const values = out.MetricDataResults?.[0]?.Values ?? [];
  return values.length > 0 ? values[0] / (unitDivisor as number) : undefined;
}

/**
 * Where Route 53 sends traffic, by Region, as the data plane answers: the routing-control
 * states through the cluster endpoints, or the status records on the zone's name servers.
 */
export async function observedTraffic(config: RunbookConfig): Promise<Record<string, 'serving' | 'withdrawn' | 'unknown'>> {
  const regions = [config.sourceRegion, config.targetRegion];
  if (config.traffic.kind === 'routing-control') {
    const states = await Promise.all(
      regions.map(async (r) => {
        try {
          return [r, (await routingControlState(config, r)) === 'On' ? 'serving' : 'withdrawn'] as const;
        } catch (e) {
          if (isPermissionError(e)) throw e;
          return [r, 'unknown'] as const;
        }
      }),
    );
    return Object.fromEntries(states);
  }
  return trafficStatus(config.traffic.dns, regions);
}

/**
 * Whether the source's fence is in force as Route 53 reads it (health-check mode: its fence
 * record says `closed`). A status record says `withdrawn` for a Region that is down whether or
 * not Route 53 ever read the closure; only this says the fence will hold when it comes back.
 * Routing-control mode: ARC holds the state, and the control read Off is the fence.
 */
export async function sourceFenced(config: RunbookConfig, traffic: Record<string, 'serving' | 'withdrawn' | 'unknown'>): Promise<boolean> {
  if (config.traffic.kind === 'routing-control') return traffic[config.sourceRegion] === 'withdrawn';
  return (await fenceStatus(config.traffic.dns, config.sourceRegion)) === 'closed';
}

/**
 * Who Route 53 answers, from the records' statuses: in latency routing every healthy Region
 * (all of them when none is: Route 53 fails open); in failover routing the PRIMARY while its
 * record is healthy, else the SECONDARY if its record is, else the PRIMARY again (fail open);
 * unknown for both when an unknown status decides between them.
 * Verify and the fence check the records' own statuses, which also say whether each fence
 * holds; this is for saying where traffic goes.
 */
export function answeredTraffic(config: RunbookConfig, records: Record<string, 'serving' | 'withdrawn' | 'unknown'>): Record<string, 'serving' | 'withdrawn' | 'unknown'> {
  if (config.strategy === 'active-active') return records;
  const primary = config.direction === 'failover' ? config.sourceRegion : config.targetRegion;
  const secondary = primary === config.sourceRegion ? config.targetRegion : config.sourceRegion;
  const p = records[primary];
  const s = records[secondary];
  // The primary is answered while healthy, and also whenever the secondary is not (then either
  // the primary is healthy, or neither is and Route 53 fails open to the primary).
  if (p === 'serving' || s === 'withdrawn') return { [primary]: 'serving', [secondary]: 'withdrawn' };
  if (p === 'withdrawn' && s === 'serving') return { [primary]: 'withdrawn', [secondary]: 'serving' };
  // One status unknown, and the answer depends on it: either Region may be answered.
  return { [primary]: 'unknown', [secondary]: 'unknown' };
}

/** Two writable databases, with consent: what the report's first line says. */
export interface TwoWriters {
  /** The Region whose database may still accept writes, fenced. */
  readonly fencedRegion: string;
  /** What the operator must do before failing back. */
  readonly beforeFailback: string;
}

/** What a run that left two writable databases tells the operator. */
export function twoWritersNote(config: RunbookConfig): TwoWriters {
  return {
    fencedRegion: config.sourceRegion,
    beforeFailback: `when ${config.sourceRegion} answers, its database still accepts writes: keep it fenced, reconcile or discard what it took, and re-protect (a new replica or secondary in ${config.sourceRegion}) before any failback`,
  };
}

/**
 * Whether the database, as read now, leaves two writable databases: the target detached from
 * the global database, or a read replica promoted by a failover. For a failed run's report,
 * whose database step may have got that far before another step failed.
 */
export function leavesTwoWriters(config: RunbookConfig, db: DatabaseState): boolean {
  if (config.database.kind === 'aurora-global') return db.detached === true;
  // A replica promoted, or on its way (standalone, or busy: a promotion asked for finishes anyway).
  return config.direction === 'failover' && (db.writerRegion === config.targetRegion || db.standalone === true || db.busy);
}

/** The state of one Region as preflight and verify see it. */
export async function readRegion(config: RunbookConfig, role: 'source' | 'target', db: DatabaseState, traffic?: Record<string, string>): Promise<RegionState> {
  const compute = config.compute[role];
  const timeout = role === 'source' ? config.sourceCallTimeoutMs : 30_000;
  const c = await readCompute(compute, timeout);
  let routingControl: 'On' | 'Off' | undefined;
  if (config.traffic.kind === 'routing-control') {
    const seen = traffic?.[compute.region];
    routingControl = seen === 'serving' ? 'On' : seen === 'withdrawn' ? 'Off' : undefined;
  }
  return {
    region: compute.region,
    reachable: c.reachable,
    healthyTargets: c.healthy,
    desiredCapacity: c.desired,
    healthy: c.reachable && (c.healthy ?? 0) >= Math.max(1, role === 'source' ? 1 : compute.requiredHealthy),
    writer: db.writerRegion === compute.region,
    routingControl,
    traffic: (traffic?.[compute.region] as RegionState['traffic']) ?? undefined,
  };
}
