import { loadConfig } from '../shared/config';
import { preflight } from '../shared/preflight';
import { Plan, RunbookRequest } from '../../protocol';

/** Step 1: read both Regions, decide the plan, refuse what cannot succeed. */
export async function handler(event: { request: RunbookRequest }): Promise<Plan> {
  return preflight(loadConfig(), event.request);
}
