/**
 * Runs a runbook's synthesized state machine locally: aws-local-stepfunctions executes
 * the ASL, each Task state runs the real handler in-process against the simulated AWS,
 * Wait and Retry states advance the virtual clock instead of sleeping, parallel branches
 * keep their own clocks, and each function's configured timeout is enforced (a function that
 * outlives it is killed mid-call, as Lambda does, and the task fails with Lambda.Unknown).
 *
 * At the end the simulator sweeps the safety model's invariants over every virtual second of
 * the run; a reported success is checked against the simulated world (invariant 3).
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { handler as computeHandler } from '../../lambda/runbook-compute';
import { handler as databaseHandler } from '../../lambda/runbook-database';
import { handler as notifyHandler } from '../../lambda/runbook-notify';
import { handler as preflightHandler } from '../../lambda/runbook-preflight';
import { handler as trafficHandler } from '../../lambda/runbook-traffic';
import { handler as verifyHandler } from '../../lambda/runbook-verify';
import { RUNBOOK_STATES, RunbookConfig, RunbookReport, RunbookRequest } from '../../protocol';
import type { Runbook } from '../../lib/dr/runbook';
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

/** Task invocations after which an execution is a runaway (a real run makes a few hundred). */
const MAX_INVOCATIONS = 5000;

/** The steps that run a function, by the name of their function in `Runbook.functions`. */
export type StepFunctionName = 'preflight' | 'database' | 'compute' | 'traffic' | 'verify' | 'notify';

/**
 * What the harness needs of a synthesized runbook: its state machine definition (function ARNs
 * replaced by placeholders) and each function's timeout. Plain JSON, so it can be cached on disk
 * (definitions.ts) and a run need not load aws-cdk-lib or synthesize.
 */
export interface LocalRunbook {
  readonly definition: Json;
  readonly timeouts: Readonly<Record<StepFunctionName, number>>;
}

const locals = new WeakMap<Runbook, LocalRunbook>();
const machines = new WeakMap<Json, StateMachine>();

/**
 * The local state machine of a definition, validated once (asl-validator) when it is first
 * built; the machine that runs skips validation, which aws-local-stepfunctions would otherwise
 * repeat for each parallel branch of each execution.
 */
function machineOf(definition: Json): StateMachine {
  let m = machines.get(definition);
  if (!m) {
    new StateMachine(definition as never, { validationOptions: { checkArn: false } });
    m = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
    machines.set(definition, m);
  }
  return m;
}

/** A runbook construct's definition and timeouts, read from its synthesized stack (once per runbook). */
export function localRunbook(runbook: Runbook): LocalRunbook {
  const cached = locals.get(runbook);
  if (cached) return cached;
  // Loaded here, not at the top: a run from a cached definition needs neither.
  const { Stack } = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  const { Template } = require('aws-cdk-lib/assertions') as typeof import('aws-cdk-lib/assertions');
  const stack = Stack.of(runbook);
  const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Properties: { DefinitionString?: unknown } }> };
  const logicalId = stack.getLogicalId(runbook.stateMachine.node.defaultChild as never);
  const def = template.Resources[logicalId].Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] } | string;
  const text =
    typeof def === 'string'
      ? def
      : def['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : `arn:aws:lambda:us-east-1:123456789012:function:${JSON.stringify(p).replace(/\W/g, '')}`)).join('');
  const f = runbook.functions;
  const local: LocalRunbook = {
    definition: JSON.parse(text) as Json,
    timeouts: {
      preflight: f.preflight.timeout!.toSeconds(),
      database: f.database.timeout!.toSeconds(),
      compute: f.compute.timeout!.toSeconds(),
      traffic: f.traffic.timeout!.toSeconds(),
      verify: f.verify.timeout!.toSeconds(),
      notify: f.notify.timeout!.toSeconds(),
    },
  };
  locals.set(runbook, local);
  return local;
}

/** The state machine definition of a runbook, with function ARNs replaced by placeholders (once per runbook). */
export function runbookDefinition(runbook: Runbook): Json {
  return localRunbook(runbook).definition;
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
  /** Virtual time at the end. */
  readonly endedAt: number;
  /** The report of the Notify / NotifyFailure step. */
  readonly report?: RunbookReport;
  /** States entered, in order. */
  readonly states: string[];
  /** Every error a task threw (retried or not), with the state and the virtual time. */
  readonly taskErrors: { readonly state: string; readonly error: string; readonly t: number }[];
}

/** A step's handler: the real one, or a planted one (which may call the real one). */
export type StepHandler = (input: never) => Promise<unknown>;
/** Planted handlers by step (a known-bad handler, to show a test finds it): each gets the real one. */
export type HandlerOverrides = Partial<Record<'preflight' | 'database' | 'compute' | 'traffic' | 'verify' | 'notify', (input: never, real: StepHandler) => Promise<unknown>>>;

/** Options of one execution. */
export interface ExecuteOptions {
  /** Planted handlers (default: the real ones). */
  readonly handlers?: HandlerOverrides;
  /** Streams the execution's events, with the virtual time they happened at (the operator CLI follows them). */
  readonly onEvent?: (e: LocalEvent, virtualSeconds: number) => void;
  /** Virtual second the execution starts at (default: now on the main clock). */
  readonly startAt?: number;
  /** Names the execution's clocks, so executions can run side by side (default: 'main'). */
  readonly key?: string;
  /** The state machine input; the default is `{ request }`. A test may pass anything (a direct StartExecution). */
  readonly input?: unknown;
}

/** Execute the runbook once in the simulator. */
export async function execute(sim: SimulatedAws, runbook: Runbook | LocalRunbook, config: RunbookConfig, request: RunbookRequest | Json, options: ExecuteOptions | ((e: LocalEvent, virtualSeconds: number) => void) = {}): Promise<ExecutionOutcome> {
  const o: ExecuteOptions = typeof options === 'function' ? { onEvent: options } : options;
  const local = 'timeouts' in runbook ? runbook : localRunbook(runbook);
  const definition = local.definition as Json & { States: Record<string, AslState> };
  const states = allStates(definition);
  process.env.AWS_MAX_ATTEMPTS = '1';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.AWS_REGION = config.targetRegion;
  const configJson = JSON.stringify(config);

  const S = RUNBOOK_STATES;
  const key = o.key ?? 'main';
  const branch = (b: 'main' | 'database' | 'compute'): string => (key === 'main' ? b : b === 'main' ? key : `${key}:${b}`);
  const branchOf: Record<string, 'database' | 'compute'> = { [S.database]: 'database', [S.compute]: 'compute' };
  const t = local.timeouts;
  const timeoutOf: Record<string, number> = {
    [S.preflight]: t.preflight,
    [S.database]: t.database,
    [S.compute]: t.compute,
    [S.traffic]: t.traffic,
    [S.verify]: t.verify,
    [S.notify]: t.notify,
    [S.notifyFailure]: t.notify,
  };
  const executionTimeout = Number(definition.TimeoutSeconds ?? 7200);
  let invocations = 0;
  const failures: Record<string, number> = {};
  const taskErrors: { state: string; error: string; t: number }[] = [];
  const started = new Set<string>();
  const entered: string[] = [];
  let report: RunbookReport | undefined;
  let joined = false;
  if (o.startAt !== undefined) sim.time.set(branch('main'), o.startAt);
  else if (key !== 'main') sim.time.set(branch('main'), sim.time.now('main'));
  // Conservative synchronization (VirtualTime.sync): this run's clock takes part until it ends;
  // while the Recover step runs, its two branches take part instead.
  sim.time.enroll(branch('main'));
  const done = new Set<string>();
  const joinAll = (): void => {
    if (joined) return;
    sim.time.join([...started], branch('main'));
    for (const b of started) sim.time.retire(b);
    sim.time.enroll(branch('main'));
    joined = true;
  };

  // Every invocation in flight: a parallel branch whose sibling failed is aborted by the
  // interpreter, but the invocation it was in goes on; the execution ends only when it has
  // (as Lambda's does), or it would go on calling into the next scenario's world.
  const inflight = new Set<Promise<unknown>>();
  const track =
    (f: (input: unknown) => Promise<never>) =>
    (input: unknown): Promise<never> => {
      const p = f(input);
      inflight.add(p);
      void p.then(
        () => inflight.delete(p),
        () => inflight.delete(p),
      );
      return p;
    };
  const wrap =
    (name: string, fn: (input: never) => Promise<unknown>) =>
    track(async (input: unknown): Promise<never> => {
      const b = branchOf[name] ? branch(branchOf[name]) : branch('main');
      const i = input as Json;
      // Step Functions ends an execution past its TimeoutSeconds: in virtual time here, so a
      // runaway loop (a Wait of 0 s around a step that never says done) ends too.
      if (++invocations > MAX_INVOCATIONS || sim.time.now(branch('main')) - t0 > executionTimeout) {
        throw Object.assign(new Error(`the execution ran past its timeout (${executionTimeout} s, or ${MAX_INVOCATIONS} task invocations)`), { name: 'States.Timeout' });
      }
      if (b !== branch('main') && !started.has(b)) {
        // Both branches start together, from the run's clock.
        const both = Object.values(branchOf).map((x) => branch(x));
        sim.time.fork(both.filter((x) => !started.has(x)), branch('main'));
        for (const x of both) {
          started.add(x);
          sim.time.enroll(x);
        }
        sim.time.retire(branch('main'));
      }
      if (b === branch('main') && started.size > 0 && !joined && name !== S.preflight) joinAll();
      // Each handler reads its configuration as Lambda gives it: from the environment.
      process.env.RUNBOOK_CONFIG = configJson;
      return sim.time.run(
        b,
        async () => {
          // The Wait state before this pass: advance this branch's clock by its duration.
          const loopState = (branchOf[name] === 'database' ? i.database : branchOf[name] === 'compute' ? i.compute : name === S.verify ? i.verify : undefined) as { attempt?: number; waitSeconds?: number } | undefined;
          if (!failures[name]) {
            if (loopState?.attempt !== undefined) sim.time.advance(loopState.waitSeconds ?? 0);
            else if (name === S.verify) sim.time.advance(((i.traffic as Json | undefined)?.waitSeconds as number | undefined) ?? 0);
          }
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
            // The function's own timeout: past it, the next call it makes (or the answer it waits for) kills it.
            const out = await sim.time.run(sim.time.branch, () => fn(effective as never), before + timeoutOf[name]);
            if (sim.time.now() - before > timeoutOf[name]) throw Object.assign(new Error(`${name}: Task timed out after ${timeoutOf[name]} s`), { name: 'Lambda.Unknown' });
            const limit = states[name]?.TimeoutSeconds;
            if (limit !== undefined && sim.time.now() - before > limit) throw Object.assign(new Error(`${name} ran ${sim.time.now() - before} s`), { name: 'States.Timeout' });
            failures[name] = 0;
            if (name === S.notify || name === S.notifyFailure) report = out as RunbookReport;
            // A branch's loop ends when its step says done: it no longer holds the others back.
            if (b !== branch('main') && (out as { done?: boolean }).done === true) {
              done.add(b);
              sim.time.retire(b);
              if ([...started].every((x) => done.has(x))) joinAll();
            }
            return out as never;
          } catch (e) {
            failures[name] = n + 1;
            taskErrors.push({ state: name, error: (e as Error).name, t: sim.time.now() });
            throw e;
          }
        },
      );
    });

  const planted = (step: keyof HandlerOverrides, real: StepHandler): StepHandler => {
    const p = o.handlers?.[step];
    return p ? (input: never) => p(input, real) : real;
  };
  const handlers = {
    [S.preflight]: wrap(S.preflight, planted('preflight', preflightHandler as never)),
    [S.database]: wrap(S.database, planted('database', databaseHandler as never)),
    [S.compute]: wrap(S.compute, planted('compute', computeHandler as never)),
    [S.traffic]: wrap(S.traffic, planted('traffic', trafficHandler as never)),
    [S.verify]: wrap(S.verify, planted('verify', verifyHandler as never)),
    [S.notify]: wrap(S.notify, planted('notify', notifyHandler as never)),
    [S.notifyFailure]: wrap(S.notifyFailure, planted('notify', notifyHandler as never)),
  };
  const zero = (type: string): Record<string, number> => Object.fromEntries(Object.entries(states).filter(([, s]) => s.Type === type).map(([n]) => [n, 0]));

  const machine = machineOf(local.definition);
  const t0 = sim.time.now(branch('main'));
  sim.runStarted(t0, key, (request as Partial<RunbookRequest>).allowDetach === true || ((o.input as { request?: { allowDetach?: unknown } } | undefined)?.request?.allowDetach === true));
  const startIso = new Date(Date.UTC(2026, 0, 1) + t0 * 1000).toISOString();
  const name = typeof (request as Json).requestId === 'string' ? String((request as Json).requestId) : `direct-${key}`;
  const executionArn = `arn:aws:states:${config.targetRegion}:111111111111:execution:${config.name}-${config.direction}:${name}`;
  const execution = machine.run((o.input ?? { request }) as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: zero('Wait'), retryIntervalOverrides: zero('Task') },
    context: { Execution: { Id: executionArn, Name: name, StartTime: startIso, RoleArn: 'arn:aws:iam::123456789012:role/sm' } } as never,
  });
  // Stream the execution's events (with the virtual time they happened at) to a follower, such as the operator CLI.
  const streamed = o.onEvent
    ? (async () => {
        for await (const e of execution.eventLogs) {
          // A state inside a parallel branch happens on that branch's clock.
          const stateName = (e as LocalEvent).state?.name ?? '';
          const clock = /Database/.test(stateName) ? branch('database') : /Compute/.test(stateName) ? branch('compute') : branch('main');
          o.onEvent!(e as LocalEvent, sim.time.now(clock) - t0);
        }
      })()
    : Promise.resolve();
  let outcome: ExecutionOutcome;
  try {
    const output = (await execution.result) as Json;
    await streamed;
    const end = sim.time.now(branch('main'));
    outcome = { status: 'SUCCEEDED', output, seconds: end - t0, endedAt: end, report, states: entered, taskErrors };
  } catch (e) {
    await streamed.catch(() => undefined);
    const end = sim.time.now(branch('main'));
    outcome = { status: 'FAILED', error: `${(e as Error).name}: ${(e as Error).message}`, seconds: end - t0, endedAt: end, report, states: entered, taskErrors };
  }
  for (const b of [branch('main'), ...started]) sim.time.retire(b);
  while (inflight.size > 0) await Promise.allSettled([...inflight]);
  if (outcome.status === 'SUCCEEDED') sim.markSuccess(outcome.endedAt, config.targetRegion);
  sim.sweep(outcome.endedAt);
  const req = request as Partial<RunbookRequest>;
  sim.checkLosses(key, req, report, t0, outcome.endedAt, outcome.error);
  return outcome;
}
