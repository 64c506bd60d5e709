import { Annotations, App, Duration } from 'aws-cdk-lib';
import { DatabaseEngine, DrStrategy, enforceObjectives, estimateRpo, estimateRto, PilotLight, WarmStandby } from '../../lib';
import { strategyProps } from '../dr/stacks';
import { newApp } from '../helpers/app';

/** Build, enforce and synth once: the error synth fails with, or the cdk-resilience objective warnings it carries. */
function synthOutcome(make: (app: App) => DrStrategy, options: Parameters<typeof enforceObjectives>[1] = {}): { error?: string; warnings: string[] } {
  const app = newApp();
  make(app);
  enforceObjectives(app, options);
  try {
    const assembly = app.synth();
    return { warnings: assembly.stacks.flatMap((st) => st.messages.filter((m) => m.level === 'warning' && /cdk-resilience:(ObjectiveAtRisk|ObjectiveMissed|RpoUnbounded|TrafficObjectiveAtRisk)/.test(String(m.entry.data))).map((m) => String(m.entry.data))) };
  } catch (e) {
    return { error: (e as Error).message, warnings: [] };
  }
}

const synthError = (...a: Parameters<typeof synthOutcome>): string | undefined => synthOutcome(...a).error;
/** The warnings of a synth that must succeed (an error would make "no warnings" vacuous). */
function synthWarnings(...a: Parameters<typeof synthOutcome>): string[] {
  const o = synthOutcome(...a);
  if (o.error !== undefined) throw new Error(`synth failed: ${o.error}`);
  return o.warnings;
}

describe('objectives are enforced at synth', () => {
  test('a pilot light held to 10 minutes fails synth (even its typical case misses), naming both cases, the dominant term and the fix', () => {
    const message = synthError((app) => new PilotLight(app, 'Pl', strategyProps('pl', { rto: Duration.minutes(10) })));
    expect(message).toContain('[Pl] RTO estimate 1141 s (typical; worst case 1651 s) exceeds the target 600 s (detection 30 s + decision 300 s + runbook 750-1260 s + dns-ttl 61 s)');
    expect(message).toContain('the dominant term is runbook (1260 s in the worst case');
    expect(message).toContain('To reduce it: use WarmStandby');
  });

  test('a warm standby: met at 18 minutes (worst case 1051 s), at risk at 12 (typical 661 s): a warning, not an error; missed at 10', () => {
    const ws = (rto: Duration) => (app: App) => new WarmStandby(app, 'Ws', strategyProps('ws', { rto, database: { engine: DatabaseEngine.auroraPostgres('16.4'), managedRpo: Duration.seconds(20) } }));
    expect(synthOutcome(ws(Duration.minutes(18)))).toEqual({ warnings: [] });
    const atRisk = synthOutcome(ws(Duration.minutes(12)));
    expect(atRisk.error).toBeUndefined();
    const risk = atRisk.warnings;
    expect(risk).toHaveLength(1);
    expect(risk[0]).toMatch(/^RTO at risk: the typical estimate 661 s meets the target 720 s, the worst case 1051 s does not \(detection 30 s \+ decision 300 s \+ runbook 270-660 s \+ dns-ttl 61 s\); the dominant term is runbook .*\[ack: cdk-resilience:ObjectiveAtRisk\]$/);
    expect(synthError(ws(Duration.minutes(10)))).toContain('[Ws] RTO estimate 661 s (typical; worst case 1051 s) exceeds the target 600 s');
    // Hot standby would not change the worst case (max(480 s, 0) is 480 s): the advice names what bounds it.
    expect(risk[0]).toContain('To reduce it: the Aurora global promotion bounds the worst case (480 s, a public measurement of a full Region failover) and no design change shortens it: make the decision term smaller and independent of who is on call with autoFailover');
    expect(risk[0]).not.toContain('hotStandby');
  });

  test("accepting the risk is acknowledging the warning on the strategy's recovery stack, with the reason", () => {
    const warnings = synthWarnings((app) => {
      const s = new WarmStandby(app, 'Ws', strategyProps('ws', { rto: Duration.minutes(12), database: { engine: DatabaseEngine.auroraPostgres('16.4'), managedRpo: Duration.seconds(20) } }));
      Annotations.of(s.recoveryStack).acknowledgeWarning('cdk-resilience:ObjectiveAtRisk', 'drills measured the promotion at 70 s; reviewed quarterly');
      return s;
    });
    expect(warnings).toEqual([]);
  });

  test('a measured decision time replaces the default: 0 s takes 300 s off both cases, and a 13-minute target is then met', () => {
    const make = (app: App) => new WarmStandby(app, 'Ws', strategyProps('ws', { rto: Duration.minutes(13), database: { engine: DatabaseEngine.auroraPostgres('16.4'), managedRpo: Duration.seconds(20) } }));
    expect(synthWarnings(make)).toHaveLength(1);
    expect(synthWarnings(make, { decision: Duration.seconds(0) })).toEqual([]);
  });

  test('an RDS replica whose lag alarm fires at 60 s misses a 30 s RPO', () => {
    const make = (app: App): DrStrategy => new PilotLight(app, 'Pl', strategyProps('pl', { database: { engine: DatabaseEngine.postgres('16.4') }, rto: Duration.minutes(30), rpo: Duration.seconds(30) }));
    const message = synthError(make);
    expect(message).toContain('RPO estimate 60 s exceeds the target 30 s (asynchronous replica');
    expect(estimateRpo(make(newApp()))).toMatchObject({ seconds: 60, bounded: false });
  });

  test('an Aurora global database without managed RPO: typical lag, unbounded, never met; synth warns ObjectiveAtRisk', () => {
    const make = (app: App) => new WarmStandby(app, 'Ws', strategyProps('ws', { rto: Duration.minutes(18) }));
    expect(estimateRpo(make(newApp()))).toMatchObject({ seconds: 1, bounded: false, targetSeconds: 30, verdict: 'unbounded' });
    const warnings = synthWarnings(make);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^RPO unbounded: typically 1 s against the target 30 s, but nothing bounds it .*To bound it: use an Aurora PostgreSQL global database with managedRpo at or under the target.*\[ack: cdk-resilience:RpoUnbounded\]$/);
  });

  test('each risk has its own id: accepting an RTO at risk never hides an unbounded RPO, nor the reverse', () => {
    const both = (ack?: string) => (app: App) => {
      const s = new WarmStandby(app, 'Ws', strategyProps('ws', { rto: Duration.minutes(12) }));
      if (ack) Annotations.of(s.recoveryStack).acknowledgeWarning(ack, 'reviewed');
      return s;
    };
    const ids = (w: string[]) => w.map((x) => /\[ack: (cdk-resilience:\w+)\]$/.exec(x)?.[1]).sort();
    expect(ids(synthWarnings(both()))).toEqual(['cdk-resilience:ObjectiveAtRisk', 'cdk-resilience:RpoUnbounded']);
    expect(ids(synthWarnings(both('cdk-resilience:ObjectiveAtRisk')))).toEqual(['cdk-resilience:RpoUnbounded']);
    expect(ids(synthWarnings(both('cdk-resilience:RpoUnbounded')))).toEqual(['cdk-resilience:ObjectiveAtRisk']);
  });

  test('a managed RPO bounds it: met at or under the target, missed over it', () => {
    const make = (managed: number, target: number) => new WarmStandby(newApp(), 'Ws', strategyProps('ws', { rpo: Duration.seconds(target), database: { engine: DatabaseEngine.auroraPostgres('16.4'), managedRpo: Duration.seconds(managed) } }));
    expect(estimateRpo(make(20, 20))).toMatchObject({ seconds: 20, bounded: true, verdict: 'met' });
    expect(estimateRpo(make(30, 20))).toMatchObject({ seconds: 30, bounded: true, verdict: 'missed' });
  });

  test('a managed RPO on an RDS engine is refused at synth (DR_MANAGED_RPO)', () => {
    expect(() => new PilotLight(newApp(), 'Pl', strategyProps('pl', { database: { engine: DatabaseEngine.postgres('16.4'), managedRpo: Duration.seconds(20) } }))).toThrow(/DR_MANAGED_RPO/);
  });

  test('the explicit opt-out turns the error into a warning, in the recovery stack (where the cloud assembly keeps it)', () => {
    const make = (app: App) => new PilotLight(app, 'Pl', strategyProps('pl', { rto: Duration.minutes(10) }));
    const options = { warnOnly: { reason: 'a cost decision: pilot light accepted at 18 minutes' } };
    const outcome = synthOutcome(make, options);
    expect(outcome.error).toBeUndefined();
    const missed = outcome.warnings.filter((w) => w.includes('ObjectiveMissed'));
    expect(missed).toHaveLength(1);
    expect(missed[0]).toMatch(/RTO estimate 1141 s .* \(accepted: a cost decision: pilot light accepted at 18 minutes\) \[ack: cdk-resilience:ObjectiveMissed\]$/);
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
