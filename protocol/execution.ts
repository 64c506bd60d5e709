/**
 * A runbook execution: the state names of its state machine (lib/dr/runbook.ts builds
 * them; the CLI follows them in the execution history; operators read them in the
 * console), the execution state its tasks read and write, and the report it ends with
 * (the execution's output and the SNS message).
 */
import type { Plan, StepResult } from './plan';
import type { RunbookRequest } from './request';

/** The step names of a runbook's state machine (stable: tests and operators use them). */
export const RUNBOOK_STATES = {
  preflight: 'Preflight',
  alreadyDone: 'AlreadyDone?',
  recover: 'Recover',
  initDatabase: 'InitDatabase',
  database: 'ReconcileDatabase',
  databaseDone: 'DatabaseDone?',
  databaseWait: 'WaitDatabase',
  databaseOut: 'DatabaseResult',
  initCompute: 'InitCompute',
  compute: 'ReconcileCompute',
  computeDone: 'ComputeDone?',
  computeWait: 'WaitCompute',
  computeOut: 'ComputeResult',
  traffic: 'ShiftTraffic',
  trafficWait: 'WaitForTraffic',
  verify: 'Verify',
  verifyDone: 'Verified?',
  verifyWait: 'WaitVerify',
  verifyOut: 'VerifyResult',
  notify: 'Notify',
  notifyFailure: 'NotifyFailure',
  notificationFailed: 'NotificationFailed',
  reportUnavailable: 'ReportUnavailable?',
  riskInError: 'RiskInError',
  riskUnknownInError: 'RiskUnknownInError',
  riskKnown: 'RiskKnown?',
  causeKind: 'CauseKind?',
  failed: 'RunbookFailed',
  succeeded: 'RunbookSucceeded',
} as const;

/** The execution state the notify step receives (each step's result at its result path). */
export interface RunbookState {
  readonly request: RunbookRequest & { readonly submittedAt?: string };
  /** The execution's ARN (`$$.Execution.Id`): the lock holder. */
  readonly execution?: string;
  readonly startedAt?: string;
  readonly plan?: Plan;
  readonly parallel?: StepResult[];
  readonly traffic?: StepResult;
  readonly verify?: StepResult;
  /** Set by the catch-all: what failed. */
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

/** One entry of the timeline. */
export interface TimelineEntry {
  readonly step: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly seconds: number;
}

/** The report the runbook ends with: the execution's output and the SNS message. */
export interface RunbookReport {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'NOTHING_TO_DO';
  /**
   * The first line of the SNS message: the outcome, and before anything else the one fact an
   * operator must act on (two writable databases, the data at risk).
   */
  readonly summary: string;
  readonly runbook: string;
  readonly requestId: string;
  /** Who asked, as the request said (self-reported; CloudTrail data events are authoritative). */
  readonly requestedBy?: string;
  /** Replication lag at the decision: the writes an unplanned run may have lost, in seconds. */
  readonly dataLossRiskSeconds?: number;
  /** Set when the run left two writable databases (with consent): which one is fenced, and what to do. */
  readonly twoWriters?: { readonly fencedRegion: string; readonly beforeFailback: string };
  readonly recoveryTimeSeconds: number;
  readonly timeline: TimelineEntry[];
  /** What was done, step by step. */
  readonly done: string[];
  /** Steps that did not complete, when the run failed (the plan says what each does). */
  readonly notDone: string[];
  readonly error?: string;
  /** Commands that re-run the request (a new request id), built from its validated fields. */
  readonly rerun?: string[];
  /** The timeline as a Mermaid Gantt chart, with the RTO target as a milestone when known. */
  readonly gantt: string;
  /** Set when the SNS message could not be sent (the report is still the execution's output). */
  readonly notification?: string;
}
