import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DrStrategy } from '../../lib';
import { LAYOUT_BEGIN, LAYOUT_END, referenceDashboardLayout } from '../../scripts/render-dashboard';
import { resourcesOfType } from '../helpers/app';
import { referenceApp } from '../helpers/reference';

/** The dashboard body of a stack, with tokens replaced by a marker, parsed. */
function dashboard(stack: Stack): { name: string; widgets: { type: string; properties: Record<string, unknown> }[] } {
  const [[, r]] = resourcesOfType(Template.fromStack(stack), 'AWS::CloudWatch::Dashboard');
  const p = r.Properties as { DashboardName: string; DashboardBody: { 'Fn::Join': [string, unknown[]] } };
  const body = p.DashboardBody['Fn::Join'][1].map((x) => (typeof x === 'string' ? x : 'TOKEN')).join('');
  return { name: p.DashboardName, ...JSON.parse(body) };
}

describe('every reference strategy has SLOs on its entry tier and a dashboard per Region', () => {
  const { app } = referenceApp();
  const strategies = app.node.findAll().filter((c): c is DrStrategy => c instanceof DrStrategy);

  test('three strategies, two Regions each', () => {
    expect(strategies.map((s) => s.strategyName).sort()).toEqual(['ref-active', 'ref-pilot', 'ref-warm']);
  });

  test.each(['ref-active', 'ref-pilot', 'ref-warm'])('%s: availability and latency SLOs on the web tier, paging the Region\'s alerts topic', (name) => {
    const s = strategies.find((x) => x.strategyName === name)!;
    for (const [site, obs] of [[s.primary, s.observability.primary], [s.recovery, s.observability.recovery]] as const) {
      expect(obs.slos.map((o) => [o.sloName, o.objective])).toEqual([
        [`${name}-${site.stack.region}-availability`, 0.999],
        [`${name}-${site.stack.region}-latency`, 0.99],
      ]);
      const t = Template.fromStack(site.stack);
      const composites = resourcesOfType(t, 'AWS::CloudWatch::CompositeAlarm')
        .map(([, r]) => r.Properties as { AlarmName: string; AlarmActions: unknown[] })
        .filter((c) => c.AlarmName.startsWith(`${name}-`));
      expect(composites.map((c) => c.AlarmName).sort()).toEqual(
        [`${name}-${site.stack.region}-availability-page`, `${name}-${site.stack.region}-availability-ticket`, `${name}-${site.stack.region}-latency-page`, `${name}-${site.stack.region}-latency-ticket`].sort(),
      );
      const topicId = Stack.of(site.topic).getLogicalId(site.topic.node.defaultChild as never);
      for (const c of composites) expect(c.AlarmActions).toEqual([{ Ref: topicId }]);
      // The SLIs measure this Region's own load balancer.
      expect(obs.slos[0].sli.description).toBe(`${site.web.node.path}: requests answered without a 5xx`);
    }
  });

  test.each(['ref-active', 'ref-pilot', 'ref-warm'])('%s: each Region\'s dashboard shows what the issue lists', (name) => {
    const s = strategies.find((x) => x.strategyName === name)!;
    for (const site of [s.primary, s.recovery]) {
      const d = dashboard(site.stack);
      expect(d.name).toBe(`${name}-${site.stack.region}`);
      const titles = d.widgets.map((w) => String(w.properties.title ?? w.properties.markdown));
      for (const expected of [
        /^Alarms$/,
        /^Route 53 health checks/,
        /^Target health$/,
        /^Requests and 5xx$/,
        /^Target response time$/,
        /^Auto Scaling capacity$/,
        /^Data replication: lag and RPO lag$/,
        /^Runbooks: executions$/,
        /^Runbooks: measured recovery time/,
        new RegExp(`^Drill ${name}-failover: recovery time`),
        /availability: burn rate$/,
        /availability: error budget left \(30 days\)$/,
        /latency: burn rate$/,
      ]) {
        expect(titles.some((t) => expected.test(t))).toBe(true);
      }
      const metricsOf = (title: RegExp): unknown[][] => d.widgets.find((w) => title.test(String(w.properties.title)))!.properties.metrics as unknown[][];
      // Health checks are read where Route 53 publishes them.
      expect(JSON.stringify(metricsOf(/^Route 53 health checks/))).toContain('"region":"us-east-1"');
      // Both runbooks, wherever they run, by their published metrics.
      expect(JSON.stringify(metricsOf(/^Runbooks: measured recovery time/))).toMatch(/RecoveryTimeSeconds.*failover-us-west-2.*RecoveryTimeSeconds.*failback-us-east-1/);
      // Replication lag: the secondary's metrics, from the secondary's Region.
      expect(JSON.stringify(metricsOf(/^Data replication/))).toContain('AuroraGlobalDBReplicationLag');
    }
  });

  test('the reference active-active also has an SLO on its tenant API, on each Region\'s dashboard', () => {
    const active = strategies.find((x) => x.strategyName === 'ref-active')!;
    for (const stack of [active.primaryStack, active.recoveryStack]) {
      const names = resourcesOfType(Template.fromStack(stack), 'AWS::CloudWatch::CompositeAlarm').map(([, r]) => (r.Properties as { AlarmName: string }).AlarmName);
      expect(names).toContain(`ref-tenants-${stack.region}-availability-page`);
      expect(dashboard(stack).widgets.map((w) => w.properties.title)).toContain(`Alarms: ref-tenants-${stack.region}-availability`);
    }
  });

  test('the drill widget marks the RTO', () => {
    const warm = strategies.find((x) => x.strategyName === 'ref-warm')!;
    const d = dashboard(warm.recoveryStack);
    const drill = d.widgets.find((w) => String(w.properties.title).startsWith('Drill'))!;
    expect(drill.properties.annotations).toEqual({ horizontal: [{ value: 1080, label: 'RTO', color: '#d62728', yAxis: 'left' }] });
  });
});

test('docs/observability.md shows the reference dashboard as the construct lays it out (npm run docs:dashboard)', () => {
  const { app } = referenceApp();
  const text = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'observability.md'), 'utf8');
  const committed = text.slice(text.indexOf(LAYOUT_BEGIN) + LAYOUT_BEGIN.length, text.indexOf(LAYOUT_END)).trim();
  expect(committed).toBe(referenceDashboardLayout(app));
  for (const title of ['Alarms', 'Route 53 health checks', 'Target health', 'Auto Scaling capacity', 'Requests and 5xx', 'Target response time', 'Data replication', 'Runbooks: executions', 'burn rate', 'Drill ref-warm-failover']) expect(committed).toContain(title);
});

