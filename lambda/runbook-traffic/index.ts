import { StepResult } from '../../protocol';
import { isoNow } from '../shared/clock';
import { loadConfig } from '../shared/config';
import { renewLock } from '../shared/lock';
import { validatedRequest } from '../shared/preflight';
import { RunbookRefused } from '../shared/refused';
import { moveTraffic } from '../shared/traffic';

/** Result of the traffic step. */
export interface TrafficStep extends StepResult {
  /** Seconds until Route 53 answers on the move (the WaitForTraffic state waits them). */
  readonly waitSeconds: number;
  /** Health-check mode: the Region that holds the source's closure. */
  readonly sourceClosedIn?: string;
  /** Why the target may stay withdrawn (a gate in an unreachable Region). */
  readonly blocked?: string;
}

/**
 * Step 6: fence the old primary and move traffic, once the target holds the writer and
 * serves (the state machine guarantees the order): routing controls, or the traffic gates
 * (lambda/shared/gates.ts). Durable: what keeps traffic off the source holds when the source
 * recovers, and nothing in it needs the source or the Route 53 control plane.
 */
export async function handler(event: { request: unknown; execution: string }): Promise<TrafficStep> {
  const config = loadConfig();
  const request = validatedRequest(event.request, config);
  if (request.action === 'plan') throw new RunbookRefused('InvalidRequest', 'action: plan changes nothing');
  await renewLock(config, event.execution);
  const startedAt = isoNow();
  const move = await moveTraffic(config);
  return { step: 'traffic', startedAt, endedAt: isoNow(), actions: move.blocked ? [...move.actions, move.blocked] : move.actions, waitSeconds: move.delaySeconds, sourceClosedIn: move.sourceClosedIn, blocked: move.blocked };
}
