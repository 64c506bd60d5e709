/**
 * What the drill function (lambda/drill) shares with the Drill construct (lib/chaos/drill.ts),
 * the CLI and the resilience report: its configuration, loop state and report.
 */

/** A load balancer target group whose healthy hosts make the steady state. */
export interface DrillTargetGroup {
  /** `LoadBalancer` dimension, e.g. `app/shop/0123456789abcdef`. */
  readonly loadBalancer: string;
  /** `TargetGroup` dimension, e.g. `targetgroup/shop/0123456789abcdef`. */
  readonly targetGroup: string;
}

/** The drill's configuration (environment variable DRILL_CONFIG). */
export interface DrillConfig {
  readonly name: string;
  readonly region: string;
  /** `experiment`: a FIS experiment; `runbook`: a failover runbook. */
  readonly mode: 'experiment' | 'runbook';
  /** The declared RTO the recovery time is held to. */
  readonly rtoSeconds: number;
  /** The drill gives up after this long. */
  readonly maxSeconds: number;
  /** Seconds between checks. */
  readonly pollSeconds: number;
  readonly targetGroups: DrillTargetGroup[];
  /** Alarms that must be OK in the steady state; in an experiment they also stop it. */
  readonly alarmNames: string[];
  readonly topicArn: string;
  readonly namespace: string;
  /**
   * Healthy hosts that mean "recovered" (a failover: the target Region's full capacity);
   * absent: the baseline's count.
   */
  readonly recoveredHosts?: number;
}

/** What a probe saw. */
export interface Observation {
  readonly atMs: number;
  readonly healthyHosts: number;
  /** Alarms not in OK (name: state). */
  readonly alarmsNotOk: Record<string, string>;
}

/** The baseline: the steady state before anything is broken. */
export interface Baseline extends Observation {
  readonly steady: boolean;
  readonly reason?: string;
}

/** The loop state carried between checks. */
export interface DrillLoop {
  readonly startedAtMs: number;
  readonly firstBadMs?: number;
  readonly lastBadMs?: number;
  readonly stopRequested?: boolean;
  readonly checks: number;
}

/** The result of one check. */
export interface CheckResult {
  readonly next: 'wait' | 'stop' | 'finish';
  readonly loop: DrillLoop;
  readonly observation: Observation;
  readonly targetStatus: string;
  readonly recoverySeconds?: number;
  readonly timedOut?: boolean;
}

/** The drill report. */
export interface DrillReport {
  readonly drill: string;
  readonly passed: boolean;
  readonly recoverySeconds: number;
  readonly rtoSeconds: number;
  readonly stoppedByAlarm: boolean;
  readonly targetStatus: string;
  readonly reason: string;
}

/** The events the three steps receive. */
export type DrillEvent =
  | { readonly step: 'baseline' }
  | { readonly step: 'check'; readonly baseline: Baseline; readonly targetStatus: string; readonly loop?: DrillLoop }
  | { readonly step: 'report'; readonly baseline?: Baseline; readonly check?: CheckResult; readonly error?: { readonly Error?: string; readonly Cause?: string } };

