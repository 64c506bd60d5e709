import type { Plan } from '../../protocol';
import { loadConfig } from '../shared/config';
import { acquireLock } from '../shared/lock';
import { preflight, validatedRequest } from '../shared/preflight';
import { RunbookRefused } from '../shared/refused';

/**
 * Step 1: validate the request again (the state machine can be started directly), take the
 * strategy's lock for this execution, read both Regions, decide the plan, refuse what
 * cannot succeed. Changes nothing but the lock.
 */
export async function handler(event: { request: unknown; execution: string }): Promise<Plan> {
  const config = loadConfig();
  const request = validatedRequest(event.request, config);
  // A plan changes nothing: the entry function answers it; an execution only moves the workload.
  if (request.action === 'plan') throw new RunbookRefused('InvalidRequest', 'action: plan is answered by the entry function; an execution only runs failover or failback');
  await acquireLock(config, event.execution, request.requestId, request.requestedBy);
  return preflight(config, request);
}
