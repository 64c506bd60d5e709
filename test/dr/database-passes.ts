/**
 * The database step's passes against the simulated world (test/dr/database-step*.test.ts):
 * each pass waits what the previous one asked, on the simulator's virtual clock.
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

/**
 * Run the database step's passes (each waits what the previous one asked) until done, an error,
 * or `max` passes. `answers(t)` may override DNS answers by name at virtual second t.
 */
export async function passes(o: {
  config?: RunbookConfig;
  world?: Omit<SimOptions, 'config'>;
  request?: Record<string, unknown>;
  prev?: Record<string, unknown>;
  max?: number;
  faults?: Fault[];
  answers?: (t: number) => Record<string, string>;
  /** Change the simulated world before the passes (a seam of the simulator). */
  tweak?: (sim: SimulatedAws) => void;
  /** Calls made in the world before the first pass (another actor, time passing), on the main clock. */
  before?: (sim: SimulatedAws) => Promise<unknown>;
}): Promise<Run> {
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
  const run: Run = { passes: [], at: [], sim };
  try {
    sim.time.set('main', 1000);
    await sim.time.run('main', () => acquireLock(config, EXEC, 'd-1'));
    if (o.before) await sim.time.run('main', () => o.before!(sim));
    let prev = o.prev as Partial<Step> | undefined;
    for (let i = 0; i < (o.max ?? 60); i++) {
      if (i > 0) sim.time.advance(Math.max(1, prev?.waitSeconds ?? 1), 'main');
      run.at.push(sim.time.now('main'));
      prev = await sim.time.run('main', () => database({ request: o.request ?? UNPLANNED, execution: EXEC, database: prev as never }));
      run.passes.push(prev as Step);
      if (prev.done) break;
    }
  } catch (e) {
    run.error = e as Error;
  } finally {
    sim.uninstall();
  }
  return run;
}

export const callsOf = (r: Run, command: string): number[] => r.sim.calls.filter((c) => c.command === command).map((c) => c.t);
export const statusAt = (r: Run, re: RegExp): number => r.passes.findIndex((p) => re.test(p.status));
/** The pilot light's standby: the replica in WEST, its app tier at 0 (scaled by the compute step in a run). */
export const STANDBY_READY = { desired: { [EAST]: 6, [WEST]: 6 } };

/** The inputs of the calls of one command, in order. */
export const inputsOf = (r: Run, command: string): Record<string, unknown>[] => r.sim.inputs.filter((c) => c.command === command).map((c) => c.input);
/** The virtual clock of the passes as an ISO time (the simulator starts at 2026-01-01T00:00:00Z). */
export const at = (s: number): string => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
/** The virtual second of an ISO time of the passes. */
export const secondOf = (iso: string): number => (Date.parse(iso) - Date.UTC(2026, 0, 1)) / 1000;
