import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { formatUsd, notPricedReason, PRICES, renderReportMarkdown, renderTradeoffTable, reportSummary, resilienceReport, writeResilienceReport } from '../../lib';
import { renderStackCostTable, STACK_COST_TABLE_BEGIN, STACK_COST_TABLE_END, TRADEOFF_TABLE_BEGIN, TRADEOFF_TABLE_END } from '../../lib/assessment/cost-report';
import { PRICERS } from '../../lib/assessment/cost-resources';
import { referenceApp } from '../helpers/reference';

describe('resilience report', () => {
  const { app } = referenceApp();
  const report = resilienceReport(app);

  test('the example committed under docs/ is the reference app\'s current report (npm run docs:report)', () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'resilience-report.example.md'), 'utf8');
    expect(committed).toBe(renderReportMarkdown(report));
  });

  test('per strategy: targets against estimates with the terms, availability with the formula', () => {
    const warm = report.strategies.find((s) => s.name === 'ref-warm')!;
    // A target the worst case meets (30 + 300 + max(480 promotion, 300 scale-out) + 180 gates + 61 TTL: 60 s and the whole-second margin).
    expect(warm.rto).toMatchObject({ seconds: 661, worstSeconds: 1051, targetSeconds: 1080, verdict: 'met', met: true });
    // A managed RPO bounds every strategy's data loss.
    expect(warm.rpo).toMatchObject({ seconds: 20, bounded: true, verdict: 'met', met: true });
    for (const s of report.strategies) expect([s.name, s.rto.verdict, s.rpo.verdict]).toEqual([s.name, 'met', 'met']);
    expect(warm.rto.terms.map((t) => t.name)).toEqual(['detection', 'decision', 'runbook', 'dns-ttl']);
    expect(warm.availability.formula).toBe('A = A_route53 x A_ec2 x A_alb x A_db');
    const active = report.strategies.find((s) => s.name === 'ref-active')!.rto;
    expect(active).toMatchObject({ seconds: 541, worstSeconds: 1051, targetSeconds: 1080, met: true, trigger: 'manual' });
    // Two figures: writes (above) and traffic, held to 2 minutes.
    expect(active.traffic).toMatchObject({ seconds: 91, worstSeconds: 91, targetSeconds: 120, verdict: 'met' });
    expect(Object.values(report.experiments).flat()).toHaveLength(5);
    expect(reportSummary(report)).toMatch(/^ref-active: RTO 541-1051\/1080 s met \(writes; traffic 91\/120 s met\), RPO 20 s\/20 s met/);
    expect(reportSummary(report)).toContain('\ntiers: 23 estimated, 19 with no FIS experiment\n');
  });

  test('per tier: each web tier, database and backup plan of the reference app, for the failure it survives', () => {
    const byTier = (tier: string) => report.tiers.filter((t) => t.tier === tier);
    expect(byTier('web').length).toBeGreaterThanOrEqual(6);
    for (const w of byTier('web')) expect(w.rto!.terms.map((t) => t.name)).toEqual(['detection', 'capacity']);
    expect(byTier('database').every((d) => d.rpo!.seconds === 0)).toBe(true);
    expect(byTier('global-database').length + byTier('replica').length).toBe(5);
    expect(byTier('web').find((w) => w.path === 'RefPilotLight-Recovery/Web')!.note).toMatch(/^standby: runs 0 instance\(s\) until a failover scales it to 6/);
    // FIS experiments per tier, from the scenarios that break it.
    expect(report.tiers.find((t) => t.path === 'ResilienceRef-Primary/Ledger')!.experiments).toEqual(['ResilienceRef-Primary/ChaosLedgerFailover/Experiment']);
    expect(report.tiers.find((t) => t.path === 'ResilienceRef-Primary/Web')!.experiments).toHaveLength(3);
    expect(report.tiers.find((t) => t.path === 'RefWarmStandby-Primary/Web')!.experiments).toEqual([]);
    const md = renderReportMarkdown(report);
    expect(md).toContain('## Tiers');
    expect(md).toMatch(/\| RefWarmStandby-Primary\/Web \| loss of one AZ \| 20 s \/ 20 s \| stateless \| none \|/);
  });

  test('written as resilience-report.json and resilience-report.md', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
    writeResilienceReport(report, dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'resilience-report.json'), 'utf8')).strategies).toHaveLength(3);
    expect(fs.readFileSync(path.join(dir, 'resilience-report.md'), 'utf8')).toMatch(/^# Resilience report/);
  });

  test('cost: every resource type of the reference app has a price row or an explicit not-priced reason', () => {
    const { assembly } = referenceApp();
    const types = new Set(assembly.stacksRecursively.flatMap((s) => Object.values<{ Type: string }>(s.template.Resources ?? {}).map((r) => r.Type)));
    expect(types.size).toBeGreaterThan(50);
    // A new resource type fails here until lib/assessment/prices.ts prices it or says why not.
    expect([...types].filter((t) => PRICERS[t] === undefined && notPricedReason(t) === undefined)).toEqual([]);
    expect(report.cost.unclassified).toEqual([]);
    // Every priced resource was counted: no token, no class or type missing from the table.
    expect(report.cost.unknown).toEqual([]);
    expect(report.cost.stacks).toHaveLength(assembly.stacksRecursively.length);
  });

  test('cost per strategy: positive in each Region, from its own stacks, as much capacity as each keeps running', () => {
    const cost = Object.fromEntries(report.strategies.map((s) => [s.name, s.cost]));
    for (const s of report.strategies) {
      expect(s.cost.regions.map((r) => r.region)).toEqual(s.regions);
      for (const r of s.cost.regions) expect([s.name, r.region, r.monthlyUsd > 0, r.unknown]).toEqual([s.name, r.region, true, 0]);
    }
    expect(cost['ref-warm'].stacks).toEqual(['RefWarmStandby-Primary', 'RefWarmStandby-Recovery', 'RefWarmStandby-Fence', 'RefWarmStandby-RecoveryData']);
    const units = (name: string, region: string, price: string): number => cost[name].items.filter((i) => i.region === region && i.price === price).reduce((a, i) => a + i.count, 0);
    // In the recovery Region: a pilot light runs no instance and a headless secondary, a warm standby part of the fleet, active-active all of it.
    expect(['ref-pilot', 'ref-warm', 'ref-active'].map((n) => units(n, 'us-west-2', 'ec2:t3.small'))).toEqual([0, 3, 6]);
    expect(['ref-pilot', 'ref-warm', 'ref-active'].map((n) => units(n, 'us-west-2', 'aurora-postgresql:db.r6g.large'))).toEqual([0, 2, 2]);
    expect(['ref-pilot', 'ref-warm', 'ref-active'].map((n) => units(n, 'us-east-1', 'ec2:t3.small'))).toEqual([6, 6, 6]);
    // The warm standby's session cache: 3 nodes per Region; the secondary takes the primary's node type.
    expect([units('ref-warm', 'us-east-1', 'elasticache:cache.r7g.large'), units('ref-warm', 'us-west-2', 'elasticache:cache.r7g.large')]).toEqual([3, 3]);
    expect(cost['ref-pilot'].monthlyUsd).toBeLessThan(Math.min(cost['ref-warm'].monthlyUsd, cost['ref-active'].monthlyUsd));
    // The whole app counts the stacks of no strategy too: the building blocks' ARC cluster.
    expect(report.cost.items.filter((i) => i.price === 'arc:cluster').map((i) => [i.stackName, i.monthlyUsd])).toEqual([['ResilienceRef-Recovery', 1825]]);
    expect(report.cost.monthlyUsd).toBeGreaterThan(report.strategies.reduce((a, s) => a + s.cost.monthlyUsd, 0));
    const md = renderReportMarkdown(report);
    expect(md).toContain('| us-west-2 | EC2 instance hour (t3.small, Linux) | 3 | $0.0208/h | $45.55 | data transfer out |');
    expect(md).toContain('## Cost: not priced');
    expect(md).toContain('| AWS::Lambda::Function |');
  });

  test('README\'s cost per stack is what the report renders: every stack once, the stacks adding up to the app', () => {
    const table = renderStackCostTable(report.cost);
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme.slice(readme.indexOf(STACK_COST_TABLE_BEGIN) + STACK_COST_TABLE_BEGIN.length, readme.indexOf(STACK_COST_TABLE_END)).trim()).toBe(table);
    const rows = table.split('\n').filter((l) => /^\| (Ref|Resilience)/.test(l));
    expect(rows.map((r) => r.split(' | ')[0].slice(2)).sort()).toEqual([...report.cost.stacks].sort());
    const sum = rows.reduce((s, r) => s + Number(r.split(' | ')[2].replace(/[$,]/g, '')), 0);
    // Whole dollars per row: the rows add up to the app's figure within a dollar a stack.
    expect(Math.abs(sum - report.cost.monthlyUsd)).toBeLessThanOrEqual(rows.length);
    // The ARC cluster (USD 2.50 an hour, 730 hours) is in the building blocks' recovery stack.
    const arcStack = rows.find((r) => r.startsWith('| ResilienceRef-Recovery |'))!;
    expect(Number(arcStack.split(' | ')[2].replace(/[$,]/g, ''))).toBeGreaterThanOrEqual(2.5 * 730);
  });

  test('the trade-off table: in the report and the summary, and in README.md and docs/assessment.md as the report renders it', () => {
    const table = renderTradeoffTable(report);
    const warm = report.strategies.find((s) => s.name === 'ref-warm')!;
    expect(table.split('\n').slice(0, 2)).toEqual(['| strategy | RTO typical / worst | RPO | availability | cost per month | a day of a trial |', '|---|---|---|---|---|---|']);
    // A day is the month over 365 / 12 days, to the cent (computed here by hand, not by the renderer).
    const day = `$${((warm.cost.monthlyUsd * 12) / 365).toFixed(2)}`;
    expect(table).toContain(`| ref-warm (warm-standby) | ${warm.rto.seconds} s / ${warm.rto.worstSeconds} s | 20 s | 99.970 % | ${formatUsd(warm.cost.monthlyUsd)} | ${day} |`);
    expect(table).toContain(`at ${PRICES.region} on-demand prices of ${PRICES.asOf}, applied to every Region`);
    expect(renderReportMarkdown(report)).toContain(`## Trade-off\n\nWhat each strategy promises against what its stacks cost.\n\n${table}\n`);
    expect(reportSummary(report)).toContain(`availability 99.970 %, ${formatUsd(warm.cost.monthlyUsd)}/month\n`);
    for (const file of ['README.md', 'docs/assessment.md']) {
      const text = fs.readFileSync(path.join(__dirname, '..', '..', file), 'utf8');
      expect([file, text.slice(text.indexOf(TRADEOFF_TABLE_BEGIN) + TRADEOFF_TABLE_BEGIN.length, text.indexOf(TRADEOFF_TABLE_END)).trim()]).toEqual([file, table]);
    }
  });
});
