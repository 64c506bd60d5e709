import { RegionState, ROUTING_CONTROL_SETTLE_SECONDS, StepResult } from '../../protocol';
import { isoNow, now } from '../shared/clock';
import { loadConfig } from '../shared/config';
import { renewLock } from '../shared/lock';
import { validatedRequest } from '../shared/preflight';
import { keepFence } from '../shared/gates';
import { observedTraffic, readDatabase, readRegion, sourceFenced } from '../shared/state';
import { DNS_TTL_MARGIN_SECONDS, dnsTtlSeconds } from '../shared/traffic';

/** One pass of verification. */
export interface VerifyStep extends StepResult {
  readonly done: boolean;
  readonly waitSeconds: number;
  readonly attempt: number;
  /** When everything was first seen in place (ISO): success waits one DNS TTL past it. */
  readonly firstSeenAt?: string;
  readonly target?: RegionState;
  /** What was seen last, in words. */
  readonly seen: string[];
  /** When the source was last closed in the target because Route 53 had not read its closure (ISO). */
  readonly reclosedAt?: string;
}

/** Seconds between passes while something is not in place yet. */
const RETRY_SECONDS = 10;

/**
 * Step 7, a loop: success is observed, never assumed. A pass succeeds when, on data planes,
 * Route 53 answers the target and not the source (the status records on the zone's name
 * servers, or the routing-control states), the target holds an available writer, and it has
 * the required healthy targets. The run succeeds only when that holds again one DNS TTL after
 * it was first seen, so every resolver has dropped the old answer. Past the configured time it
 * fails with what it saw.
 */
export async function handler(event: { request: unknown; execution: string; verify?: Partial<VerifyStep> }): Promise<VerifyStep> {
  const config = loadConfig();
  validatedRequest(event.request, config);
  // The wait for traffic and verification can outlast the lease: every pass renews it, so no
  // run of the other direction can start before this one has seen its move through.
  await renewLock(config, event.execution);
  const prev = event.verify ?? {};
  const startedAt = prev.startedAt ?? isoNow();
  const attempt = (prev.attempt ?? -1) + 1;
  const db = await readDatabase(config);
  const traffic = await observedTraffic(config);
  const target = await readRegion(config, 'target', db, traffic);
  const seen: string[] = [];
  if (!target.writer || db.busy) seen.push(`the writer is not available in ${config.targetRegion} (${db.status})`);
  if (!target.healthy) seen.push(`${config.targetRegion} has ${target.healthyTargets ?? 0} healthy targets, needs ${config.compute.target.requiredHealthy}`);
  if (traffic[config.targetRegion] !== 'serving') seen.push(`Route 53 answers ${config.targetRegion} as ${traffic[config.targetRegion]}`);
  if (traffic[config.sourceRegion] !== 'withdrawn') seen.push(`Route 53 answers ${config.sourceRegion} as ${traffic[config.sourceRegion]}`);
  // Withdrawn is not fenced: a source that is down reads withdrawn too. The fence must be seen.
  const fenced = await sourceFenced(config, traffic);
  if (!fenced) seen.push(`Route 53 does not read ${config.sourceRegion}'s traffic gates as closed yet`);
  const fence = await keepFence(config, fenced, startedAt, prev.reclosedAt);

  // Routing controls are read on ARC's data plane, which changes before Route 53 answers on it.
  const ttl = dnsTtlSeconds(config) + (config.traffic.kind === 'routing-control' ? (config.traffic.delaySeconds ?? ROUTING_CONTROL_SETTLE_SECONDS) : 0);
  const elapsed = (now() - Date.parse(startedAt)) / 1000;
  const actions = [...(prev.actions ?? []), ...(fence.action ? [fence.action] : [])];
  const base = { step: 'verify', startedAt, endedAt: isoNow(), attempt, target, seen, reclosedAt: fence.reclosedAt };
  if (seen.length > 0) {
    if (elapsed > (config.verifyTimeoutSeconds ?? 900)) {
      const e = new Error(`after ${Math.round(elapsed)} s: ${seen.join('; ')}`);
      e.name = 'VerificationFailed';
      throw e;
    }
    return { ...base, actions, done: false, waitSeconds: RETRY_SECONDS, firstSeenAt: undefined };
  }
  const firstSeenAt = prev.firstSeenAt ?? isoNow();
  const since = (now() - Date.parse(firstSeenAt)) / 1000;
  if (since < ttl) return { ...base, actions, done: false, waitSeconds: Math.ceil(ttl - since), firstSeenAt };
  return {
    ...base,
    actions: [...actions, `verified ${config.targetRegion}: Route 53 answers it and not ${config.sourceRegion}, whose fence it reads closed (for ${Math.round(since)} s, at least the TTL and ${DNS_TTL_MARGIN_SECONDS} s: ${ttl} s), writer available, ${target.healthyTargets} healthy targets`],
    done: true,
    waitSeconds: 0,
    firstSeenAt,
  };
}
