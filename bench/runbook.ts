import '../test/setup';
import { Duration, Stack } from 'aws-cdk-lib';
import type { RunbookConfig } from '../protocol';
import { ActiveActive, DatabaseEngine, DrStrategy, PilotLight, WarmStandby } from '../lib';
import { execute } from '../test/dr/harness';
import { OPERATION_DURATIONS, WORST_CASE_DURATIONS } from '../lib/assessment/operation-durations';
import { runbookCriticalPath } from '../lib/assessment/rto';
import { SimulatedAws } from '../test/dr/simulator';
import { NAME_SERVERS } from '../test/dr/fixtures';
import { newApp } from '../test/helpers/app';

const props = (name: string) => ({
  name,
  primary: { env: { account: '111111111111', region: 'us-east-1' }, availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
  recovery: { env: { account: '111111111111', region: 'us-west-2' }, availabilityZones: ['us-west-2a', 'us-west-2b', 'us-west-2c'] },
  domain: { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com', recordName: name, nameServers: NAME_SERVERS },
  web: { capacity: { min: 4, max: 12 } },
  database: { engine: DatabaseEngine.auroraPostgres('16.4') },
  rto: Duration.minutes(15),
  rpo: Duration.seconds(30),
});

function failoverOf(strategy: DrStrategy): { runbook: NonNullable<DrStrategy['runbook']['failover']>; config: RunbookConfig } {
  const runbook = strategy.runbook.failover!;
  return { runbook, config: Stack.of(runbook).resolve(runbook.config) as RunbookConfig };
}

/** `bench runbook-<strategy>`: each strategy's own failover runbook, in the simulator, against its critical path, on the typical and the worst-case durations. */
export async function benchRunbooks(): Promise<string[]> {
  const strategies: [string, DrStrategy, Record<string, unknown>][] = [
    ['pilot-light', new PilotLight(newApp(), 'Pl', props('pl')), {}],
    ['pilot-light-rds', new PilotLight(newApp(), 'Pr', { ...props('pr'), database: { engine: DatabaseEngine.postgres('16.4') } }), { allowDetach: true }],
    ['warm-standby', new WarmStandby(newApp(), 'Ws', props('ws')), {}],
    ['hot-standby', new WarmStandby(newApp(), 'Hs', { ...props('hs'), hotStandby: true }), {}],
    ['active-active', new ActiveActive(newApp(), 'Aa', props('aa')), {}],
  ];
  const lines: string[] = [];
  for (const [name, strategy, extra] of strategies) {
    const { runbook, config } = failoverOf(strategy);
    // The same failover on the typical and on the worst-case durations (the model's two tables).
    const measured: Record<'typical' | 'worst', { simulated: number; critical: number; naive: number }> = {} as never;
    for (const [which, table] of [['typical', OPERATION_DURATIONS], ['worst', WORST_CASE_DURATIONS]] as const) {
      const sim = new SimulatedAws({ config, durations: table });
      sim.install();
      try {
        const out = await execute(sim, runbook, config, { action: 'failover', mode: 'unplanned', allowDataLoss: true, requestId: 'bench', reason: 'bench', ...extra });
        if (out.status !== 'SUCCEEDED') throw new Error(`${name} (${which}): ${out.error}`);
        if (sim.invariantViolations.length > 0) throw new Error(`${name} (${which}): ${sim.invariantViolations.join('; ')}`);
        const { seconds: critical, naive } = runbookCriticalPath(config, table);
        measured[which] = { simulated: out.seconds, critical, naive };
      } finally {
        sim.uninstall();
      }
    }
    const t = measured.typical;
    const w = measured.worst;
    lines.push(
      `bench runbook-${name}: simulated_rto_s=${t.simulated.toFixed(1)} critical_path_s=${t.critical.toFixed(1)} ratio=${(t.simulated / t.critical).toFixed(3)} worst_simulated_rto_s=${w.simulated.toFixed(1)} worst_critical_path_s=${w.critical.toFixed(1)} worst_ratio=${(w.simulated / w.critical).toFixed(3)} naive_sequential_ratio=${(t.naive / t.critical).toFixed(2)}`,
    );
  }
  lines.push(await benchSwitchover());
  return lines;
}

/**
 * `bench runbook-switchover`: a planned switchover of the warm standby. The write outage is the
 * time some client cannot write (it reaches a Region without an available writer); the floor
 * is what no runbook avoids: the database's own switchover, the fence turning in Route 53, and
 * the record's TTL.
 */
async function benchSwitchover(): Promise<string> {
  const { runbook, config } = failoverOf(new WarmStandby(newApp(), 'Sw', props('sw')));
  const sim = new SimulatedAws({ config });
  sim.install();
  try {
    const out = await execute(sim, runbook, config, { action: 'failover', mode: 'planned', requestId: 'bench', reason: 'bench' });
    if (out.status !== 'SUCCEEDED') throw new Error(`switchover: ${out.error}`);
    if (sim.invariantViolations.length > 0) throw new Error(`switchover: ${sim.invariantViolations.join('; ')}`);
    const d = sim.durations;
    const floor = d.globalSwitchover + (config.traffic.kind === 'health-check' ? config.traffic.gates.delaySeconds : d.routingControlChange) + d.dnsTtl;
    const outage = sim.writeOutageSeconds(0, out.endedAt + d.dnsTtl);
    return `bench runbook-switchover: write_outage_s=${outage.toFixed(1)} floor_s=${floor.toFixed(1)} ratio=${(outage / floor).toFixed(3)} run_s=${out.seconds.toFixed(1)}`;
  } finally {
    sim.uninstall();
  }
}
