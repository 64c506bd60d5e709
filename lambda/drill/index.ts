import { DescribeAlarmsCommand, GetMetricDataCommand, PutMetricDataCommand, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { PublishCommand } from '@aws-sdk/client-sns';
import { cloudwatch, sns } from '../shared/aws';
import { now } from '../shared/clock';
import type { Baseline, CheckResult, DrillConfig, DrillEvent, DrillLoop, DrillReport, Observation } from '../../protocol';

export type { Baseline, CheckResult, DrillConfig, DrillEvent, DrillLoop, DrillReport, Observation } from '../../protocol';

const TERMINAL = new Set(['completed', 'stopped', 'failed', 'cancelled', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
const SUCCESS = new Set(['completed', 'SUCCEEDED']);

function loadConfig(): DrillConfig {
  return JSON.parse(process.env.DRILL_CONFIG ?? '{}') as DrillConfig;
}

/** Healthy hosts (sum over the target groups, minimum of the last minute) and alarms not OK. */
export async function observe(config: DrillConfig): Promise<Observation> {
  const cw = cloudwatch(config.region);
  const at = now();
  const data = await cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(at - 5 * 60_000),
      EndTime: new Date(at),
      ScanBy: 'TimestampDescending',
      MetricDataQueries: config.targetGroups.map((tg, i) => ({
        Id: `hosts${i}`,
        MetricStat: {
          Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'HealthyHostCount', Dimensions: [{ Name: 'TargetGroup', Value: tg.targetGroup }, { Name: 'LoadBalancer', Value: tg.loadBalancer }] },
          Period: 60,
          Stat: 'Minimum',
        },
      })),
    }),
  );
  // The newest datapoint of each group; a group with no datapoint counts as 0 healthy hosts.
  const healthyHosts = (data.MetricDataResults ?? []).reduce((sum, r) => sum + (r.Values?.[0] ?? 0), 0);
  const alarms = config.alarmNames.length ? await cw.send(new DescribeAlarmsCommand({ AlarmNames: config.alarmNames })) : { MetricAlarms: [] };
  const alarmsNotOk: Record<string, string> = {};
  for (const a of alarms.MetricAlarms ?? []) if (a.StateValue !== 'OK') alarmsNotOk[a.AlarmName!] = a.StateValue ?? 'UNKNOWN';
  for (const name of config.alarmNames) if (!(alarms.MetricAlarms ?? []).some((a) => a.AlarmName === name)) alarmsNotOk[name] = 'MISSING';
  return { atMs: at, healthyHosts, alarmsNotOk };
}

function alarmsReason(o: Observation): string | undefined {
  const bad = Object.entries(o.alarmsNotOk);
  return bad.length ? `alarms not OK: ${bad.map(([n, st]) => `${n}=${st}`).join(', ')}` : undefined;
}

/**
 * Step 1: the steady state, before anything is broken: every alarm OK, and for an
 * experiment, at least one healthy host. A drill never starts from an unsteady state.
 */
async function baseline(config: DrillConfig): Promise<Baseline> {
  const o = await observe(config);
  const reason = alarmsReason(o) ?? (config.mode === 'experiment' && o.healthyHosts < 1 ? 'no healthy host' : undefined);
  return { ...o, steady: reason === undefined, reason };
}

/**
 * Step 3: one check while the experiment or runbook runs.
 *
 * Impact: in an experiment, the time its alarms are not OK (what customers see); in a
 * failover, the time until the target Region serves at full capacity with its alarms OK.
 * The drill finishes when the experiment or runbook has ended, the alarms are OK and the
 * healthy hosts are back (to the baseline, or to `recoveredHosts`).
 */
async function check(config: DrillConfig, event: Extract<DrillEvent, { step: 'check' }>): Promise<CheckResult> {
  const o = await observe(config);
  // The clock starts at the steady-state record, taken just before the start.
  const prev: DrillLoop = event.loop?.startedAtMs !== undefined ? event.loop : { startedAtMs: event.baseline.atMs, checks: 0 };
  const alarmBad = alarmsReason(o) !== undefined;
  const capacityBack = o.healthyHosts >= (config.recoveredHosts ?? event.baseline.healthyHosts);
  const impacted = config.mode === 'experiment' ? alarmBad : alarmBad || !capacityBack;
  const loop: DrillLoop = {
    ...prev,
    checks: prev.checks + 1,
    firstBadMs: impacted ? (prev.firstBadMs ?? o.atMs) : prev.firstBadMs,
    lastBadMs: impacted ? o.atMs : prev.lastBadMs,
  };
  const terminal = TERMINAL.has(event.targetStatus);
  // The experiment's stop conditions are the drill's alarms: FIS stops it on ALARM; the
  // drill stops it too, so that it cannot run on whatever the template says.
  if (config.mode === 'experiment' && Object.values(o.alarmsNotOk).includes('ALARM') && !terminal && !prev.stopRequested) {
    return { next: 'stop', loop: { ...loop, stopRequested: true }, observation: o, targetStatus: event.targetStatus };
  }
  const elapsed = (o.atMs - loop.startedAtMs) / 1000;
  if (terminal && !alarmBad && capacityBack) {
    const impact = loop.firstBadMs !== undefined ? (loop.lastBadMs! - loop.firstBadMs) / 1000 + config.pollSeconds : 0;
    const recoverySeconds = config.mode === 'runbook' ? elapsed : impact;
    return { next: 'finish', loop, observation: o, targetStatus: event.targetStatus, recoverySeconds };
  }
  // A runbook that failed will not recover the Region: finish now instead of waiting out the drill.
  if (elapsed >= config.maxSeconds || (config.mode === 'runbook' && terminal && !SUCCESS.has(event.targetStatus))) {
    return { next: 'finish', loop, observation: o, targetStatus: event.targetStatus, recoverySeconds: elapsed, timedOut: elapsed >= config.maxSeconds };
  }
  return { next: 'wait', loop, observation: o, targetStatus: event.targetStatus };
}

/** Step 4: the verdict, as metrics and an SNS message. */
async function report(config: DrillConfig, event: Extract<DrillEvent, { step: 'report' }>): Promise<DrillReport> {
  const c = event.check;
  const stoppedByAlarm = c?.loop.stopRequested === true || c?.targetStatus === 'stopped';
  let reason: string;
  let passed = false;
  if (event.error) reason = `the drill failed: ${event.error.Error ?? 'Error'}: ${event.error.Cause ?? ''}`.trim();
  else if (event.baseline && !event.baseline.steady) reason = `not started: the steady state does not hold (${event.baseline.reason})`;
  else if (!c) reason = 'no check ran';
  else if (c.timedOut) reason = `no recovery within ${Math.round(c.recoverySeconds ?? 0)} s (the ${config.mode} is ${c.targetStatus})`;
  else if (!SUCCESS.has(c.targetStatus) && !stoppedByAlarm) reason = `the ${config.mode} ended ${c.targetStatus}`;
  else if (stoppedByAlarm) reason = 'stopped by its stop alarm: the hypothesis does not hold';
  else if ((c.recoverySeconds ?? 0) > config.rtoSeconds) reason = `recovered in ${c.recoverySeconds} s, over the RTO of ${config.rtoSeconds} s`;
  else {
    passed = true;
    reason = `recovered in ${c.recoverySeconds} s, within the RTO of ${config.rtoSeconds} s`;
  }
  const r: DrillReport = {
    drill: config.name,
    passed,
    recoverySeconds: c?.recoverySeconds ?? 0,
    rtoSeconds: config.rtoSeconds,
    stoppedByAlarm,
    targetStatus: c?.targetStatus ?? 'not started',
    reason,
  };
  const dims = [{ Name: 'Drill', Value: config.name }];
  await cloudwatch(config.region).send(
    new PutMetricDataCommand({
      Namespace: config.namespace,
      MetricData: [
        { MetricName: 'DrillRecoveryTimeSeconds', Dimensions: dims, Value: r.recoverySeconds, Unit: StandardUnit.Seconds },
        { MetricName: 'DrillPassed', Dimensions: dims, Value: passed ? 1 : 0, Unit: StandardUnit.Count },
      ],
    }),
  );
  await sns(config.region).send(
    new PublishCommand({
      TopicArn: config.topicArn,
      Subject: `Drill ${config.name}: ${passed ? 'PASSED' : 'FAILED'}`.slice(0, 100),
      Message: JSON.stringify(r, null, 2),
    }),
  );
  return r;
}

/** The drill's steps: baseline, check, report. */
export async function handler(event: DrillEvent): Promise<Baseline | CheckResult | DrillReport> {
  const config = loadConfig();
  switch (event.step) {
    case 'baseline':
      return baseline(config);
    case 'check':
      return check(config, event);
    case 'report':
      return report(config, event);
    default:
      throw new Error(`unknown drill step ${(event as { step: string }).step}`);
  }
}
