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
}

/** The state names of the confirmation state machine (stable: tests and operators use them). */
export const AUTO_FAILOVER_STATES = {
  announce: 'Announce',
  confirmationWindow: 'ConfirmationWindow',
  readAlarm: 'ReadAlarm',
  stillFailing: 'StillFailing',
  startFailover: 'StartFailover',
  accepted: 'Accepted',
  recovered: 'Recovered',
  refused: 'Refused',
  reportRefusal: 'ReportRefusal',
  done: 'Done',
} as const;
