import { isoNow } from './clock';
import { readDatabase, readRegion, replicationLagSeconds, RunbookRefused } from './state';
import { Plan, RunbookConfig, RunbookRequest } from '../../protocol';

/**
 * Read both Regions (the source bounded in time), the database writer and the replication
 * lag, and decide the plan. Changes nothing. Refuses what cannot succeed:
 * a planned switchover while the primary is unhealthy, a run while another database
 * operation is under way.
 */
export async function preflight(config: RunbookConfig, request: RunbookRequest): Promise<Plan> {
  const startedAt = isoNow();
  const db = await readDatabase(config);
  const [source, target] = await Promise.all([readRegion(config, 'source', db), readRegion(config, 'target', db)]);
  let lag: number | undefined;
  try {
    lag = await replicationLagSeconds(config);
  } catch {
    lag = undefined;
  }

  const trafficOnTarget = config.traffic.kind === 'routing-control' ? target.routingControl === 'On' && source.routingControl !== 'On' : !source.healthy;
  const alreadyDone = target.writer && !db.busy && target.healthy && trafficOnTarget;
  const steps: string[] = [];
  const dbWord = config.database.kind === 'aurora-global' ? 'Aurora global database' : config.database.kind === 'aurora-replica' ? 'replica cluster' : 'read replica';
  if (!target.writer) {
    steps.push(
      config.database.kind === 'aurora-global'
        ? request.mode === 'planned'
          ? `switch the ${dbWord} writer to ${config.targetRegion} (SwitchoverGlobalCluster, no data loss)`
          : `fail the ${dbWord} over to ${config.targetRegion} (FailoverGlobalCluster with AllowDataLoss)`
        : config.database.kind === 'aurora-replica'
          ? `promote the replica cluster in ${config.targetRegion} (PromoteReadReplicaDBCluster)`
          : `promote the read replica in ${config.targetRegion} (PromoteReadReplica)`,
    );
  }
  if ((target.desiredCapacity ?? 0) < config.compute.target.full.desired) {
    steps.push(`scale ${config.compute.target.asgName} in ${config.targetRegion} to ${config.compute.target.full.desired} and wait for ${config.compute.target.requiredHealthy} healthy targets`);
  }
  steps.push(
    config.traffic.kind === 'routing-control'
      ? `set routing controls: ${config.targetRegion} On, ${config.sourceRegion} Off (one atomic data-plane call)`
      : `fence ${config.sourceRegion} (scale ${config.compute.source.asgName} to 0, best effort) so Route 53 health checks move traffic`,
  );
  steps.push(`verify ${config.targetRegion} serves with the writer`, 'notify with the timeline');

  let refusal: { code: string; message: string } | undefined;
  if (!alreadyDone && request.mode === 'planned' && !source.healthy && !target.writer) {
    refusal = {
      code: 'PrimaryUnhealthy',
      message: `a planned switchover needs a healthy primary, and ${config.sourceRegion} is ${source.reachable ? 'unhealthy' : 'unreachable'}; re-run with mode unplanned and allowDataLoss: true`,
    };
  } else if (!alreadyDone && request.mode === 'planned' && lag !== undefined && lag > config.maxPlannedLagSeconds) {
    refusal = {
      code: 'ReplicationLagTooHigh',
      message: `replication lag into ${config.targetRegion} is ${lag} s, above the ${config.maxPlannedLagSeconds} s a planned switchover waits for; retry later, or run unplanned`,
    };
  }

  const plan: Plan = {
    step: 'preflight',
    startedAt,
    endedAt: isoNow(),
    actions: [`read ${config.sourceRegion} (${source.reachable ? 'reachable' : 'unreachable'}) and ${config.targetRegion}`],
    source,
    target,
    replicationLagSeconds: lag,
    dataLossRiskSeconds: request.mode === 'planned' ? 0 : lag,
    steps: alreadyDone ? [] : steps,
    alreadyDone,
    refusal,
  };
  // A database operation already under way is not refused: a previous run of this
  // runbook may have started it, and the reconciler follows it to the end.
  if (request.action !== 'plan' && refusal) throw new RunbookRefused(refusal.code, refusal.message);
  return plan;
}
