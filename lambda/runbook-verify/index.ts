import { isoNow } from '../shared/clock';
import { loadConfig } from '../shared/config';
import { readDatabase, readRegion } from '../shared/state';
import { RegionState, StepResult } from '../../protocol';

/** Result of verification. */
export interface VerifyStep extends StepResult {
  readonly target: RegionState;
}

/** Step 7: the target Region holds the writer, serves with enough healthy targets, and has the traffic. */
export async function handler(): Promise<VerifyStep> {
  const config = loadConfig();
  const startedAt = isoNow();
  const db = await readDatabase(config);
  const target = await readRegion(config, 'target', db);
  const problems: string[] = [];
  if (!target.writer || db.busy) problems.push(`the writer is not available in ${config.targetRegion} (${db.status})`);
  if (!target.healthy) problems.push(`${config.targetRegion} has ${target.healthyTargets ?? 0} healthy targets, needs ${config.compute.target.requiredHealthy}`);
  if (config.traffic.kind === 'routing-control' && target.routingControl !== 'On') problems.push(`the ${config.targetRegion} routing control is ${target.routingControl ?? 'unknown'}`);
  if (problems.length > 0) {
    const e = new Error(problems.join('; '));
    e.name = 'VerificationFailed';
    throw e;
  }
  return { step: 'verify', startedAt, endedAt: isoNow(), actions: [`verified ${config.targetRegion}: writer, ${target.healthyTargets} healthy targets`], target };
}
