import {
  CreateDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  FailoverGlobalClusterCommand,
  PromoteReadReplicaCommand,
  PromoteReadReplicaDBClusterCommand,
  RemoveFromGlobalClusterCommand,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { consentsToDataLoss, consentsToDetach, RunbookConfig, RunbookRequest, StepResult } from '../../protocol';
import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { autoscaling, bounded, rds } from '../shared/aws';
import { backoffSeconds } from '../shared/backoff';
import { isoNow, now } from '../shared/clock';
import { loadConfig } from '../shared/config';
import { renewLock } from '../shared/lock';
import { validatedRequest } from '../shared/preflight';
import { RunbookRefused } from '../shared/refused';
import { keepFence } from '../shared/gates';
import { computeReady, observedTraffic, readCompute, readDatabase, replicationLagSeconds, sourceFenced, type TwoWriters, twoWritersNote } from '../shared/state';
import { dnsTtlSeconds, moveTraffic } from '../shared/traffic';

/** One pass of the database reconciler. */
export interface DatabaseStep extends StepResult {
  /** The writer is in the target Region and available. */
  readonly done: boolean;
  /** Seconds to wait before the next pass. */
  readonly waitSeconds: number;
  /** Passes so far (drives the backoff). */
  readonly attempt: number;
  readonly status: string;
  /** When Aurora first refused the managed operation (ISO), and how often. */
  readonly refusedSince?: string;
  readonly refusals?: number;
  /** Consent flows: the traffic was moved, and since when Route 53 answers the target only. */
  readonly trafficMoved?: boolean;
  readonly trafficMovedAt?: string;
  readonly trafficSince?: string;
  /** When the source was last closed in the target because Route 53 had not read its closure. */
  readonly reclosedAt?: string;
  /**
   * The promotion (or detach, or managed operation) was asked for, and when: it is not asked
   * again unless the database shows no trace of it REQUEST_STALE_SECONDS later.
   */
  readonly requested?: string;
  readonly requestedAt?: string;
  /** Set when the run leaves two writable databases (with consent). */
  readonly twoWriters?: TwoWriters;
  /** Consent flows: the source's app tier is stopped, unreachable, or given up on (true). */
  readonly sourceStopped?: boolean;
  /** When stopping the source began (ISO). */
  readonly sourceStopAt?: string;
  /**
   * The replication lag read just before the call that can lose it (an unplanned failover,
   * detach or promotion): what the report states as at risk, since the call may come many
   * minutes after Preflight read it. Null when it could not be read.
   */
  readonly dataLossRiskSeconds?: number | null;
}

type Prev = Partial<DatabaseStep>;
type Result = (done: boolean, status: string, extra?: Partial<DatabaseStep> & { action?: string; wait?: number }) => DatabaseStep;

/** How long Aurora may refuse a managed failover before the run stops (or, with consent, detaches). */
export const REFUSAL_WINDOW_SECONDS = 300;
/** Seconds between two attempts while Aurora refuses. */
export const REFUSAL_RETRY_SECONDS = 15;
/** After this long with the operation asked for and nothing under way, it is asked again. */
export const REQUEST_STALE_SECONDS = 120;

/** Whether an operation asked for earlier is still worth waiting for. */
function pending(prev: Prev, what: string): boolean {
  return prev.requested === what && prev.requestedAt !== undefined && (now() - Date.parse(prev.requestedAt)) / 1000 < REQUEST_STALE_SECONDS;
}

/** Errors with which Aurora refuses a global operation for now (a state, not a fault of the request). */
const REFUSED = ['InvalidGlobalClusterStateFault', 'InvalidDBClusterStateFault'];

/**
 * Steps 3 and 5 for the database, as a reconciler: each pass reads the state (never in the
 * Region it leaves, except the switchover call AWS documents for the primary's Region) and
 * takes at most the one next action. Safe to re-run at any point; refuses, before any call,
 * a request that does not consent to what it would do.
 */
export async function handler(event: { request: unknown; execution: string; database?: Prev }): Promise<DatabaseStep> {
  const config = loadConfig();
  const request = validatedRequest(event.request, config);
  if (request.action === 'plan') throw new RunbookRefused('InvalidRequest', 'action: plan changes nothing');
  await renewLock(config, event.execution);
  const prev: Prev = event.database ?? {};
  const startedAt = prev.startedAt ?? isoNow();
  const attempt = (prev.attempt ?? -1) + 1;
  const actions = [...(prev.actions ?? [])];
  const result: Result = (done, status, extra = {}) => {
    const { action, wait, ...rest } = extra;
    if (action) actions.push(action);
    return {
      ...prev,
      step: 'database',
      startedAt,
      endedAt: isoNow(),
      actions,
      done,
      waitSeconds: done ? 0 : (wait ?? backoffSeconds(attempt)),
      attempt,
      status,
      ...rest,
    } as DatabaseStep;
  };

  const out = await reconcile(config, request, prev, result);
  const elapsed = (now() - Date.parse(startedAt)) / 1000;
  const limit = config.databaseTimeoutSeconds ?? DATABASE_TIMEOUT_SECONDS;
  if (!out.done && elapsed > limit) {
    const e = new Error(`the database is not ready in ${config.targetRegion} after ${Math.round(elapsed)} s: ${out.status}${out.actions.length > 0 ? ` (done so far: ${out.actions.join('; ')})` : ''}`);
    e.name = 'DatabaseNotReady';
    throw e;
  }
  return out;
}

/** Default bound of the database reconciler: above compute's (1800 s), which a planned run waits for. */
export const DATABASE_TIMEOUT_SECONDS = 2400;

async function reconcile(config: RunbookConfig, request: RunbookRequest, prev: Prev, result: Result): Promise<DatabaseStep> {
  const db = await readDatabase(config);
  if (db.writerRegion === config.targetRegion && !db.busy) {
    const twoWriters = prev.twoWriters ?? (db.detached ? twoWritersNote(config) : undefined);
    return result(true, db.status, { twoWriters });
  }
  if (db.busy) {
    if (config.database.kind === 'aurora-global' && db.promoting && db.promoting !== config.targetRegion) {
      throw new RunbookRefused('DatabaseBusy', `an Aurora global operation promoting ${db.promoting} is under way (${db.status}), not this runbook's; nothing was changed: wait for it to end, then plan again`);
    }
    return result(false, db.status);
  }
  if (config.database.kind === 'aurora-global') return aurora(config, request, prev, result, db.status);
  return fenceThenPromote(config, request, prev, result, async () => promoteReplica(config));
}

async function aurora(config: RunbookConfig, request: RunbookRequest, prev: Prev, result: Result, status: string): Promise<DatabaseStep> {
  if (config.database.kind !== 'aurora-global') throw new Error('unreachable');
  const gdb = config.database;
  const target = gdb.clusters[config.targetRegion];
  const client = rds(config.targetRegion);
  // A headless secondary needs an instance before it can take the writer.
  const cluster = (await client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: target.identifier }))).DBClusters?.[0];
  if ((cluster?.DBClusterMembers ?? []).length === 0) return result(false, 'creating-instances', { action: await createInstances(config) });
  const instances = await client.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-cluster-id', Values: [target.identifier] }] }));
  if (!instances.DBInstances?.some((i) => i.DBInstanceStatus === 'available')) return result(false, 'instance-pending');

  if (prev.trafficMoved || prev.requested === 'detach' || prev.requested === 'promotion') return fenceThenPromote(config, request, prev, result, () => detach(config));

  if (request.mode === 'planned') {
    // Scale first, switch the writer, then move traffic at once: the write outage is the
    // switchover's own.
    const compute = await readCompute(config.compute.target, 30_000);
    if (!computeReady(config.compute.target, compute)) {
      return result(false, `waiting for ${config.compute.target.requiredHealthy} healthy targets in ${config.targetRegion} (${compute.healthy ?? 0} now) before the switchover`);
    }
    if (pending(prev, 'switchover')) return result(false, status);
    try {
      // AWS documents the switchover for the primary's Region; a planned run has a healthy primary.
      await rds(config.sourceRegion).send(new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: gdb.globalClusterIdentifier, TargetDbClusterIdentifier: target.arn }));
    } catch (e) {
      return refused(config, request, prev, result, e, 'SwitchoverGlobalCluster');
    }
    return result(false, 'switching-over', { action: `SwitchoverGlobalCluster to ${target.identifier} (called in ${config.sourceRegion}, the primary's Region)`, requested: 'switchover', requestedAt: isoNow() });
  }

  // Fail closed: only an unplanned request that accepts data loss reaches the data-loss call.
  if (!consentsToDataLoss(request)) throw new RunbookRefused('DataLossNotAllowed', 'FailoverGlobalCluster can lose the replication lag: only mode unplanned with allowDataLoss: true may call it; nothing was changed');
  if (pending(prev, 'failover')) return result(false, status);
  const risk = await lagAtCall(config, prev);
  try {
    await client.send(new FailoverGlobalClusterCommand({ GlobalClusterIdentifier: gdb.globalClusterIdentifier, TargetDbClusterIdentifier: target.arn, AllowDataLoss: true }));
  } catch (e) {
    return refused(config, request, prev, result, e, 'FailoverGlobalCluster');
  }
  return result(false, 'failing-over', { action: `FailoverGlobalCluster to ${target.identifier} with AllowDataLoss (called in ${config.targetRegion})`, requested: 'failover', requestedAt: isoNow(), dataLossRiskSeconds: risk });
}

/**
 * Aurora refused a global operation (InvalidGlobalClusterStateFault, InvalidDBClusterStateFault:
 * a state, often transient). Retry for REFUSAL_WINDOW_SECONDS; then, for an unplanned failover
 * with consent, fence the source and detach-and-promote; otherwise stop with nothing promoted.
 */
function refused(config: RunbookConfig, request: RunbookRequest, prev: Prev, result: Result, e: unknown, call: string): DatabaseStep {
  const name = (e as Error).name;
  if (!REFUSED.includes(name)) throw e;
  const since = prev.refusedSince ?? isoNow();
  const refusals = (prev.refusals ?? 0) + 1;
  const what = `Aurora refused ${call} (${name}: ${(e as Error).message})`;
  if ((now() - Date.parse(since)) / 1000 < REFUSAL_WINDOW_SECONDS) {
    return result(false, `${what}; retrying`, { refusedSince: since, refusals, wait: REFUSAL_RETRY_SECONDS });
  }
  if (call === 'FailoverGlobalCluster' && consentsToDetach(request)) {
    return result(false, `${what} for ${REFUSAL_WINDOW_SECONDS} s: fencing ${config.sourceRegion}, then detach-and-promote (allowDetach)`, { refusedSince: since, refusals, requested: 'detach' });
  }
  throw new RunbookRefused(
    call === 'FailoverGlobalCluster' ? 'ManagedFailoverRefused' : 'SwitchoverRefused',
    `${what} ${refusals} times over ${REFUSAL_WINDOW_SECONDS} s; nothing was promoted. ${
      call === 'FailoverGlobalCluster'
        ? `To fence ${config.sourceRegion} durably and detach-and-promote ${config.targetRegion} instead (two writable clusters: ${config.sourceRegion}'s accepts writes again when its Region answers, and stays fenced), re-run with allowDetach: true`
        : `Check the global database in the console; re-run, or fail over with mode unplanned`
    }`,
  );
}

/**
 * The consent flows (detach-and-promote, read-replica promotion): the old database may keep
 * accepting writes, so traffic leaves it for good before the target is made writable. In
 * order: the target has its capacity; traffic moves (the source fenced durably); Route 53 is
 * seen answering the target only, for one DNS TTL; for a planned move the replica has applied
 * every write; then the one promotion.
 */
async function fenceThenPromote(config: RunbookConfig, request: RunbookRequest, prev: Prev, result: Result, promote: () => Promise<string>): Promise<DatabaseStep> {
  if (!consentsToDetach(request)) throw new RunbookRefused('DetachConsentRequired', 'this promotion leaves the old database writable: only allowDetach: true may run it; nothing was changed');
  if (request.mode === 'unplanned' && !consentsToDataLoss(request)) throw new RunbookRefused('DataLossNotAllowed', 'an unplanned promotion can lose the replication lag: allowDataLoss: true is required; nothing was changed');
  const twoWriters = twoWritersNote(config);
  if (pending(prev, 'promotion')) return result(false, 'promoting', { twoWriters });

  const compute = await readCompute(config.compute.target, 30_000);
  if (!computeReady(config.compute.target, compute)) {
    return result(false, `waiting for ${config.compute.target.requiredHealthy} healthy targets in ${config.targetRegion} (${compute.healthy ?? 0} now) before traffic moves`);
  }
  let action: string | undefined;
  if (!prev.trafficMoved) {
    const move = await moveTraffic(config);
    action = `fenced ${config.sourceRegion} before the promotion: ${move.actions.join('; ')}`;
    return result(false, 'waiting for Route 53 to answer the target only', { action, trafficMoved: true, trafficMovedAt: isoNow(), wait: Math.max(1, move.delaySeconds) });
  }
  const seen = await observedTraffic(config);
  // Withdrawn is not fenced (a source that is down reads withdrawn too): the fence must be seen.
  const fenced = await sourceFenced(config, seen);
  const fence = await keepFence(config, fenced, prev.trafficMovedAt ?? isoNow(), prev.reclosedAt);
  if (seen[config.targetRegion] !== 'serving' || seen[config.sourceRegion] !== 'withdrawn' || !fenced) {
    return result(false, `waiting for Route 53 to answer ${config.targetRegion} only, with ${config.sourceRegion}'s gates read closed (it answers ${Object.entries(seen).map(([r, s]) => `${r} ${s}`).join(', ')}; fence ${fenced ? 'closed' : 'not read closed'})`, {
      action: fence.action,
      reclosedAt: fence.reclosedAt,
      trafficSince: undefined,
      wait: 10,
    });
  }
  const ttl = dnsTtlSeconds(config);
  const since = prev.trafficSince ?? isoNow();
  const waited = (now() - Date.parse(since)) / 1000;
  if (waited < ttl) return result(false, `Route 53 answers ${config.targetRegion} only; waiting one TTL for resolvers to drop ${config.sourceRegion}`, { trafficSince: since, wait: Math.ceil(ttl - waited) });
  if (prev.sourceStopped !== true) {
    const stop = await stopSource(config, prev);
    return result(false, stop.status, { action: stop.action, trafficSince: since, sourceStopped: stop.done, sourceStopAt: stop.since, wait: stop.done ? 1 : stop.wait });
  }
  // A planned move promotes only once the replica has applied every write: nothing is at risk.
  let risk: number | null = 0;
  if (request.mode === 'planned') {
    const lag = await replicationLagSeconds(config);
    if (lag === undefined || lag > 0) return result(false, `waiting for the replica to apply every write (lag ${lag ?? 'unknown'} s) before the promotion`, { trafficSince: since, wait: 5 });
  } else {
    risk = await lagAtCall(config, prev);
  }
  return result(false, 'promoting', { action: await promote(), trafficSince: since, requested: 'promotion', requestedAt: isoNow(), twoWriters, dataLossRiskSeconds: risk });
}

/**
 * The replication lag just before a call that can lose it; the larger of it and any read by an
 * earlier pass of this run (a call asked for again). Null when it cannot be read: the report
 * then says an unknown amount of writes may be lost.
 */
async function lagAtCall(config: RunbookConfig, prev: Prev): Promise<number | null> {
  // Any error reads as unknown: the call this guards must not wait on CloudWatch.
  const lag = await replicationLagSeconds(config).catch(() => undefined);
  if (lag === undefined || prev.dataLossRiskSeconds === null) return null;
  return Math.max(lag, prev.dataLossRiskSeconds ?? 0);
}

/** How long a consent flow waits for the source's app tier to drain before it promotes anyway. */
export const SOURCE_STOP_SECONDS = 600;

/**
 * DNS no longer sends anyone to the source, but connections opened before (keep-alive, clients
 * that ignore the TTL) still reach its load balancer and, through the app, its database, which
 * stays writable after the promotion. So the source's app tier is scaled to 0 and the step waits
 * until the group has no instance left (each drains for the target group's deregistration delay
 * first). A source that does not answer is down: nothing of it serves. A transient error is
 * tried again; past SOURCE_STOP_SECONDS the promotion goes on, and the report says so.
 */
async function stopSource(config: RunbookConfig, prev: Prev): Promise<{ done: boolean; status: string; action?: string; since: string; wait?: number }> {
  const source = config.compute.source;
  const since = prev.sourceStopAt ?? isoNow();
  const elapsed = (now() - Date.parse(since)) / 1000;
  const state = await readCompute(source, config.sourceCallTimeoutMs);
  if (!state.reachable) {
    return { done: true, status: 'source down', since, action: `could not reach ${source.asgName} in ${source.region} to stop it: it is fenced from DNS; scale it to 0 when ${source.region} answers, before reconciling its database` };
  }
  if ((state.instances ?? 0) === 0) return { done: true, status: 'source stopped', since, action: `stopped ${source.asgName} in ${source.region} (0 instances) before the promotion: no connection opened before the fence can write to its database` };
  if (elapsed > SOURCE_STOP_SECONDS) {
    return { done: true, status: 'source still draining', since, action: `${source.asgName} in ${source.region} still has ${state.instances} instances after ${Math.round(elapsed)} s: promoting anyway (it is fenced from DNS); check it` };
  }
  if ((state.desired ?? 0) > 0) {
    const stop = await bounded(
      config.sourceCallTimeoutMs,
      (abortSignal) => autoscaling(source.region).send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: source.asgName, MinSize: 0, DesiredCapacity: 0 }), { abortSignal }),
      `stop the app tier ${source.asgName}`,
      source.region,
    );
    const action = stop instanceof Error ? undefined : `scaled ${source.asgName} in ${source.region} to 0 before the promotion`;
    return { done: false, status: `stopping ${source.asgName} in ${source.region}${stop instanceof Error ? ` (${stop.name}; retrying)` : ''}`, action, since, wait: 5 };
  }
  return { done: false, status: `waiting for ${source.asgName} in ${source.region} to drain (${state.instances} instances left)`, since, wait: 10 };
}

async function detach(config: RunbookConfig): Promise<string> {
  if (config.database.kind !== 'aurora-global') throw new Error('unreachable');
  const target = config.database.clusters[config.targetRegion];
  try {
    await rds(config.targetRegion).send(new RemoveFromGlobalClusterCommand({ GlobalClusterIdentifier: config.database.globalClusterIdentifier, DbClusterIdentifier: target.arn }));
  } catch (e) {
    // Already detached by a pass whose answer was lost: the next read shows it.
    if ((e as Error).name !== 'GlobalClusterNotFoundFault' && (e as Error).name !== 'InvalidDBClusterStateFault') throw e;
  }
  return `RemoveFromGlobalCluster ${target.identifier} (detach-and-promote, with consent, ${config.sourceRegion} fenced)`;
}

async function promoteReplica(config: RunbookConfig): Promise<string> {
  const db = config.database;
  if (db.kind === 'aurora-global') throw new Error('unreachable');
  const client = rds(db.replica.region);
  try {
    if (db.kind === 'aurora-replica') {
      await client.send(new PromoteReadReplicaDBClusterCommand({ DBClusterIdentifier: db.replica.identifier }));
      return `PromoteReadReplicaDBCluster ${db.replica.identifier} (with consent, ${config.sourceRegion} fenced)`;
    }
    await client.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: db.replica.identifier, BackupRetentionPeriod: 7 }));
    return `PromoteReadReplica ${db.replica.identifier} (with consent, ${config.sourceRegion} fenced)`;
  } catch (e) {
    // A promotion under way (a lost answer, a lagging describe) is followed, not repeated.
    if ((e as Error).name !== 'InvalidDBInstanceStateFault' && (e as Error).name !== 'InvalidDBClusterStateFault') throw e;
    return `promotion of ${db.replica.identifier} already under way`;
  }
}

/**
 * A headless secondary gets a writer (and, with two AZs, a reader in another AZ) so that the
 * new writer survives an AZ loss. These instances are outside CloudFormation: tagged, and
 * the docs say how to adopt them.
 */
async function createInstances(config: RunbookConfig): Promise<string> {
  if (config.database.kind !== 'aurora-global') throw new Error('unreachable');
  const target = config.database.clusters[config.targetRegion];
  const azs = target.availabilityZones ?? [];
  const plan = [
    { id: `${target.identifier}-writer`, az: azs[0], tier: 0 },
    ...(azs.length >= 2 ? [{ id: `${target.identifier}-reader`, az: azs[1], tier: 1 }] : []),
  ];
  const made: string[] = [];
  for (const p of plan) {
    try {
      await rds(config.targetRegion).send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: p.id,
          DBClusterIdentifier: target.identifier,
          Engine: target.engine,
          DBInstanceClass: target.instanceClass,
          AvailabilityZone: p.az,
          PromotionTier: p.tier,
          AutoMinorVersionUpgrade: true,
          Tags: [
            { Key: 'cdk-resilience:created-by', Value: `runbook ${config.name} ${config.direction}` },
            { Key: 'cdk-resilience:strategy', Value: config.name },
          ],
        }),
      );
      made.push(`${p.id}${p.az ? ` in ${p.az}` : ''}`);
    } catch (e) {
      if ((e as Error).name !== 'DBInstanceAlreadyExistsFault') throw e;
    }
  }
  return made.length > 0 ? `created ${made.join(' and ')} in the headless cluster ${target.identifier} (outside CloudFormation; see docs/runbooks.md)` : `instances of ${target.identifier} already asked for`;
}
