import { Construct } from 'constructs';
import { Validator } from '../core/validation';
import { WebTier } from '../tiers/web-tier';
import { TerminateInstances } from './actions';
import { Experiment } from './experiment';
import { ScenarioOptions, webInstances, webStopConditions } from './scenario-common';
import { SelectionMode } from './targets';

/** Props for {@link InstanceTerminationScenario}. */
export interface InstanceTerminationScenarioProps extends ScenarioOptions {
  /** The web tier whose instances are terminated. */
  readonly web: WebTier;
  /**
   * Percentage of the tier's running instances to terminate (1–100).
   * @default 33
   */
  readonly percentage?: number;
}

/**
 * Hypothesis: the web tier keeps serving while a share of its instances is terminated;
 * the load balancer routes around them and Auto Scaling replaces them.
 */
export class InstanceTerminationScenario extends Construct {
  /** The experiment. */
  public readonly experiment: Experiment;

  constructor(scope: Construct, id: string, props: InstanceTerminationScenarioProps) {
    super(scope, id);
    const percentage = props.percentage ?? 33;
    const v = new Validator(this);
    SelectionMode.percent(percentage)._validate(v, 'percentage');
    v.throwIfAny();
    this.experiment = new Experiment(this, 'Experiment', {
      description: `Terminate ${percentage}% of the web tier's instances: the tier keeps serving and Auto Scaling replaces them`,
      actions: { 'terminate-instances': new TerminateInstances(webInstances(props.web, { selection: SelectionMode.percent(percentage) })) },
      stopConditions: webStopConditions(props.web, props),
      logGroup: props.logGroup,
      report: props.report,
      tiers: [props.web],
    });
  }
}
