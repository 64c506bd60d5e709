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
  /** Idempotency key: the execution is named after it; a retried request starts nothing new. */
  readonly requestId: string;
  /** Why (kept in the execution input and the notification). */
  readonly reason: string;
}

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
  return problems;
}

/** Narrow after validation. */
export function asRequest(input: unknown): RunbookRequest {
  return input as RunbookRequest;
}
