import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, DescribeGlobalClustersCommand } from '@aws-sdk/client-rds';
import { GetRoutingControlStateCommand, UpdateRoutingControlStatesCommand } from '@aws-sdk/client-route53-recovery-cluster';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { arcCluster, autoscaling, bounded, cloudwatch, elbv2, rds, ssm } from './aws';
import { now } from './clock';
import { ComputeConfig, RegionState, RunbookConfig } from '../../protocol';

/** Where the database writer is, and what state the database is in. */
export interface DatabaseState {
  /** Region of the writer, if it is known. */
  readonly writerRegion?: string;
  /** A global operation (failover, switchover) or a promotion is under way. */
  readonly busy: boolean;
  /** Raw status for messages. */
  readonly status: string;
}

/** Read the database's state from the target Region (never from the source). */
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
      return { writerRegion: status === 'available' ? config.targetRegion : undefined, busy: status !== 'available', status: `detached ${status}` };
    }
    const writer = gc?.GlobalClusterMembers?.find((m) => m.IsWriter);
    const writerRegion = Object.entries(db.clusters).find(([, c]) => c.arn === writer?.DBClusterArn)?.[0];
    const status = gc?.Status ?? 'unknown';
    return { writerRegion, busy: status !== 'available', status };
  }
  if (db.kind === 'aurora-replica') {
    const cluster = (await rds(config.targetRegion).send(new DescribeDBClustersCommand({ DBClusterIdentifier: db.replica.identifier }))).DBClusters?.[0];
    const status = cluster?.Status ?? 'unknown';
    const promoted = cluster !== undefined && !cluster.ReplicationSourceIdentifier;
    return { writerRegion: promoted ? db.replica.region : db.source.region, busy: status !== 'available', status };
  }
  const out = await rds(config.targetRegion).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: db.replica.identifier }));
  const replica = out.DBInstances?.[0];
  const status = replica?.DBInstanceStatus ?? 'unknown';
  const promoted = replica !== undefined && !replica.ReadReplicaSourceDBInstanceIdentifier;
  return { writerRegion: promoted ? db.replica.region : db.source.region, busy: status !== 'available', status };
}

/** Healthy targets and desired capacity of one Region's compute; bounded for the source. */
export async function readCompute(compute: ComputeConfig, timeoutMs: number): Promise<{ healthy?: number; desired?: number; reachable: boolean }> {
  const group = await bounded(timeoutMs, (abortSignal) =>
    autoscaling(compute.region).send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [compute.asgName] }), { abortSignal }),
  );
  if (group instanceof Error) return { reachable: false };
  const asg = group.AutoScalingGroups?.[0];
  if (!compute.targetGroupArn) {
    const healthy = (asg?.Instances ?? []).filter((i) => i.LifecycleState === 'InService' && i.HealthStatus === 'Healthy').length;
    return { reachable: true, healthy, desired: asg?.DesiredCapacity };
  }
  const targetGroupArn = compute.targetGroupArn;
  const health = await bounded(timeoutMs, (abortSignal) => elbv2(compute.region).send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }), { abortSignal }));
  if (health instanceof Error) return { reachable: false };
  return {
    reachable: true,
    healthy: (health.TargetHealthDescriptions ?? []).filter((t) => t.TargetHealth?.State === 'healthy').length,
    desired: asg?.DesiredCapacity,
  };
}

/** The ARC cluster endpoints, from the SSM parameter the RoutingControls construct publishes. */
export async function clusterEndpoints(config: RunbookConfig): Promise<{ region: string; endpoint: string }[]> {
  if (config.traffic.kind !== 'routing-control') return [];
  const p = config.traffic.endpointsParameter;
  const out = await ssm(p.region).send(new GetParameterCommand({ Name: p.name }));
  const parsed = JSON.parse(out.Parameter?.Value ?? '{}') as { clusterEndpoints?: { region: string; endpoint: string }[] };
  return parsed.clusterEndpoints ?? [];
}

/**
 * Run an ARC data-plane call against each cluster endpoint in turn until one answers:
 * the five endpoints are independent, so one impaired Region does not block the switch.
 */
export async function onAnyEndpoint<T>(config: RunbookConfig, call: (client: ReturnType<typeof arcCluster>) => Promise<T>): Promise<T> {
  const endpoints = await clusterEndpoints(config);
  const errors: string[] = [];
  // Start with the runbook's own Region's endpoint when there is one.
  const ordered = [...endpoints].sort((a, b) => Number(b.region === config.targetRegion) - Number(a.region === config.targetRegion));
  for (const ep of ordered) {
    try {
      return await call(arcCluster(ep.region, ep.endpoint));
    } catch (e) {
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
  const out = await onAnyEndpoint(config, (c) => c.send(new GetRoutingControlStateCommand({ RoutingControlArn: arn })));
  return out.RoutingControlState as 'On' | 'Off';
}

/** Set routing controls in one atomic call (the safety rule sees the final state). */
export async function setRoutingControls(config: RunbookConfig, states: Record<string, 'On' | 'Off'>): Promise<void> {
  if (config.traffic.kind !== 'routing-control') return;
  const controls = config.traffic.controls;
  await onAnyEndpoint(config, (c) =>
    c.send(
      new UpdateRoutingControlStatesCommand({
        UpdateRoutingControlStateEntries: Object.entries(states).map(([region, state]) => ({ RoutingControlArn: controls[region], RoutingControlState: state })),
      }),
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

/** The state of one Region as preflight and verify see it. */
export async function readRegion(config: RunbookConfig, role: 'source' | 'target', db: DatabaseState): Promise<RegionState> {
  const compute = config.compute[role];
  const timeout = role === 'source' ? config.sourceCallTimeoutMs : 30_000;
  const c = await readCompute(compute, timeout);
  let routingControl: 'On' | 'Off' | undefined;
  if (config.traffic.kind === 'routing-control') {
    try {
      routingControl = await routingControlState(config, compute.region);
    } catch {
      routingControl = undefined;
    }
  }
  return {
    region: compute.region,
    reachable: c.reachable,
    healthyTargets: c.healthy,
    desiredCapacity: c.desired,
    healthy: c.reachable && (c.healthy ?? 0) >= Math.max(1, role === 'source' ? 1 : compute.requiredHealthy),
    writer: db.writerRegion === compute.region,
    routingControl,
  };
}

/** A refusal: the request cannot run as asked. Never retried. */
export class RunbookRefused extends Error {
  constructor(
    public readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RunbookRefused';
  }
}
