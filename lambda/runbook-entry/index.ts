import { DescribeExecutionCommand, ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { sfn } from '../shared/aws';
import { isoNow } from '../shared/clock';
import { loadConfig } from '../shared/config';
import { preflight } from '../shared/preflight';
import { Plan, RequestProblem, RunbookRequest, validateRequest } from '../../protocol';
import { RunbookRefused } from '../shared/state';

/** What the entry function answers. */
export type EntryResponse =
  | { readonly accepted: true; readonly executionArn: string; readonly duplicate: boolean; readonly status: string; readonly plan?: Plan }
  | { readonly accepted: true; readonly plan: Plan; readonly executionArn?: undefined }
  | { readonly accepted: false; readonly error: { readonly code: string; readonly message: string; readonly problems?: RequestProblem[] } };

/**
 * The function operators invoke. It validates the request, answers `plan` without
 * changing anything, refuses a second concurrent run, and starts the execution named
 * after `requestId`, so a retried request starts nothing new.
 */
export async function handler(event: unknown): Promise<EntryResponse> {
  const config = loadConfig();
  const problems = validateRequest(event, config);
  if (problems.length > 0) {
    return { accepted: false, error: { code: 'InvalidRequest', message: problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems } };
  }
  const request = event as RunbookRequest;
  if (request.action === 'plan') {
    try {
      return { accepted: true, plan: await preflight(config, request) };
    } catch (e) {
      return refusal(e);
    }
  }

  // The plan (read-only) goes back with the execution, and a request that cannot succeed
  // (a planned switchover with the primary down) is rejected before anything starts.
  let plan: Plan;
  try {
    plan = await preflight(config, request);
  } catch (e) {
    return refusal(e);
  }

  const stateMachineArn = process.env.STATE_MACHINE_ARN!;
  const client = sfn(config.targetRegion);
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${request.requestId}`;
  const running = await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 10 }));
  const other = (running.executions ?? []).find((e) => e.name !== request.requestId);
  if (other) {
    return {
      accepted: false,
      error: { code: 'RunbookAlreadyRunning', message: `execution ${other.name} of this runbook is running (started ${other.startDate?.toISOString?.() ?? other.startDate}); follow it or wait for it to end` },
    };
  }
  try {
    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn, name: request.requestId, input: JSON.stringify({ request, submittedAt: isoNow() }) }),
    );
    return { accepted: true, executionArn: started.executionArn!, duplicate: false, status: 'RUNNING', plan };
  } catch (e) {
    if ((e as Error).name !== 'ExecutionAlreadyExists') throw e;
    const existing = await client.send(new DescribeExecutionCommand({ executionArn }));
    return { accepted: true, executionArn, duplicate: true, status: existing.status ?? 'UNKNOWN', plan };
  }
}

function refusal(e: unknown): EntryResponse {
  if (e instanceof RunbookRefused) return { accepted: false, error: { code: e.code, message: e.message } };
  throw e;
}
