import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BurnRateWindow, ResilienceError, Sli, Slo, SloProps, SloSeverity, STANDARD_BURN_RATES, TenantApi, WebTier } from '../../lib';
import { errorOf, newApp, newStack, resilienceWarnings, resourcesOfType, TEST_AZS } from '../helpers/app';
import { AlarmProps, alarmFires, alarmValue, compositeFires, evaluate, SeriesWindows } from '../helpers/metric-math';

function webSlo(props: Partial<SloProps> = {}): { stack: Stack; web: WebTier; slo: Slo; template: Template } {
  const stack = newStack();
  const web = new WebTier(stack, 'Web', { vpcProps: { availabilityZones: TEST_AZS }, capacity: { min: 2, max: 8 } });
  const topic = new sns.Topic(stack, 'Pager');
  const slo = new Slo(stack, 'Slo', { sli: Sli.webTierAvailability(web), objective: 99.9, page: { topic }, name: 'shop-availability', ...props });
  return { stack, web, slo, template: Template.fromStack(stack) };
}

/** The SLO's metric alarms by logical id, and its composite alarms by severity. */
function sloAlarms(template: Template): { metric: Record<string, AlarmProps>; composite: Record<string, { AlarmRule: unknown; AlarmName: string }> } {
  const metric = Object.fromEntries(resourcesOfType(template, 'AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith('Slo')).map(([id, r]) => [id, r.Properties as unknown as AlarmProps]));
  const composite = Object.fromEntries(
    resourcesOfType(template, 'AWS::CloudWatch::CompositeAlarm').map(([, r]) => {
      const p = r.Properties as { AlarmRule: unknown; AlarmName: string };
      return [p.AlarmName.endsWith('-page') ? 'page' : 'ticket', p];
    }),
  );
  return { metric, composite };
}

describe('Slo: the alarm math in the template', () => {
  const { template, slo } = webSlo();
  const { metric, composite } = sloAlarms(template);

  test('six metric alarms: each window of the standard pairs, over sum(5xx) / sum(requests), at burn rate x budget', () => {
    const rows = Object.values(metric).map((a) => [a.Metrics.find((m) => m.MetricStat)!.MetricStat!.Period, a.Threshold]);
    expect(rows.sort((a, b) => a[0] - b[0] || a[1] - b[1])).toEqual([
      [300, 0.0144],
      [1800, 0.006],
      [3600, 0.0144],
      [21600, 0.001],
      [21600, 0.006],
      [259200, 0.001],
    ]);
    for (const a of Object.values(metric)) {
      expect(a.Metrics[0].Expression).toBe('IF(total > 0, (FILL(elb5xx, 0) + FILL(target5xx, 0)) / (total), 0)');
      expect(a.Metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat!.Metric.MetricName, m.MetricStat!.Stat])).toEqual([
        ['total', 'RequestCount', 'Sum'],
        ['elb5xx', 'HTTPCode_ELB_5XX_Count', 'Sum'],
        ['target5xx', 'HTTPCode_Target_5XX_Count', 'Sum'],
      ]);
      // Every metric of one alarm shares the window as its period.
      expect(new Set(a.Metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat!.Period)).size).toBe(1);
      expect(a).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    }
    expect(slo.errorBudget).toBe(0.001);
  });

  test('one composite per severity: page = (1h AND 5m) OR (6h AND 30m), ticket = 3d AND 6h, notifying on ALARM and OK', () => {
    const rendered = (rule: unknown): string =>
      ((rule as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]).map((p) => (typeof p === 'string' ? p : (p as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, ''))).join('');
    expect(rendered(composite.page.AlarmRule)).toBe('((ALARM("SloPage0Long") AND ALARM("SloPage0Short")) OR (ALARM("SloPage1Long") AND ALARM("SloPage1Short")))');
    expect(rendered(composite.ticket.AlarmRule)).toBe('((ALARM("SloTicket2Long") AND ALARM("SloTicket2Short")))');
    expect(composite.page.AlarmName).toBe('shop-availability-page');
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmName: 'shop-availability-page',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Pager') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^Pager') }],
    });
    // The metric alarms only feed the composites: they notify nobody themselves.
    for (const a of Object.values(metric)) expect((a as unknown as { AlarmActions?: unknown }).AlarmActions).toBeUndefined();
  });

  test('the error budget remaining is metric math: 100 x (1 - ratio / budget), over the window', () => {
    const e = slo.errorBudgetRemaining();
    expect(e.expression).toBe('100 * (1 - IF(total > 0, (FILL(elb5xx, 0) + FILL(target5xx, 0)) / (total), 0) / 0.001)');
    expect(e.period.toDays()).toBe(30);
    // 0.05 % of requests failed over the window: half the budget is left.
    expect(evaluate(e.expression, { total: 1_000_000, elb5xx: 200, target5xx: 300 })).toBeCloseTo(50, 9);
    expect(evaluate(e.expression, { total: 0, elb5xx: 0, target5xx: 0 })).toBe(100);
    expect(slo.burnRate(Duration.hours(1)).expression).toBe('IF(total_3600 > 0, (FILL(elb5xx_3600, 0) + FILL(target5xx_3600, 0)) / (total_3600), 0) / 0.001');
    expect(slo.errorBudgetBurndown().expression).toContain('RUNNING_SUM(FILL(elb5xx, 0) + FILL(target5xx, 0)) / RUNNING_SUM(total)');
  });
});

describe('Slo: which alarms fire on synthetic traffic', () => {
  const { template } = webSlo();
  const { metric, composite } = sloAlarms(template);
  const key = (name: string): string => ({ RequestCount: 'total', HTTPCode_ELB_5XX_Count: 'elb', HTTPCode_Target_5XX_Count: 'target' })[name]!;
  const DAYS = 4;
  const minutes = DAYS * 1440;

  /** 1000 requests a minute; `errors(t)` is the share failing (as target 5xx) at minute t. */
  function run(errors: (t: number) => number): { page: number[]; ticket: number[] } {
    const total = new Float64Array(minutes).fill(1000);
    const target = new Float64Array(minutes).map((_, t) => 1000 * errors(t));
    const windows = new SeriesWindows({ total, elb: new Float64Array(minutes), target });
    const page: number[] = [];
    const ticket: number[] = [];
    for (let t = 0; t < minutes; t++) {
      const states = Object.fromEntries(Object.entries(metric).map(([id, a]) => [id, alarmFires(a, windows, t, key)]));
      if (compositeFires(composite.page.AlarmRule, states)) page.push(t);
      if (compositeFires(composite.ticket.AlarmRule, states)) ticket.push(t);
    }
    return { page, ticket };
  }

  test('a steady 0.05 % error rate (burn rate 0.5) fires nothing', () => {
    expect(run(() => 0.0005)).toEqual({ page: [], ticket: [] });
  });

  test('a total outage from day 3 for 20 minutes pages within its first minute and resets once the short windows clear', () => {
    const start = 3 * 1440;
    const { page } = run((t) => (t >= start && t < start + 20 ? 1 : 0));
    expect(page[0]).toBe(start); // 1 bad minute: 1/60 > 1.44 % and 1/5 > 1.44 %
    // The hours are still bad, but the page resets when the short windows no longer hold
    // the last bad minute (start + 19): 5 minutes for the 1 h pair, 30 for the 6 h pair.
    expect(page[page.length - 1]).toBe(start + 19 + 29);
    expect(page).toHaveLength(49);
  });

  test('the same outage with only the 1 h / 5 min pair resets 5 minutes after it ends', () => {
    const { template: t1 } = webSlo({ burnRates: [STANDARD_BURN_RATES[0]] });
    const { metric: m1, composite: c1 } = sloAlarms(t1);
    const start = 3 * 1440;
    const windows = new SeriesWindows({ total: new Float64Array(minutes).fill(1000), elb: new Float64Array(minutes), target: new Float64Array(minutes).map((_, t) => (t >= start && t < start + 20 ? 1000 : 0)) });
    const firing = [];
    for (let t = start - 10; t < start + 60; t++) {
      if (compositeFires(c1.page.AlarmRule, Object.fromEntries(Object.entries(m1).map(([id, a]) => [id, alarmFires(a, windows, t, key)])))) firing.push(t);
    }
    expect([firing[0], firing[firing.length - 1]]).toEqual([start, start + 19 + 4]);
  });

  test('noise does not page: half the requests failing for one minute a day', () => {
    expect(run((t) => (t % 1440 === 700 ? 0.5 : 0))).toEqual({ page: [], ticket: [] });
  });

  test('a slow burn at 3x (0.3 %) opens a ticket and never pages', () => {
    const { page, ticket } = run(() => 0.003);
    expect(page).toEqual([]);
    expect(ticket.length).toBe(minutes);
  });

  test('a 6x burn (0.8 %) starting on day 2 pages through the 6 h / 30 min pair only, about 4.5 hours in', () => {
    const start = 2 * 1440;
    const { page, ticket } = run((t) => (t >= start ? 0.008 : 0));
    // The 6-hour ratio passes 0.6 % once 0.8 % x m / 360 > 0.006: m > 270 minutes.
    expect(page[0]).toBe(start + 270);
    // The 1-hour pair never agrees: 0.8 % < 1.44 %.
    const oneHour = Object.entries(metric).find(([, a]) => a.Metrics[1].MetricStat!.Period === 3600)![1];
    const windows = new SeriesWindows({ total: new Float64Array(minutes).fill(1000), elb: new Float64Array(minutes), target: new Float64Array(minutes).map((_, t) => (t >= start ? 8 : 0)) });
    expect(alarmValue(oneHour, windows, minutes - 1, key)).toBeCloseTo(0.008, 9);
    expect(alarmFires(oneHour, windows, minutes - 1, key)).toBe(false);
    expect(ticket.length).toBeGreaterThan(0);
  });

  test('no traffic reads as no errors, not as a division by zero', () => {
    const a = Object.values(metric)[0];
    const zero = new Float64Array(minutes);
    expect(alarmValue(a, new SeriesWindows({ total: zero, elb: zero, target: zero }), 100, key)).toBe(0);
  });
});

describe('SLIs from the tiers', () => {
  test('web tier latency, tenant API and health-check SLIs render the right metrics', () => {
    const stack = newStack();
    const web = new WebTier(stack, 'Web', { vpcProps: { availabilityZones: TEST_AZS }, capacity: { min: 2, max: 8 } });
    const latency = Sli.webTierLatency(web, Duration.millis(300)).errorRatio(Duration.hours(1));
    expect(latency.expression).toBe('IF(total > 0, (total - FILL(fast, 0)) / (total), 0)');
    const stats = (e: cloudwatch.MathExpression): string[][] =>
      Object.entries(e.usingMetrics).map(([id, m]) => {
        const c = m.toMetricConfig().metricStat!;
        return [id, c.metricName, c.statistic, String(c.period.toSeconds())];
      });
    expect(stats(latency)).toEqual([
      ['total', 'TargetResponseTime', 'SampleCount', '3600'],
      ['fast', 'TargetResponseTime', 'TC(:0.3)', '3600'],
    ]);
    const hc = Sli.healthCheck('abcdef-123').errorRatio(Duration.minutes(5));
    expect(hc.expression).toBe('IF(total > 0, (total - FILL(up, 0)) / (total), 0)');
    expect(stats(hc)).toEqual([
      ['total', 'HealthCheckStatus', 'SampleCount', '300'],
      ['up', 'HealthCheckStatus', 'Sum', '300'],
    ]);
    expect(Sli.healthCheck('abc').requiredRegion).toBe('us-east-1');
    // Half the samples healthy: half the minutes lost.
    expect(evaluate(hc.expression, { total: 10, up: 5 })).toBe(0.5);
  });

  test('tenant API SLIs: 5XXError over Count, and Latency in milliseconds', () => {
    const stack = newStack();
    const api = new TenantApi(stack, 'Api', { apiName: 'orders', tiers: [{ name: 'basic', rateLimit: 10, burstLimit: 20 }] });
    const slo = new Slo(stack, 'ApiSlo', { sli: Sli.tenantApiAvailability(api), objective: 99.95 });
    const t = Template.fromStack(stack);
    const alarm = resourcesOfType(t, 'AWS::CloudWatch::Alarm').find(([id]) => id.startsWith('ApiSloPage0Long'))![1].Properties as unknown as AlarmProps;
    expect(alarm.Metrics[0].Expression).toBe('IF(total > 0, (FILL(bad5xx, 0)) / (total), 0)');
    expect(alarm.Metrics.filter((m) => m.MetricStat).map((m) => [m.MetricStat!.Metric.MetricName, m.MetricStat!.Stat])).toEqual([
      ['Count', 'Sum'],
      ['5XXError', 'Sum'],
    ]);
    expect(alarm.Threshold).toBe(0.0072); // 14.4 x 0.05 %
    expect(slo.errorBudget).toBe(0.0005);
    const latency = Sli.tenantApiLatency(api, Duration.millis(250)).errorRatio(Duration.hours(1));
    expect(Object.values(latency.usingMetrics).map((m) => m.toMetricConfig().metricStat!.statistic)).toEqual(['SampleCount', 'TC(:250)']);
  });

  test('a ratio of good events: (total - good) / total', () => {
    const m = (metricName: string): cloudwatch.Metric => new cloudwatch.Metric({ namespace: 'Shop', metricName, statistic: 'Sum' });
    const e = Sli.ratio({ good: m('Ok'), total: m('All') }).errorRatio(Duration.hours(1));
    expect(e.expression).toBe('IF(total > 0, (total - FILL(good, 0)) / (total), 0)');
    expect(evaluate(e.expression, { total: 1000, good: 990 })).toBeCloseTo(0.01, 12);
  });
});

describe('Slo notifications', () => {
  test('an email or an HTTPS endpoint gets a new encrypted topic with the subscription', () => {
    const { template } = webSlo({ page: { email: 'oncall@example.com' }, ticket: { httpsUrl: 'https://pager.example.com/hook' } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https', Endpoint: 'https://pager.example.com/hook' });
    expect(resourcesOfType(template, 'AWS::SNS::Topic').filter(([, r]) => (r.Properties as { KmsMasterKeyId?: unknown } | undefined)?.KmsMasterKeyId)).toHaveLength(2);
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', { AlarmName: 'shop-availability-ticket', AlarmActions: [{ Ref: Match.stringLikeRegexp('^SloTicketTopic') }] });
  });

  test('without a page target the SLO warns that its alarms notify nobody', () => {
    const { stack } = webSlo({ page: undefined });
    const onSlo = Annotations.fromStack(stack).findWarning('/Test/Slo', Match.stringLikeRegexp('notify nobody'));
    expect(onSlo).toHaveLength(1);
    expect(resilienceWarnings(stack)).toContain('cdk-resilience:AlarmsWithoutActions');
  });
});

describe('Slo rejects invalid input', () => {
  const m = (metricName: string, period = Duration.minutes(1)): cloudwatch.Metric => new cloudwatch.Metric({ namespace: 'Shop', metricName, statistic: 'Sum', period });
  const pair = (w: Partial<BurnRateWindow>): BurnRateWindow[] => [{ severity: SloSeverity.PAGE, long: Duration.hours(1), short: Duration.minutes(5), burnRate: 14.4, ...w }];
  test.each<[string, Partial<SloProps> | ((stack: Stack) => Partial<SloProps>), string, RegExp]>([
    ['an objective of 100', { objective: 100 }, 'SLO_OBJECTIVE', /strictly between 0 and 100.*got: 100/s],
    ['an objective of 0', { objective: 0 }, 'SLO_OBJECTIVE', /got: 0/],
    ['an objective of 120', { objective: 120 }, 'SLO_OBJECTIVE', /got: 120/],
    ['a window shorter than the 3-day ticket window', { window: Duration.days(1) }, 'SLO_WINDOW', /shorter than its longest alarm window \(3 days\)/],
    ['an SLI whose metrics have different periods', { sli: Sli.ratio({ bad: m('Errors'), total: m('Requests', Duration.minutes(5)) }) }, 'SLI_PERIOD', /300 s vs 60 s/],
    ['an SLI with both good and bad', { sli: Sli.ratio({ bad: m('Errors'), good: m('Ok'), total: m('Requests') }) }, 'SLI_RATIO', /exactly one of bad or good/],
    ['a latency threshold of 0', { sli: Sli.latency({ metric: m('Latency'), threshold: 0 }) }, 'SLI_LATENCY_THRESHOLD', /above 0/],
    ['a burn rate that can never fire (14.4 x 10 % > 100 %)', { objective: 90 }, 'SLO_BURN_RATE', /can never fire.*144 %/s],
    ['a burn rate that spends the whole budget before firing', { burnRates: pair({ long: Duration.days(2), short: Duration.hours(2), burnRate: 20 }) }, 'SLO_BURN_RATE', /cannot fire within the window/],
    ['a short window as long as the long one', { burnRates: pair({ short: Duration.hours(1) }) }, 'SLO_BURN_RATE', /shorter than the long one/],
    ['a long window over the 7 days an alarm can evaluate', { window: Duration.days(90), burnRates: pair({ long: Duration.days(8), short: Duration.hours(12), burnRate: 1 }) }, 'SLO_BURN_RATE', /at most 7 days/],
    ['a window that is not whole minutes', { burnRates: pair({ short: Duration.seconds(90) }) }, 'SLO_BURN_RATE', /whole number of minutes/],
    ['a burn rate of 0', { burnRates: pair({ burnRate: 0 }) }, 'SLO_BURN_RATE', /positive multiple/],
    ['no burn-rate windows', { burnRates: [] }, 'SLO_BURN_RATE', /pages nobody/],
  ])('%s', (_name, props, code, message) => {
    const stack = newStack();
    const web = new WebTier(stack, 'Web', { vpcProps: { availabilityZones: TEST_AZS }, capacity: { min: 2, max: 8 } });
    const err = errorOf(() => new Slo(stack, 'Slo', { sli: Sli.webTierAvailability(web), objective: 99.9, ...(typeof props === 'function' ? props(stack) : props) }));
    expect(err).toBeInstanceOf(ResilienceError);
    expect(err.codes).toContain(code);
    expect(err.message).toMatch(message);
    expect(err.message).toContain('Test/Slo');
  });

  test('a health-check SLI outside us-east-1: its metric exists only there', () => {
    const stack = new Stack(newApp(), 'West', { env: { account: '111111111111', region: 'us-west-2' } });
    const err = errorOf(() => new Slo(stack, 'Slo', { sli: Sli.healthCheck('abc'), objective: 99.9 }));
    expect(err.codes).toEqual(['SLI_REGION']);
    expect(err.message).toMatch(/build this SLO in a us-east-1 stack/);
  });

  test('STANDARD_BURN_RATES is the SRE workbook table', () => {
    expect(STANDARD_BURN_RATES.map((w) => [w.severity, w.long.toMinutes(), w.short.toMinutes(), w.burnRate])).toEqual([
      ['page', 60, 5, 14.4],
      ['page', 360, 30, 6],
      ['ticket', 4320, 360, 1],
    ]);
  });
});
