/**
 * What the runbook's steps return, and the plan preflight computes: returned by the entry
 * function in plan mode (and read by the CLI), carried through the execution state.
 */

/** What every step returns. */
export interface StepResult {
  readonly step: string;
  readonly startedAt: string;
  readonly endedAt: string;
  /** What the step did, in words, for the timeline and the failure report. */
  readonly actions: string[];
}

/** A Region as preflight sees it. */
export interface RegionState {
  readonly region: string;
  /** The Region answered its APIs. */
  readonly reachable: boolean;
  /** Healthy targets behind the Region's load balancer (undefined when unreachable). */
  readonly healthyTargets?: number;
  /** The Region serves (reachable and enough healthy targets). */
  readonly healthy: boolean;
  /** The Region holds the database writer. */
  readonly writer: boolean;
  /** Desired capacity of the Region's group. */
  readonly desiredCapacity?: number;
  /** Routing-control state, when routing controls are used. */
  readonly routingControl?: 'On' | 'Off';
  /**
   * Whether Route 53 sends traffic to the Region, as the data plane answers (the status
   * record on the zone's name servers, or the routing control).
   */
  readonly traffic?: 'serving' | 'withdrawn' | 'unknown';
}

/** The plan preflight computes. */
export interface Plan extends StepResult {
  readonly source: RegionState;
  readonly target: RegionState;
  /** Replication lag into the target, seconds (undefined when unknown). */
  readonly replicationLagSeconds?: number;
  /** Data the operation may lose: 0 for planned, up to the lag for unplanned. */
  readonly dataLossRiskSeconds?: number;
  /** What the runbook will do, in order. */
  readonly steps: string[];
  /** The workload already runs in the target Region: nothing to do. */
  readonly alreadyDone: boolean;
  /** Why the request as given would be refused (plan mode reports it instead of failing). */
  readonly refusal?: { readonly code: string; readonly message: string };
  /** What an operator should know before going on (nothing refused). */
  readonly warnings?: string[];
  /** Who asked, as the request says (self-reported). */
  readonly requestedBy?: string;
}
