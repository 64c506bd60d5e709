import '../test/setup';
import { Duration, Stack } from 'aws-cdk-lib';
import type { RunbookConfig } from '../protocol';
import { ActiveActive, DatabaseEngine, DrStrategy, PilotLight, WarmStandby } from '../lib';
import { execute } from '../test/dr/harness';
import { runbookCriticalPath } from '../lib/assessment/rto';
import { SimulatedAws } from '../test/dr/simulator';
import { newApp } from '../test/helpers/app';

const props = (name: string) => ({
  name,
  primary: { env: { account: '111111111111', region: 'us-east-1' }, availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
  recovery: { env: { account: '111111111111', region: 'us-west-2' }, availabilityZones: ['us-west-2a', 'us-west-2b', 'us-west-2c'] },
  domain: { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com', recordName: name },
  web: { capacity: { min: 4, max: 12 } },
  database: { engine: DatabaseEngine.auroraPostgres('16.4') },
  rto: Duration.minutes(15),
  rpo: Duration.seconds(30),
});

/** `bench runbook-<strategy>`: each strategy's own failover runbook, in the simulator. */
export async function benchRunbooks(): Promise<string[]> {
  const strategies: [string, DrStrategy][] = [
    ['pilot-light', new PilotLight(newApp(), 'Pl', props('pl'))],
    ['warm-standby', new WarmStandby(newApp(), 'Ws', props('ws'))],
    ['hot-standby', new WarmStandby(newApp(), 'Hs', { ...props('hs'), hotStandby: true })],
    ['active-active', new ActiveActive(newApp(), 'Aa', props('aa'))],
  ];
  const lines: string[] = [];
  for (const [name, strategy] of strategies) {
    const runbook = strategy.runbook.failover!;
    const config = Stack.of(runbook).resolve(runbook.config) as RunbookConfig;
    const sim = new SimulatedAws({ config });
    sim.install();
    try {
      const out = await execute(sim, runbook, config, { action: 'failover', mode: 'unplanned', allowDataLoss: true, requestId: 'bench', reason: 'bench' });
      if (out.status !== 'SUCCEEDED') throw new Error(`${name}: ${out.error}`);
      const { seconds: critical, naive } = runbookCriticalPath(config);
      lines.push(
        `bench runbook-${name}: simulated_rto_s=${out.seconds.toFixed(1)} critical_path_s=${critical.toFixed(1)} ratio=${(out.seconds / critical).toFixed(3)} naive_sequential_ratio=${(naive / critical).toFixed(2)}`,
      );
    } finally {
      sim.uninstall();
    }
  }
  return lines;
}
