import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import { NagMessageLevel } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { type DrillReport, ganttBlock, renderGantt } from '../../protocol';
import { Experiment } from '../chaos/experiment';
import { DrStrategy } from '../dr/strategy';
import { AvailabilityEstimate, estimateAvailability } from './availability';
import { CostEstimate, estimateStackCost, estimateStrategyCost, stacksUnder } from './cost';
import { costBasis, costSummary, formatUsd, renderCostMarkdown, renderNotPricedMarkdown } from './cost-report';
import { ResilienceChecks } from './resilience-checks';
import { estimateRpo, RpoEstimate } from './rpo';
import { estimateRto, RtoEstimate, worstOf } from './rto';
import { RESILIENCE_RULES } from './rules';
import { estimateTiers, TierEstimate, TierEstimateOptions } from './tiers';
import { verdictText } from './verdict';

/** One strategy in the report. */
export interface StrategyReport {
  readonly name: string;
  readonly kind: string;
  readonly regions: string[];
  /** `met`: the worst case meets the target (see `verdict` for at risk or missed). */
  readonly rto: RtoEstimate & { readonly met: boolean };
  /** `met`: a bound meets the target (see `verdict` for unbounded or missed). */
  readonly rpo: RpoEstimate & { readonly met: boolean };
  readonly availability: AvailabilityEstimate;
  /** The fixed monthly cost of the strategy's stacks, per Region, from their synthesized templates. */
  readonly cost: CostEstimate;
  /** The last drill result, when given. */
  readonly lastDrill?: DrillReport;
}

/** The resilience report of an app. */
export interface ResilienceReport {
  readonly strategies: StrategyReport[];
  /** Per-tier estimates: each web tier, database and backup plan, for the failure it is built to survive. */
  readonly tiers: TierEstimate[];
  /** Single points of failure: ERROR-level ResilienceChecks findings, by construct path. */
  readonly singlePointsOfFailure: { readonly rule: string; readonly path: string; readonly info: string }[];
  /** FIS experiment templates, by stack. */
  readonly experiments: Record<string, string[]>;
  /** The fixed monthly cost of every stack under the scope (the strategies' and the rest). */
  readonly cost: CostEstimate;
}

/** Options of {@link resilienceReport}. */
export interface ResilienceReportOptions extends TierEstimateOptions {
  /** See `estimateRto`. @default DEFAULT_DECISION */
  readonly decision?: Duration;
  /** Last drill results, by drill name (the `drill` field of a drill report). @default - none */
  readonly drillResults?: Record<string, DrillReport>;
}

/** Build the report of every DR strategy, experiment and reliability finding under `scope`. */
export function resilienceReport(scope: IConstruct, options: ResilienceReportOptions = {}): ResilienceReport {
  const all = scope.node.findAll();
  const strategies = all.filter((c): c is DrStrategy => c instanceof DrStrategy).map((s): StrategyReport => {
    const rto = estimateRto(s, { decision: options.decision });
    const rpo = estimateRpo(s);
    return {
      name: s.strategyName,
      kind: s.kind,
      regions: s.regions,
      // Active-active: met only when both figures are (writes and traffic).
      rto: { ...rto, met: rto.verdict === 'met' && (rto.traffic?.verdict ?? 'met') === 'met' },
      rpo: { ...rpo, met: rpo.verdict === 'met' },
      availability: estimateAvailability(s),
      cost: estimateStrategyCost(s),
      lastDrill: options.drillResults?.[`${s.strategyName}-failover`],
    };
  });
  const errorRules = new Set(RESILIENCE_RULES.filter((r) => r.level === NagMessageLevel.ERROR).map((r) => `RES-${r.id}`));
  const info = new Map(RESILIENCE_RULES.map((r) => [`RES-${r.id}`, r.info]));
  const checks = new ResilienceChecks(scope).validateScope(scope);
  const singlePointsOfFailure = checks.violations
    .filter((v) => errorRules.has(v.ruleName))
    .flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: String(r.constructPath ?? r.resourceLogicalId), info: info.get(v.ruleName) ?? '' })))
    .sort((a, b) => a.path.localeCompare(b.path));
  // A failover runbook must run in the Region it fails over to: in the failed Region it dies with it.
  for (const s of all.filter((c): c is DrStrategy => c instanceof DrStrategy)) {
    const rb = s.runbook.failover;
    if (rb && Stack.of(rb).region !== s.recoveryStack.region) {
      singlePointsOfFailure.push({ rule: 'RUNBOOK-REGION', path: rb.node.path, info: `the failover runbook runs in ${Stack.of(rb).region}, the Region it fails away from` });
    }
  }
  const experiments: Record<string, string[]> = {};
  for (const e of all.filter((c): c is Experiment => c instanceof Experiment)) {
    const stack = Stack.of(e).stackName;
    (experiments[stack] ??= []).push(`${e.node.path}: ${Object.values(e.actions).map((a) => a.actionId).join(', ')}`);
  }
  return { strategies, tiers: estimateTiers(scope, options), singlePointsOfFailure, experiments, cost: estimateStackCost(stacksUnder(scope)) };
}

const pct = (a: number): string => `${(a * 100).toFixed(3)} %`;
/** A verdict that needs attention in bold. */
const mark = (v: string): string => (v === 'met' ? v : `**${v}**`);
/** An RPO as the report writes it: a bound, or "unbounded (typical X s)". */
const rpoCell = (rpo: RpoEstimate): string => (rpo.bounded ? `${rpo.seconds} s` : `unbounded (typical ${rpo.seconds} s)`);

/** Who starts a strategy's failover, as the report records it. */
function triggerText(s: StrategyReport): string {
  if (s.rto.trigger === 'manual') return 'Failover trigger: manual (a person starts the runbook; the decision term is their time).';
  const d = s.rto.terms.find((t) => t.name === 'decision')!;
  return `Failover trigger: **automatic** (\`autoFailover\`): ${d.formula}. It asks for a planned switchover first; opting in at synth is the data-loss consent of the unplanned failover it falls back to when the primary is unhealthy (up to the RPO); detach is never automatic and failback is always a person's.`;
}

/** The report as Markdown. */
export function renderReportMarkdown(r: ResilienceReport): string {
  const out: string[] = ['# Resilience report', ''];
  out.push(
    'A target is met only when the worst case meets it; at risk when only the typical case does; an RPO that nothing bounds is unbounded, never met.',
    '',
    '| strategy | RTO typical / worst / target | RPO / target | availability (SLA composite) | last drill |',
    '|---|---|---|---|---|',
  );
  for (const s of r.strategies) {
    const drill = s.lastDrill ? `${s.lastDrill.passed ? 'passed' : 'FAILED'}: ${s.lastDrill.recoverySeconds} s` : 'none given';
    const traffic = s.rto.traffic ? `; traffic ${s.rto.traffic.seconds} s / ${s.rto.traffic.worstSeconds} s / ${s.rto.traffic.targetSeconds} s ${mark(verdictText(s.rto.traffic.verdict))}` : '';
    out.push(`| ${s.name} (${s.kind}) | ${s.rto.traffic ? 'writes ' : ''}${s.rto.seconds} s / ${s.rto.worstSeconds} s / ${s.rto.targetSeconds} s ${mark(verdictText(s.rto.verdict))}${traffic} | ${rpoCell(s.rpo)} / ${s.rpo.targetSeconds} s ${mark(verdictText(s.rpo.verdict))} | ${pct(s.availability.availability)} | ${drill} |`);
  }
  out.push('', '## Trade-off', '', 'What each strategy promises against what its stacks cost.', '', renderTradeoffTable(r));
  for (const s of r.strategies) {
    const sum = (f: (t: RtoEstimate['terms'][number]) => number): string => s.rto.terms.map((t) => `${t.name} ${f(t)} s`).join(' + ');
    out.push(
      '',
      `## ${s.name}`,
      '',
      `Regions: ${s.regions.join(', ')}.`,
      '',
      triggerText(s),
      '',
      `RTO typical ${s.rto.seconds} s = ${sum((t) => t.seconds)}; worst case ${s.rto.worstSeconds} s = ${sum(worstOf)}; dominant: ${s.rto.dominant.name}.`,
      '',
    );
    out.push('| term | typical s | worst s | formula | source |', '|---|---|---|---|---|');
    for (const t of s.rto.terms) out.push(`| ${t.name} | ${t.seconds} | ${worstOf(t)} | ${t.formula} | ${t.source} |`);
    if (s.rto.traffic) {
      const t = s.rto.traffic;
      out.push('', `Those are the figures for writes. Traffic leaves a failed Region on health checks alone: ${t.seconds} s = ${t.terms.map((x) => `${x.name} ${x.seconds} s`).join(' + ')}, against a target of ${t.targetSeconds} s (${verdictText(t.verdict)}).`);
    }
    if (s.lastDrill) {
      const d = s.lastDrill;
      const begin = '2000-01-01T00:00:00.000Z';
      const end = new Date(Date.parse(begin) + d.recoverySeconds * 1000).toISOString();
      out.push(
        '',
        `Last drill (${d.drill}): ${d.passed ? 'passed' : 'FAILED'}, recovered in ${d.recoverySeconds} s against an RTO of ${d.rtoSeconds} s${d.stoppedByAlarm ? ', stopped by an alarm' : ''}; ${d.reason}.`,
        '',
        ganttBlock(renderGantt(`${d.drill}: time to recover`, [{ step: 'until the recovery Region serves', startedAt: begin, endedAt: end }], { begin, rtoSeconds: d.rtoSeconds, recoverySeconds: d.recoverySeconds })),
      );
    }
    out.push('', `RPO ${rpoCell(s.rpo)}: ${s.rpo.formula}.`, '', `Availability ${pct(s.availability.availability)} (${s.availability.downtimeMinutesPerMonth.toFixed(1)} min a month): ${s.availability.formula}; ${s.availability.terms.map((t) => `${t.service} ${pct(t.availability)}`).join('; ')}.`);
    out.push('', ...renderCostMarkdown(s.cost));
  }
  out.push('', '## Tiers', '', 'Each tier, for the failure it is built to survive (the strategy figures above cover a Region loss end to end).', '');
  out.push('| tier | failure | RTO typical / worst | RPO | FIS experiments | terms |', '|---|---|---|---|---|---|');
  for (const t of r.tiers) {
    const rto = t.rto ? `${t.rto.seconds} s / ${t.rto.worstSeconds} s` : 'not estimated';
    const rpo = t.rpo ? `${t.rpo.seconds} s${t.rpo.bounded ? '' : ' (not bounded)'}` : t.tier === 'web' ? 'stateless' : 'none kept';
    const terms = [...(t.rto?.terms.map((x) => `${x.name} ${x.seconds === worstOf(x) ? x.seconds : `${x.seconds}-${worstOf(x)}`} s: ${x.formula}`) ?? []), ...(t.rpo ? [`RPO: ${t.rpo.formula}`] : []), ...(t.note ? [t.note] : [])];
    out.push(`| ${t.path} | ${t.failure} | ${rto} | ${rpo} | ${t.experiments.length ? t.experiments.join(', ') : 'none'} | ${terms.join('; ')} |`);
  }
  out.push('', '## Single points of failure', '');
  if (r.singlePointsOfFailure.length === 0) out.push('None found by the ERROR-level ResilienceChecks rules.');
  for (const f of r.singlePointsOfFailure) out.push(`- \`${f.rule}\` ${f.path}: ${f.info}`);
  out.push('', '## FIS experiments', '');
  const stacks = Object.keys(r.experiments).sort();
  if (stacks.length === 0) out.push('None.');
  for (const st of stacks) {
    out.push(`- ${st}:`);
    for (const e of r.experiments[st]) out.push(`  - ${e}`);
  }
  const c = r.cost;
  out.push('', '## Cost: not priced', '', `Every stack under the app (${c.stacks.length}, the strategies' included): ${costSummary(c)} (${c.regions.map((x) => `${x.region} ${formatUsd(x.monthlyUsd)}`).join(', ')}). ${costBasis(c.prices)}`);
  for (const u of c.unknown) out.push('', `Not counted: ${u.path ?? `${u.stackName}/${u.logicalId}`} (${u.resourceType}): ${u.reason}.`);
  if (c.unclassified.length) out.push('', `**In neither the price table nor the not-priced list**: ${c.unclassified.join(', ')}.`);
  out.push('', 'These resource types have no fixed charge, or none a template shows:', '', ...renderNotPricedMarkdown(c));
  return `${out.join('\n')}\n`;
}

/**
 * The trade-off of the strategies: what each promises (RTO typical and worst case, RPO, SLA
 * availability) against its fixed monthly cost. The README and docs/assessment.md carry it
 * between markers (`npm run docs:report`), checked by a test.
 */
export function renderTradeoffTable(r: Pick<ResilienceReport, 'strategies'>): string {
  const rows = r.strategies.map((s) => {
    const traffic = s.rto.traffic ? `; traffic ${s.rto.traffic.seconds} s / ${s.rto.traffic.worstSeconds} s` : '';
    // A day of a trial: the month's fixed charges over 365 / 12 days.
    const gaps = s.cost.unknown.length + s.cost.unclassified.length;
    const day = `${gaps ? 'at least ' : ''}${formatUsd((s.cost.monthlyUsd * 12) / 365, true)}`;
    return `| ${s.name} (${s.kind}) | ${s.rto.traffic ? 'writes ' : ''}${s.rto.seconds} s / ${s.rto.worstSeconds} s${traffic} | ${rpoCell(s.rpo)} | ${pct(s.availability.availability)} | ${costSummary(s.cost, '')} | ${day} |`;
  });
  const basis = r.strategies[0]?.cost.prices;
  return ['| strategy | RTO typical / worst | RPO | availability | cost per month | a day of a trial |', '|---|---|---|---|---|---|', ...rows, '', costBasis(basis)].join('\n');
}

/** A short summary, one line per strategy, for the synth command to print. */
export function reportSummary(r: ResilienceReport): string {
  return r.strategies
    .map((s) => `${s.name}: RTO ${s.rto.seconds}-${s.rto.worstSeconds}/${s.rto.targetSeconds} s ${verdictText(s.rto.verdict)}${s.rto.traffic ? ` (writes; traffic ${s.rto.traffic.worstSeconds}/${s.rto.traffic.targetSeconds} s ${verdictText(s.rto.traffic.verdict)})` : ''}, RPO ${rpoCell(s.rpo)}/${s.rpo.targetSeconds} s ${verdictText(s.rpo.verdict)}, availability ${pct(s.availability.availability)}, ${costSummary(s.cost)}`)
    .concat(`cost: every stack ${costSummary(r.cost)} at ${r.cost.prices.region} prices of ${r.cost.prices.asOf} (fixed charges only)`)
    .concat(`tiers: ${r.tiers.length} estimated, ${r.tiers.filter((t) => t.experiments.length === 0).length} with no FIS experiment`)
    .concat(`single points of failure: ${r.singlePointsOfFailure.length}; FIS experiment templates: ${Object.values(r.experiments).flat().length}`)
    .join('\n');
}

/** Write `resilience-report.json` and `resilience-report.md` into a directory (the cloud assembly). */
export function writeResilienceReport(r: ResilienceReport, dir: string): void {
  fs.writeFileSync(path.join(dir, 'resilience-report.json'), `${JSON.stringify(r, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'resilience-report.md'), renderReportMarkdown(r));
}
