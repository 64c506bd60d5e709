import { InvokeCommand } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, HistoryEvent, ListExecutionsCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import pc from 'picocolors';
import {
  type DrillEntry,
  type DrillReport,
  ganttBlock,
  type Plan,
  type RegionState,
  REQUEST_ID_PATTERN,
  REQUESTED_BY_PATTERN,
  rerunRequestId,
  type RunbookEntry,
  type RunbookReport,
  type RunbookRequest,
  shellQuote,
  AUTO_FAILOVER_CANCELLABLE_STATES,
} from '../protocol';
import { ClientFactory } from './aws';
import { findDrill, findRunbook, findStrategy } from './directory';
import { CliError, EXIT, fromAwsError, refused } from './errors';
import { duration, eventLines, progressFromHistory, ProgressModel, renderFrame, screenRows, StepSpec, timelineGantt } from './progress';

/** The terminal, the clock and the prompt: real in the CLI, recorded in tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** stdout is a terminal: redraw a progress frame instead of printing event lines. */
  readonly isTTY: boolean;
  /** stdin is a terminal: a confirmation can be asked. */
  readonly interactive: boolean;
  prompt(question: string): Promise<string>;
  /** Terminal width, for redrawing a frame over wrapped lines. */
  readonly columns?: number;
  sleep(ms: number): Promise<void>;
  now(): Date;
  readonly color: boolean;
}

/** Options of the commands that act on a runbook. */
export interface RunbookOptions {
  readonly strategy: string;
  /** The Region to move the workload to (where the runbook runs). */
  readonly to: string;
  readonly mode: 'planned' | 'unplanned';
  readonly allowDataLoss: boolean;
  /** Consent to two writable databases (the old one fenced). */
  readonly allowDetach?: boolean;
  readonly requestId?: string;
  readonly reason?: string;
  readonly yes: boolean;
  /** Stop following after this long (exit code 2); the execution goes on. */
  readonly timeoutSeconds?: number;
  readonly pollSeconds: number;
  /** The AWS profile used, repeated in the commands the CLI suggests. */
  readonly profile?: string;
}

/** `--profile x` when one was given, for the commands the CLI suggests. */
const profileFlag = (profile?: string): string[] => (profile ? [`--profile ${profile}`] : []);
/** The consent flags of a request, as the CLI takes them. */
const consentFlags = (o: RunbookOptions): string[] => [...(o.allowDataLoss ? ['--allow-data-loss'] : []), ...(o.allowDetach ? ['--allow-detach'] : [])];

/**
 * Who runs the CLI, as STS says (the caller's ARN), sent as `requestedBy`: self-reported,
 * since a Lambda invoke carries no caller identity (CloudTrail data events do). A failure
 * to ask leaves it out rather than stopping the operator.
 */
async function callerArn(clients: ClientFactory, region: string): Promise<string | undefined> {
  try {
    const arn = (await clients(region).sts.send(new GetCallerIdentityCommand({}))).Arn;
    return arn && REQUESTED_BY_PATTERN.test(arn) ? arn : undefined;
  } catch {
    return undefined;
  }
}

/** The request id: given, or one derived from the clock (also the execution name). */
function requestIdOf(o: { readonly requestId?: string }, io: Io, prefix: string): string {
  if (o.requestId) {
    if (!REQUEST_ID_PATTERN.test(o.requestId)) throw refused(`--request-id '${o.requestId}' must be 1-80 letters, digits, '-' or '_'`);
    return o.requestId;
  }
  return `${prefix}-${io.now().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '')}`;
}

function checkMode(o: RunbookOptions): void {
  if (o.mode !== 'planned' && o.mode !== 'unplanned') throw refused(`--mode must be planned or unplanned (got '${o.mode}')`);
  if (o.mode === 'unplanned' && !o.allowDataLoss) {
    throw refused('--mode unplanned may lose the replication lag: add --allow-data-loss to accept it (or use --mode planned with a healthy primary)');
  }
}

async function invokeEntry(clients: ClientFactory, entry: RunbookEntry, request: RunbookRequest): Promise<Record<string, unknown>> {
  try {
    const out = await clients(entry.targetRegion).lambda.send(new InvokeCommand({ FunctionName: entry.entryFunctionName, Payload: Buffer.from(JSON.stringify(request)) }));
    const body = JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8') || '{}') as Record<string, unknown>;
    if (out.FunctionError) throw new CliError(`the runbook's entry function failed: ${String(body.errorType ?? out.FunctionError)}: ${String(body.errorMessage ?? '')}`, EXIT.error);
    return body;
  } catch (e) {
    throw fromAwsError(e, `invoking ${entry.entryFunctionName} in ${entry.targetRegion}`);
  }
}

function regionLine(label: string, r: RegionState): string {
  const parts = [
    r.reachable ? 'reachable' : 'UNREACHABLE',
    r.healthy ? 'serving' : 'not serving',
    `healthy targets ${r.healthyTargets ?? '?'}`,
    `desired capacity ${r.desiredCapacity ?? '?'}`,
    r.writer ? 'database writer' : 'no writer',
    ...(r.routingControl ? [`routing control ${r.routingControl}`] : []),
  ];
  return `  ${label.padEnd(7)} ${r.region.padEnd(15)} ${parts.join(', ')}`;
}

/** The plan, as an operator reads it before anything changes. */
export function renderPlan(entry: RunbookEntry, plan: Plan, mode: string, color = true): string {
  const c = pc.createColors(color);
  const lag = plan.replicationLagSeconds === undefined ? 'unknown' : `${plan.replicationLagSeconds} s`;
  const risk =
    plan.dataLossRiskSeconds === undefined ? 'unknown (the lag could not be read)' : plan.dataLossRiskSeconds === 0 ? 'none (planned: the secondary catches up first)' : `up to ${plan.dataLossRiskSeconds} s of writes`;
  const lines = [
    c.bold(`Plan: ${entry.strategy} ${entry.direction} to ${entry.targetRegion} (${mode})`),
    regionLine('source', plan.source),
    regionLine('target', plan.target),
    `  replication lag into the target: ${lag}; data-loss risk: ${plan.dataLossRiskSeconds ? c.yellow(risk) : risk}`,
    ...(entry.rtoSeconds === undefined ? [] : [`  RTO target: ${duration(entry.rtoSeconds)}`]),
    '  steps:',
    ...plan.steps.map((s, i) => `    ${i + 1}. ${s}`),
  ];
  if (plan.alreadyDone) lines.push(c.yellow(`  ${entry.targetRegion} is already active: nothing to do`));
  if (plan.refusal) lines.push(c.red(`  refused as given: ${plan.refusal.code}: ${plan.refusal.message}`));
  return lines.join('\n');
}

/** `plan`: what a failover or failback would do, changing nothing. */
export async function plan(clients: ClientFactory, io: Io, o: RunbookOptions): Promise<number> {
  checkMode(o);
  const entry = await findRunbook(clients, o.strategy, o.to);
  const answer = await invokeEntry(clients, entry, { action: 'plan', mode: o.mode, allowDataLoss: o.allowDataLoss || undefined, allowDetach: o.allowDetach || undefined, requestId: requestIdOf(o, io, 'plan'), reason: o.reason ?? 'plan from the CLI' });
  if (!answer.accepted) throw refused(`${String((answer.error as { code?: string })?.code)}: ${String((answer.error as { message?: string })?.message)}`);
  io.out(renderPlan(entry, answer.plan as Plan, o.mode, io.color));
  return EXIT.succeeded;
}

/** `failover` / `failback`: plan, confirm, start, follow. */
export async function runRunbook(clients: ClientFactory, io: Io, direction: 'failover' | 'failback', o: RunbookOptions): Promise<number> {
  checkMode(o);
  const requestId = requestIdOf(o, io, direction);
  const entry = await findRunbook(clients, o.strategy, o.to);
  if (entry.direction !== direction) {
    throw refused(`the runbook to ${o.to} is the ${entry.direction} of ${o.strategy}: run \`cdk-resilience ${entry.direction}\` to move to ${o.to}`);
  }
  const requestedBy = await callerArn(clients, entry.targetRegion);
  const base = { mode: o.mode, allowDataLoss: o.allowDataLoss || undefined, allowDetach: o.allowDetach || undefined, requestId, reason: o.reason ?? `${direction} from the CLI`, requestedBy };
  const planned = await invokeEntry(clients, entry, { ...base, action: 'plan' });
  if (!planned.accepted) throw refused(`${String((planned.error as { code?: string })?.code)}: ${String((planned.error as { message?: string })?.message)}`);
  const p = planned.plan as Plan;
  io.out(renderPlan(entry, p, o.mode, io.color));
  if (p.alreadyDone) throw refused(`${o.to} is already the active Region of ${o.strategy}: nothing changed`);
  if (p.refusal) throw refused(`${p.refusal.code}: ${p.refusal.message}`);

  if (!o.yes) {
    if (!io.interactive) throw refused('no confirmation: this is not an interactive terminal, so pass --yes to proceed; nothing changed');
    const answer = (await io.prompt(`Type ${o.to} to ${direction} ${o.strategy} to ${o.to}: `)).trim();
    if (answer !== o.to) throw refused(`not confirmed (typed '${answer}'): nothing changed`);
  }

  const started = await invokeEntry(clients, entry, { ...base, action: direction });
  if (!started.accepted) throw refused(`${String((started.error as { code?: string })?.code)}: ${String((started.error as { message?: string })?.message)}`);
  const executionArn = String(started.executionArn);
  io.out(`${started.duplicate ? 'Already started (same --request-id): following' : 'Started'} ${executionArn}`);
  const title = `${entry.strategy} ${direction} to ${entry.targetRegion}`;
  const statusCommand = ['cdk-resilience status', `--strategy ${o.strategy}`, `--to ${o.to}`, ...profileFlag(o.profile)].join(' ');
  const followAgain = [`cdk-resilience ${direction}`, `--strategy ${o.strategy}`, `--to ${o.to}`, `--mode ${o.mode}`, ...consentFlags(o), `--request-id ${requestId}`, ...profileFlag(o.profile), '--yes'].join(' ');
  let model: ProgressModel;
  try {
    model = await follow(clients, io, entry.targetRegion, executionArn, title, entry.steps, entry.rtoSeconds, o);
  } catch (e) {
    // It was started: never say "nothing changed" from here on.
    const cause = e instanceof CliError ? e.message.replace(/; nothing was changed$/, '') : (e as Error).message;
    throw new CliError(`the ${direction} was started and goes on (${executionArn}), but following it failed: ${cause}. Follow it again with \`${followAgain}\` (same request id: it starts nothing new) or \`${statusCommand}\``, e instanceof CliError ? e.exitCode : EXIT.error);
  }
  if (model.status !== 'RUNNING') io.out(`Timeline (Mermaid, for the incident record):\n${ganttBlock(timelineGantt(title, model, entry.rtoSeconds))}`);
  if (model.status === 'SUCCEEDED') {
    // The report's first line: the outcome, and first of all two writable databases.
    const summary = await reportSummary(clients, entry.targetRegion, executionArn);
    if (summary) io.out(`Report: ${summary}`);
    return EXIT.succeeded;
  }
  if (model.status === 'RUNNING') {
    io.err(`Still running after ${duration(o.timeoutSeconds ?? 0)}: follow it with \`${followAgain}\` or \`${statusCommand}\`, or in the Step Functions console: ${executionArn}`);
    return EXIT.timedOut;
  }
  // Failed, timed out (the state machine's own timeout) or aborted: it is over, and failed.
  io.err(failureSummary(model, entry, direction, o, requestId));
  return EXIT.failed;
}

/** What was done, what was not, and the command that re-runs it (the runbook reconciles: re-running is safe). */
export function failureSummary(model: ProgressModel, entry: RunbookEntry, direction: string, o: RunbookOptions, requestId: string): string {
  const done = model.steps.filter((s) => s.state === 'succeeded').map((s) => s.name);
  const notDone = model.steps.filter((s) => s.state !== 'succeeded').map((s) => s.name);
  const flags = [
    `--strategy ${entry.strategy}`,
    `--to ${entry.targetRegion}`,
    `--mode ${o.mode}`,
    ...consentFlags(o),
    `--request-id ${rerunRequestId(requestId)}`,
    ...(o.reason ? [`--reason ${shellQuote(o.reason)}`] : []),
    ...profileFlag(o.profile),
    '--yes',
  ];
  return [
    `${direction} ${model.status}${model.error ? `: ${model.error.slice(0, 500)}` : ''}`,
    `  done:     ${done.join(', ') || 'nothing'}`,
    `  not done: ${notDone.join(', ') || 'nothing'}`,
    `  re-run (safe: each step reconciles): cdk-resilience ${direction} ${flags.join(' ')}`,
  ].join('\n');
}

/** The report's summary line from a finished execution's output, if it can be read. */
async function reportSummary(clients: ClientFactory, region: string, executionArn: string): Promise<string | undefined> {
  try {
    const out = await clients(region).sfn.send(new DescribeExecutionCommand({ executionArn }));
    return (JSON.parse(out.output ?? '{}') as { report?: Partial<RunbookReport> }).report?.summary;
  } catch {
    return undefined;
  }
}

async function history(clients: ClientFactory, region: string, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients(region).sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/**
 * Follow an execution from its history until it ends or `timeoutSeconds` passes: a frame
 * redrawn in place on a terminal, one line per step event otherwise.
 */
export async function follow(
  clients: ClientFactory,
  io: Io,
  region: string,
  executionArn: string,
  title: string,
  steps: StepSpec[] | undefined,
  rtoSeconds: number | undefined,
  o: { readonly timeoutSeconds?: number; readonly pollSeconds: number },
): Promise<ProgressModel> {
  const begin = io.now().getTime();
  let previous: ProgressModel | undefined;
  let frameLines = 0;
  for (;;) {
    let events: HistoryEvent[];
    try {
      events = await history(clients, region, executionArn);
    } catch (e) {
      throw fromAwsError(e, `reading the history of ${executionArn}`);
    }
    const model = progressFromHistory(events, steps);
    if (io.isTTY) {
      const frame = renderFrame(title, model, io.now(), rtoSeconds, io.color);
      io.out(`${frameLines > 0 ? `\x1b[${frameLines}A\x1b[0J` : ''}${frame}`);
      frameLines = screenRows(frame, io.columns ?? 80);
    } else {
      for (const line of eventLines(previous, model, rtoSeconds)) io.out(line);
    }
    previous = model;
    if (model.status !== 'RUNNING') return model;
    if (o.timeoutSeconds !== undefined && (io.now().getTime() - begin) / 1000 >= o.timeoutSeconds) return model;
    await io.sleep(o.pollSeconds * 1000);
  }
}

/** Options of `drill`. */
export interface DrillOptions {
  readonly strategy: string;
  /** A Region the strategy is deployed in (both publish it). */
  readonly to: string;
  /** The drill's name, when the strategy has several. */
  readonly drill?: string;
  readonly requestId?: string;
  readonly yes: boolean;
  readonly timeoutSeconds?: number;
  readonly pollSeconds: number;
  /** The AWS profile used, repeated in the commands the CLI suggests. */
  readonly profile?: string;
}

/** `drill`: start the strategy's drill (it runs a real failover or experiment), follow it, report. */
export async function drill(clients: ClientFactory, io: Io, o: DrillOptions): Promise<number> {
  const requestId = requestIdOf(o, io, 'drill');
  const strategy = await findStrategy(clients, o.strategy, o.to);
  const pick = o.drill ? strategy.drills.find((d) => d.name === o.drill) : strategy.drills[0];
  if (!pick) throw refused(o.drill ? `strategy ${o.strategy} has no drill '${o.drill}' (it has: ${strategy.drills.map((d) => d.name).join(', ') || 'none'})` : `strategy ${o.strategy} has no drill: add one with addFailoverDrill()`);
  const entry: DrillEntry = await findDrill(clients, pick.name, pick.region);
  io.out(`Drill ${entry.drill} in ${entry.region}: it checks the steady state, runs the failover for real, and measures recovery against the RTO (${duration(entry.rtoSeconds)}).`);
  if (!o.yes) {
    if (!io.interactive) throw refused('no confirmation: this is not an interactive terminal, so pass --yes to proceed; nothing changed');
    const answer = (await io.prompt(`Type ${entry.drill} to start the drill: `)).trim();
    if (answer !== entry.drill) throw refused(`not confirmed (typed '${answer}'): nothing changed`);
  }
  let executionArn: string;
  try {
    const out = await clients(entry.region).sfn.send(new StartExecutionCommand({ stateMachineArn: entry.stateMachineArn, name: requestId, input: JSON.stringify({ requestId }) }));
    executionArn = out.executionArn!;
    io.out(`Started ${executionArn}`);
  } catch (e) {
    if ((e as Error).name !== 'ExecutionAlreadyExists') throw fromAwsError(e, `starting drill ${entry.drill}`);
    executionArn = `${entry.stateMachineArn.replace(':stateMachine:', ':execution:')}:${requestId}`;
    io.out(`A drill named ${requestId} already exists: following it (${executionArn})`);
  }
  const model = await follow(clients, io, entry.region, executionArn, `drill ${entry.drill}`, undefined, entry.rtoSeconds, o);
  if (model.status === 'RUNNING') {
    io.err(`Drill still running after ${duration(o.timeoutSeconds ?? 0)}: ${executionArn}; its report arrives on the alerts topic, and \`cdk-resilience status --strategy ${o.strategy} --to ${o.to}${o.profile ? ` --profile ${o.profile}` : ''}\` shows it once done`);
    return EXIT.timedOut;
  }
  io.out(`Timeline (Mermaid):\n${ganttBlock(timelineGantt(`drill ${entry.drill}`, model, entry.rtoSeconds))}`);
  let report: DrillReport | undefined;
  try {
    report = await drillReport(clients, entry.region, executionArn);
  } catch (e) {
    io.err(`the drill ended ${model.status}, but its report could not be read: ${fromAwsError(e, 'reading the drill output').message}`);
  }
  if (report) io.out(renderDrillReport(report));
  if (model.status !== 'SUCCEEDED') return EXIT.failed;
  return report?.passed ? EXIT.succeeded : EXIT.failed;
}

async function drillReport(clients: ClientFactory, region: string, executionArn: string): Promise<DrillReport | undefined> {
  const out = await clients(region).sfn.send(new DescribeExecutionCommand({ executionArn }));
  if (!out.output) return undefined;
  const parsed = JSON.parse(out.output) as DrillReport | { report?: DrillReport };
  return 'passed' in parsed ? parsed : parsed.report;
}

function renderDrillReport(r: DrillReport): string {
  return `Drill ${r.drill}: ${r.passed ? 'PASSED' : 'FAILED'}, recovered in ${duration(r.recoverySeconds)} against an RTO of ${duration(r.rtoSeconds)}${r.stoppedByAlarm ? ' (stopped by an alarm)' : ''}; ${r.reason}`;
}

/** Options of `status`. */
export interface StatusOptions {
  readonly strategy: string;
  /** A Region the strategy is deployed in. */
  readonly to: string;
}

/** `status`: the active Region, the last runbook executions and the last drill results. */
export async function status(clients: ClientFactory, io: Io, o: StatusOptions): Promise<number> {
  const s = await findStrategy(clients, o.strategy, o.to);
  const lines = [`${s.strategy} (${s.kind}): primary ${s.primaryRegion}, recovery ${s.recoveryRegion}; RTO ${duration(s.rtoSeconds)}${s.trafficRtoSeconds !== undefined ? ` (writes; traffic ${duration(s.trafficRtoSeconds)})` : ''}, RPO ${duration(s.rpoSeconds)}`];
  // The failover runbook (in the recovery Region) answers a plan without touching the primary's APIs.
  let active = 'unknown';
  try {
    const failover = await findRunbook(clients, s.strategy, s.recoveryRegion);
    const answer = await invokeEntry(clients, failover, { action: 'plan', mode: 'planned', requestId: requestIdOf({}, io, 'status'), reason: 'status from the CLI' });
    if (answer.accepted) {
      const p = answer.plan as Plan;
      active = p.alreadyDone ? s.recoveryRegion : p.source.healthy ? s.primaryRegion : `none serving (${s.primaryRegion} is not healthy: consider a failover)`;
    }
  } catch (e) {
    if ((e as CliError).exitCode === EXIT.credentials) throw e;
    active = `unknown (${(e as Error).message})`;
  }
  lines.push(`active Region: ${active}`);
  if (s.autoFailover) {
    try {
      const pending = await pendingAutoFailovers(clients, s.recoveryRegion, s.autoFailover.stateMachineArn);
      const states = await Promise.all(pending.map((e) => currentState(clients, s.recoveryRegion, e.executionArn!).catch(() => undefined)));
      lines.push(
        `automatic failover: armed (alarm ${s.autoFailover.alarmName}, confirmation window ${duration(s.autoFailover.confirmationSeconds)})${pending.length ? `; PENDING (cancel one still in its window: cdk-resilience cancel --strategy ${s.strategy} --to ${s.recoveryRegion}):` : '; none pending'}`,
        ...pending.map((e, i) => {
          const state = states[i];
          const where = state && AUTO_FAILOVER_CANCELLABLE_STATES.includes(state) ? `in its window (${state})` : `past its window (${state ?? 'state unknown'}): starting the runbook`;
          return `    ${e.executionArn} started ${e.startDate?.toISOString()}, ${where}`;
        }),
      );
    } catch (e) {
      if ((e as CliError).exitCode === EXIT.credentials) throw e;
      lines.push(`automatic failover: armed; pending ones unknown (${(e as Error).message})`);
    }
  } else {
    lines.push('automatic failover: off (a person starts every failover)');
  }
  for (const region of [s.recoveryRegion, s.primaryRegion]) {
    try {
      const rb = await findRunbook(clients, s.strategy, region);
      const out = await clients(region).sfn.send(new ListExecutionsCommand({ stateMachineArn: rb.stateMachineArn, maxResults: 3 }));
      const runs = (out.executions ?? []).map((e) => `    ${e.name} ${e.status} started ${e.startDate?.toISOString()}${e.stopDate && e.startDate ? ` (${duration((e.stopDate.getTime() - e.startDate.getTime()) / 1000)})` : ''}`);
      lines.push(`${rb.direction} runbook (to ${region}): ${runs.length ? 'last executions' : 'never run'}`, ...runs);
    } catch (e) {
      if ((e as CliError).exitCode === EXIT.credentials) throw e;
      lines.push(`runbook to ${region}: unknown (${(e as Error).message})`);
    }
  }
  for (const d of s.drills) {
    try {
      const entry = await findDrill(clients, d.name, d.region);
      const out = await clients(d.region).sfn.send(new ListExecutionsCommand({ stateMachineArn: entry.stateMachineArn, maxResults: 1 }));
      const last = out.executions?.[0];
      const report = last?.executionArn && last.status === 'SUCCEEDED' ? await drillReport(clients, d.region, last.executionArn) : undefined;
      lines.push(`drill ${d.name}: ${last ? `${last.status} ${last.startDate?.toISOString()}${report ? `; ${renderDrillReport(report)}` : ''}` : 'never run'}`);
    } catch (e) {
      if ((e as CliError).exitCode === EXIT.credentials) throw e;
      lines.push(`drill ${d.name}: unknown (${(e as Error).message})`);
    }
  }
  io.out(lines.join('\n'));
  return EXIT.succeeded;
}

async function pendingAutoFailovers(clients: ClientFactory, region: string, stateMachineArn: string) {
  const out = await clients(region).sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 100 }));
  return out.executions ?? [];
}

/** The state an execution of the confirmation machine is in now (its last state entered). */
async function currentState(clients: ClientFactory, region: string, executionArn: string): Promise<string | undefined> {
  const out = await clients(region).sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 50 }));
  return (out.events ?? []).find((e) => e.stateEnteredEventDetails)?.stateEnteredEventDetails?.name;
}

/** Options of `cancel`. */
export interface CancelOptions {
  readonly strategy: string;
  /** A Region the strategy is deployed in. */
  readonly to: string;
  /** Why (kept as the stopped execution's cause). */
  readonly reason?: string;
}

/**
 * `cancel`: stop every automatic failover still in its confirmation window. One that has gone
 * past it (it asks, or has asked, the runbook to start) is not stopped: stopping it would not
 * stop the runbook, and would only hide what it did. Follow the runbook with `status`.
 */
export async function cancel(clients: ClientFactory, io: Io, o: CancelOptions): Promise<number> {
  const s = await findStrategy(clients, o.strategy, o.to);
  if (!s.autoFailover) throw new CliError(`${s.strategy} has no automatic failover: nothing to cancel`, EXIT.refused);
  const region = s.recoveryRegion;
  const pending = await pendingAutoFailovers(clients, region, s.autoFailover.stateMachineArn);
  const follow = `cdk-resilience status --strategy ${s.strategy} --to ${region}`;
  if (pending.length === 0) {
    io.out(`No automatic failover of ${s.strategy} is pending. If one already started the runbook, follow it: ${follow}`);
    return EXIT.succeeded;
  }
  const caller = await clients(region).sts.send(new GetCallerIdentityCommand({})).then((r) => r.Arn ?? 'unknown', () => 'unknown');
  let past = 0;
  for (const e of pending) {
    const state = await currentState(clients, region, e.executionArn!);
    if (!state || !AUTO_FAILOVER_CANCELLABLE_STATES.includes(state)) {
      past++;
      io.err(`${e.executionArn} is past its window (${state ?? 'state unknown'}): it asks or has asked the runbook to start, and stopping it would not stop the runbook. Follow it: ${follow}`);
      continue;
    }
    await clients(region).sfn.send(new StopExecutionCommand({ executionArn: e.executionArn!, error: 'CancelledByOperator', cause: `cancelled by ${caller} from the CLI${o.reason ? `: ${o.reason}` : ''}` }));
    // The window may have ended between the read and the stop: say so if it reached the runbook.
    const after = await currentState(clients, region, e.executionArn!);
    if (after && !AUTO_FAILOVER_CANCELLABLE_STATES.includes(after)) {
      past++;
      io.err(`${e.executionArn} was stopped in ${after}: it may have asked the runbook to start. Check: ${follow}`);
    } else {
      io.out(`Cancelled ${e.executionArn} (started ${e.startDate?.toISOString()}, in ${state}): no failover from it. The next time the outage alarm goes into ALARM a new window starts; to hold automatic failover off, disable its EventBridge rule.`);
    }
  }
  return past > 0 ? EXIT.failed : EXIT.succeeded;
}
