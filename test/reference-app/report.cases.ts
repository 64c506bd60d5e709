import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderReportMarkdown, reportSummary, resilienceReport, writeResilienceReport } from '../../lib';
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
    // A target the worst case meets (30 + 300 + max(480 promotion, 300 scale-out) + 180 gates + 60 TTL).
    expect(warm.rto).toMatchObject({ seconds: 660, worstSeconds: 1050, targetSeconds: 1080, verdict: 'met', met: true });
    // A managed RPO bounds every strategy's data loss.
    expect(warm.rpo).toMatchObject({ seconds: 20, bounded: true, verdict: 'met', met: true });
    for (const s of report.strategies) expect([s.name, s.rto.verdict, s.rpo.verdict]).toEqual([s.name, 'met', 'met']);
    expect(warm.rto.terms.map((t) => t.name)).toEqual(['detection', 'decision', 'runbook', 'dns-ttl']);
    expect(warm.availability.formula).toBe('A = A_route53 x A_ec2 x A_alb x A_db');
    const active = report.strategies.find((s) => s.name === 'ref-active')!.rto;
    // Its writer fails over automatically: the decision is the alarm's 2 looks and a 60 s window (180 s; worst 300 s).
    expect(active).toMatchObject({ seconds: 420, worstSeconds: 1050, targetSeconds: 1080, met: true, trigger: 'automatic' });
    expect(active.terms.find((t) => t.name === 'decision')).toMatchObject({ seconds: 180, worstSeconds: 300 });
    expect(warm.rto.trigger).toBe('manual');
    // Two figures: writes (above) and traffic, held to 2 minutes.
    expect(active.traffic).toMatchObject({ seconds: 90, worstSeconds: 90, targetSeconds: 120, verdict: 'met' });
    expect(Object.values(report.experiments).flat()).toHaveLength(5);
    expect(reportSummary(report)).toMatch(/^ref-active: RTO 420-1050\/1080 s met \(writes; traffic 90\/120 s met\), RPO 20 s\/20 s met/);
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
    expect(md).toMatch(/\| RefWarmStandby-Primary\/Web \| loss of one AZ \| 20 s \| stateless \| none \|/);
  });

  test('written as resilience-report.json and resilience-report.md', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
    writeResilienceReport(report, dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'resilience-report.json'), 'utf8')).strategies).toHaveLength(3);
    expect(fs.readFileSync(path.join(dir, 'resilience-report.md'), 'utf8')).toMatch(/^# Resilience report/);
  });
});
