import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { AutoFailoverDetectorConfig, RunbookConfig } from '../../protocol';
import { cloudwatch } from '../shared/aws';
import { now } from '../shared/clock';
import { fenceStatus, regionStatus } from '../shared/dns';
import { lockHolder } from '../shared/lock';

/** One look at Route 53's answers for the watched Region. */
export interface Look {
  readonly status: 'serving' | 'withdrawn' | 'unknown';
  readonly fence: 'open' | 'closed' | 'unknown';
}

/** What one invocation found, and what was written. */
export interface DetectorResult {
  readonly looks: Look[];
  /** A runbook of the strategy holds its lock: it is moving traffic, so what DNS shows is its doing. */
  readonly runbookRunning: boolean;
  /**
   * 1: every look saw the watched Region withdrawn with its fence open (an outage no runbook
   * made); 0: a look saw it serving or fenced, or a runbook runs; none: a look had no answer.
   */
  readonly value?: 0 | 1;
  /** `value === 1`: what the confirmation state machine asks before it starts a failover. */
  readonly outage: boolean;
}

/** The detector's input: the schedule's event, or the confirmation machine's `{ confirm: true }`. */
export interface DetectorEvent {
  /** Only look (the confirmation at the end of the window): write no metric. */
  readonly confirm?: boolean;
}

/** The configuration rendered into DETECTOR_CONFIG at deploy time (a few hundred bytes: parsed each run). */
function loadDetectorConfig(): AutoFailoverDetectorConfig {
  const raw = process.env.DETECTOR_CONFIG;
  if (!raw) throw new Error('DETECTOR_CONFIG is not set');
  return JSON.parse(raw) as AutoFailoverDetectorConfig;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs every minute in the recovery Region, and once more at the end of a confirmation window.
 * It asks the zone's authoritative name servers (the Route 53 data plane: no control-plane call,
 * nothing in the watched Region) how Route 53 sees the watched Region, `looks` times
 * `lookIntervalMs` apart: its status record (endpoint and gates) and its fence record (gates
 * only). Withdrawn with the fence open in every look is a failure no runbook made; a single
 * look that sees it serving or fenced is not (a flapping check never adds up to an outage); a
 * runbook holding the strategy's lock (a drill, a switchover, a failback) is never one.
 */
export async function handler(event: DetectorEvent = {}): Promise<DetectorResult> {
  const config = loadDetectorConfig();
  const looks: Look[] = [];
  for (let i = 0; i < config.looks; i++) {
    if (i > 0) await sleep(config.lookIntervalMs);
    const [status, fence] = await Promise.all([regionStatus(config.dns, config.watchedRegion), fenceStatus(config.dns, config.watchedRegion)]);
    looks.push({ status, fence });
  }
  // The lock lives in this Region's replica of the global table (the runbooks write it here).
  const holder = await lockHolder({ targetRegion: process.env.AWS_REGION!, lock: config.lock } as RunbookConfig);
  const runbookRunning = holder !== undefined && holder.leaseUntil * 1000 > now();
  let value: 0 | 1 | undefined;
  if (runbookRunning || looks.some((l) => l.status === 'serving' || l.fence === 'closed')) value = 0;
  else if (looks.every((l) => l.status === 'withdrawn' && l.fence === 'open')) value = 1;
  if (value !== undefined && !event.confirm) {
    await cloudwatch(process.env.AWS_REGION!).send(
      new PutMetricDataCommand({
        Namespace: config.namespace,
        MetricData: [{ MetricName: config.metricName, Dimensions: [{ Name: 'Strategy', Value: config.strategy }, { Name: 'Region', Value: config.watchedRegion }], Value: value, Unit: 'Count' }],
      }),
    );
  }
  return { looks, runbookRunning, value, outage: value === 1 };
}
