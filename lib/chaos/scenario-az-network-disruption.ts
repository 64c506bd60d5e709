import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Validator } from '../core/validation';
import { WebTier } from '../tiers/web-tier';
import { ConnectivityScope, DisruptConnectivity } from './actions';
import { Experiment } from './experiment';
import { checkTierAz, ScenarioOptions, subnetArn, webStopConditions, webSubnetsIn } from './scenario-common';
import { ExperimentTarget, FisResourceType } from './targets';

/** Props for {@link AzNetworkDisruptionScenario}. */
export interface AzNetworkDisruptionScenarioProps extends ScenarioOptions {
  /** The web tier. */
  readonly web: WebTier;
  /** The AZ whose subnets lose their network; one of the tier's. */
  readonly availabilityZone: string;
  /**
   * How long (1 minute to 12 hours).
   * @default Duration.minutes(10)
   */
  readonly duration?: Duration;
  /**
   * What traffic is cut.
   * @default ConnectivityScope.ALL
   */
  readonly scope?: ConnectivityScope;
}

/**
 * Hypothesis: when the tier's subnets in one AZ lose all network traffic (a network ACL
 * swap), the load balancer's health checks fail there and the tier keeps serving from its
 * other AZs.
 */
export class AzNetworkDisruptionScenario extends Construct {
  /** The experiment. */
  public readonly experiment: Experiment;

  constructor(scope: Construct, id: string, props: AzNetworkDisruptionScenarioProps) {
    super(scope, id);
    const duration = props.duration ?? Duration.minutes(10);
    const v = new Validator(this);
    checkTierAz(v, props.web, props.availabilityZone);
    v.throwIfAny();
    const subnets = webSubnetsIn(props.web, props.availabilityZone).map((s) => subnetArn(this, s));
    this.experiment = new Experiment(this, 'Experiment', {
      description: `Cut the network of the tier's subnets in ${props.availabilityZone} for ${duration.toHumanString()}: the tier serves from its other AZs`,
      actions: {
        'disrupt-connectivity': new DisruptConnectivity(ExperimentTarget.byArns(FisResourceType.SUBNET, subnets), { duration, scope: props.scope ?? ConnectivityScope.ALL }),
      },
      stopConditions: webStopConditions(props.web, props),
      logGroup: props.logGroup,
      report: props.report,
      tiers: [props.web],
    });
  }
}
