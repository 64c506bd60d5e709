import { App, Duration } from 'aws-cdk-lib';
import { DatabaseEngine, DrStrategy, enforceObjectives, estimateRpo, estimateRto, PilotLight, WarmStandby } from '../../lib';
import { strategyProps } from '../dr/stacks';
import { newApp } from '../helpers/app';

function synthError(make: (app: App) => DrStrategy, options: Parameters<typeof enforceObjectives>[1] = {}): string | undefined {
  const app = newApp();
  make(app);
  enforceObjectives(app, options);
  try {
    app.synth();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('objectives are enforced at synth', () => {
  test('a pilot light held to 10 minutes fails synth, naming the dominant term and the fix', () => {
    const message = synthError((app) => new PilotLight(app, 'Pl', strategyProps('pl', { rto: Duration.minutes(10) })));
    expect(message).toContain('[Pl] RTO estimate 1140 s exceeds the target 600 s (detection 30 s + decision 300 s + runbook 750 s + dns-ttl 60 s)');
    expect(message).toContain('the dominant term is runbook');
    expect(message).toContain('To reduce it: use WarmStandby');
  });

  test('the named fix, a warm standby, meets an 11-minute target (660 s: 30 + 300 + 270 + 60): synth passes', () => {
    expect(synthError((app) => new WarmStandby(app, 'Ws', strategyProps('ws', { rto: Duration.minutes(11) })))).toBeUndefined();
    expect(synthError((app) => new WarmStandby(app, 'Ws', strategyProps('ws', { rto: Duration.minutes(10) })))).toContain('[Ws] RTO estimate 660 s exceeds the target 600 s');
  });

  test('held to 6 minutes, the warm standby is dominated by the decision; an automated trigger meets it', () => {
    const message = synthError((app) => new WarmStandby(app, 'Ws', strategyProps('ws', { rto: Duration.minutes(6) })));
    expect(message).toContain('the dominant term is decision');
    expect(message).toContain('start the failover runbook automatically');
    expect(synthError((app) => new WarmStandby(app, 'Ws', strategyProps('ws', { rto: Duration.minutes(6) })), { decision: Duration.seconds(0) })).toBeUndefined();
  });

  test('an RDS replica whose lag alarm fires at 60 s misses a 30 s RPO', () => {
    const make = (app: App): DrStrategy => new PilotLight(app, 'Pl', strategyProps('pl', { database: { engine: DatabaseEngine.postgres('16.4') }, rto: Duration.minutes(30), rpo: Duration.seconds(30) }));
    const message = synthError(make);
    expect(message).toContain('RPO estimate 60 s exceeds the target 30 s (asynchronous replica');
    expect(estimateRpo(make(newApp()))).toMatchObject({ seconds: 60, bounded: false });
  });

  test('an Aurora global database without managed RPO: typical lag, reported as not bounded', () => {
    expect(estimateRpo(new WarmStandby(newApp(), 'Ws', strategyProps('ws')))).toMatchObject({ seconds: 1, bounded: false, targetSeconds: 30 });
  });

  test('the explicit opt-out turns the error into a warning', () => {
    expect(synthError((app) => new PilotLight(app, 'Pl', strategyProps('pl', { rto: Duration.minutes(10) })), { warnOnly: { reason: 'a cost decision: pilot light accepted at 18 minutes' } })).toBeUndefined();
  });
});

test('an RTO whose detection is unknown is not called met: synth fails and says why', () => {
  const app = newApp();
  const s = new WarmStandby(app, 'Ws', strategyProps('ws'));
  // A record whose check cannot see a dead Region (for example an alarm that ignores missing data).
  Object.defineProperty(s.primary.record, 'detection', { value: undefined });
  Object.defineProperty(s.primary.record, 'endpointHealthCheck', { value: undefined });
  expect(estimateRto(s).detectionKnown).toBe(false);
  enforceObjectives(app);
  expect(() => app.synth()).toThrow(/no health check with a known detection time/);
});
