import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import {
  asRequest,
  renderGantt,
  rerunRequestId,
  runbookParameterName,
  shellQuote,
  validateRequest,
  type RunbookConfig,
  type RunbookEntry,
  type RunbookReport,
  type RunbookRequest,
  type RunbookState,
  type StepResult,
} from '../../protocol';
import { bounded, sns, ssm } from '../shared/aws';
import { isoNow } from '../shared/clock';
import { loadConfig } from '../shared/config';
import { releaseLock } from '../shared/lock';
import { leavesTwoWriters, readDatabase, twoWritersNote } from '../shared/state';

const seconds = (a: string, b: string): number => Math.round((Date.parse(b) - Date.parse(a)) / 100) / 10;

/** The database step's result, when the state carries one. */
function databaseOf(state: RunbookState): (StepResult & { twoWriters?: RunbookReport['twoWriters']; dataLossRiskSeconds?: number | null }) | undefined {
  return (state.parallel ?? []).find((s) => s?.step === 'database') as never;
}

/**
 * The commands that re-run a request with a new request id: built only from its validated
 * fields, every value shell-quoted. The entry function's name comes from the runbook's own
 * directory parameter; without it only the operator CLI's command is given.
 */
export function rerunCommands(config: RunbookConfig, request: RunbookRequest, entryFunctionName?: string): string[] {
  const again: RunbookRequest = { ...request, requestId: rerunRequestId(request.requestId) };
  const cli = [
    'npx cdk-resilience',
    config.direction,
    `--strategy ${shellQuote(config.name)}`,
    `--to ${shellQuote(config.targetRegion)}`,
    `--mode ${again.mode}`,
    ...(again.allowDataLoss ? ['--allow-data-loss'] : []),
    ...(again.allowDetach ? ['--allow-detach'] : []),
    `--request-id ${shellQuote(again.requestId)}`,
    `--reason ${shellQuote(again.reason)}`,
    '--yes',
  ].join(' ');
  const out = [cli];
  if (entryFunctionName) {
    out.push(
      `aws lambda invoke --region ${shellQuote(config.targetRegion)} --function-name ${shellQuote(entryFunctionName)} --cli-binary-format raw-in-base64-out --payload ${shellQuote(JSON.stringify(again))} out.json`,
    );
  }
  return out;
}

/** The report's first line. */
function summaryOf(config: RunbookConfig, status: RunbookReport['status'], recovery: number, request: RunbookRequest | undefined, report: Pick<RunbookReport, 'twoWriters' | 'dataLossRiskSeconds' | 'error'>): string {
  const what = `${config.name} ${config.direction} to ${config.targetRegion}`;
  const head = report.twoWriters
    ? `TWO WRITABLE DATABASES: ${report.twoWriters.fencedRegion}'s database may accept writes when it answers; it is fenced (no traffic until a failback). ${report.twoWriters.beforeFailback}. `
    : '';
  const loss =
    request?.mode === 'unplanned' && status !== 'NOTHING_TO_DO'
      ? report.dataLossRiskSeconds === undefined
        ? ' An unknown amount of writes may be lost: the replication lag could not be read at the decision.'
        : ` Up to ${report.dataLossRiskSeconds} s of writes may be lost (the replication lag at the decision).`
      : '';
  if (status === 'FAILED') return `${head}FAILED: ${what}: ${(report.error ?? '').split('\n')[0].slice(0, 300)}${loss ? `. If a promotion was made:${loss}` : ''}`;
  if (status === 'NOTHING_TO_DO') return `${head}NOTHING TO DO: ${what}: the workload already runs there`;
  return `${head}SUCCEEDED: ${what} in ${recovery} s.${loss}`;
}

/** Step 8: the report, as metrics (Powertools, EMF) and an SNS message; releases the lock. */
export async function handler(state: RunbookState): Promise<RunbookReport> {
  const config = loadConfig();
  const endedAt = isoNow();
  // Report on the request as validated; an invalid one (a direct StartExecution) is named as such.
  const valid = validateRequest(state.request, config).length === 0;
  const request = valid ? asRequest(state.request) : undefined;
  const steps = [state.plan, ...(state.parallel ?? []), state.traffic, state.verify].filter((s): s is StepResult => s !== undefined && s !== null && 'step' in s);
  const timeline = steps.map((s) => ({ step: s.step, startedAt: s.startedAt, endedAt: s.endedAt, seconds: seconds(s.startedAt, s.endedAt) }));
  const begin = state.startedAt ?? state.plan?.startedAt ?? endedAt;
  const done = steps.flatMap((s) => s.actions.map((a) => `${s.step}: ${a}`));
  const failed = state.error !== undefined;
  const status: RunbookReport['status'] = failed ? 'FAILED' : state.plan?.alreadyDone ? 'NOTHING_TO_DO' : 'SUCCEEDED';
  const finished = new Set(steps.map((s) => s.step));
  // Steps in the order they run; the database and compute reconcilers run side by side.
  const notDone = failed ? ['preflight', 'database', 'compute', 'traffic', 'verify'].filter((s) => !finished.has(s)) : [];
  const database = databaseOf(state);
  let twoWriters = database?.twoWriters;
  // The amount at risk: the lag read just before the call that could lose it (the database
  // step's), else Preflight's (no such call made, or a planned run).
  let risk: number | undefined = database && database.dataLossRiskSeconds !== undefined ? (database.dataLossRiskSeconds ?? undefined) : state.plan?.dataLossRiskSeconds;
  if (failed && !database) {
    // A failed Recover step carries no result: read the database, so a detach or a promotion
    // made before the failure still heads the report, and its loss is not understated by the
    // lag Preflight read minutes before it (the lag at the call is lost with the result).
    try {
      const db = await readDatabase(config);
      if (leavesTwoWriters(config, db)) twoWriters = twoWritersNote(config);
      if (db.writerRegion === config.targetRegion) risk = undefined;
    } catch {
      // The report goes out all the same; the database step's actions say what was asked.
      risk = undefined;
    }
  }
  const error = failed ? `${state.error?.Error}: ${state.error?.Cause ?? ''}`.slice(0, 2000) : undefined;
  const recovery = seconds(begin, endedAt);

  let entryFunctionName: string | undefined;
  if (failed && request) {
    const param = await bounded(3_000, (abortSignal) => ssm(config.targetRegion).send(new GetParameterCommand({ Name: runbookParameterName(config.name, config.targetRegion) }), { abortSignal }));
    if (!(param instanceof Error)) entryFunctionName = (JSON.parse(param.Parameter?.Value ?? '{}') as Partial<RunbookEntry>).entryFunctionName;
  }
  const report: RunbookReport = {
    status,
    summary: summaryOf(config, status, recovery, request, { twoWriters, dataLossRiskSeconds: risk, error }),
    runbook: `${config.name} ${config.direction} to ${config.targetRegion}`,
    requestId: request?.requestId ?? '(invalid request)',
    requestedBy: request?.requestedBy,
    dataLossRiskSeconds: request?.mode === 'unplanned' ? risk : 0,
    twoWriters,
    recoveryTimeSeconds: recovery,
    timeline,
    done,
    notDone,
    error,
    gantt: renderGantt(`${config.name} ${config.direction} to ${config.targetRegion}`, timeline, { begin, rtoSeconds: config.rtoSeconds, recoverySeconds: failed ? undefined : recovery }),
    rerun: failed && request ? rerunCommands(config, request, entryFunctionName) : undefined,
  };

  const metrics = new Metrics({ namespace: config.metricsNamespace, serviceName: config.name });
  metrics.addDimension('Runbook', `${config.direction}-${config.targetRegion}`);
  metrics.addMetric(failed ? 'RunbookFailed' : 'RunbookSucceeded', MetricUnit.Count, 1);
  if (!failed) metrics.addMetric('RecoveryTimeSeconds', MetricUnit.Seconds, report.recoveryTimeSeconds);
  for (const t of timeline) metrics.addMetric(`StepSeconds_${t.step}`, MetricUnit.Seconds, t.seconds);
  metrics.publishStoredMetrics();

  if (state.execution) await releaseLock(config, state.execution);
  if (config.notifyTopicArn) {
    try {
      await sns(config.targetRegion).send(
        new PublishCommand({
          TopicArn: config.notifyTopicArn,
          Subject: `[${status}${twoWriters ? ', TWO WRITERS' : ''}] ${report.runbook}`.slice(0, 100),
          Message: `${report.summary}\n\n${JSON.stringify(report, null, 2)}\n\nTimeline (Mermaid):\n${report.gantt}\n`,
        }),
      );
    } catch (e) {
      // The SDK retried it. A failover that completed stays completed: the report is the
      // execution's output all the same, and says the message was not sent.
      return { ...report, notification: `not sent: ${(e as Error).name}: ${(e as Error).message}` };
    }
  }
  return report;
}
