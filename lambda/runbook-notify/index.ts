import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { PublishCommand } from '@aws-sdk/client-sns';
import { sns } from '../shared/aws';
import { isoNow } from '../shared/clock';
import { loadConfig } from '../shared/config';
import { renderGantt, type RunbookReport, type RunbookState, type StepResult } from '../../protocol';

const seconds = (a: string, b: string): number => Math.round((Date.parse(b) - Date.parse(a)) / 100) / 10;

/** Step 8: the timeline, as metrics (Powertools, EMF) and an SNS message. */
export async function handler(state: RunbookState): Promise<RunbookReport> {
  const config = loadConfig();
  const endedAt = isoNow();
  const steps = [state.plan, ...(state.parallel ?? []), state.traffic, state.verify].filter((s): s is StepResult => s !== undefined && 'step' in s);
  const timeline = steps.map((s) => ({ step: s.step, startedAt: s.startedAt, endedAt: s.endedAt, seconds: seconds(s.startedAt, s.endedAt) }));
  const begin = state.startedAt ?? state.plan?.startedAt ?? endedAt;
  const done = steps.flatMap((s) => s.actions.map((a) => `${s.step}: ${a}`));
  const failed = state.error !== undefined;
  const status = failed ? 'FAILED' : state.plan?.alreadyDone ? 'NOTHING_TO_DO' : 'SUCCEEDED';
  const finished = new Set(steps.map((s) => s.step));
  // Steps in the order they run; the database and compute reconcilers run in parallel.
  const notDone = failed ? ['preflight', 'database', 'compute', 'traffic', 'verify'].filter((s) => !finished.has(s)) : [];
  const report: RunbookReport = {
    status,
    runbook: `${config.name} ${config.direction} to ${config.targetRegion}`,
    requestId: state.request.requestId,
    recoveryTimeSeconds: seconds(begin, endedAt),
    timeline,
    done,
    notDone,
    error: failed ? `${state.error?.Error}: ${state.error?.Cause ?? ''}`.slice(0, 2000) : undefined,
    gantt: renderGantt(`${config.name} ${config.direction} to ${config.targetRegion}`, timeline, { begin, rtoSeconds: config.rtoSeconds, recoverySeconds: failed ? undefined : seconds(begin, endedAt) }),
    rerun: failed
      ? `aws lambda invoke --region ${config.targetRegion} --function-name <entry function> --payload '${JSON.stringify({ ...state.request, requestId: `${state.request.requestId}-rerun` })}' out.json`
      : undefined,
  };

  const metrics = new Metrics({ namespace: config.metricsNamespace, serviceName: config.name });
  metrics.addDimension('Runbook', `${config.direction}-${config.targetRegion}`);
  metrics.addMetric(failed ? 'RunbookFailed' : 'RunbookSucceeded', MetricUnit.Count, 1);
  if (!failed) metrics.addMetric('RecoveryTimeSeconds', MetricUnit.Seconds, report.recoveryTimeSeconds);
  for (const t of timeline) metrics.addMetric(`StepSeconds_${t.step}`, MetricUnit.Seconds, t.seconds);
  metrics.publishStoredMetrics();

  if (config.notifyTopicArn) {
    await sns(config.targetRegion).send(
      new PublishCommand({
        TopicArn: config.notifyTopicArn,
        Subject: `[${status}] ${report.runbook}`.slice(0, 100),
        Message: `${JSON.stringify(report, null, 2)}\n\nTimeline (Mermaid):\n${report.gantt}\n`,
      }),
    );
  }
  return report;
}
