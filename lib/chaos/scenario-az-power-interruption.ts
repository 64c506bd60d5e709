import { Duration, Tags } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { Validator } from '../core/validation';
import { Database, DatabaseKind } from '../data/database';
import { WebTier } from '../tiers/web-tier';
import { AsgInsufficientCapacityError, ConnectivityScope, DisruptConnectivity, FailoverDbCluster, FisAction, RebootDbInstances, StopInstances } from './actions';
import { Experiment } from './experiment';
import { CHAOS_TARGET_TAG, checkTierAz, DEFAULT_SCENARIO_DURATION, ScenarioOptions, subnetArn, webGroup, webInstances, webStopConditions, webSubnetsIn } from './scenario-common';
import { ExperimentTarget, FisResourceType } from './targets';

/** Props for {@link AzPowerInterruptionScenario}. */
export interface AzPowerInterruptionScenarioProps extends ScenarioOptions {
  /** The web tier. */
  readonly web: WebTier;
  /** The AZ that loses power; one of the tier's. */
  readonly availabilityZone: string;
  /**
   * The database: if its writer is in the AZ, it fails over (skipped otherwise).
   * @default - no database action
   */
  readonly database?: Database;
  /**
   * How long the AZ's compute stays down and cannot launch (1 minute to 12 hours).
   * @default Duration.minutes(30)
   */
  readonly duration?: Duration;
  /**
   * How long the AZ's subnets lose their network at the start of the interruption.
   * @default Duration.minutes(2)
   */
  readonly networkDuration?: Duration;
}

/**
 * Close to AWS's "AZ Availability: Power Interruption" scenario, within what a web tier and
 * a database contain: the AZ's instances stop (and start again after the duration), the
 * group cannot launch there, the AZ's subnets lose their network, and a writer in that AZ
 * fails over. Hypothesis: the workload keeps serving from the other AZs throughout.
 * Actions whose target is empty (a writer elsewhere) are skipped.
 */
export class AzPowerInterruptionScenario extends Construct {
  /** The experiment. */
  public readonly experiment: Experiment;

  constructor(scope: Construct, id: string, props: AzPowerInterruptionScenarioProps) {
    super(scope, id);
    const duration = props.duration ?? DEFAULT_SCENARIO_DURATION;
    const az = props.availabilityZone;
    const v = new Validator(this);
    checkTierAz(v, props.web, az);
    v.throwIfAny();
    const actions: Record<string, FisAction> = {
      'stop-instances': new StopInstances(webInstances(props.web, { filters: [{ path: 'Placement.AvailabilityZone', values: [az] }] }), {
        startInstancesAfter: duration,
        completeIfInstancesTerminated: true,
        description: `Power off the tier's instances in ${az}`,
      }),
      'pause-asg-launches': new AsgInsufficientCapacityError(webGroup(props.web), { availabilityZones: [az], duration, percentage: 100, description: `No capacity in ${az}` }),
      'pause-network': new DisruptConnectivity(ExperimentTarget.byArns(FisResourceType.SUBNET, webSubnetsIn(props.web, az).map((s) => subnetArn(this, s))), {
        duration: props.networkDuration ?? Duration.minutes(2),
        scope: ConnectivityScope.ALL,
        description: `The tier's subnets in ${az} lose their network`,
      }),
    };
    if (props.database) actions['failover-database'] = databaseAction(props.database, az);
    this.experiment = new Experiment(this, 'Experiment', {
      description: `AZ power interruption in ${az} for ${duration.toHumanString()}: the workload serves from its other AZs`,
      actions,
      stopConditions: webStopConditions(props.web, props),
      logGroup: props.logGroup,
      report: props.report,
      tiers: props.database ? [props.web, props.database] : [props.web],
      // The writer may be in another AZ: then its action has no target and is skipped.
      emptyTargetResolution: 'skip',
    });
  }
}

/** The failover of a database whose writer is in the AZ, targeted by a tag so FIS can skip it. */
function databaseAction(db: Database, az: string): FisAction {
  const resource: IConstruct = db.cluster ?? db.multiAzCluster ?? db.instance!;
  Tags.of(resource).add(CHAOS_TARGET_TAG, db.node.addr);
  const tags = { [CHAOS_TARGET_TAG]: db.node.addr };
  if (db.kind === DatabaseKind.MULTI_AZ_INSTANCE) {
    return new RebootDbInstances(ExperimentTarget.byTags(FisResourceType.RDS_INSTANCE, tags, { parameters: { availabilityZoneIdentifiers: az } }), {
      forceFailover: true,
      description: `Fail the instance over if its primary is in ${az}`,
    });
  }
  return new FailoverDbCluster(ExperimentTarget.byTags(FisResourceType.RDS_CLUSTER, tags, { parameters: { writerAvailabilityZoneIdentifiers: az } }), {
    description: `Fail the cluster over if its writer is in ${az}`,
  });
}
