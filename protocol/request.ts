import type { RunbookConfig } from './config';

/**
 * What an operator (or the CLI, or a user's own tooling) sends a runbook's entry function,
 * and how the entry function validates it before anything changes.
 */

/** What an operator asks a runbook to do. */
export interface RunbookRequest {
  /** `failover`/`failback` move the workload to this runbook's Region; `plan` only reports. */
  readonly action: 'failover' | 'failback' | 'plan';
  /**
   * `planned`: a switchover with no data loss; needs a healthy primary.
   * `unplanned`: a failover that may lose the replication lag; needs `allowDataLoss: true`.
   */
  readonly mode: 'planned' | 'unplanned';
  /** Required for `unplanned`: the operator accepts losing up to the replication lag. */
  readonly allowDataLoss?: boolean;
  /**
   * The operator's consent to make the target database writable on its own, while the old
   * one may still accept writes when its Region comes back: detach-and-promote when Aurora
   * refuses a managed failover, or the promotion of a read replica (which always leaves its
   * source writable). The runbook fences the old Region durably first, and its report says
   * so in its first line.
   */
  readonly allowDetach?: boolean;
  /** Idempotency key: the execution is named after it; a retried request starts nothing new. */
  readonly requestId: string;
  /** Why (kept in the execution input and the notification). */
  readonly reason: string;
  /**
   * Who asks, as the caller reports it (the CLI sends its STS caller ARN). A Lambda invoke
   * carries no caller identity: CloudTrail data events for Lambda are the authoritative record.
   */
  readonly requestedBy?: string;
}

/** The fields a request may carry: anything else is refused, not ignored. */
export const REQUEST_FIELDS: readonly (keyof RunbookRequest)[] = ['action', 'mode', 'allowDataLoss', 'allowDetach', 'requestId', 'reason', 'requestedBy'];

/** A problem with a request: the request is rejected and nothing changes. */
export interface RequestProblem {
  readonly field: string;
  readonly message: string;
}

/** A request id: it names the execution, so Step Functions' name rules bound it (1-80 of these characters). */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

/** Validate a request against this runbook; returns every problem (empty when valid). */
export function validateRequest(input: unknown, config: RunbookConfig): RequestProblem[] {
  const problems: RequestProblem[] = [];
  if (typeof input !== 'object' || input === null) return [{ field: '(request)', message: 'must be a JSON object' }];
  const r = input as Record<string, unknown>;
  if (!['failover', 'failback', 'plan'].includes(r.action as string)) {
    problems.push({ field: 'action', message: `must be failover, failback or plan (got: ${JSON.stringify(r.action)})` });
  } else if (r.action !== 'plan' && r.action !== config.direction) {
    problems.push({
      field: 'action',
      message: `this runbook moves the workload to ${config.targetRegion} (${config.direction}); for ${r.action} invoke the runbook in ${config.sourceRegion}`,
    });
  }
  if (!['planned', 'unplanned'].includes(r.mode as string)) {
    problems.push({ field: 'mode', message: `must be planned or unplanned (got: ${JSON.stringify(r.mode)})` });
  }
  if (r.allowDataLoss !== undefined && typeof r.allowDataLoss !== 'boolean') {
    problems.push({ field: 'allowDataLoss', message: `must be true or false (got: ${JSON.stringify(r.allowDataLoss)})` });
  }
  if (r.mode === 'unplanned' && r.action !== 'plan' && r.allowDataLoss !== true) {
    problems.push({
      field: 'allowDataLoss',
      message: 'an unplanned failover can lose the replication lag; set allowDataLoss: true to accept it, or use mode planned while the primary is healthy',
    });
  }
  if (typeof r.requestId !== 'string' || !REQUEST_ID_PATTERN.test(r.requestId)) {
    problems.push({ field: 'requestId', message: `must be 1-80 letters, digits, hyphens or underscores (got: ${JSON.stringify(r.requestId)})` });
  }
  if (typeof r.reason !== 'string' || r.reason.trim().length === 0 || r.reason.length > 1000) {
    problems.push({ field: 'reason', message: 'must be a non-empty string of at most 1000 characters' });
  }
  if (r.allowDetach !== undefined && typeof r.allowDetach !== 'boolean') {
    problems.push({ field: 'allowDetach', message: `must be true or false (got: ${JSON.stringify(r.allowDetach)})` });
  }
  if (r.requestedBy !== undefined && (typeof r.requestedBy !== 'string' || !REQUESTED_BY_PATTERN.test(r.requestedBy))) {
    problems.push({ field: 'requestedBy', message: `must be an ARN or a name of at most 2048 printable characters (got: ${JSON.stringify(r.requestedBy)})` });
  }
  for (const field of Object.keys(r)) {
    if (!(REQUEST_FIELDS as string[]).includes(field)) problems.push({ field, message: `is not a field of a runbook request (fields: ${REQUEST_FIELDS.join(', ')})` });
  }
  return problems;
}

/** Who asked: an ARN or a name, printable ASCII without quotes or backslashes. */
export const REQUESTED_BY_PATTERN = /^[A-Za-z0-9:/_+=,.@ -]{1,2048}$/;

/** The request, reduced to its validated fields (call after `validateRequest` found nothing). */
export function asRequest(input: unknown): RunbookRequest {
  const r = input as Record<string, unknown>;
  return Object.fromEntries(REQUEST_FIELDS.filter((f) => r[f] !== undefined).map((f) => [f, r[f]])) as unknown as RunbookRequest;
}

/**
 * Whether a request consents to a call that can lose data: only an unplanned failover with
 * `allowDataLoss: true`. The runbook's steps check this again (fail closed), whatever started them.
 */
export function consentsToDataLoss(request: Partial<RunbookRequest> | undefined): boolean {
  return request?.mode === 'unplanned' && request.allowDataLoss === true;
}

/** Whether a request consents to two writable databases (the old one fenced). */
export function consentsToDetach(request: Partial<RunbookRequest> | undefined): boolean {
  return request?.allowDetach === true;
}

/** Quote a string for a POSIX shell: single quotes, each embedded quote closed and escaped. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/**
 * The request id of a re-run: the original's base with `-rerun<N>` (N counting up), kept
 * within the 80 characters a request id may have.
 */
export function rerunRequestId(requestId: string): string {
  const m = /^(.*?)-rerun(\d*)$/.exec(requestId);
  const base = m ? m[1] : requestId;
  const n = m ? Number(m[2] || '1') + 1 : 1;
  const suffix = `-rerun${n === 1 ? '' : n}`;
  return `${base.slice(0, 80 - suffix.length)}${suffix}`;
}
