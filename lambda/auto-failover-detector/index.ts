import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { AutoFailoverDetectorConfig } from '../../protocol';
import { cloudwatch } from '../shared/aws';
import { fenceStatus, regionStatus } from '../shared/dns';

/** What one look found, and what was written. */
export interface DetectorResult {
  readonly status: 'serving' | 'withdrawn' | 'unknown';
  readonly fence: 'open' | 'closed' | 'unknown';
  /** The datapoint written: 1 (an outage nobody fenced), 0, or none when a record gave no answer. */
  readonly value?: 0 | 1;
}

let parsed: { raw: string; config: AutoFailoverDetectorConfig } | undefined;

function loadDetectorConfig(): AutoFailoverDetectorConfig {
  const raw = process.env.DETECTOR_CONFIG;
  if (!raw) throw new Error('DETECTOR_CONFIG is not set');
  if (parsed?.raw !== raw) parsed = { raw, config: JSON.parse(raw) as AutoFailoverDetectorConfig };
  return parsed.config;
}

/**
 * Runs every minute in the recovery Region. It asks the zone's authoritative name servers (the
 * Route 53 data plane: no control-plane call, nothing in the watched Region) how Route 53 sees
 * the watched Region: its status record (endpoint and gates) and its fence record (gates only).
 * Withdrawn with the fence open is a failure no runbook made: the alarm on that metric is what
 * starts the confirmation window. A closed fence (a failover ran, or a drill) is not an outage.
 */
export async function handler(): Promise<DetectorResult> {
  const config = loadDetectorConfig();
  const [status, fence] = await Promise.all([regionStatus(config.dns, config.watchedRegion), fenceStatus(config.dns, config.watchedRegion)]);
  let value: 0 | 1 | undefined;
  if (status === 'serving' || fence === 'closed') value = 0;
  else if (status === 'withdrawn' && fence === 'open') value = 1;
  if (value !== undefined) {
    await cloudwatch(process.env.AWS_REGION!).send(
      new PutMetricDataCommand({
        Namespace: config.namespace,
        MetricData: [{ MetricName: config.metricName, Dimensions: [{ Name: 'Strategy', Value: config.strategy }, { Name: 'Region', Value: config.watchedRegion }], Value: value, Unit: 'Count' }],
      }),
    );
  }
  return { status, fence, value };
}
