import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Validator } from '../core/validation';
import { WebTier } from '../tiers/web-tier';
import { AsgInsufficientCapacityError, StopInstances } from './actions';
import { Experiment } from './experiment';
import { checkTierAz, DEFAULT_SCENARIO_DURATION, ScenarioOptions, webGroup, webInstances, webStopConditions } from './scenario-common';

/** Props for {@link AzComputeLossScenario}. */
export interface AzComputeLossScenarioProps extends ScenarioOptions {
  /** The web tier. */
  readonly web: WebTier;
  /** The AZ that loses its compute; one of the tier's. */
  readonly availabilityZone: string;
  /**
   * How long the AZ stays without compute (1 minute to 12 hours).
   * @default Duration.minutes(30)
   */
  readonly duration?: Duration;
}

/**
 * Hypothesis: with one AZ's instances stopped and new launches there failing with
 * InsufficientInstanceCapacity, the tier keeps serving from the other AZs (static
 * stability: N+1 per AZ), and Auto Scaling launches replacements in the healthy AZs.
 */
export class AzComputeLossScenario extends Construct {
  /** The experiment. */
  public readonly experiment: Experiment;

  constructor(scope: Construct, id: string, props: AzComputeLossScenarioProps) {
    super(scope, id);
    const duration = props.duration ?? DEFAULT_SCENARIO_DURATION;
    const v = new Validator(this);
    checkTierAz(v, props.web, props.availabilityZone);
    v.throwIfAny();
    const az = props.availabilityZone;
    this.experiment = new Experiment(this, 'Experiment', {
      description: `Lose the compute of ${az} for ${duration.toHumanString()}: the tier serves from its other AZs`,
      actions: {
        'stop-instances': new StopInstances(webInstances(props.web, { filters: [{ path: 'Placement.AvailabilityZone', values: [az] }] }), {
          startInstancesAfter: duration,
          description: `Stop the tier's instances in ${az}`,
        }),
        'asg-insufficient-capacity': new AsgInsufficientCapacityError(webGroup(props.web), {
          availabilityZones: [az],
          duration,
          percentage: 100,
          description: `Launches of the group in ${az} fail`,
        }),
      },
      stopConditions: webStopConditions(props.web, props),
      logGroup: props.logGroup,
      report: props.report,
      tiers: [props.web],
    });
  }
}
