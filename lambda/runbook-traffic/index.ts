import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { autoscaling, bounded } from '../shared/aws';
import { isoNow } from '../shared/clock';
import { loadConfig } from '../shared/config';
import { routingControlState, setRoutingControls } from '../shared/state';
import { StepResult } from '../../protocol';

/** Result of the traffic step. */
export interface TrafficStep extends StepResult {
  /** Seconds to wait for Route 53 health checks to notice the fenced source (0 with routing controls). */
  readonly waitSeconds: number;
  /** Whether the source could be fenced (false when its Region did not answer). */
  readonly sourceFenced: boolean;
}

/**
 * Steps 2 and 6: fence the old primary and move traffic, only once the target holds the
 * writer and serves (the state machine guarantees the order).
 *
 * - Routing controls: one atomic `UpdateRoutingControlStates` (target On, source Off)
 *   through any of the five cluster endpoints: data plane only. The safety rule sees the
 *   final state, so it never blocks the switch.
 * - Health checks: scale the source group to 0, bounded in time and best effort; its deep
 *   health check then fails and Route 53 answers with the target. When the source does
 *   not answer, its health check already fails.
 *
 * The Route 53 control plane (ChangeResourceRecordSets, us-east-1) is never called.
 */
export async function handler(): Promise<TrafficStep> {
  const config = loadConfig();
  const startedAt = isoNow();
  const actions: string[] = [];
  if (config.traffic.kind === 'routing-control') {
    const [target, source] = await Promise.all([routingControlState(config, config.targetRegion), routingControlState(config, config.sourceRegion)]);
    if (target !== 'On' || source !== 'Off') {
      await setRoutingControls(config, { [config.targetRegion]: 'On', [config.sourceRegion]: 'Off' });
      actions.push(`routing controls: ${config.targetRegion} On, ${config.sourceRegion} Off`);
    } else {
      actions.push('routing controls already set');
    }
    return { step: 'traffic', startedAt, endedAt: isoNow(), actions, waitSeconds: 0, sourceFenced: true };
  }
  const source = config.compute.source;
  const fenced = await bounded(config.sourceCallTimeoutMs, (abortSignal) =>
    autoscaling(source.region).send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: source.asgName, MinSize: 0, DesiredCapacity: 0 }),
      { abortSignal },
    ),
  );
  if (fenced instanceof Error) {
    actions.push(`could not fence ${source.region} (${fenced.name}); its health check fails while it is down`);
  } else {
    actions.push(`fenced ${source.region}: ${source.asgName} scaled to 0`);
  }
  return {
    step: 'traffic',
    startedAt,
    endedAt: isoNow(),
    actions,
    waitSeconds: config.traffic.detectionSeconds,
    sourceFenced: !(fenced instanceof Error),
  };
}
