import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { buildReferenceApp } from '../../bin/reference-app';
import { renderReportMarkdown, reportSummary, resilienceReport, WarmStandby, writeResilienceReport } from '../../lib';
import { strategyProps } from '../dr/fixtures';
import { newApp } from '../helpers/app';

describe('resilience report', () => {
  const app = newApp();
  buildReferenceApp(app);
  const report = resilienceReport(app);

  test('the example committed under docs/ is the reference app\'s current report (npm run docs:report)', () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'resilience-report.example.md'), 'utf8');
    expect(committed).toBe(renderReportMarkdown(report));
  });

  test('per strategy: targets against estimates with the terms, availability with the formula', () => {
    const warm = report.strategies.find((s) => s.name === 'ref-warm')!;
    expect(warm.rto).toMatchObject({ seconds: 600, targetSeconds: 600, met: true });
    expect(warm.rto.terms.map((t) => t.name)).toEqual(['detection', 'decision', 'runbook', 'dns-ttl']);
    expect(warm.availability.formula).toBe('A = A_route53 x A_ec2 x A_alb x A_db');
    expect(report.strategies.find((s) => s.name === 'ref-active')!.rto).toMatchObject({ seconds: 480, targetSeconds: 480, met: true });
    expect(Object.values(report.experiments).flat()).toHaveLength(5);
    expect(reportSummary(report)).toMatch(/^ref-active: RTO 480\/480 s ok/);
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

  test('single points of failure are listed; drill results are shown when given', () => {
    const a = newApp();
    const s = new WarmStandby(a, 'Ws', strategyProps('ws'));
    const vpc = new ec2.Vpc(s.primaryStack, 'Plain', { availabilityZones: ['us-east-1a', 'us-east-1b'], natGateways: 2 });
    new rds.DatabaseInstance(s.primaryStack, 'SingleAz', { engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }), vpc, deletionProtection: true, backupRetention: undefined });
    const r = resilienceReport(a, { drillResults: { 'ws-failover': { drill: 'ws-failover', passed: true, recoverySeconds: 240, rtoSeconds: 900, stoppedByAlarm: false, targetStatus: 'SUCCEEDED', reason: 'ok' } } });
    expect(r.singlePointsOfFailure.map((f) => `${f.rule} ${f.path}`)).toEqual(expect.arrayContaining(['RES-RDS1 Ws-Primary/SingleAz/Resource', 'RES-RDS4 Ws-Primary/SingleAz/Resource']));
    const md = renderReportMarkdown(r);
    expect(md).toContain('| ws (warm-standby) | 600 s / 900 s met |');
    expect(md).toContain('passed: 240 s');
    // The last drill's timeline, with the RTO as a milestone.
    expect(md).toContain('Last drill (ws-failover): passed, recovered in 240 s against an RTO of 900 s; ok.');
    expect(md).toMatch(/```mermaid\ngantt\n  title ws-failover  time to recover\n  dateFormat X\n  axisFormat %M:%S\n  section Steps\n  until the recovery Region serves :s0, 0, 240s\n  section Target\n  recovered in 240 s :milestone, rec, 240, 0s\n  RTO 900 s :crit, milestone, rto, 900, 0s\n```/);
    expect(md).toContain('`RES-RDS1` Ws-Primary/SingleAz/Resource: An RDS DB instance is not Multi-AZ.');
  });

  test('a failover runbook in the Region it fails away from is a single point of failure', () => {
    const a = newApp();
    const s = new WarmStandby(a, 'Ws', strategyProps('ws'));
    expect(resilienceReport(a).singlePointsOfFailure.filter((f) => f.rule === 'RUNBOOK-REGION')).toEqual([]);
    // A design that puts it in the primary Region.
    (s.runbook as { failover?: unknown }).failover = s.runbook.failback;
    expect(resilienceReport(a).singlePointsOfFailure).toContainEqual({ rule: 'RUNBOOK-REGION', path: 'Ws-Primary/FailbackRunbook', info: 'the failover runbook runs in us-east-1, the Region it fails away from' });
  });

  test('written as resilience-report.json and resilience-report.md', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
    writeResilienceReport(report, dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'resilience-report.json'), 'utf8')).strategies).toHaveLength(3);
    expect(fs.readFileSync(path.join(dir, 'resilience-report.md'), 'utf8')).toMatch(/^# Resilience report/);
  });
});
