import { DescribeExecutionCommand, ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { asRequest, Plan, RequestProblem, validateRequest } from '../../protocol';
import { sfn } from '../shared/aws';
import { isoNow } from '../shared/clock';
import { loadConfig } from '../shared/config';
import { lockHolder } from '../shared/lock';
import { preflight } from '../shared/preflight';
import { RunbookRefused } from '../shared/refused';

/** What the entry function answers. */
export type EntryResponse =
  | { readonly accepted: true; readonly executionArn: string; readonly duplicate: boolean; readonly status: string; readonly plan?: Plan }
  | { readonly accepted: true; readonly plan: Plan; readonly executionArn?: undefined }
  | { readonly accepted: false; readonly error: { readonly code: string; readonly message: string; readonly problems?: RequestProblem[] } };

/**
 * The function operators invoke. It validates the request, answers `plan` without
 * changing anything, refuses while another run of the strategy (either direction) holds
 * its lock, and starts the execution named after `requestId`, so a retried request starts
 * nothing new. The state machine checks all of it again: this function is the courteous
 * front door, not the safety gate.
 */
export async function handler(event: unknown): Promise<EntryResponse> {
  const config = loadConfig();
  const problems = validateRequest(event, config);
  if (problems.length > 0) {
    return { accepted: false, error: { code: 'InvalidRequest', message: problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems } };
  }
  const request = asRequest(event);
  if (request.action === 'plan') {
    try {
      return { accepted: true, plan: await preflight(config, request) };
    } catch (e) {
      return refusal(e);
    }
  }

  const stateMachineArn = process.env.STATE_MACHINE_ARN!;
  const client = sfn(config.targetRegion);
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${request.requestId}`;

  // The same request again: answer with its execution, start nothing.
  const existing = await describe(client, executionArn);
  if (existing) {
    return { accepted: true, executionArn, duplicate: true, status: existing };
  }

  // The plan (read-only) goes back with the execution, and a request that cannot succeed
  // (a planned switchover with the primary down) is rejected before anything starts.
  let plan: Plan;
  try {
    plan = await preflight(config, request);
  } catch (e) {
    return refusal(e);
  }

  const running = await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 10 }));
  const other = (running.executions ?? []).find((e) => e.name !== request.requestId);
  if (other) {
    return {
      accepted: false,
      error: { code: 'RunbookAlreadyRunning', message: `execution ${other.name} of this runbook is running (started ${other.startDate?.toISOString?.() ?? other.startDate}); follow it or wait for it to end` },
    };
  }
  const holder = await lockHolder(config);
  if (holder && holder.executionArn !== executionArn && holder.leaseUntil * 1000 > Date.parse(isoNow())) {
    return {
      accepted: false,
      error: {
        code: 'RunbookAlreadyRunning',
        message: `the ${holder.direction} runbook in ${holder.region} (request ${holder.requestId}${holder.requestedBy ? `, by ${holder.requestedBy}` : ''}) holds the strategy's lock until ${new Date(holder.leaseUntil * 1000).toISOString()} unless it ends first; a failover and a failback never run together`,
      },
    };
  }
  try {
    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn, name: request.requestId, input: JSON.stringify({ request, submittedAt: isoNow() }) }),
    );
    return { accepted: true, executionArn: started.executionArn!, duplicate: false, status: 'RUNNING', plan };
  } catch (e) {
    if ((e as Error).name !== 'ExecutionAlreadyExists') throw e;
    return { accepted: true, executionArn, duplicate: true, status: (await describe(client, executionArn)) ?? 'UNKNOWN', plan };
  }
}

async function describe(client: ReturnType<typeof sfn>, executionArn: string): Promise<string | undefined> {
  try {
    return (await client.send(new DescribeExecutionCommand({ executionArn }))).status ?? 'UNKNOWN';
  } catch (e) {
    if ((e as Error).name === 'ExecutionDoesNotExist') return undefined;
    throw e;
  }
}

function refusal(e: unknown): EntryResponse {
  if (e instanceof RunbookRefused) return { accepted: false, error: { code: e.code, message: e.detail } };
  throw e;
}
