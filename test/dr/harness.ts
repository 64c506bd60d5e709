/**
 * Runs a runbook's synthesized state machine locally: aws-local-stepfunctions executes
 * the ASL, each Task state runs the real handler in-process against the simulated AWS,
 * Wait and Retry states advance the virtual clock instead of sleeping, and parallel
 * branches keep their own clocks.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { StateMachine } from 'aws-local-stepfunctions';
import { handler as computeHandler } from '../../lambda/runbook-compute';
import { handler as databaseHandler } from '../../lambda/runbook-database';
import { handler as notifyHandler } from '../../lambda/runbook-notify';
import { handler as preflightHandler } from '../../lambda/runbook-preflight';
import { handler as trafficHandler } from '../../lambda/runbook-traffic';
import { handler as verifyHandler } from '../../lambda/runbook-verify';
import { RunbookConfig, RunbookReport, RunbookRequest } from '../../protocol';
import { Runbook, RUNBOOK_STATES } from '../../lib/dr/runbook';
import { SimulatedAws } from './simulator';

type Json = Record<string, unknown>;
/** One event of aws-local-stepfunctions' execution log (its type is not exported). */
export interface LocalEvent {
  readonly type: string;
  readonly timestamp: number;
  readonly state?: { readonly name: string; readonly type: string };
  readonly Error?: string;
  readonly Cause?: unknown;
}
type AslState = Json & { Type: string; Retry?: { ErrorEquals: string[]; IntervalSeconds?: number; BackoffRate?: number; MaxDelaySeconds?: number }[]; TimeoutSeconds?: number; Branches?: { States: Record<string, AslState> }[] };

/** The state machine definition of a runbook, with function ARNs replaced by placeholders. */
export function runbookDefinition(runbook: Runbook): Json {
  const stack = Stack.of(runbook);
  const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Properties: { DefinitionString?: unknown } }> };
  const logicalId = stack.getLogicalId(runbook.stateMachine.node.defaultChild as never);
  const def = template.Resources[logicalId].Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] } | string;
  const text =
    typeof def === 'string'
      ? def
      : def['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : `arn:aws:lambda:us-east-1:123456789012:function:${JSON.stringify(p).replace(/\W/g, '')}`)).join('');
  return JSON.parse(text) as Json;
}

function allStates(def: { States: Record<string, AslState> }, out: Record<string, AslState> = {}): Record<string, AslState> {
  for (const [name, s] of Object.entries(def.States)) {
    out[name] = s;
    for (const b of s.Branches ?? []) allStates(b, out);
  }
  return out;
}

/** The outcome of one execution. */
export interface ExecutionOutcome {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: Json;
  readonly error?: string;
  /** Virtual seconds from the start to the end of the execution. */
  readonly seconds: number;
  /** The report of the Notify / NotifyFailure step. */
  readonly report?: RunbookReport;
  /** States entered, in order. */
  readonly states: string[];
}

/** Execute the runbook once in the simulator. */
export async function execute(sim: SimulatedAws, runbook: Runbook, config: RunbookConfig, request: RunbookRequest, onEvent?: (e: LocalEvent, virtualSeconds: number) => void): Promise<ExecutionOutcome> {
  const definition = runbookDefinition(runbook) as Json & { States: Record<string, AslState> };
  const states = allStates(definition);
  process.env.RUNBOOK_CONFIG = JSON.stringify(config);
  process.env.AWS_MAX_ATTEMPTS = '1';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.AWS_REGION = config.targetRegion;

  const S = RUNBOOK_STATES;
  const branchOf: Record<string, string> = { [S.database]: 'database', [S.compute]: 'compute' };
  const failures: Record<string, number> = {};
  const started = new Set<string>();
  const entered: string[] = [];
  let report: RunbookReport | undefined;
  let joined = false;

  const wrap =
    (name: string, fn: (input: never) => Promise<unknown>) =>
    async (input: unknown): Promise<never> => {
      const branch = branchOf[name] ?? 'main';
      const i = input as Json;
      if (branch !== 'main' && !started.has(branch)) {
        sim.time.fork([branch]);
        started.add(branch);
      }
      if (branch === 'main' && started.size > 0 && !joined && name !== S.preflight) {
        sim.time.join([...started]);
        joined = true;
      }
      return sim.time.run(branch, async () => {
        // The Wait state before this pass: advance this branch's clock by its duration.
        const loopState = (branch === 'database' ? i.database : branch === 'compute' ? i.compute : undefined) as { attempt?: number; waitSeconds?: number } | undefined;
        if (loopState?.attempt !== undefined && !failures[name]) sim.time.advance(loopState.waitSeconds ?? 0);
        if (name === S.verify && !failures[name]) sim.time.advance(((i.traffic as Json | undefined)?.waitSeconds as number | undefined) ?? 0);
        // A retry after a failure: advance by the state's backoff with full jitter.
        const n = failures[name] ?? 0;
        const retrier = states[name]?.Retry?.[0];
        if (n > 0 && retrier) {
          const interval = Math.min((retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** (n - 1), retrier.MaxDelaySeconds ?? Infinity);
          sim.time.advance(sim.jitter(interval));
        }
        entered.push(name);
        const before = sim.time.now();
        // aws-local-stepfunctions stamps $$.Execution.StartTime with the wall clock; the
        // execution started at the virtual start.
        const effective = name === S.notify || name === S.notifyFailure ? { ...i, startedAt: startIso } : input;
        try {
          const out = await fn(effective as never);
          const limit = states[name]?.TimeoutSeconds;
          if (limit !== undefined && sim.time.now() - before > limit) throw Object.assign(new Error(`${name} ran ${sim.time.now() - before} s`), { name: 'States.Timeout' });
          failures[name] = 0;
          if (name === S.notify || name === S.notifyFailure) report = out as RunbookReport;
          return out as never;
        } catch (e) {
          failures[name] = n + 1;
          throw e;
        }
      });
    };

  const handlers = {
    [S.preflight]: wrap(S.preflight, preflightHandler as never),
    [S.database]: wrap(S.database, databaseHandler as never),
    [S.compute]: wrap(S.compute, computeHandler as never),
    [S.traffic]: wrap(S.traffic, trafficHandler as never),
    [S.verify]: wrap(S.verify, verifyHandler as never),
    [S.notify]: wrap(S.notify, notifyHandler as never),
    [S.notifyFailure]: wrap(S.notifyFailure, notifyHandler as never),
  };
  let startIso = '';
  const zero = (type: string): Record<string, number> => Object.fromEntries(Object.entries(states).filter(([, s]) => s.Type === type).map(([n]) => [n, 0]));

  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  startIso = new Date(Date.UTC(2026, 0, 1) + sim.time.now('main') * 1000).toISOString();
  const t0 = sim.time.now('main');
  const execution = machine.run({ request } as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: zero('Wait'), retryIntervalOverrides: zero('Task') },
    context: { Execution: { Id: `exec-${request.requestId}`, Name: request.requestId, StartTime: startIso, RoleArn: 'arn:aws:iam::123456789012:role/sm' } } as never,
  });
  // Stream the execution's events (with the virtual time they happened at) to a follower, such as the operator CLI.
  const streamed = onEvent
    ? (async () => {
        for await (const e of execution.eventLogs) {
          // A state inside a parallel branch happens on that branch's clock.
          const name = (e as LocalEvent).state?.name ?? '';
          const clock = /Database/.test(name) ? 'database' : /Compute/.test(name) ? 'compute' : 'main';
          onEvent(e as LocalEvent, sim.time.now(clock) - t0);
        }
      })()
    : Promise.resolve();
  try {
    const output = (await execution.result) as Json;
    await streamed;
    sim.checkInvariants('end');
    return { status: 'SUCCEEDED', output, seconds: sim.time.now('main') - t0, report, states: entered };
  } catch (e) {
    await streamed.catch(() => undefined);
    sim.checkInvariants('end');
    return { status: 'FAILED', error: `${(e as Error).name}: ${(e as Error).message}`, seconds: sim.time.now('main') - t0, report, states: entered };
  }
}
