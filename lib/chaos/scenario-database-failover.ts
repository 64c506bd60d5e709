import { Construct } from 'constructs';
import { Validator } from '../core/validation';
import { Database, DatabaseKind } from '../data/database';
import { WebTier } from '../tiers/web-tier';
import { FailoverDbCluster, FisAction, RebootDbInstances } from './actions';
import { Experiment } from './experiment';
import { ScenarioOptions, webStopConditions } from './scenario-common';
import { ExperimentTarget, FisResourceType } from './targets';

/** Props for {@link DatabaseFailoverScenario}. */
export interface DatabaseFailoverScenarioProps extends ScenarioOptions {
  /** The database that fails over. */
  readonly database: Database;
  /**
   * The web tier that depends on the database: its 5xx alarm is the stop condition.
   * @default - `stopConditions` are required
   */
  readonly web?: WebTier;
}

/**
 * Hypothesis: the writer fails over to a standby in another AZ within the kind's figure
 * (35 s to 120 s), and the application reconnects without manual action.
 * Aurora and Multi-AZ DB clusters: `aws:rds:failover-db-cluster`. A Multi-AZ instance:
 * `aws:rds:reboot-db-instances` with `forceFailover`.
 */
export class DatabaseFailoverScenario extends Construct {
  /** The experiment. */
  public readonly experiment: Experiment;

  constructor(scope: Construct, id: string, props: DatabaseFailoverScenarioProps) {
    super(scope, id);
    const v = new Validator(this);
    v.check(!props.web && !props.stopConditions?.length, {
      code: 'FIS_SCENARIO_STOP',
      prop: 'stopConditions',
      value: undefined,
      message: 'a database failover needs the alarm of what depends on the database as its stop condition',
      fix: 'pass web (its 5xx rate alarm stops the experiment) or stopConditions',
    });
    v.throwIfAny();
    const db = props.database;
    const action: FisAction =
      db.kind === DatabaseKind.MULTI_AZ_INSTANCE
        ? new RebootDbInstances(ExperimentTarget.byArns(FisResourceType.RDS_INSTANCE, [db.arn]), { forceFailover: true })
        : new FailoverDbCluster(ExperimentTarget.byArns(FisResourceType.RDS_CLUSTER, [db.arn]));
    this.experiment = new Experiment(this, 'Experiment', {
      description: `Fail the database over to its standby: the writer moves within ${db.failover.seconds} s and the application reconnects`.slice(0, 512),
      actions: { 'failover-database': action },
      stopConditions: props.web ? webStopConditions(props.web, props) : props.stopConditions!,
      logGroup: props.logGroup,
      report: props.report,
      tiers: [props.database],
    });
  }
}
