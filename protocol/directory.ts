/**
 * Where the operator CLI finds what a deployment published: SSM parameters in each
 * Region, named after the strategy (or runbook) and the Region, holding JSON. A runbook
 * that moves the workload to Region X lives in X, and so does its parameter: the CLI
 * never needs the Region it is failing away from.
 */

/** The prefix of every parameter. */
export const DIRECTORY_PREFIX = '/cdk-resilience';

/** A runbook, as published in the Region it moves the workload to. */
export interface RunbookEntry {
  readonly strategy: string;
  readonly direction: 'failover' | 'failback';
  readonly targetRegion: string;
  readonly sourceRegion: string;
  /** The function to invoke with a RunbookRequest. */
  readonly entryFunctionName: string;
  readonly stateMachineArn: string;
  /** The strategy's declared RTO, when the runbook belongs to one. */
  readonly rtoSeconds?: number;
  /**
   * The steps an operator follows, in order, by state name; a step that loops (reconcile,
   * wait, reconcile) is done when the state `doneWhen` is entered.
   */
  readonly steps: { readonly name: string; readonly doneWhen?: string }[];
}

/** A drill, as published in its Region. */
export interface DrillEntry {
  readonly drill: string;
  readonly region: string;
  readonly stateMachineArn: string;
  readonly rtoSeconds: number;
}

/** A DR strategy, as published in both of its Regions. */
export interface StrategyEntry {
  readonly strategy: string;
  readonly kind: string;
  readonly primaryRegion: string;
  readonly recoveryRegion: string;
  readonly rtoSeconds: number;
  readonly rpoSeconds: number;
  /** Active-active: the objective for traffic leaving a failed Region (`rtoSeconds` is then for writes). */
  readonly trafficRtoSeconds?: number;
  /** Drill names, each published in its own Region. */
  readonly drills: { readonly name: string; readonly region: string }[];
  /**
   * The alarm-triggered failover, when the strategy opted in: its confirmation state machine
   * (in the recovery Region; stopping a running execution cancels that failover) and window.
   */
  readonly autoFailover?: { readonly stateMachineArn: string; readonly confirmationSeconds: number; readonly alarmName: string };
}

/** The parameter of the runbook that moves `strategy` to `targetRegion`. */
export function runbookParameterName(strategy: string, targetRegion: string): string {
  return `${DIRECTORY_PREFIX}/runbooks/${strategy}/${targetRegion}`;
}

/** The parameter of a drill. */
export function drillParameterName(drill: string): string {
  return `${DIRECTORY_PREFIX}/drills/${drill}`;
}

/** The parameter of a strategy (in each of its Regions). */
export function strategyParameterName(strategy: string): string {
  return `${DIRECTORY_PREFIX}/strategies/${strategy}`;
}
