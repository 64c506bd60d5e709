import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { autoscaling } from '../shared/aws';
import { backoffSeconds } from '../shared/backoff';
import { isoNow } from '../shared/clock';
import { loadConfig } from '../shared/config';
import { readCompute } from '../shared/state';
import { StepResult } from '../../protocol';

/** One pass of the compute reconciler. */
export interface ComputeStep extends StepResult {
  readonly done: boolean;
  readonly waitSeconds: number;
  readonly attempt: number;
  readonly healthyTargets: number;
}

/**
 * Step 4 (in parallel with the database): scale the target Region to full capacity and
 * wait for enough healthy targets. A reconciler: it only raises capacity that is short.
 */
export async function handler(event: { compute?: ComputeStep }): Promise<ComputeStep> {
  const config = loadConfig();
  const target = config.compute.target;
  const startedAt = event.compute?.startedAt ?? isoNow();
  const attempt = (event.compute?.attempt ?? -1) + 1;
  const actions = [...(event.compute?.actions ?? [])];
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
  const done = healthy >= target.requiredHealthy && (state.desired ?? 0) >= target.full.desired;
  return { step: 'compute', startedAt, endedAt: isoNow(), actions, done, waitSeconds: done ? 0 : backoffSeconds(attempt), attempt, healthyTargets: healthy };
}
