import { Duration, Stack } from 'aws-cdk-lib';
import { RunbookConfig } from '../../protocol';
import { ActiveActive, DrStrategy, PilotLight, WarmStandby } from '../../lib';
import { OPERATION_DURATION_SOURCES, OPERATION_DURATIONS } from '../../lib/assessment/operation-durations';
import { estimateRto, runbookCriticalPath } from '../../lib/assessment/rto';
import { strategyProps } from '../dr/stacks';
import { execute } from '../dr/harness';
import { DEFAULT_DURATIONS, SimulatedAws } from '../dr/simulator';
import { newApp } from '../helpers/app';

const STRATEGIES: [string, () => DrStrategy][] = [
  ['pilot light', () => new PilotLight(newApp(), 'Pl', strategyProps('pl'))],
  ['warm standby', () => new WarmStandby(newApp(), 'Ws', strategyProps('ws'))],
  ['hot standby', () => new WarmStandby(newApp(), 'Hs', { ...strategyProps('hs'), hotStandby: true })],
  ['active-active', () => new ActiveActive(newApp(), 'Aa', strategyProps('aa'))],
];

describe('RTO model', () => {
  test('the simulator runs on the model\'s own durations, each with a source', () => {
    expect(DEFAULT_DURATIONS).toBe(OPERATION_DURATIONS);
    for (const v of Object.values(OPERATION_DURATION_SOURCES)) expect(v.source.length).toBeGreaterThan(20);
  });

  test('hand-computed: warm standby = 30 s detection + 300 s decision + max(60 s promotion, 180 s scale-out) + 90 s traffic gates + 60 s TTL = 660 s', () => {
    const e = estimateRto(new WarmStandby(newApp(), 'Ws', strategyProps('ws')));
    expect(Object.fromEntries(e.terms.map((t) => [t.name, t.seconds]))).toEqual({ detection: 30, decision: 300, runbook: 270, 'dns-ttl': 60 });
    expect(e.seconds).toBe(660);
    expect(e.targetSeconds).toBe(900);
    expect(e.dominant.name).toBe('decision');
    expect(e.terms.find((t) => t.name === 'runbook')!.formula).toBe('max(database 60 s, compute 180 s) + traffic 90 s');
    expect(e.terms[0].formula).toBe("the primary Region's record health check: endpoint: request interval 10 s x failure threshold 3");
  });

  test('hand-computed: pilot light = 30 + 300 + (600 s new instance + 60 s promotion + 90 s traffic gates) + 60 = 1140 s, dominated by the runbook', () => {
    const e = estimateRto(new PilotLight(newApp(), 'Pl', strategyProps('pl')));
    expect(e.seconds).toBe(1140);
    expect(e.dominant.name).toBe('runbook');
  });

  test('an automated trigger removes the decision term', () => {
    expect(estimateRto(new WarmStandby(newApp(), 'Ws', strategyProps('ws')), { decision: Duration.seconds(0) }).seconds).toBe(360);
  });

  test.each(STRATEGIES)('%s: the runbook term agrees with the runbook simulator within 10 %%', async (_name, make) => {
    const strategy = make();
    const runbook = strategy.runbook.failover!;
    const config = Stack.of(runbook).resolve(runbook.config) as RunbookConfig;
    const sim = new SimulatedAws({ config });
    sim.install();
    try {
      const out = await execute(sim, runbook, config, { action: 'failover', mode: 'unplanned', allowDataLoss: true, requestId: 'rto-model', reason: 'model check' });
      expect(out.status).toBe('SUCCEEDED');
      const e = estimateRto(strategy);
      const modelled = e.terms.find((t) => t.name === 'runbook')!.seconds + e.terms.find((t) => t.name === 'dns-ttl')!.seconds;
      // The run reports success one TTL after it saw traffic move: the TTL term is inside it.
      expect(modelled).toBe(runbookCriticalPath(config).seconds);
      expect(Math.abs(out.seconds - modelled) / out.seconds).toBeLessThanOrEqual(0.1);
    } finally {
      sim.uninstall();
    }
  });
});
