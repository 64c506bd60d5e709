import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { StepResult } from '../../protocol';
import { autoscaling } from '../shared/aws';
import { backoffSeconds } from '../shared/backoff';
import { isoNow, now } from '../shared/clock';
import { loadConfig } from '../shared/config';
import { renewLock } from '../shared/lock';
import { validatedRequest } from '../shared/preflight';
import { RunbookRefused } from '../shared/refused';
import { computeReady, lastScalingFailure, readCompute } from '../shared/state';

/** One pass of the compute reconciler. */
export interface ComputeStep extends StepResult {
  readonly done: boolean;
  readonly waitSeconds: number;
  readonly attempt: number;
  readonly healthyTargets: number;
  /** The group's latest failed scaling activity, when launches fail (capacity, quota, AMI). */
  readonly scalingFailure?: string;
}

/** Passes between two reads of the group's scaling activities while it is short. */
const ACTIVITY_EVERY = 10;

/**
 * Step 4 (beside the database): scale the target Region to full capacity and wait for
 * enough healthy targets. A reconciler: it only raises capacity that is short. When launches
 * fail it says why (the group's scaling activity), and it gives up after the configured time.
 */
export async function handler(event: { request: unknown; execution: string; compute?: Partial<ComputeStep> }): Promise<ComputeStep> {
  const config = loadConfig();
  const request = validatedRequest(event.request, config);
  if (request.action === 'plan') throw new RunbookRefused('InvalidRequest', 'action: plan changes nothing');
  await renewLock(config, event.execution);
  const target = config.compute.target;
  const prev = event.compute ?? {};
  const startedAt = prev.startedAt ?? isoNow();
  const attempt = (prev.attempt ?? -1) + 1;
  const actions = [...(prev.actions ?? [])];
  const state = await readCompute(target, 30_000);
  if (!state.reachable) {
    const e = new Error(`${target.region} compute did not answer`);
    e.name = 'ServiceUnavailable';
    throw e;
  }
  if ((state.desired ?? 0) < target.full.desired) {
    await autoscaling(target.region).send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: target.asgName, MinSize: target.full.min, MaxSize: target.full.max, DesiredCapacity: target.full.desired }),
    );
    actions.push(`scaled ${target.asgName} to ${target.full.desired} (min ${target.full.min}, max ${target.full.max})`);
  }
  const healthy = state.healthy ?? 0;
  const done = computeReady(target, state);
  let scalingFailure = prev.scalingFailure;
  if (!done && attempt > 0 && attempt % ACTIVITY_EVERY === 0) scalingFailure = (await lastScalingFailure(target)) ?? scalingFailure;
  const elapsed = (now() - Date.parse(startedAt)) / 1000;
  const limit = config.computeTimeoutSeconds ?? 1800;
  if (!done && elapsed > limit) {
    const e = new Error(
      `${target.asgName} in ${target.region} has ${healthy} healthy targets after ${Math.round(elapsed)} s, needs ${target.requiredHealthy}${scalingFailure ? `; its latest failed scaling activity: ${scalingFailure}` : ''}`,
    );
    e.name = 'ComputeNotReady';
    throw e;
  }
  return { step: 'compute', startedAt, endedAt: isoNow(), actions, done, waitSeconds: done ? 0 : backoffSeconds(attempt), attempt, healthyTargets: healthy, scalingFailure };
}
