import { stateMachineRole } from '../core/service-principal';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { type DrillConfig, DrillEntry, drillParameterName } from '../../protocol';
import { bundledLambdaCode } from '../core/lambda-code';
import { acknowledgeNagFinding, nagResourceName } from '../core/nag';
import { Validator } from '../core/validation';
import { WebTier } from '../tiers/web-tier';
import { Experiment } from './experiment';

/** What a failover drill starts: a runbook's entry function and state machine (a `Runbook`). */
export interface DrillRunbook {
  /** The function that validates the request and starts the execution. */
  readonly entryFunction: lambda.IFunction;
  /** The runbook's state machine, whose execution the drill follows. */
  readonly stateMachine: sfn.StateMachine;
}

/** Props for {@link Drill}. */
export interface DrillProps {
  /**
   * The experiment to run. Exactly one of `experiment` and `runbook`.
   * @default - none
   */
  readonly experiment?: Experiment;
  /**
   * The failover runbook to run (a planned switchover by default).
   * @default - none
   */
  readonly runbook?: DrillRunbook;
  /**
   * Run the runbook as an `unplanned` failover that accepts data loss, as in a Region outage.
   * @default false (a planned switchover, no data loss)
   */
  readonly unplanned?: boolean;
  /**
   * Consent to detach (`allowDetach` in the runbook request): needed when the runbook's
   * failover promotes a read replica, which leaves the old database writable (fenced).
   * @default false
   */
  readonly allowDetach?: boolean;
  /** The web tier whose steady state is measured (healthy hosts, and alarms). */
  readonly web: WebTier;
  /** The RTO the recovery time is held to (the strategy's declared RTO). */
  readonly rto: Duration;
  /** Topic the drill report goes to. */
  readonly alarmTopic: sns.ITopic;
  /**
   * Alarms that must be OK for the steady state; in an experiment drill, the drill also
   * stops the experiment when one goes into ALARM.
   * @default - the experiment's stop conditions, or the web tier's 5xx rate alarm
   */
  readonly steadyStateAlarms?: cloudwatch.IAlarm[];
  /**
   * Time between checks.
   * @default Duration.seconds(30)
   */
  readonly pollInterval?: Duration;
  /**
   * The drill gives up (and fails) after this long.
   * @default Duration.hours(2)
   */
  readonly maxDuration?: Duration;
  /**
   * Healthy hosts that mean "recovered": for a failover, the target Region's full capacity.
   * @default - as many as in the steady state before the drill
   */
  readonly recoveredHosts?: number;
  /**
   * Name of the drill: the metric dimension `Drill` and the report's subject.
   * @default - the construct id, lowercased
   */
  readonly drillName?: string;
  /**
   * Concurrent executions reserved for the drill's function, so an account-wide concurrency
   * exhaustion cannot stop a drill half-way (its report, its clean-up). `false` for none, in
   * an account whose quota cannot spare it (Lambda keeps 100 unreserved per Region).
   * @default 2
   */
  readonly reservedConcurrency?: number | false;
}

/** The drill's state names. */
export const DRILL_STATES = {
  baseline: 'RecordSteadyState',
  notSteady: 'SteadyStateHolds',
  start: 'Start',
  accepted: 'Accepted',
  wait: 'WaitBeforeCheck',
  status: 'GetStatus',
  check: 'MeasureRecovery',
  next: 'Decide',
  stop: 'StopExperiment',
  report: 'Report',
  verdict: 'Verdict',
  cleanup: 'CleanUp',
  reportFailure: 'ReportFailure',
  passed: 'DrillPassed',
  failed: 'DrillFailed',
} as const;

/** Metric namespace of drill results. */
export const DRILL_METRICS_NAMESPACE = 'CdkResilience/Drills';

/**
 * A drill: a state machine that records the steady state, starts an experiment or a
 * failover, measures the time to recovery against the declared RTO, stops the experiment
 * if its alarm fires, reports through SNS and the metrics `DrillRecoveryTimeSeconds` and
 * `DrillPassed`, and cleans up what it started.
 */
export class Drill extends Construct {
  /** The state machine; start an execution to run the drill. */
  public readonly stateMachine: sfn.StateMachine;
  /** The function that measures and reports. */
  public readonly function: lambda.Function;
  /** The configuration the function runs with. */
  public readonly config: DrillConfig;

  constructor(scope: Construct, id: string, props: DrillProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const v = new Validator(this);
    v.check((props.experiment === undefined) === (props.runbook === undefined), {
      code: 'DRILL_TARGET',
      prop: 'experiment',
      value: { experiment: props.experiment?.node.path, runbook: props.runbook ? 'given' : undefined },
      message: 'a drill runs exactly one experiment or one runbook',
      fix: 'pass experiment or runbook, not both and not neither',
    });
    const poll = props.pollInterval ?? Duration.seconds(30);
    const max = props.maxDuration ?? Duration.hours(2);
    v.duration('pollInterval', poll, { code: 'DRILL_POLL', minSeconds: 5, maxSeconds: 300 });
    v.duration('maxDuration', max, { code: 'DRILL_MAX', minSeconds: 60, maxSeconds: 12 * 3600 });
    v.duration('rto', props.rto, { code: 'DRILL_RTO', minSeconds: 1 });
    if (props.recoveredHosts !== undefined) v.integer('recoveredHosts', props.recoveredHosts, { code: 'DRILL_HOSTS', min: 1 });
    if (props.reservedConcurrency !== undefined && props.reservedConcurrency !== false) {
      v.integer('reservedConcurrency', props.reservedConcurrency, { code: 'DRILL_CONCURRENCY', min: 1, max: 100, fix: 'reserve 1-100, or pass false for none' });
    }
    v.check(props.allowDetach === true && props.runbook === undefined, {
      code: 'DRILL_DETACH',
      prop: 'allowDetach',
      value: true,
      message: 'only a runbook drill sends a runbook request',
      fix: 'drop allowDetach',
    });
    v.check(props.unplanned === true && props.runbook === undefined, {
      code: 'DRILL_UNPLANNED',
      prop: 'unplanned',
      value: true,
      message: 'only a runbook drill has a planned or unplanned mode',
      fix: 'drop unplanned',
    });
    v.throwIfAny();

    const alarms = props.steadyStateAlarms ?? props.experiment?.stopConditions ?? [props.web.alarms.serverErrorRate];
    const drillName = props.drillName ?? id.toLowerCase();
    this.config = {
      name: drillName,
      region: stack.region,
      mode: props.experiment ? 'experiment' : 'runbook',
      rtoSeconds: props.rto.toSeconds(),
      maxSeconds: max.toSeconds(),
      pollSeconds: poll.toSeconds(),
      targetGroups: [{ loadBalancer: props.web.alb.loadBalancerFullName, targetGroup: props.web.targetGroup.targetGroupFullName }],
      alarmNames: alarms.map((a) => a.alarmName),
      topicArn: props.alarmTopic.topicArn,
      namespace: DRILL_METRICS_NAMESPACE,
      ...(props.recoveredHosts !== undefined ? { recoveredHosts: props.recoveredHosts } : {}),
    };

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: `Drill ${drillName}: measures and reports` });
    logGroup.grantWrite(role);
    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: bundledLambdaCode('drill'),
      role,
      logGroup,
      timeout: Duration.seconds(60),
      memorySize: 256,
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrency === false ? undefined : (props.reservedConcurrency ?? 2),
      environment: { DRILL_CONFIG: stack.toJsonString(this.config), AWS_MAX_ATTEMPTS: '3' },
    });
    props.alarmTopic.grantPublish(role);
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:DescribeAlarms'],
        resources: alarms.map((a) => a.alarmArn),
      }),
    );
    // GetMetricData and PutMetricData support no resource-level permissions: `*` is
    // required; PutMetricData is limited to the drill namespace.
    role.addToPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] })); // '*': no resource-level permissions
    role.addToPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': DRILL_METRICS_NAMESPACE } } })); // '*': no resource-level permissions; namespace-limited

    const S = DRILL_STATES;
    const step = (name: string, payload: Record<string, unknown>, resultPath: string): tasks.LambdaInvoke => {
      const t = new tasks.LambdaInvoke(this, `State${name}`, {
        stateName: name,
        lambdaFunction: this.function,
        payload: sfn.TaskInput.fromObject(payload),
        payloadResponseOnly: true,
        resultPath,
        taskTimeout: sfn.Timeout.duration(Duration.seconds(90)),
      });
      // A function timeout surfaces as Lambda.Unknown or Sandbox.Timedout. Every step reads,
      // except the report, whose retry can at worst send a report twice: better than none.
      t.addRetry({ errors: ['Lambda.TooManyRequestsException', 'Lambda.ServiceException', 'Lambda.Unknown', 'Sandbox.Timedout', 'States.Timeout'], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 4, jitterStrategy: sfn.JitterType.FULL });
      return t;
    };
    const failed = new sfn.Fail(this, `State${S.failed}`, { stateName: S.failed, error: 'DrillFailed', causePath: '$.report.reason' });
    const passed = new sfn.Succeed(this, `State${S.passed}`, { stateName: S.passed });

    const baseline = step(S.baseline, { step: 'baseline' }, '$.baseline');
    const report = step(S.report, { step: 'report', 'baseline.$': '$.baseline', 'check.$': '$.check' }, '$.report');
    const verdict = new sfn.Choice(this, `State${S.verdict}`, { stateName: S.verdict }).when(sfn.Condition.booleanEquals('$.report.passed', true), passed).otherwise(failed);
    report.next(verdict);
    const reportFailure = step(S.reportFailure, { step: 'report', 'baseline.$': '$.baseline', 'error.$': '$.error' }, '$.report');
    reportFailure.next(failed);
    const notSteadyReport = step('ReportNotSteady', { step: 'report', 'baseline.$': '$.baseline' }, '$.report');
    notSteadyReport.next(failed);

    const wait = new sfn.Wait(this, `State${S.wait}`, { stateName: S.wait, time: sfn.WaitTime.duration(poll) });
    const check = step(S.check, { step: 'check', 'baseline.$': '$.baseline', 'targetStatus.$': '$.status.status', 'loop.$': '$.check.loop' }, '$.check');
    const next = new sfn.Choice(this, `State${S.next}`, { stateName: S.next });

    let start: sfn.TaskStateBase;
    let status: sfn.TaskStateBase;
    let cleanup: sfn.IChainable;
    let afterStart: sfn.IChainable;
    let experimentArn: string | undefined;
    let executionsArn: string | undefined;
    if (props.experiment) {
      const templateArn = stack.formatArn({ service: 'fis', resource: 'experiment-template', resourceName: props.experiment.experimentTemplateId });
      const experiments = stack.formatArn({ service: 'fis', resource: 'experiment', resourceName: '*' });
      experimentArn = experiments;
      start = new tasks.CallAwsService(this, `State${S.start}`, {
        stateName: S.start,
        service: 'fis',
        action: 'startExperiment',
        // The execution name is the idempotency token: a retried start starts nothing new.
        parameters: { ExperimentTemplateId: props.experiment.experimentTemplateId, ClientToken: sfn.JsonPath.stringAt('$$.Execution.Name') },
        iamResources: [templateArn, experiments],
        iamAction: 'fis:StartExperiment',
        resultSelector: { 'id.$': '$.Experiment.Id', 'status.$': '$.Experiment.State.Status' },
        taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
        resultPath: '$.target',
      });
      status = new tasks.CallAwsService(this, `State${S.status}`, {
        stateName: S.status,
        service: 'fis',
        action: 'getExperiment',
        parameters: { Id: sfn.JsonPath.stringAt('$.target.id') },
        iamResources: [experiments],
        iamAction: 'fis:GetExperiment',
        resultSelector: { 'status.$': '$.Experiment.State.Status' },
        taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
        resultPath: '$.status',
      });
      const stopExperiment = (name: string): tasks.CallAwsService =>
        new tasks.CallAwsService(this, `State${name}`, {
          stateName: name,
          service: 'fis',
          action: 'stopExperiment',
          parameters: { Id: sfn.JsonPath.stringAt('$.target.id') },
          iamResources: [experiments],
          iamAction: 'fis:StopExperiment',
          taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
          resultPath: sfn.JsonPath.DISCARD,
        });
      const stop = stopExperiment(S.stop);
      stop.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 5, jitterStrategy: sfn.JitterType.FULL });
      stop.addCatch(reportFailure, { errors: ['States.ALL'], resultPath: '$.error' });
      stop.next(wait);
      next.when(sfn.Condition.stringEquals('$.check.next', 'stop'), stop);
      // On any failure after the start, stop the experiment if it runs; a stop that fails
      // (nothing started, or already ended) must not hide the original error.
      const cleanupStop = stopExperiment(S.cleanup);
      cleanupStop.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 3, jitterStrategy: sfn.JitterType.FULL });
      cleanupStop.addCatch(reportFailure, { errors: ['States.ALL'], resultPath: sfn.JsonPath.DISCARD });
      cleanupStop.next(reportFailure);
      cleanup = cleanupStop;
      afterStart = wait;
    } else {
      const rb = props.runbook!;
      start = new tasks.LambdaInvoke(this, `State${S.start}`, {
        stateName: S.start,
        lambdaFunction: rb.entryFunction,
        payloadResponseOnly: true,
        payload: sfn.TaskInput.fromObject({
          action: 'failover',
          mode: props.unplanned ? 'unplanned' : 'planned',
          ...(props.unplanned ? { allowDataLoss: true } : {}),
          ...(props.allowDetach ? { allowDetach: true } : {}),
          requestId: sfn.JsonPath.stringAt('$$.Execution.Name'),
          reason: `drill ${drillName}`,
        }),
        taskTimeout: sfn.Timeout.duration(Duration.seconds(90)),
        resultPath: '$.target',
      });
      executionsArn = stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${rb.stateMachine.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
      status = new tasks.CallAwsService(this, `State${S.status}`, {
        stateName: S.status,
        service: 'sfn',
        action: 'describeExecution',
        parameters: { ExecutionArn: sfn.JsonPath.stringAt('$.target.executionArn') },
        iamResources: [executionsArn],
        iamAction: 'states:DescribeExecution',
        resultSelector: { 'status.$': '$.Status' },
        taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
        resultPath: '$.status',
      });
      // A failover is never stopped half-way (that would leave two half-Regions): the drill
      // reports, and the runbook's own report says what it did.
      cleanup = reportFailure;
      afterStart = new sfn.Choice(this, `State${S.accepted}`, { stateName: S.accepted })
        .when(sfn.Condition.booleanEquals('$.target.accepted', true), wait)
        .otherwise(
          new sfn.Pass(this, 'StateRejected', {
            stateName: 'Rejected',
            parameters: { 'Error': 'RunbookRejected', 'Cause.$': 'States.JsonToString($.target.error)' },
            resultPath: '$.error',
          }).next(reportFailure),
        );
    }
    // The runbook's entry function is idempotent (the execution is named after the drill's), so a timed-out start is retried too.
    start.addRetry({ errors: ['Lambda.TooManyRequestsException', 'Lambda.ServiceException', 'Lambda.Unknown', 'Sandbox.Timedout', 'States.Timeout', 'Fis.ThrottlingException', 'Fis.ServiceQuotaExceededException'], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 4, jitterStrategy: sfn.JitterType.FULL });
    status.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 5, jitterStrategy: sfn.JitterType.FULL });
    start.addCatch(reportFailure, { errors: ['States.ALL'], resultPath: '$.error' });
    for (const s of [status, check]) s.addCatch(cleanup, { errors: ['States.ALL'], resultPath: '$.error' });

    next.when(sfn.Condition.stringEquals('$.check.next', 'finish'), report).otherwise(wait);
    wait.next(status);
    status.next(check);
    check.next(next);

    const init = new sfn.Pass(this, 'StateInit', { stateName: 'Init', parameters: { check: { loop: { checks: 0 } } } });
    const definition = init.next(baseline).next(
      new sfn.Choice(this, `State${S.notSteady}`, { stateName: S.notSteady })
        .when(sfn.Condition.booleanEquals('$.baseline.steady', true), start.next(afterStart))
        .otherwise(notSteadyReport),
    );

    const smLogs = new logs.LogGroup(this, 'StateMachineLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      role: stateMachineRole(this, 'StateMachineRole', `Drill ${drillName}: the state machine`),
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: max.plus(Duration.minutes(30)),
      tracingEnabled: true,
      logs: { destination: smLogs, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: `Drill ${drillName}: ${props.experiment ? 'FIS experiment' : 'failover runbook'}, RTO ${props.rto.toSeconds()} s`,
    });
    const drillEntry: DrillEntry = { drill: drillName, region: stack.region, stateMachineArn: this.stateMachine.stateMachineArn, rtoSeconds: props.rto.toSeconds() };
    new ssm.StringParameter(this, 'Directory', {
      parameterName: drillParameterName(drillName),
      stringValue: stack.toJsonString(drillEntry),
      description: `cdk-resilience drill ${drillName} (read by the operator CLI)`,
    });

    const fnPolicy = role.node.tryFindChild('DefaultPolicy');
    if (fnPolicy) {
      acknowledgeNagFinding(fnPolicy, 'AwsSolutions-IAM5[Resource::*]', 'cloudwatch:GetMetricData and PutMetricData support no resource-level permissions; PutMetricData is limited to the drill namespace by condition.');
      if (JSON.stringify(stack.resolve((fnPolicy as iam.Policy).document.toJSON())).includes('kms:GenerateDataKey*')) {
        acknowledgeNagFinding(fnPolicy, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', "Publishing to the KMS-encrypted report topic needs kms:GenerateDataKey* on that topic's key only (aws-cdk-lib's topic grant).");
      }
    }
    const smPolicy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    if (smPolicy) {
      acknowledgeNagFinding(smPolicy, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray tracing and the vended log delivery of the state machine support no resource-level permissions.');
      acknowledgeNagFinding(smPolicy, `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.function.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`, 'Invoking the drill function by any version or alias.');
      if (props.experiment) {
        acknowledgeNagFinding(smPolicy, `AwsSolutions-IAM5[Resource::${nagResourceName(stack, experimentArn!)}]`, 'Experiment ids are generated when the drill starts the experiment.');
      } else {
        acknowledgeNagFinding(smPolicy, `AwsSolutions-IAM5[Resource::${nagResourceName(stack, executionsArn!)}]`, 'Execution names are chosen when the drill starts the failover (its own execution name).');
        acknowledgeNagFinding(smPolicy, `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(props.runbook!.entryFunction.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`, 'Invoking the runbook entry function by any version or alias.');
      }
    }
  }
}
