/**
 * The fault matrix's shape and assertions: each scenario names its world, faults and runs,
 * and the status, writer and traffic it must end with; every scenario also holds the safety
 * model's invariants over the whole run and the 15 minutes after it (every fault ended: the
 * failed Region back), and ends with a report.
 */
import { RunbookRequest } from '../../protocol';
import { ExecutionOutcome } from './harness';
import { runScenario, ScenarioResult, ScenarioSpec, writerOf } from './scenario';
import { EAST, WEST } from './fixtures';

export { EAST, WEST };

/** One scenario of the fault matrix. */
export interface Scenario extends ScenarioSpec {
  readonly name: string;
  readonly expect: {
    /** Status of each run, in order (one string for a single run); 'ANY' leaves it to `check`. */
    readonly status: 'SUCCEEDED' | 'FAILED' | ('SUCCEEDED' | 'FAILED')[] | 'ANY';
    /** Whether every run must end with a report (false: the execution fails before any step). */
    readonly report?: false;
    /** Region of the database writer at the end. */
    readonly writer: string;
    /** Regions with traffic at the end (after the world went on). */
    readonly traffic: readonly string[];
    /** A text the last run's report or error must contain. */
    readonly mentions?: RegExp;
  };
  /** More assertions on the result. */
  readonly check?: (r: ScenarioResult) => void;
}

export const PLANNED: Partial<RunbookRequest> = { mode: 'planned', allowDataLoss: undefined };
export const ALL_WEST = { status: 'SUCCEEDED', writer: WEST, traffic: [WEST] } as const;
export const UNCHANGED = { status: 'FAILED', writer: EAST, traffic: [EAST] } as const;

const text = (o: ExecutionOutcome): string => `${o.error ?? ''}\n${JSON.stringify(o.report ?? {})}`;

/** Calls that change something (everything but reads and the lock). */
export function mutatingCalls(r: ScenarioResult): string[] {
  return r.sim.calls.map((c) => c.command).filter((c) => !/^(Describe|Get|DnsQuery|PutItem|UpdateItem|DeleteItem|Publish)/.test(c));
}

/** Run a scenario and assert what every scenario must hold. */
export async function assertScenario(s: Scenario): Promise<ScenarioResult> {
  const r = await runScenario(s);
  if (s.expect.status !== 'ANY') {
    const statuses = Array.isArray(s.expect.status) ? s.expect.status : [s.expect.status];
    expect(r.outcomes.map((o, i) => ({ status: o.status, why: o.status === statuses[i] ? undefined : text(o) }))).toEqual(statuses.map((status) => ({ status, why: undefined })));
  }
  expect(r.violations).toEqual([]);
  expect(writerOf(r.sim, r.configs[r.configs.length - 1])).toBe(s.expect.writer);
  expect(r.sim.trafficRegions()).toEqual([...s.expect.traffic].sort());
  const last = r.outcomes[r.outcomes.length - 1];
  if (s.expect.mentions) expect(r.outcomes.map(text).join('\n')).toMatch(s.expect.mentions);
  // Every run ends with a report, success or failure, with its first line.
  for (const o of s.expect.report === false ? [] : r.outcomes) {
    expect(o.report?.status).toBe(o.status === 'SUCCEEDED' ? (o.report?.status === 'NOTHING_TO_DO' ? 'NOTHING_TO_DO' : 'SUCCEEDED') : 'FAILED');
    expect(o.report?.summary).toMatch(/^(TWO WRITABLE DATABASES: .*)?(SUCCEEDED|FAILED|NOTHING TO DO): /);
  }
  if (s.expect.report !== false) expect(last.report).toBeDefined();
  s.check?.(r);
  return r;
}
