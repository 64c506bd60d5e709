import { Duration } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { renderReportMarkdown, resilienceReport, WarmStandby } from '../../lib';
import { strategyProps } from '../dr/stacks';
import { newApp } from '../helpers/app';

// The report of the reference app itself: test/reference-app/report.cases.ts.
describe('resilience report', () => {
  test('single points of failure are listed; drill results are shown when given', () => {
    const a = newApp();
    const s = new WarmStandby(a, 'Ws', strategyProps('ws'));
    const vpc = new ec2.Vpc(s.primaryStack, 'Plain', { availabilityZones: ['us-east-1a', 'us-east-1b'], natGateways: 2 });
    new rds.DatabaseInstance(s.primaryStack, 'SingleAz', { engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }), vpc, deletionProtection: true, backupRetention: undefined });
    const r = resilienceReport(a, { drillResults: { 'ws-failover': { drill: 'ws-failover', passed: true, recoverySeconds: 240, rtoSeconds: 900, stoppedByAlarm: false, targetStatus: 'SUCCEEDED', reason: 'ok' } } });
    expect(r.singlePointsOfFailure.map((f) => `${f.rule} ${f.path}`)).toEqual(expect.arrayContaining(['RES-RDS1 Ws-Primary/SingleAz/Resource', 'RES-RDS4 Ws-Primary/SingleAz/Resource']));
    const md = renderReportMarkdown(r);
    // Typical 661 s meets the 900 s target, the worst case 1051 s does not: at risk; the RPO has no bound.
    expect(md).toContain('| ws (warm-standby) | 661 s / 1051 s / 900 s **AT RISK** | unbounded (typical 1 s) / 30 s **UNBOUNDED** |');
    expect(md).toContain('RTO typical 661 s = detection 30 s + decision 300 s + runbook 270 s + dns-ttl 61 s; worst case 1051 s = detection 30 s + decision 300 s + runbook 660 s + dns-ttl 61 s; dominant: runbook.');
    expect(md).toContain('| runbook | 270 | 660 | max(database 60 s, compute 180 s) + traffic 90 s (worst case: max(database 480 s, compute 300 s) + traffic 180 s) |');
    expect(md).toContain('Failover trigger: manual (a person starts the runbook; the decision term is their time).');
    expect(md).toContain('passed: 240 s');
    // The last drill's timeline, with the RTO as a milestone.
    expect(md).toContain('Last drill (ws-failover): passed, recovered in 240 s against an RTO of 900 s; ok.');
    expect(md).toMatch(/```mermaid\ngantt\n  title ws-failover  time to recover\n  dateFormat X\n  axisFormat %M:%S\n  section Steps\n  until the recovery Region serves :s0, 0, 240s\n  section Target\n  recovered in 240 s :milestone, rec, 240, 0s\n  RTO 900 s :crit, milestone, rto, 900, 0s\n```/);
    expect(md).toContain('`RES-RDS1` Ws-Primary/SingleAz/Resource: An RDS DB instance is not Multi-AZ.');
  });

  test('an automatic trigger is recorded with its consent and its decision term', () => {
    const a = newApp();
    new WarmStandby(a, 'Ws', strategyProps('ws', { autoFailover: { confirmationWindow: Duration.minutes(5), acceptDataLoss: true } }));
    const md = renderReportMarkdown(resilienceReport(a));
    expect(md).toContain(
      "Failover trigger: **automatic** (`autoFailover`): automatic: the outage alarm's 3 one-minute runs (180 s) + the 300 s confirmation window nobody cancelled + the last look (30 s); worst +310 s (a failure just after a run, a run without an answer restarting the streak, a late evaluation, the announcement's one try). It asks for a planned switchover first; opting in at synth is the data-loss consent of the unplanned failover it falls back to when the primary is unhealthy (up to the RPO); detach is never automatic and failback is always a person's.",
    );
    expect(md).toContain('| decision | 510 | 820 |');
  });

  test('a failover runbook in the Region it fails away from is a single point of failure', () => {
    const a = newApp();
    const s = new WarmStandby(a, 'Ws', strategyProps('ws'));
    expect(resilienceReport(a).singlePointsOfFailure.filter((f) => f.rule === 'RUNBOOK-REGION')).toEqual([]);
    // A design that puts it in the primary Region.
    (s.runbook as { failover?: unknown }).failover = s.runbook.failback;
    expect(resilienceReport(a).singlePointsOfFailure).toContainEqual({ rule: 'RUNBOOK-REGION', path: 'Ws-Primary/FailbackRunbook', info: 'the failover runbook runs in us-east-1, the Region it fails away from' });
  });

});
