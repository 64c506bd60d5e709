import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as fis from 'aws-cdk-lib/aws-fis';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeNagFinding, nagResourceName } from '../core/nag';
import { Validator } from '../core/validation';
import { addWarning, WarningId } from '../core/warnings';
import { because, FisAction, WILDCARD_REASONS } from './actions';

/** Experiment reports: a PDF summary FIS writes to S3 after the experiment. */
export interface ExperimentReportOptions {
  /** The bucket FIS writes reports to. */
  readonly bucket: s3.IBucket;
  /**
   * Key prefix.
   * @default 'fis-reports/'
   */
  readonly prefix?: string;
  /**
   * CloudWatch dashboards (ARNs) whose widgets the report includes.
   * @default - none
   */
  readonly dashboardArns?: string[];
  /**
   * Time before the experiment the report covers.
   * @default Duration.minutes(20)
   */
  readonly preExperimentDuration?: Duration;
  /**
   * Time after the experiment the report covers.
   * @default Duration.minutes(20)
   */
  readonly postExperimentDuration?: Duration;
}

/** Props for {@link Experiment}. */
export interface ExperimentProps {
  /** What the experiment tests: its hypothesis, in one sentence. */
  readonly description: string;
  /** The actions, by name (letters, digits, `-`, `_`; up to 64 characters). */
  readonly actions: Record<string, FisAction>;
  /**
   * CloudWatch alarms that stop the experiment when they go into ALARM. At least one is
   * required unless `withoutStopCondition` is set.
   * @default - none (a ResilienceError unless `withoutStopCondition`)
   */
  readonly stopConditions?: cloudwatch.IAlarm[];
  /**
   * The explicit opt-out of stop conditions, with the reason (for example an experiment
   * that only waits, or one in an account with no traffic). Emits the warning
   * `cdk-resilience:NoStopCondition`.
   * @default - stop conditions are required
   */
  readonly withoutStopCondition?: { readonly reason: string };
  /**
   * Log group for the experiment log (schema version 2).
   * @default - a new log group, kept one year and retained on stack deletion
   */
  readonly logGroup?: logs.ILogGroup;
  /**
   * Experiment reports to S3.
   * @default - none
   */
  readonly report?: ExperimentReportOptions;
  /**
   * What FIS does when a target resolves to no resource: fail the experiment, or skip
   * the action.
   * @default 'fail'
   */
  readonly emptyTargetResolution?: 'fail' | 'skip';
  /**
   * Tags of the experiment template (a `Name` tag names it in the console).
   * @default - `Name`: the construct path
   */
  readonly tags?: Record<string, string>;
  /**
   * The tiers (web tiers, databases) the experiment breaks, so the resilience report can
   * show which tiers have been tested on purpose. The scenarios set it.
   * @default - none: the report lists the experiment by stack only
   */
  readonly tiers?: IConstruct[];
}

const ACTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A FIS experiment template built from typed actions: every target scoped, at least one
 * alarm stop condition, logging to CloudWatch Logs, optional reports to S3, action order
 * by `startAfter`, and a role holding exactly the permissions its actions need.
 */
export class Experiment extends Construct {
  /** The experiment template. */
  public readonly template: fis.CfnExperimentTemplate;
  /** Its id, for `aws fis start-experiment --experiment-template-id`. */
  public readonly experimentTemplateId: string;
  /** The role FIS assumes. */
  public readonly role: iam.Role;
  /** The experiment log group. */
  public readonly logGroup: logs.ILogGroup;
  /** The actions, by name. */
  public readonly actions: Record<string, FisAction>;
  /** The stop-condition alarms. */
  public readonly stopConditions: cloudwatch.IAlarm[];
  /** The tiers it breaks. */
  public readonly tiers: IConstruct[];

  constructor(scope: Construct, id: string, props: ExperimentProps) {
    super(scope, id);
    validate(this, props);
    const stack = Stack.of(this);
    this.actions = props.actions;
    this.stopConditions = props.stopConditions ?? [];
    this.tiers = props.tiers ?? [];
    if (this.stopConditions.length === 0) {
      addWarning(this, WarningId.NO_STOP_CONDITION, `Experiment without a stop condition (${props.withoutStopCondition!.reason}): nothing halts it if it goes too far.`);
    }

    this.logGroup = props.logGroup ?? new logs.LogGroup(this, 'Log', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    this.role = new iam.Role(this, 'Role', {
      description: `FIS experiment role: ${props.description}`.slice(0, 1000),
      assumedBy: new iam.ServicePrincipal('fis.amazonaws.com', {
        // Only FIS experiments of this account may assume the role (confused deputy).
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:fis:${stack.region}:${stack.account}:experiment/*` },
        },
      }),
    });
    const policy = new iam.Policy(this, 'Policy', { roles: [this.role] });
    const statements = Object.values(props.actions).flatMap((a) => a.permissions(stack));
    // FIS delivers the experiment log through CloudWatch Logs vended-log delivery.
    statements.push(
      because(
        'Vended log delivery (CreateLogDelivery, PutResourcePolicy, Describe*) supports no resource-level permissions.',
        new iam.PolicyStatement({ actions: ['logs:CreateLogDelivery', 'logs:DescribeLogGroups', 'logs:DescribeResourcePolicies', 'logs:PutResourcePolicy'], resources: ['*'] }), // '*': vended log delivery has no resource-level permissions
      ),
    );
    if (props.report) {
      const prefix = props.report.prefix ?? 'fis-reports/';
      statements.push(because('FIS names each report object by the experiment id, under the report prefix.', new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject'], resources: [props.report.bucket.arnForObjects(`${prefix}*`)] })));
      if (props.report.dashboardArns?.length) {
        statements.push(new iam.PolicyStatement({ actions: ['cloudwatch:GetDashboard'], resources: props.report.dashboardArns }));
        // GetMetricWidgetImage supports no resource-level permissions: `*` is required.
        statements.push(because('cloudwatch:GetMetricWidgetImage supports no resource-level permissions.', new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricWidgetImage'], resources: ['*'] })));
      }
    }
    policy.addStatements(...statements);
    const managed = [...new Set(Object.values(props.actions).flatMap((a) => a.managedPolicies()))];
    for (const name of managed) {
      this.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(`service-role/${name}`));
      acknowledgeNagFinding(
        this.role,
        `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${name}]`,
        `${name} is the AWS-maintained permission set of the FIS actions that need it; its changing resources are limited by AWS to those tagged managedByFIS.`,
      );
    }
    for (const st of statements) {
      const reason = WILDCARD_REASONS.get(st);
      if (!reason) continue;
      for (const r of st.resources.filter((x) => x.includes('*'))) acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::${nagResourceName(stack, r)}]`, reason);
    }

    const targets: Record<string, fis.CfnExperimentTemplate.ExperimentTemplateTargetProperty> = {};
    const actions: Record<string, fis.CfnExperimentTemplate.ExperimentTemplateActionProperty> = {};
    for (const [name, action] of Object.entries(props.actions)) {
      let actionTargets: Record<string, string> | undefined;
      if (action.target && action.targetKey) {
        const targetName = `${name}-target`.slice(0, 64);
        targets[targetName] = action.target._render() as unknown as fis.CfnExperimentTemplate.ExperimentTemplateTargetProperty;
        actionTargets = { [action.targetKey]: targetName };
      }
      const parameters = action.parameters();
      actions[name] = {
        actionId: action.actionId,
        description: action.options.description,
        targets: actionTargets,
        parameters: Object.keys(parameters).length ? parameters : undefined,
        startAfter: action.startAfter.length ? action.startAfter : undefined,
      };
    }

    this.template = new fis.CfnExperimentTemplate(this, 'Resource', {
      description: props.description.slice(0, 512),
      roleArn: this.role.roleArn,
      targets,
      actions,
      stopConditions: this.stopConditions.length
        ? this.stopConditions.map((a) => ({ source: 'aws:cloudwatch:alarm', value: a.alarmArn }))
        : [{ source: 'none' }],
      // CloudWatchLogsConfiguration is untyped JSON in the L1, so its keys are written as
      // CloudFormation spells them. The ARN ends in `:*`, which FIS requires.
      logConfiguration: { logSchemaVersion: 2, cloudWatchLogsConfiguration: { LogGroupArn: this.logGroup.logGroupArn } },
      experimentOptions: { accountTargeting: 'single-account', emptyTargetResolutionMode: props.emptyTargetResolution ?? 'fail' },
      experimentReportConfiguration: props.report
        ? {
            outputs: { experimentReportS3Configuration: { bucketName: props.report.bucket.bucketName, prefix: props.report.prefix ?? 'fis-reports/' } },
            dataSources: props.report.dashboardArns?.length ? { cloudWatchDashboards: props.report.dashboardArns.map((d) => ({ dashboardIdentifier: d })) } : undefined,
            preExperimentDuration: (props.report.preExperimentDuration ?? Duration.minutes(20)).toIsoString(),
            postExperimentDuration: (props.report.postExperimentDuration ?? Duration.minutes(20)).toIsoString(),
          }
        : undefined,
      tags: { Name: this.node.path.slice(0, 256), ...props.tags },
    });
    this.template.node.addDependency(policy);
    this.experimentTemplateId = this.template.attrId;
  }
}

function validate(scope: Construct, props: ExperimentProps): void {
  const v = new Validator(scope);
  const names = Object.keys(props.actions);
  v.check(names.length > 20, {
    code: 'FIS_TOO_MANY_ACTIONS',
    prop: 'actions',
    value: names.length,
    message: 'FIS takes at most 20 actions per experiment template (service quota)',
    fix: 'split the experiment, or raise the quota and build the template by hand',
  });
  v.check(names.length === 0, {
    code: 'FIS_NO_ACTIONS',
    prop: 'actions',
    value: props.actions,
    message: 'an experiment needs at least one action',
    fix: 'add an action, e.g. { terminate: new TerminateInstances(target) }',
  });
  for (const [name, action] of Object.entries(props.actions)) {
    v.check(!ACTION_NAME.test(name), {
      code: 'FIS_ACTION_NAME',
      prop: `actions.${name}`,
      value: name,
      message: 'an action name is 1 to 64 letters, digits, hyphens or underscores',
      fix: "rename the action, e.g. 'stop-az-a'",
    });
    action.validate(v, `actions.${name}`);
    for (const after of action.startAfter) {
      v.check(!names.includes(after), {
        code: 'FIS_START_AFTER',
        prop: `actions.${name}.startAfter`,
        value: after,
        message: `names no action of this experiment (${names.join(', ')})`,
        fix: 'name an action of this experiment',
      });
    }
  }
  const cycle = findCycle(props.actions);
  if (cycle) {
    v.add({
      code: 'FIS_START_AFTER_CYCLE',
      prop: `actions.${cycle[0]}.startAfter`,
      value: cycle.join(' -> '),
      message: 'startAfter forms a cycle, so none of these actions could ever start',
      fix: 'remove one startAfter link of the cycle',
    });
  }
  const stops = props.stopConditions ?? [];
  v.check(stops.length === 0 && !props.withoutStopCondition?.reason, {
    code: 'FIS_NO_STOP_CONDITION',
    prop: 'stopConditions',
    value: stops.length,
    message: 'an experiment without a stop condition runs to the end however much it breaks',
    fix: "pass the alarm that must halt it (e.g. the tier's 5xx rate alarm), or set withoutStopCondition: { reason } to opt out on purpose",
  });
  v.check(stops.length > 5, {
    code: 'FIS_TOO_MANY_STOP_CONDITIONS',
    prop: 'stopConditions',
    value: stops.length,
    message: 'FIS takes at most 5 stop conditions per experiment template',
    fix: 'combine alarms into a composite alarm',
  });
  v.check(stops.length > 0 && props.withoutStopCondition !== undefined, {
    code: 'FIS_NO_STOP_CONDITION',
    prop: 'withoutStopCondition',
    value: props.withoutStopCondition,
    message: 'set together with stop conditions',
    fix: 'drop withoutStopCondition',
  });
  v.throwIfAny();
}

/** A cycle in the startAfter graph, as a path of names that returns to its start, if any. */
export function findCycle(actions: Record<string, FisAction>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done' || !actions[name]) return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const after of actions[name].startAfter) {
      const found = visit(after);
      if (found) return found;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(actions)) {
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}
