/**
 * Property-based fault schedules: fast-check picks the world (strategy, database kind, traffic
 * mode), the request (direction, mode, consents), a second request (a duplicate, the opposite
 * direction at once) and a schedule of faults per Region and per API (unreachable, throttled,
 * 5xx, slow past the Lambda timeout, Aurora refusing, no capacity; recovering mid-run or after
 * the run; the whole source or target Region down and back), and AWS's own pace (Route 53
 * reading a gate up to 10 min late, a promotion of 30 s to 15 min). Each schedule runs through
 * `runScenario` (the synthesized state machine, the real handlers, the simulated AWS) and must
 * hold `scheduleProblems`:
 *
 * - the safety model's invariants at every virtual second (split brain, traffic without a
 *   writer after success, a false success, data lost without consent);
 * - a refused request changed nothing;
 * - the run ends in a state a re-run can finish: with every fault ended, the same request,
 *   and when that is refused the same direction with every consent, ends in success;
 * - every run ends with a report.
 *
 * Nothing here uses jest, so the bench (bench/properties.ts) runs it in worker processes.
 */
import * as fc from 'fast-check';
import { RunbookRequest } from '../../protocol';
import { EAST, WEST } from './fixtures';
import { ExecutionOutcome, HandlerOverrides } from './harness';
import { runScenario, ScenarioResult, ScenarioRun, ScenarioSpec } from './scenario';
import { Fault } from './simulator';

type Config = ScenarioSpec['config'];
type Kind = NonNullable<Config['database']>;

/** One generated schedule: a scenario, with what a re-run must finish. */
export interface Schedule extends ScenarioSpec {
  readonly config: Config;
  readonly faults: Fault[];
  readonly runs: ScenarioRun[];
}

/** Commands a fault may hit, per database kind (the rest of the pipeline is common). */
const COMMON = [
  'DescribeAutoScalingGroupsCommand',
  'UpdateAutoScalingGroupCommand',
  'DescribeScalingActivitiesCommand',
  'DescribeTargetHealthCommand',
  'GetMetricDataCommand',
  'DescribeAlarmsCommand',
  'PutMetricDataCommand',
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'PublishCommand',
  'DnsQuery',
];
const RDS: Record<Kind, string[]> = {
  aurora: ['DescribeGlobalClustersCommand', 'DescribeDBClustersCommand', 'DescribeDBInstancesCommand', 'FailoverGlobalClusterCommand', 'SwitchoverGlobalClusterCommand', 'RemoveFromGlobalClusterCommand'],
  'aurora-headless': ['DescribeGlobalClustersCommand', 'DescribeDBClustersCommand', 'DescribeDBInstancesCommand', 'CreateDBInstanceCommand', 'FailoverGlobalClusterCommand', 'SwitchoverGlobalClusterCommand'],
  replica: ['DescribeDBInstancesCommand', 'PromoteReadReplicaCommand'],
  'aurora-replica': ['DescribeDBClustersCommand', 'DescribeDBInstancesCommand', 'PromoteReadReplicaDBClusterCommand'],
};
const ARC = ['GetRoutingControlStateCommand', 'UpdateRoutingControlStatesCommand', 'GetParameterCommand'];

/** The worlds a strategy deploys: its database kinds and standby capacity. */
const worldArb: fc.Arbitrary<Config> = fc.oneof(
  fc.record({ strategy: fc.constant('pilot-light' as const), database: fc.constantFrom<Kind>('aurora', 'aurora-headless', 'replica', 'aurora-replica'), standbyDesired: fc.constant(0) }),
  fc.record({ strategy: fc.constant('warm-standby' as const), database: fc.constantFrom<Kind>('aurora', 'replica', 'aurora-replica'), standbyDesired: fc.constantFrom(3, 6) }),
  fc.record({ strategy: fc.constant('active-active' as const), database: fc.constant<Kind>('aurora'), standbyDesired: fc.constant(6) }),
).chain((w) => fc.record({ traffic: fc.constantFrom('health-check', 'health-check', 'health-check', 'routing-control') as fc.Arbitrary<'health-check' | 'routing-control'> }).map((t) => ({ ...w, ...t })));

/** A request: mode and consents, sometimes one a validator must refuse. */
const requestArb: fc.Arbitrary<Partial<RunbookRequest> & Record<string, unknown>> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ mode: fc.constant('unplanned' as const), allowDataLoss: fc.constant(true), allowDetach: fc.constantFrom(undefined, true) }) },
  { weight: 3, arbitrary: fc.record({ mode: fc.constant('planned' as const), allowDataLoss: fc.constant(undefined), allowDetach: fc.constantFrom(undefined, true) }) },
  // Invalid: unplanned without consenting to data loss; a field the validator does not know.
  { weight: 1, arbitrary: fc.constantFrom<Partial<RunbookRequest> & Record<string, unknown>>({ mode: 'unplanned', allowDataLoss: undefined }, { mode: 'unplanned', allowDataLoss: true, force: true }) },
);

/** A fault: a whole Region down, or one API failing, from a moment, for a while or a number of calls. */
function faultArb(kind: Kind, traffic: string): fc.Arbitrary<Fault> {
  const commands = [...COMMON, ...RDS[kind], ...(traffic === 'routing-control' ? ARC : [])];
  const region = fc.constantFrom<string | undefined>(EAST, WEST, undefined);
  const from = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 900 }));
  // Recovering mid-run (a duration), or after the run (undefined: every fault ends when the runs do).
  const lasting = fc.option(fc.integer({ min: 5, max: 1500 }), { nil: undefined, freq: 3 });
  const outage = fc.record({ region: fc.constantFrom(EAST, WEST), from, lasting }).map(({ region: r, from: f, lasting: l }): Fault => ({ region: r, kind: 'unreachable', from: f, until: l === undefined ? undefined : f + l }));
  const api = fc
    .record({
      region,
      command: fc.constantFrom(...commands),
      kind: fc.constantFrom<Fault['kind']>('unreachable', 'throttle', 'error5xx', 'slow'),
      seconds: fc.integer({ min: 61, max: 400 }),
      from,
      lasting,
      times: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
    })
    .map(({ seconds, lasting: l, ...f }): Fault => ({ ...f, ...(f.kind === 'slow' ? { seconds } : {}), until: l === undefined ? undefined : f.from + l }));
  const refusal = fc
    .record({ command: fc.constantFrom('FailoverGlobalClusterCommand', 'SwitchoverGlobalClusterCommand'), from, lasting, times: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }) })
    .map(({ lasting: l, ...f }): Fault => ({ ...f, kind: 'refused', until: l === undefined ? undefined : f.from + l }));
  const capacity = fc.record({ region: fc.constantFrom(EAST, WEST), from, lasting }).map(({ lasting: l, ...f }): Fault => ({ ...f, kind: 'capacity', until: l === undefined ? undefined : f.from + l }));
  const global = kind === 'aurora' || kind === 'aurora-headless';
  return fc.oneof({ weight: 3, arbitrary: outage }, { weight: 6, arbitrary: api }, { weight: global ? 1 : 0, arbitrary: refusal }, { weight: 1, arbitrary: capacity });
}

/** A schedule over every dimension. */
export const scheduleArb: fc.Arbitrary<Schedule> = worldArb.chain((config) => {
  const kind = config.database ?? 'aurora';
  // A failback starts from the failed-over world (the writer and full capacity in the recovery Region).
  const direction = fc.constantFrom<'failover' | 'failback'>('failover', 'failover', 'failback');
  const second = fc.option(
    fc.record({ what: fc.constantFrom('duplicate', 'opposite'), at: fc.integer({ min: 0, max: 600 }) }),
    { nil: undefined, freq: 4 },
  );
  // AWS slower or faster than the model's figures: Route 53 reading a gate late (what the
  // runbook waits for is then what it sees, not what it assumed), a promotion that is quick
  // (the old database's traffic has less time to drain away by itself).
  const pace = fc.option(
    fc.record({ trafficGate: fc.option(fc.integer({ min: 60, max: 600 }), { nil: undefined }), replicaPromotion: fc.option(fc.integer({ min: 30, max: 900 }), { nil: undefined }) }),
    { nil: undefined, freq: 3 },
  );
  return fc.record({ direction, request: requestArb, faults: fc.array(faultArb(kind, config.traffic ?? 'health-check'), { maxLength: 4 }), second, pace }).map(({ direction: d, request, faults, second: s, pace: p }): Schedule => {
    const first: ScenarioRun = { direction: d, request: { ...request, requestId: 'first' }, at: 0 };
    const runs: ScenarioRun[] = [first];
    if (s?.what === 'duplicate') runs.push({ direction: d, request: { ...request, requestId: 'duplicate' }, at: s.at });
    if (s?.what === 'opposite') runs.push({ direction: d === 'failover' ? 'failback' : 'failover', request: { mode: 'planned', allowDataLoss: undefined, requestId: 'opposite' }, at: s.at });
    const durations = p ? Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) : {};
    const sim = {
      ...(d === 'failback' ? { writerRegion: WEST, desired: { [WEST]: 6, [EAST]: 6 } } : {}),
      ...(Object.keys(durations).length > 0 ? { durations } : {}),
    };
    return { config, faults, runs, together: true, finish: true, ...(Object.keys(sim).length > 0 ? { sim } : {}) };
  });
});

const text = (o: ExecutionOutcome): string => `${o.error ?? ''}\n${JSON.stringify(o.report ?? {})}`;

/** Refusals that must come before any change (the request as asked cannot run). */
const BEFORE_ANY_CHANGE = /RunbookRefused: (InvalidRequest|DetachConsentRequired|DataLossNotAllowed|RunbookAlreadyRunning|ReprotectionRequired|PromotionNotSupported)|States\.Runtime|InvalidRequest/;

/** Changes in [from, to] (everything but reads, the lock and notifications). */
function changesBetween(r: ScenarioResult, from: number, to: number): string[] {
  return r.sim.calls.filter((c) => c.t >= from && c.t <= to && !/^(Describe|Get|DnsQuery|PutItem|UpdateItem|DeleteItem|Publish)/.test(c.command)).map((c) => `${c.command} in ${c.region} at ${c.t}`);
}

/** What a schedule's result breaks; empty when it holds every property. */
export function scheduleProblems(s: Schedule, r: ScenarioResult): string[] {
  // One line per kind of violation: its first second and how many seconds it held.
  const kinds = new Map<string, { first: string; seconds: number }>();
  for (const v of r.violations) {
    const k = v.replace(/ t=[\d.]+:/, ':');
    const hit = kinds.get(k);
    if (hit) hit.seconds++;
    else kinds.set(k, { first: v, seconds: 1 });
  }
  const problems = [...kinds.values()].map((k) => (k.seconds > 1 ? `${k.first} (and ${k.seconds - 1} more seconds)` : k.first));
  const all = [...r.outcomes, ...r.finishing];
  all.forEach((o, i) => {
    if (o.report || /States\.Runtime/.test(o.error ?? '')) return;
    // Without a report only when the report's own function failed every attempt, and then the
    // execution still fails with the step's error, never the report's.
    const notifyFailed = o.taskErrors.some((e) => /^Notify/.test(e.state));
    if (!notifyFailed) problems.push(`run ${i + 1} ended without a report: ${text(o).slice(0, 300)}`);
    else if (o.status === 'FAILED' && /Notify(Failure)?: /.test(o.error ?? '')) problems.push(`run ${i + 1} failed with its report's error, hiding the step's: ${(o.error ?? '').slice(0, 300)}`);
  });
  // Refused before any change: nothing changed while it ran (unless another run was changing things).
  const alone = s.runs.length === 1;
  r.outcomes.forEach((o, i) => {
    if (o.status !== 'FAILED' || !BEFORE_ANY_CHANGE.test(o.error ?? '') || !alone) return;
    const changes = changesBetween(r, o.endedAt - o.seconds, o.endedAt);
    if (changes.length > 0) problems.push(`run ${i + 1} was refused (${(o.error ?? '').slice(0, 160)}) yet changed: ${changes.join(', ')}`);
  });
  // A request the validator must refuse (unplanned without allowDataLoss, a field it does not know) is refused.
  s.runs.forEach((run, i) => {
    const req = (run.request ?? {}) as Record<string, unknown>;
    const invalid = (req.mode === 'unplanned' && req.allowDataLoss !== true) || 'force' in req;
    const o = r.outcomes[i];
    if (invalid && o && !(o.status === 'FAILED' && /InvalidRequest/.test(text(o)))) problems.push(`run ${i + 1} was invalid (${JSON.stringify(req)}) yet not refused as InvalidRequest: ${o.status} ${text(o).slice(0, 200)}`);
  });
  // A re-run finishes: the last finishing run succeeded (a failback of a promoted replica needs re-protection by design).
  const last = r.finishing[r.finishing.length - 1];
  const reprotect = /ReprotectionRequired/.test(all.map(text).join('\n'));
  if (s.finish && !reprotect && last && last.status !== 'SUCCEEDED') problems.push(`a re-run with every fault ended did not finish: ${text(last).slice(0, 400)}`);
  return problems;
}

/** Run one schedule and list what it breaks. */
export async function checkSchedule(s: Schedule, handlers?: HandlerOverrides): Promise<string[]> {
  const r = await runScenario({ ...s, handlers });
  return scheduleProblems(s, r);
}

/** A schedule as a fault-matrix entry, to paste into scenarios-*.ts as a named scenario. */
export function asScenarioLiteral(s: Schedule, problems: string[]): string {
  const body = JSON.stringify({ config: s.config, ...(s.sim ? { sim: s.sim } : {}), faults: s.faults, together: true, runs: s.runs }, undefined, 2)
    .replace(/"([a-zA-Z]+)":/g, '$1:')
    .replace(/"/g, "'");
  return [
    '{',
    `  // Found by the property test: ${problems[0]?.slice(0, 200) ?? ''}`,
    "  name: 'TODO: name what this schedule shows',",
    `${body.slice(2, -2)},`,
    "  expect: { status: 'ANY', writer: 'TODO', traffic: ['TODO'] },",
    '},',
  ].join('\n');
}

/** Parameters of a property run. */
export interface PropertyRun {
  readonly seed: number;
  readonly numRuns: number;
  readonly handlers?: HandlerOverrides;
  /** Called after each schedule (the bench counts them). */
  readonly onSchedule?: (problems: string[]) => void;
}

/** The property over `numRuns` schedules from `seed`: the shrunk counterexample, or undefined. */
export async function findCounterexample(o: PropertyRun): Promise<{ schedule: Schedule; problems: string[]; literal: string; runs: number } | undefined> {
  let lastProblems: string[] = [];
  const details = await fc.check(
    fc.asyncProperty(scheduleArb, async (s) => {
      const problems = await checkSchedule(s, o.handlers);
      o.onSchedule?.(problems);
      lastProblems = problems;
      return problems.length === 0;
    }),
    { seed: o.seed, numRuns: o.numRuns, endOnFailure: false, maxSkipsPerRun: 0 },
  );
  if (!details.failed || !details.counterexample) return undefined;
  const [schedule] = details.counterexample;
  // Re-run the shrunk schedule for its own problems (the last one run may be another shrink).
  lastProblems = await checkSchedule(schedule, o.handlers);
  return { schedule, problems: lastProblems, literal: asScenarioLiteral(schedule, lastProblems), runs: details.numRuns };
}
