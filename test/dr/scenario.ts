/**
 * One runbook scenario, end to end: a world (the simulator), a fault schedule, one or more
 * requests (possibly at once, possibly straight into the state machine), then the world goes
 * on with every fault ended (the failed Region comes back) and the safety model's invariants
 * are swept over every virtual second of all of it. A fault schedule in, an invariant log out:
 * the fault matrix and the property-based tests drive this.
 */
import { RunbookConfig, RunbookRequest } from '../../protocol';
import { cachedRunbook } from './definitions';
import { testConfig } from './fixtures';
import { execute, ExecutionOutcome, HandlerOverrides, LocalRunbook } from './harness';
import { Fault, SimOptions, SimulatedAws } from './simulator';

/** A runbook of the scenario's strategy, and what to send it. */
export interface ScenarioRun {
  /** The runbook's direction (default: failover). */
  readonly direction?: 'failover' | 'failback';
  /** The request (merged over an unplanned failover with allowDataLoss). */
  readonly request?: Partial<RunbookRequest> & Record<string, unknown>;
  /** The whole state machine input instead (a direct StartExecution). */
  readonly input?: unknown;
  /** When it starts (virtual seconds), for runs that start together (`ScenarioSpec.together`). */
  readonly at?: number;
  /** Seconds after the previous run ended that it starts (runs one after another). */
  readonly delay?: number;
}

/** What a scenario is. */
export interface ScenarioSpec {
  /** The strategy's shape (fixtures.ts). */
  readonly config: Omit<Parameters<typeof testConfig>[0], 'direction'>;
  readonly sim?: Omit<SimOptions, 'config'>;
  readonly faults?: Fault[];
  /** The runs; default one unplanned failover. */
  readonly runs?: ScenarioRun[];
  /** Seconds the world goes on after the last run, with every fault ended (default 900). */
  readonly after?: number;
  /** The runs start together, each at its `at` (default: one after another). */
  readonly together?: boolean;
  /**
   * After the world went on, re-run to the end: the first run's request again, and when that
   * is refused, the same direction with every consent (unplanned, allowDataLoss, allowDetach);
   * then 300 s more of the world, swept. The outcomes are `finishing` (default: false).
   */
  readonly finish?: boolean;
  /** Planted handlers (default: the real ones). */
  readonly handlers?: HandlerOverrides;
}

/** What a scenario did. */
export interface ScenarioResult {
  readonly outcomes: ExecutionOutcome[];
  readonly sim: SimulatedAws;
  /** The configuration of each run. */
  readonly configs: RunbookConfig[];
  /** The violations, during the runs and after them. */
  readonly violations: string[];
  /** The re-runs of `finish`, in order. */
  readonly finishing: ExecutionOutcome[];
}

/** A run refused: the request as asked cannot run (a re-run then consents to everything). */
export const REFUSED = /RunbookRefused|DetachConsentRequired|DataLossNotAllowed|InvalidRequest|ManagedFailoverRefused|SwitchoverRefused|ReprotectionRequired/;

export const UNPLANNED: RunbookRequest = { action: 'failover', mode: 'unplanned', allowDataLoss: true, requestId: 'drill-1', reason: 'drill' };

const runbooks = new Map<string, { config: RunbookConfig; runbook: LocalRunbook }>();

/** One synthesized runbook per configuration, shared by every scenario that uses it (and cached on disk: definitions.ts). */
export function runbookFor(o: Parameters<typeof testConfig>[0]): { config: RunbookConfig; runbook: LocalRunbook } {
  const key = JSON.stringify(o);
  let hit = runbooks.get(key);
  if (!hit) {
    const config = testConfig(o);
    hit = { config, runbook: cachedRunbook(config) };
    runbooks.set(key, hit);
  }
  return hit;
}

/** Run a scenario. */
export async function runScenario(spec: ScenarioSpec): Promise<ScenarioResult> {
  const runs = spec.runs ?? [{}];
  const base = runbookFor({ ...spec.config, direction: 'failover' });
  const sim = new SimulatedAws({ config: base.config, ...spec.sim });
  sim.faults.push(...(spec.faults ?? []).map((f) => ({ ...f })));
  sim.install();
  const outcomes: ExecutionOutcome[] = [];
  const finishing: ExecutionOutcome[] = [];
  const configs: RunbookConfig[] = [];
  try {
    const start = (run: ScenarioRun, i: number): Promise<ExecutionOutcome> => {
      const direction = run.direction ?? 'failover';
      const { config, runbook } = runbookFor({ ...spec.config, direction });
      configs[i] = config;
      const request = { ...UNPLANNED, action: direction, requestId: `run-${i + 1}`, ...run.request } as RunbookRequest;
      const at = spec.together ? (run.at ?? 0) : sim.time.now('main') + (run.delay ?? 0);
      return execute(sim, runbook, config, request, { key: spec.together ? `run${i}` : undefined, startAt: at, input: run.input, handlers: spec.handlers });
    };
    if (spec.together) {
      outcomes.push(...(await Promise.all(runs.map((r, i) => start(r, i)))));
    } else {
      for (let i = 0; i < runs.length; i++) outcomes.push(await start(runs[i], i));
    }
    sim.recoverAll();
    sim.advanceAndSweep(spec.after ?? 900);
    if (spec.finish) {
      const first = runs[0];
      const direction = first.direction ?? 'failover';
      const { config, runbook } = runbookFor({ ...spec.config, direction });
      const again = { ...UNPLANNED, action: direction, ...first.request, requestId: 'rerun' } as RunbookRequest;
      const consented: RunbookRequest = { action: direction, mode: 'unplanned', allowDataLoss: true, allowDetach: true, requestId: 'rerun-consented', reason: 'drill' };
      for (const request of [again, consented]) {
        // An operator reads the refusal before sending the next request (a minute).
        const o = await execute(sim, runbook, config, request, { startAt: sim.time.latest() + (request === again ? 0 : 60), handlers: spec.handlers });
        finishing.push(o);
        if (o.status === 'SUCCEEDED' || !REFUSED.test(`${o.error ?? ''} ${o.report?.summary ?? ''}`)) break;
      }
      sim.advanceAndSweep(300);
    }
  } finally {
    sim.uninstall();
  }
  return { outcomes, sim, configs, violations: [...sim.invariantViolations], finishing };
}

/** Where the writer is at the end (the target after a detach-and-promote), or 'none'. */
export function writerOf(sim: SimulatedAws, config: RunbookConfig): string {
  const w = sim.writableRegions();
  if (w.length === 0) return 'none';
  if (config.database.kind !== 'aurora-global') return w.includes(config.database.replica.region) ? config.database.replica.region : config.database.source.region;
  return w.length === 1 ? w[0] : w.includes(config.targetRegion) ? config.targetRegion : w[0];
}
