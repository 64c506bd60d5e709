/**
 * One runbook step against the simulated world, on its virtual clock (test/dr/*-step*.test.ts):
 * the world set up and torn down around the step's calls, and the database step's passes, each
 * waiting what the previous one asked.
 */
import { handler as database } from '../../lambda/runbook-database';
import { installResolver } from '../../lambda/shared/dns';
import { acquireLock } from '../../lambda/shared/lock';
import type { RunbookConfig } from '../../protocol';
import { EAST, testConfig, WEST } from './fixtures';
import { Fault, SimOptions, SimulatedAws } from './simulator';

export type Step = Awaited<ReturnType<typeof database>>;
export const EXEC = 'arn:aws:states:us-west-2:111111111111:execution:shop-failover:d-1';
export const UNPLANNED = { action: 'failover', mode: 'unplanned', allowDataLoss: true, allowDetach: true, requestId: 'd-1', reason: 'drill' };
export const PLANNED = { action: 'failover', mode: 'planned', allowDetach: true, requestId: 'd-1', reason: 'drill' };

export interface Run {
  passes: Step[];
  /** Virtual second of each pass. */
  at: number[];
  error?: Error;
  sim: SimulatedAws;
}

/** A simulated world for one step's calls: the configuration, its state, faults and seams. */
export interface WorldOptions {
  config?: RunbookConfig;
  world?: Omit<SimOptions, 'config'>;
  faults?: Fault[];
  /** DNS answers by name at virtual second t, over the simulator's. */
  answers?: (t: number) => Record<string, string>;
  /** Change the simulated world before the calls (a seam of the simulator). */
  tweak?: (sim: SimulatedAws) => void;
}

/**
 * Build the world, install it (AWS clients, DNS, clock, the runbook's environment), run `fn` on
 * the main clock from virtual second 1000, and uninstall it whatever happens.
 */
export async function inWorld<T>(o: WorldOptions, fn: (sim: SimulatedAws, config: RunbookConfig) => Promise<T>): Promise<{ value?: T; error?: Error; sim: SimulatedAws }> {
  const config = o.config ?? testConfig({ strategy: 'pilot-light', database: 'replica' });
  const sim = new SimulatedAws({ config, ...(o.world ?? {}) });
  sim.faults.push(...(o.faults ?? []));
  o.tweak?.(sim);
  sim.install();
  if (o.answers) {
    const simulated = (sim as unknown as { resolveTxt(name: string, timeoutMs: number): Promise<string[]> }).resolveTxt.bind(sim);
    installResolver({
      resolveTxt: (name, _servers, timeoutMs) => {
        const a = o.answers!(sim.time.now('main'));
        return name in a ? Promise.resolve([a[name]]) : simulated(name, timeoutMs);
      },
    });
  }
  process.env.RUNBOOK_CONFIG = JSON.stringify(config);
  process.env.AWS_MAX_ATTEMPTS = '1';
  process.env.AWS_REGION = config.targetRegion;
  try {
    sim.time.set('main', 1000);
    return { value: await sim.time.run('main', () => fn(sim, config)), sim };
  } catch (e) {
    return { error: e as Error, sim };
  } finally {
    sim.uninstall();
  }
}

/** The options of a run of passes. */
export type PassOptions = WorldOptions & {
  request?: Record<string, unknown>;
  prev?: Record<string, unknown>;
  max?: number;
  /** Calls made in the world before the first pass (another actor, time passing), on the main clock. */
  before?: (sim: SimulatedAws) => Promise<unknown>;
};

/**
 * Run a reconciling step's passes (each waits what the previous one asked, its result handed
 * to the next under `key`) until done, an error, or `max` passes, holding the run's lock.
 */
export async function stepPasses<S extends { done: boolean; waitSeconds: number }>(
  handler: (event: { request: unknown; execution: string } & Record<string, unknown>) => Promise<S>,
  key: string,
  o: PassOptions,
): Promise<{ passes: S[]; at: number[]; error?: Error; sim: SimulatedAws }> {
  const steps: S[] = [];
  const times: number[] = [];
  const { error, sim } = await inWorld(o, async (world, config) => {
    await acquireLock(config, EXEC, 'd-1');
    if (o.before) await o.before(world);
    let prev = o.prev as Partial<S> | undefined;
    for (let i = 0; i < (o.max ?? 60); i++) {
      if (i > 0) world.time.advance(Math.max(1, prev?.waitSeconds ?? 1), 'main');
      times.push(world.time.now('main'));
      prev = await handler({ request: o.request ?? UNPLANNED, execution: EXEC, [key]: prev });
      steps.push(prev as S);
      if (prev.done) break;
    }
  });
  return { passes: steps, at: times, error, sim };
}

/** The database step's passes. */
export const passes = (o: PassOptions): Promise<Run> => stepPasses(database as never, 'database', o) as Promise<Run>;

export const callsOf = (r: { sim: SimulatedAws }, command: string): number[] => r.sim.calls.filter((c) => c.command === command).map((c) => c.t);
export const statusAt = (r: Run, re: RegExp): number => r.passes.findIndex((p) => re.test(p.status));
/** The pilot light's standby: the replica in WEST, its app tier at 0 (scaled by the compute step in a run). */
export const STANDBY_READY = { desired: { [EAST]: 6, [WEST]: 6 } };

/** The inputs of the calls of one command, in order. */
export const inputsOf = (r: { sim: SimulatedAws }, command: string): Record<string, unknown>[] => r.sim.inputs.filter((c) => c.command === command).map((c) => c.input);
/** The virtual clock of the passes as an ISO time (the simulator starts at 2026-01-01T00:00:00Z). */
export const at = (s: number): string => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
/** The virtual second of an ISO time of the passes. */
export const secondOf = (iso: string): number => (Date.parse(iso) - Date.UTC(2026, 0, 1)) / 1000;
