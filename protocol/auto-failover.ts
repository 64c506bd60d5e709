import type { DnsObservation } from './config';

/** The namespace of the automatic-failover detector's metric. */
export const AUTO_FAILOVER_NAMESPACE = 'CdkResilience/AutoFailover';

/**
 * The detector's metric: 1 while Route 53 withdraws the watched Region's record although its
 * traffic gates are open (its endpoint fails, and no runbook fenced it), 0 while it serves or is
 * fenced. Nothing is written when either record gives no answer: missing data never starts a
 * failover.
 */
export const AUTO_FAILOVER_METRIC = 'UnfencedOutage';

/** What the detector reads (DETECTOR_CONFIG), rendered at deploy time. */
export interface AutoFailoverDetectorConfig {
  /** The strategy's short name (the metric's `Strategy` dimension). */
  readonly strategy: string;
  /** The Region whose outage the detector watches (the strategy's primary). */
  readonly watchedRegion: string;
  /** The status and fence records on the zone's name servers (a data-plane read). */
  readonly dns: DnsObservation;
  readonly namespace: string;
  readonly metricName: string;
  /** Looks per invocation: each must see the outage for the datapoint to be 1. */
  readonly looks: number;
  /** Milliseconds between two looks. */
  readonly lookIntervalMs: number;
  /** The strategy's runbook lock (a global table with a replica in the detector's Region). */
  readonly lock: { readonly tableName: string; readonly leaseSeconds: number };
}

/** The state names of the confirmation state machine (stable: tests, operators and the CLI's cancel use them). */
export const AUTO_FAILOVER_STATES = {
  begin: 'Begin',
  announce: 'Announce',
  confirmationWindow: 'ConfirmationWindow',
  readAlarm: 'ReadAlarm',
  confirm: 'Confirm',
  stillFailing: 'StillFailing',
  startSwitchover: 'StartSwitchover',
  switchoverRefused: 'SwitchoverRefused',
  startFailover: 'StartFailover',
  wasAccepted: 'WasAccepted',
  accepted: 'Accepted',
  recovered: 'Recovered',
  refused: 'Refused',
  reportRefusal: 'ReportRefusal',
  done: 'Done',
} as const;

/**
 * The states in which an automatic failover may still be cancelled (stopped) with nothing asked
 * of the runbook; from StartSwitchover on, the runbook may already have been asked to start.
 */
export const AUTO_FAILOVER_CANCELLABLE_STATES: readonly string[] = [AUTO_FAILOVER_STATES.begin, AUTO_FAILOVER_STATES.announce, AUTO_FAILOVER_STATES.confirmationWindow, AUTO_FAILOVER_STATES.readAlarm, AUTO_FAILOVER_STATES.confirm, AUTO_FAILOVER_STATES.stillFailing];
