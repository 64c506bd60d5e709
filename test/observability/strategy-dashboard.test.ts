import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ResilienceError, WarmStandby } from '../../lib';
import { strategyProps } from '../dr/stacks';
import { errorOf, newApp, resourcesOfType } from '../helpers/app';

// The reference strategies' SLOs and dashboards: test/reference-app/dashboards.cases.ts.
describe('strategy SLO options', () => {
  test('objectives and window are the caller\'s; latency can be turned off', () => {
    const s = new WarmStandby(newApp(), 'Ws', { ...strategyProps('ws'), slo: { availability: 99.95, latency: false, window: Duration.days(28) } });
    const [only] = s.observability.primary.slos;
    expect(s.observability.primary.slos).toHaveLength(1);
    expect([only.objective, only.errorBudget, only.window.toDays()]).toEqual([0.9995, 0.0005, 28]);
    expect(resourcesOfType(Template.fromStack(s.primaryStack), 'AWS::CloudWatch::CompositeAlarm')).toHaveLength(2);
  });

  test('an invalid objective is refused at synth, naming the Region\'s SLO', () => {
    const err = errorOf(() => new WarmStandby(newApp(), 'Ws', { ...strategyProps('ws'), slo: { availability: 100 } }));
    expect(err).toBeInstanceOf(ResilienceError);
    expect(err.codes).toEqual(['SLO_OBJECTIVE']);
    expect(err.message).toContain('Ws-Primary/AvailabilitySlo');
  });
});
