import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { Validator } from '../core/validation';
import { WebTier } from '../tiers/web-tier';
import { DisruptCrossRegionConnectivity } from './actions';
import { Experiment } from './experiment';
import { ScenarioOptions, subnetArn, webStopConditions } from './scenario-common';
import { ExperimentTarget, FisResourceType } from './targets';

/** Props for {@link CrossRegionConnectivityScenario}. */
export interface CrossRegionConnectivityScenarioProps extends ScenarioOptions {
  /** The web tier whose instance subnets lose connectivity to the other Region. */
  readonly web: WebTier;
  /** The other Region of the strategy. */
  readonly region: string;
  /**
   * How long (1 minute to 12 hours).
   * @default Duration.minutes(10)
   */
  readonly duration?: Duration;
}

/**
 * Hypothesis: the Region keeps serving while its instances cannot reach the other Region,
 * so no request path depends on the other Region (static stability across Regions).
 * Before running it, raise the VPC quota "routes per route table" (see docs/chaos.md).
 */
export class CrossRegionConnectivityScenario extends Construct {
  /** The experiment. */
  public readonly experiment: Experiment;

  constructor(scope: Construct, id: string, props: CrossRegionConnectivityScenarioProps) {
    super(scope, id);
    const duration = props.duration ?? Duration.minutes(10);
    const v = new Validator(this);
    v.check(props.region === Stack.of(this).region, {
      code: 'FIS_SCENARIO_REGION',
      prop: 'region',
      value: props.region,
      message: "is this stack's own Region",
      fix: 'name the other Region of the strategy',
    });
    v.throwIfAny();
    const subnets = props.web.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnets.map((s) => subnetArn(this, s));
    this.experiment = new Experiment(this, 'Experiment', {
      description: `Cut the tier's connectivity to ${props.region} for ${duration.toHumanString()}: the Region keeps serving on its own`,
      actions: {
        'disrupt-cross-region': new DisruptCrossRegionConnectivity(ExperimentTarget.byArns(FisResourceType.SUBNET, subnets), { region: props.region, duration }),
      },
      stopConditions: webStopConditions(props.web, props),
      logGroup: props.logGroup,
      report: props.report,
      tiers: [props.web],
    });
  }
}
