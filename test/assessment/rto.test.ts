import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RunbookConfig } from '../../protocol';
import { ActiveActive, DatabaseEngine, DrStrategy, enforceObjectives, PilotLight, WarmStandby } from '../../lib';
import { AWS_FIGURES } from '../../lib/core/aws-figures';
import { OPERATION_DURATION_SOURCES, OPERATION_DURATIONS, WORST_CASE_DURATIONS } from '../../lib/assessment/operation-durations';
import { estimateRto, runbookCriticalPath } from '../../lib/assessment/rto';
import { rtoVerdict } from '../../lib/assessment/verdict';
import { strategyProps } from '../dr/stacks';
import { execute } from '../dr/harness';
import { DEFAULT_DURATIONS, SimulatedAws } from '../dr/simulator';
import { newApp } from '../helpers/app';

const STRATEGIES: [string, () => DrStrategy][] = [
  ['pilot light', () => new PilotLight(newApp(), 'Pl', strategyProps('pl'))],
  ['warm standby', () => new WarmStandby(newApp(), 'Ws', strategyProps('ws'))],
  ['hot standby', () => new WarmStandby(newApp(), 'Hs', { ...strategyProps('hs'), hotStandby: true })],
  ['active-active', () => new ActiveActive(newApp(), 'Aa', strategyProps('aa'))],
  ['pilot light, RDS read replica', () => new PilotLight(newApp(), 'Pr', strategyProps('pr', { database: { engine: DatabaseEngine.postgres('16.4') } }))],
];

describe('RTO model', () => {
  test('the simulator runs on the model\'s own durations, each with a source', () => {
    expect(DEFAULT_DURATIONS).toBe(OPERATION_DURATIONS);
    for (const v of Object.values(OPERATION_DURATION_SOURCES)) expect(v.source.length).toBeGreaterThan(20);
  });

  test('one table: every duration has a typical and a worst case (never below it) and a source; the simulator defaults to the typical one', () => {
    for (const [k, v] of Object.entries(OPERATION_DURATION_SOURCES)) {
      expect([k, v.worstSeconds >= v.seconds]).toEqual([k, true]);
      expect(OPERATION_DURATIONS[k as keyof typeof OPERATION_DURATIONS]).toBe(v.seconds);
      expect(WORST_CASE_DURATIONS[k as keyof typeof WORST_CASE_DURATIONS]).toBe(v.worstSeconds);
    }
    // The figures AWS gives as a range: its typical and its pessimistic end.
    expect(OPERATION_DURATION_SOURCES.globalFailover).toMatchObject({ seconds: AWS_FIGURES.auroraGlobalSecondaryPromotion.typicalSeconds, worstSeconds: AWS_FIGURES.auroraGlobalSecondaryPromotion.seconds });
    expect(OPERATION_DURATION_SOURCES.replicaPromotion).toMatchObject({ seconds: AWS_FIGURES.rdsCrossRegionReplicaPromotion.typicalSeconds, worstSeconds: AWS_FIGURES.rdsCrossRegionReplicaPromotion.seconds });
  });

  test('hand-computed: warm standby = 30 s detection + 300 s decision + max(60 s promotion, 180 s scale-out) + 90 s traffic gates + 61 s TTL (60 s and the whole-second margin) = 661 s; worst case max(480 s, 300 s) + 180 s: 1051 s', () => {
    const e = estimateRto(new WarmStandby(newApp(), 'Ws', strategyProps('ws')));
    expect(Object.fromEntries(e.terms.map((t) => [t.name, t.seconds]))).toEqual({ detection: 30, decision: 300, runbook: 270, 'dns-ttl': 61 });
    expect(Object.fromEntries(e.terms.map((t) => [t.name, t.worstSeconds]))).toEqual({ detection: 30, decision: 300, runbook: 660, 'dns-ttl': 61 });
    expect(e.seconds).toBe(661);
    expect(e.worstSeconds).toBe(1051);
    expect(e.targetSeconds).toBe(900);
    // Only the typical case meets the 900 s target.
    expect(e.verdict).toBe('at-risk');
    // The dominant term is the largest in the worst case.
    expect(e.dominant.name).toBe('runbook');
    expect(e.terms.find((t) => t.name === 'runbook')!.formula).toBe('max(database 60 s, compute 180 s) + traffic 90 s (worst case: max(database 480 s, compute 300 s) + traffic 180 s)');
    expect(e.terms[0].formula).toBe("the primary Region's record health check: endpoint: request interval 10 s x failure threshold 3");
  });

  test('hand-computed: pilot light = 30 + 300 + (600 s new instance + 60 s promotion + 90 s traffic gates) + 61 = 1141 s; worst case (600 + 480 + 180) 1651 s; missed against 900 s', () => {
    const e = estimateRto(new PilotLight(newApp(), 'Pl', strategyProps('pl')));
    expect(e.seconds).toBe(1141);
    expect(e.worstSeconds).toBe(1651);
    expect(e.verdict).toBe('missed');
    expect(e.dominant.name).toBe('runbook');
  });

  test('verdicts: met only when the worst case meets the target, at risk when only the typical case does, else missed', () => {
    expect(rtoVerdict(660, 1050, 1050)).toBe('met');
    expect(rtoVerdict(660, 1050, 1049)).toBe('at-risk');
    expect(rtoVerdict(660, 1050, 660)).toBe('at-risk');
    expect(rtoVerdict(660, 1050, 659)).toBe('missed');
    expect(estimateRto(new WarmStandby(newApp(), 'Ws', strategyProps('ws', { rto: Duration.minutes(18) }))).verdict).toBe('met');
  });

  test('a given decision time (a measured paging time) replaces the 5-minute default in both cases', () => {
    const e = estimateRto(new WarmStandby(newApp(), 'Ws', strategyProps('ws')), { decision: Duration.seconds(0) });
    expect([e.seconds, e.worstSeconds, e.trigger]).toEqual([361, 751, 'manual']);
  });

  test('autoFailover: the decision is the alarm\'s runs, the confirmation window and the last look (worst: 4 minutes and 10 s more), whatever a person\'s time would be', () => {
    const auto = new WarmStandby(newApp(), 'Ws', strategyProps('ws', { autoFailover: { confirmationWindow: Duration.minutes(4), evaluationPeriods: 2, acceptDataLoss: true } }));
    const e = estimateRto(auto, { decision: Duration.minutes(30) });
    const decision = e.terms.find((t) => t.name === 'decision')!;
    // 2 runs of 60 s + 240 s window + 30 s last look = 390 s; worst + (2 + 2) x 60 s + 10 s = 640 s.
    expect(decision).toMatchObject({ seconds: 390, worstSeconds: 640 });
    expect(decision.formula).toMatch(/^automatic: the outage alarm's 2 one-minute runs \(120 s\) \+ the 240 s confirmation window nobody cancelled \+ the last look \(30 s\); worst \+250 s/);
    expect([e.seconds, e.worstSeconds, e.trigger]).toEqual([361 + 390, 751 + 640, 'automatic']);
  });

  const CASES = STRATEGIES.flatMap(([name, make]) => [[name, 'typical', make] as const, [name, 'worst', make] as const]);
  test.each(CASES)('%s, %s case: the runbook term agrees with the runbook simulator on the same table within 10 %%', async (_name, which, make) => {
    const strategy = make();
    const runbook = strategy.runbook.failover!;
    const config = Stack.of(runbook).resolve(runbook.config) as RunbookConfig;
    const table = which === 'typical' ? OPERATION_DURATIONS : WORST_CASE_DURATIONS;
    const sim = new SimulatedAws({ config, durations: table });
    sim.install();
    try {
      // A read-replica promotion leaves the old database writable: it runs only with that consent.
      const detach = config.database.kind === 'aurora-global' ? {} : { allowDetach: true };
      const out = await execute(sim, runbook, config, { action: 'failover', mode: 'unplanned', allowDataLoss: true, requestId: 'rto-model', reason: 'model check', ...detach });
      expect(out.status).toBe('SUCCEEDED');
      expect(sim.invariantViolations).toEqual([]);
      const e = estimateRto(strategy);
      const term = (n: string): number => {
        const t = e.terms.find((x) => x.name === n)!;
        return which === 'typical' ? t.seconds : t.worstSeconds!;
      };
      const modelled = term('runbook') + term('dns-ttl');
      // The run reports success one TTL after it saw traffic move: the TTL term is inside it.
      expect(modelled).toBe(runbookCriticalPath(config, table).seconds);
      expect(Math.abs(out.seconds - modelled) / out.seconds).toBeLessThanOrEqual(0.1);
    } finally {
      sim.uninstall();
    }
  });
});

describe('active-active in two figures', () => {
  test('traffic leaves a failed Region on health checks alone (detection + target health + TTL), against its own target; writes wait for the promotion', () => {
    const e = estimateRto(new ActiveActive(newApp(), 'Aa', { ...strategyProps('aa'), rto: Duration.minutes(18), trafficRto: Duration.minutes(2) }));
    expect(e.traffic).toBeDefined();
    expect(Object.fromEntries(e.traffic!.terms.map((t) => [t.name, t.seconds]))).toEqual({ detection: 30, 'target-health': 0, 'dns-ttl': 61 });
    expect(e.traffic).toMatchObject({ seconds: 91, worstSeconds: 91, targetSeconds: 120, verdict: 'met' });
    // Writes: detection, a person's decision, the writer's promotion path, the TTL.
    expect(e.terms.map((t) => t.name)).toEqual(['detection', 'decision', 'runbook', 'dns-ttl']);
    expect(e.seconds).toBeGreaterThan(e.traffic!.seconds);
    expect(e.targetSeconds).toBe(1080);
  });

  test('a traffic target of one minute is missed (91 s): synth fails naming the traffic RTO; without trafficRto it is the rto', () => {
    const app = newApp();
    new ActiveActive(app, 'Aa', { ...strategyProps('aa'), rto: Duration.minutes(18), trafficRto: Duration.minutes(1), database: { engine: DatabaseEngine.auroraPostgres('16.4'), managedRpo: Duration.seconds(20) } });
    enforceObjectives(app);
    expect(() => app.synth()).toThrow(/\n\s*\[Aa\] traffic RTO estimate 91 s \(worst case 91 s\) exceeds the target 60 s \(detection 30 s \+ target-health 0 s \+ dns-ttl 61 s\)/);
    expect(() => app.synth()).not.toThrow(/\[Aa\] \[Aa\]/);
    expect(estimateRto(new ActiveActive(newApp(), 'Aa', { ...strategyProps('aa'), rto: Duration.minutes(18) })).traffic!.targetSeconds).toBe(1080);
  });

  test('the traffic objective is recorded (metadata, the CLI directory) and validated: never longer than the rto for writes', () => {
    const aa = new ActiveActive(newApp(), 'Aa', { ...strategyProps('aa'), rto: Duration.minutes(18), trafficRto: Duration.minutes(2) });
    expect(aa.node.metadata.find((m) => m.type === 'cdk-resilience:objectives')!.data).toEqual({ strategy: 'active-active', rtoSeconds: 1080, rpoSeconds: 30, trafficRtoSeconds: 120 });
    const directory = Template.fromStack(aa.recoveryStack).findResources('AWS::SSM::Parameter', { Properties: { Name: '/cdk-resilience/strategies/aa' } });
    expect(JSON.parse(Object.values(directory)[0].Properties.Value as string)).toMatchObject({ rtoSeconds: 1080, trafficRtoSeconds: 120 });
    const ws = new WarmStandby(newApp(), 'Ws', strategyProps('ws'));
    expect(ws.node.metadata.find((m) => m.type === 'cdk-resilience:objectives')!.data).not.toHaveProperty('trafficRtoSeconds');
    expect(() => new ActiveActive(newApp(), 'Aa', { ...strategyProps('aa'), rto: Duration.minutes(5), trafficRto: Duration.minutes(6) })).toThrow(/\[DR_OBJECTIVES\] trafficRto: traffic must not be allowed longer than writes/);
  });

  test('other strategies have one figure', () => {
    expect(estimateRto(new WarmStandby(newApp(), 'Ws', strategyProps('ws'))).traffic).toBeUndefined();
  });
});
