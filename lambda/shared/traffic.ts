import { DNS_TTL_MARGIN_SECONDS, type RunbookConfig } from '../../protocol';
import { moveGates } from './gates';
import { routingControlState, setRoutingControls } from './state';

/** What moving traffic did. */
export interface TrafficMove {
  readonly actions: string[];
  /** Health-check mode: the Region that holds the source's closure. */
  readonly sourceClosedIn?: string;
  /** Why the target may stay withdrawn although the move was made. */
  readonly blocked?: string;
  /** Seconds until Route 53 answers on the move. */
  readonly delaySeconds: number;
}

/**
 * Move traffic to the target and fence the source, durably, on data planes only: routing
 * controls in one atomic call through any cluster endpoint (the safety rule sees the final
 * state), or the health-check mode's traffic gates. Idempotent: it reads before it writes.
 * The Route 53 control plane (ChangeResourceRecordSets, us-east-1) is never called.
 */
export async function moveTraffic(config: RunbookConfig): Promise<TrafficMove> {
  if (config.traffic.kind === 'routing-control') {
    const [target, source] = await Promise.all([routingControlState(config, config.targetRegion), routingControlState(config, config.sourceRegion)]);
    if (target === 'On' && source === 'Off') return { actions: ['routing controls already set'], delaySeconds: 0 };
    await setRoutingControls(config, { [config.targetRegion]: 'On', [config.sourceRegion]: 'Off' });
    // Verify waits for Route 53 to follow (the settle time): the control itself changed at once.
    return { actions: [`routing controls: ${config.targetRegion} On, ${config.sourceRegion} Off`], delaySeconds: 0 };
  }
  const move = await moveGates(config);
  return { ...move, actions: move.changed ? move.actions : ['traffic gates already set'], delaySeconds: move.changed ? config.traffic.gates.delaySeconds : 0 };
}

// The whole-second margin is in the protocol: the RTO model (lib/assessment/rto.ts) counts it too.
export { DNS_TTL_MARGIN_SECONDS };

/** How long resolvers may keep the public record's old answer: its TTL, plus the whole-second margin. */
export function dnsTtlSeconds(config: RunbookConfig): number {
  // Health-check traffic always names its records; routing controls may (then 60 s, Route 53's usual).
  return (config.traffic.dns?.ttlSeconds ?? 60) + DNS_TTL_MARGIN_SECONDS;
}
