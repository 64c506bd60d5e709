import { DescribeAlarmsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { RunbookConfig, TrafficGates } from '../../protocol';
import { bounded, cloudwatch } from './aws';
import { now } from './clock';

/**
 * The traffic gates of health-check mode (protocol/config.ts, TrafficGates): a Region X
 * takes traffic only while its endpoint check and both of its gates (an alarm in each
 * Region on a metric runbooks write) are open. Every write here is a PutMetricData in the
 * Region that holds the gate (CloudWatch's regional data plane); nothing calls Route 53.
 */

/**
 * What a gate is, as its alarm reports it: the last value written (the alarm ignores missing
 * data), which is what Route 53 holds too, since it keeps the last status it determined when
 * the data stream goes silent.
 */
export type GateState = 'open' | 'closed' | 'unknown';

function gatesOf(config: RunbookConfig): TrafficGates {
  if (config.traffic.kind !== 'health-check') throw new Error('traffic gates exist in health-check mode only');
  return config.traffic.gates;
}

/** Write one gate: `Closed` = 1 or 0 for `gated`, in `holding`, bounded in time. */
export async function writeGate(config: RunbookConfig, gated: string, holding: string, closed: boolean, timeoutMs: number): Promise<true | Error> {
  const g = gatesOf(config);
  const out = await bounded(
    timeoutMs,
    (abortSignal) =>
      cloudwatch(holding).send(
        new PutMetricDataCommand({
          Namespace: g.namespace,
          MetricData: [
            {
              MetricName: g.metricName,
              Dimensions: [
                { Name: 'Strategy', Value: config.name },
                { Name: 'Region', Value: gated },
              ],
              Timestamp: new Date(now()),
              Value: closed ? 1 : 0,
              Unit: 'Count',
            },
          ],
        }),
        { abortSignal },
      ),
    `write the traffic gate of ${gated}`,
    holding,
  );
  return out instanceof Error ? out : true;
}

/** Read one gate's alarm, bounded; `unknown` when its Region does not answer. */
export async function readGate(config: RunbookConfig, gated: string, holding: string, timeoutMs: number): Promise<GateState> {
  const alarm = gatesOf(config).alarms[gated]?.[holding];
  if (!alarm) throw new Error(`no traffic gate of ${gated} in ${holding} in the configuration`);
  const out = await bounded(
    timeoutMs,
    (abortSignal) => cloudwatch(holding).send(new DescribeAlarmsCommand({ AlarmNames: [alarm.alarmName] }), { abortSignal }),
    `read the traffic gate alarm ${alarm.alarmName}`,
    holding,
  );
  if (out instanceof Error) return 'unknown';
  const state = out.MetricAlarms?.[0]?.StateValue;
  if (state === 'ALARM') return 'closed';
  if (state === 'OK') return 'open';
  // Never written: Route 53 reads a new gate as healthy.
  if (state === 'INSUFFICIENT_DATA') return 'open';
  return 'unknown';
}

/** The outcome of moving the gates to the target. */
export interface GateMove {
  readonly actions: string[];
  /** Where the source's closure is held: its own Region (canonical) or the target's. */
  readonly sourceClosedIn?: string;
  /** Set when a gate the target needs open could not be opened (its Region did not answer). */
  readonly blocked?: string;
  /** Whether anything was written (nothing, when every gate already reads as it should). */
  readonly changed: boolean;
}

/**
 * Open the target and close the source, idempotently:
 *
 * - the target's gate in the target: written open;
 * - the target's gate in the source: opened if it reads closed (a closure an earlier run made
 *   while the target was unreachable); when the source does not answer it stays as it was;
 * - the source: closed in the source when the source answers (the next runbook, a failback
 *   that runs in the source, can reopen it without the target's help), else in the target
 *   (durable all the same). A closure held in the target stays there until a run opens the
 *   source again: moving it would mean trusting an alarm's state for what Route 53 has read.
 */
export async function moveGates(config: RunbookConfig): Promise<GateMove> {
  const t = config.targetRegion;
  const s = config.sourceRegion;
  const remote = config.sourceCallTimeoutMs;
  const local = 10_000;
  const actions: string[] = [];
  let blocked: string | undefined;

  let changed = false;
  // A gate that already reads right is written again all the same (best effort): its alarm
  // says what was written, not that Route 53 read it, and a re-run is the remedy for a write
  // Route 53 missed. The same value again changes nothing.
  const reassert = async (gated: string, holding: string, closed: boolean, timeoutMs: number): Promise<void> => {
    await writeGate(config, gated, holding, closed, timeoutMs);
  };
  if ((await readGate(config, t, t, local)) !== 'open') {
    const openHere = await writeGate(config, t, t, false, local);
    if (openHere instanceof Error) throw openHere;
    actions.push(`opened the gate of ${t} in ${t}`);
    changed = true;
  } else {
    await reassert(t, t, false, local);
  }

  const targetThere = await readGate(config, t, s, remote);
  if (targetThere === 'open') await reassert(t, s, false, remote);
  if (targetThere !== 'open') {
    const w = await writeGate(config, t, s, false, remote);
    if (w instanceof Error) {
      if (targetThere === 'closed') blocked = `the gate of ${t} held in ${s} reads closed and ${s} does not answer (${w.name}): Route 53 keeps ${t} withdrawn until ${s} answers and a run reopens it`;
    } else {
      actions.push(`opened the gate of ${t} in ${s}`);
      changed = true;
    }
  }

  let sourceClosedIn: string;
  const sourceHere = await readGate(config, s, s, remote);
  if (sourceHere === 'closed') {
    sourceClosedIn = s;
    await reassert(s, s, true, remote);
  } else {
    const closeThere = await writeGate(config, s, s, true, remote);
    if (closeThere instanceof Error) {
      sourceClosedIn = t;
      if ((await readGate(config, s, t, local)) !== 'closed') {
        const w = await writeGate(config, s, t, true, local);
        if (w instanceof Error) throw w;
        actions.push(`closed the gate of ${s} in ${t} (${s} did not answer: ${closeThere.name}); it holds when ${s} recovers`);
        changed = true;
      }
      return { actions, sourceClosedIn, blocked, changed };
    }
    actions.push(`closed the gate of ${s} in ${s}`);
    changed = true;
    sourceClosedIn = s;
  }
  return { actions, sourceClosedIn, blocked, changed };
}

/**
 * Keep the source's fence until Route 53 is seen reading it. A closure written in the source
 * holds only once Route 53 has read it; a source that went down right after the write (before
 * Route 53 read the datapoint) keeps its gates open as Route 53 knows them, and would take
 * traffic again when it comes back. So while the fence record does not say `closed`, one read
 * window (60 s) past the gate's delay after the move, and again every delay after that, the
 * closure is written in the target too: the runbook's own Region, always there.
 */
export async function keepFence(config: RunbookConfig, fenced: boolean, movedAt: string, reclosedAt?: string): Promise<{ action?: string; reclosedAt?: string }> {
  if (fenced || config.traffic.kind !== 'health-check') return { reclosedAt };
  const g = config.traffic.gates;
  const since = (now() - Date.parse(reclosedAt ?? movedAt)) / 1000;
  if (since < g.delaySeconds + (reclosedAt ? 0 : 60)) return { reclosedAt };
  const w = await writeGate(config, config.sourceRegion, config.targetRegion, true, 10_000);
  if (w instanceof Error) throw w;
  return {
    action: `Route 53 did not read the closure of ${config.sourceRegion} (its fence record is not closed): closed its gate in ${config.targetRegion} as well, which holds when ${config.sourceRegion} comes back`,
    reclosedAt: new Date(now()).toISOString(),
  };
}
