import { asRequest, consentsToDetach, Plan, RunbookConfig, RunbookRequest, validateRequest } from '../../protocol';
import { isPermissionError } from './aws';
import { isoNow } from './clock';
import { RunbookRefused } from './refused';
import { answeredTraffic, observedTraffic, readDatabase, readRegion, replicationLagSeconds, sourceFenced } from './state';

/**
 * The request, validated again wherever a step runs: a state machine can be started
 * directly (states:StartExecution), past the entry function. Anything invalid is refused
 * before any call (fail closed), and only the validated fields go on.
 */
export function validatedRequest(input: unknown, config: RunbookConfig): RunbookRequest {
  const problems = validateRequest(input, config);
  if (problems.length > 0) throw new RunbookRefused('InvalidRequest', problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  return asRequest(input);
}

/** What a request may not do with this runbook's database, whatever the Regions' state. */
function refusalByDesign(config: RunbookConfig, request: RunbookRequest): { code: string; message: string } | undefined {
  const db = config.database;
  if (db.kind === 'aurora-global') return undefined;
  const what = db.kind === 'aurora-replica' ? 'replica cluster' : 'read replica';
  if (config.targetRegion !== db.replica.region) {
    return {
      code: 'ReprotectionRequired',
      message: `the ${what} was promoted in ${db.replica.region}; moving back to ${config.targetRegion} needs a new replica there first (see docs/runbooks.md, failback)`,
    };
  }
  if (!consentsToDetach(request)) {
    return {
      code: 'DetachConsentRequired',
      message: `promoting the ${what} in ${config.targetRegion} makes it writable while the source in ${db.source.region} keeps accepting writes whenever it answers (RDS never demotes it); the runbook fences ${db.source.region} first and keeps it fenced. To accept two writable databases, re-run with allowDetach: true`,
    };
  }
  return undefined;
}

/**
 * Read both Regions (the source bounded in time), the database writer, the replication lag
 * and where Route 53 sends traffic, and decide the plan. Changes nothing. Refuses what
 * cannot succeed: a planned switchover while the primary is unhealthy or lags, a promotion
 * without consent, a failback the topology cannot do.
 */
export async function preflight(config: RunbookConfig, request: RunbookRequest): Promise<Plan> {
  const startedAt = isoNow();
  const byDesign = refusalByDesign(config, request);
  if (byDesign?.code === 'ReprotectionRequired') {
    // Nothing to read: the replica's Region is the one this runbook leaves.
    if (request.action !== 'plan') throw new RunbookRefused(byDesign.code, byDesign.message);
  }
  const db = await readDatabase(config);
  const records = await observedTraffic(config);
  const traffic = answeredTraffic(config, records);
  const [source, target] = await Promise.all([readRegion(config, 'source', db, traffic), readRegion(config, 'target', db, traffic)]);
  // The amount at risk is what an unplanned run's report must state: try it three times.
  let lag: number | undefined;
  for (let i = 0; i < 3 && lag === undefined; i++) {
    try {
      lag = await replicationLagSeconds(config);
      if (lag === undefined) break;
    } catch (e) {
      if (isPermissionError(e)) throw e;
      lag = undefined;
    }
  }

  // Done only when the records say so: the target's answers and the source's fence.
  const trafficOnTarget = records[config.targetRegion] === 'serving' && records[config.sourceRegion] === 'withdrawn' && (await sourceFenced(config, records));
  const alreadyDone = target.writer && !db.busy && target.healthy && trafficOnTarget;
  const steps: string[] = [];
  const kind = config.database.kind;
  if ((target.desiredCapacity ?? 0) < config.compute.target.full.desired) {
    steps.push(`scale ${config.compute.target.asgName} in ${config.targetRegion} to ${config.compute.target.full.desired} and wait for ${config.compute.target.requiredHealthy} healthy targets`);
  }
  const fence =
    config.traffic.kind === 'routing-control'
      ? `set routing controls: ${config.targetRegion} On, ${config.sourceRegion} Off (one atomic data-plane call)`
      : `open ${config.targetRegion}'s traffic gates and close ${config.sourceRegion}'s (alarms Route 53 reads; held in ${config.sourceRegion} if it answers, else in ${config.targetRegion})`;
  if (!target.writer) {
    if (kind === 'aurora-global') {
      steps.push(
        request.mode === 'planned'
          ? `once ${config.targetRegion} has its capacity, switch the Aurora global database writer to ${config.targetRegion} (SwitchoverGlobalCluster from ${config.sourceRegion}, no data loss)`
          : `fail the Aurora global database over to ${config.targetRegion} (FailoverGlobalCluster with AllowDataLoss, from ${config.targetRegion})${request.allowDetach ? '; if Aurora refuses it, fence the source and detach-and-promote (allowDetach)' : ''}`,
      );
      steps.push(fence);
    } else {
      steps.push(`once ${config.targetRegion} has its capacity, ${fence}, and wait until Route 53 answers ${config.targetRegion} and resolvers dropped the old answer`);
      if (request.mode === 'planned') steps.push('wait until the replica has applied every write (lag 0)');
      steps.push(kind === 'aurora-replica' ? `promote the replica cluster in ${config.targetRegion} (PromoteReadReplicaDBCluster)` : `promote the read replica in ${config.targetRegion} (PromoteReadReplica)`);
    }
  } else {
    steps.push(fence);
  }
  steps.push(`verify on the data plane that Route 53 answers ${config.targetRegion} only, that it holds the writer and ${config.compute.target.requiredHealthy} healthy targets, for one DNS TTL`, 'notify with the timeline');

  let refusal: { code: string; message: string } | undefined = byDesign;
  if (!refusal && !alreadyDone && request.mode === 'planned' && !source.healthy && !target.writer) {
    refusal = {
      code: 'PrimaryUnhealthy',
      message: `a planned switchover needs a healthy primary, and ${config.sourceRegion} is ${source.reachable ? 'unhealthy' : 'unreachable'}; re-run with mode unplanned and allowDataLoss: true`,
    };
  } else if (!refusal && !alreadyDone && request.mode === 'planned' && kind === 'aurora-global' && lag !== undefined && lag > config.maxPlannedLagSeconds) {
    refusal = {
      code: 'ReplicationLagTooHigh',
      message: `replication lag into ${config.targetRegion} is ${lag} s, above the ${config.maxPlannedLagSeconds} s a planned switchover waits for; retry later, or run unplanned`,
    };
  }
  const warnings: string[] = [];
  if (traffic[config.sourceRegion] === 'unknown' || traffic[config.targetRegion] === 'unknown') warnings.push('where Route 53 sends traffic could not be read on the data plane; Verify will keep trying');
  if (db.busy) warnings.push(`a database operation is under way (${db.status}); the run follows it`);
  if (request.mode === 'unplanned' && lag === undefined) warnings.push('the replication lag could not be read: an unknown amount of writes is at risk');

  const plan: Plan = {
    step: 'preflight',
    startedAt,
    endedAt: isoNow(),
    actions: [`read ${config.sourceRegion} (${source.reachable ? 'reachable' : 'unreachable'}) and ${config.targetRegion}; Route 53 answers ${Object.entries(traffic).map(([r, t]) => `${r} ${t}`).join(', ')}`],
    source,
    target,
    replicationLagSeconds: lag,
    dataLossRiskSeconds: request.mode === 'planned' ? 0 : lag,
    steps: alreadyDone ? [] : steps,
    alreadyDone,
    refusal,
    warnings,
    requestedBy: request.requestedBy,
  };
  // A database operation already under way is not refused: a previous run of this
  // runbook may have started it, and the reconciler follows it to the end.
  if (request.action !== 'plan' && refusal) throw new RunbookRefused(refusal.code, refusal.message);
  return plan;
}
