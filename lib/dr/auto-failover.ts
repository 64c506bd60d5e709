import { stateMachineRole } from '../core/service-principal';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { AUTO_FAILOVER_METRIC, AUTO_FAILOVER_NAMESPACE, AUTO_FAILOVER_STATES, type AutoFailoverDetectorConfig, type DnsObservation } from '../../protocol';
import { bundledLambdaCode } from '../core/lambda-code';
import { acknowledgeNagFinding } from '../core/nag';
import { Validator } from '../core/validation';
import { RUNBOOK_TRANSIENT_ERRORS } from './runbook';

/**
 * The opt-in to an alarm-triggered failover (`DrStrategyProps.autoFailover`). Giving it is the
 * data-loss consent of an unplanned failover, in code, at synth: when the primary Region's
 * outage alarm fires and nobody cancels within the confirmation window, the failover runbook
 * starts with `allowDataLoss: true`. Never with `allowDetach`: a failover that would need
 * two writable databases still stops and waits for a person.
 */
export interface AutoFailoverOptions {
  /**
   * How long the operators have to cancel (`cdk-resilience cancel`) after the alarm fires and
   * the alerts topic says so: 3 to 60 minutes (a page at 3 a.m. takes minutes to answer).
   */
  readonly confirmationWindow: Duration;
  /**
   * The consent: an automatic failover is unplanned and loses up to the replication lag
   * (the RPO). Must be `true`.
   */
  readonly acceptDataLoss: true;
  /**
   * Consecutive one-minute looks in which Route 53 must withdraw the primary, with its fence
   * open, before the alarm fires (1 to 10).
   * @default 3
   */
  readonly evaluationPeriods?: number;
}

/** Props for {@link AutoFailover}. */
export interface AutoFailoverProps extends AutoFailoverOptions {
  /** The strategy's short name. */
  readonly strategyName: string;
  /** The Region whose outage starts the failover (the strategy's primary). */
  readonly watchedRegion: string;
  /** Where the detector reads Route 53's view: the failover runbook's DNS observation. */
  readonly dns: DnsObservation;
  /** The strategy's runbook lock (a global table with a replica in this Region): no outage is seen while a runbook holds it. */
  readonly lock: { readonly tableName: string; readonly leaseSeconds: number };
  /** The failover runbook's entry function (this stack's). */
  readonly entryFunction: lambda.IFunction;
  /** The alerts topic (this stack's): the alarm, the announcement and the outcome go there. */
  readonly topic: sns.ITopic;
  /**
   * Reserved concurrency of the detector function.
   * @default 1
   */
  readonly reservedConcurrency?: number | false;
}

/** The decision term an automatic trigger gives the RTO, typical and worst case. */
export interface AutoFailoverDecision {
  readonly seconds: number;
  readonly worstSeconds: number;
  readonly formula: string;
}

/** Seconds between the detector's runs (one EventBridge schedule tick, one metric period). */
const LOOK_SECONDS = 60;
/** Looks per detector run, and the time between them: every look must see the outage. */
const LOOKS_PER_RUN = 3;
const LOOK_INTERVAL_MS = 15_000;
/** What the final confirmation (one detector run, its looks apart) takes. */
const CONFIRM_SECONDS = ((LOOKS_PER_RUN - 1) * LOOK_INTERVAL_MS) / 1000;
/** The announcement's one try. */
const ANNOUNCE_TIMEOUT_SECONDS = 10;

/**
 * An alarm-triggered failover with a confirmation window, in the recovery Region:
 *
 * - a detector function, every minute, asks the zone's name servers three times, 15 s apart,
 *   how Route 53 sees the primary (its status and fence records: the data plane, nothing in the
 *   primary Region), and writes 1 only when every look saw the primary withdrawn while its fence
 *   is open (an outage no runbook made) and no runbook holds the strategy's lock (a drill, a
 *   switchover or a failback moving traffic on purpose);
 * - an alarm on that metric (n of n minutes; missing data never breaches) pages the alerts topic
 *   and, through EventBridge, starts the confirmation state machine;
 * - that machine announces the failover on the topic with how to cancel, waits the window,
 *   checks that the alarm is still in ALARM and that the detector, looking again, still sees
 *   the outage, then asks the failover runbook for a planned switchover (no data loss: the
 *   primary's database may be fine when only its web tier fails) and, only when the runbook
 *   refuses it because the primary is unhealthy, for an unplanned failover with
 *   `allowDataLoss: true`. Never `allowDetach`. The runbook checks everything it checks for a
 *   person's request; its safety model is the same.
 *
 * Cancel: `cdk-resilience cancel` (stops a confirmation still in its window). Hold it off for
 * maintenance: disable `rule` (`aws events disable-rule`).
 */
export class AutoFailover extends Construct {
  /** The alarm that starts a confirmation window. */
  public readonly alarm: cloudwatch.Alarm;
  /** Alarms when the detector writes nothing for 5 minutes: the automatic trigger is blind. */
  public readonly blindAlarm: cloudwatch.Alarm;
  /** The confirmation state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** The detector function. */
  public readonly detector: lambda.Function;
  /** The rule that starts the confirmation state machine when the alarm fires (disable it to hold automatic failover off). */
  public readonly rule: events.Rule;
  /** The confirmation window. */
  public readonly confirmationWindow: Duration;
  /** The consecutive one-minute detector runs the alarm needs. */
  public readonly evaluationPeriods: number;
  /** The outage alarm's name (literal). */
  public readonly alarmName: string;

  constructor(scope: Construct, id: string, props: AutoFailoverProps) {
    super(scope, id);
    const stack = Stack.of(this);
    validateAutoFailover(new Validator(this), props).throwIfAny();
    this.confirmationWindow = props.confirmationWindow;
    this.evaluationPeriods = props.evaluationPeriods ?? 3;
    this.alarmName = `${props.strategyName}-auto-failover-${props.watchedRegion}`;

    this.detector = this.buildDetector(props);
    const metric = (statistic: string): cloudwatch.Metric =>
      new cloudwatch.Metric({ namespace: AUTO_FAILOVER_NAMESPACE, metricName: AUTO_FAILOVER_METRIC, dimensionsMap: { Strategy: props.strategyName, Region: props.watchedRegion }, statistic, period: Duration.seconds(LOOK_SECONDS) });
    const alarmAction = new cwActions.SnsAction(props.topic);
    this.alarm = new cloudwatch.Alarm(this, 'Alarm', {
      alarmName: this.alarmName,
      alarmDescription: `Route 53 has withdrawn ${props.watchedRegion} with its fence open, and no runbook running, for ${this.evaluationPeriods} minutes: the automatic failover of ${props.strategyName} starts after a ${props.confirmationWindow.toHumanString()} confirmation window unless cancelled`,
      // Minimum: a minute with two datapoints (a late run) counts only if both saw the outage.
      metric: metric('Minimum'),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: this.evaluationPeriods,
      datapointsToAlarm: this.evaluationPeriods,
      // A detector that cannot see never starts a failover (the blind alarm says so instead).
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(alarmAction);
    this.blindAlarm = new cloudwatch.Alarm(this, 'BlindAlarm', {
      alarmName: `${props.strategyName}-auto-failover-blind`,
      alarmDescription: `The automatic failover of ${props.strategyName} cannot see ${props.watchedRegion} (no answer from the zone's name servers, or the detector fails): a failover needs a person until it sees again`,
      metric: metric('SampleCount'),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 5,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.blindAlarm.addAlarmAction(alarmAction);
    this.blindAlarm.addOkAction(alarmAction);

    this.stateMachine = this.buildConfirmation(props);
    // The alerts topic is KMS-encrypted: SnsPublish grants sns:Publish only, the topic's grant adds its key.
    props.topic.grantPublish(this.stateMachine);
    this.rule = new events.Rule(this, 'OnAlarm', {
      description: `cdk-resilience ${props.strategyName}: the outage alarm starts the confirmation window of an automatic failover`,
      eventPattern: { source: ['aws.cloudwatch'], detailType: ['CloudWatch Alarm State Change'], resources: [this.alarm.alarmArn], detail: { state: { value: ['ALARM'] } } },
      // No DLQ: the alarm pages the topic itself, so a lost event leaves a person deciding, as without this construct.
      targets: [new targets.SfnStateMachine(this.stateMachine, { retryAttempts: 10, maxEventAge: Duration.minutes(15) })],
    });

    const smPolicy = this.stateMachine.role.node.findChild('DefaultPolicy');
    acknowledgeNagFinding(smPolicy, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray tracing and the vended log delivery of the state machine support no resource-level permissions.');
    for (const f of [props.entryFunction, this.detector]) {
      acknowledgeNagFinding(smPolicy, `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(f.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`, 'Invoking the function by any version or alias.');
    }
    if (JSON.stringify(stack.resolve((smPolicy as iam.Policy).document.toJSON())).includes('kms:GenerateDataKey*')) {
      acknowledgeNagFinding(smPolicy, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', "Publishing to the KMS-encrypted alerts topic needs kms:GenerateDataKey* on that topic's key only (aws-cdk-lib's topic grant).");
    }
  }

  /** The detector: every minute, and once more at the end of a window (`{ confirm: true }`). */
  private buildDetector(props: AutoFailoverProps): lambda.Function {
    const stack = Stack.of(this);
    const config: AutoFailoverDetectorConfig = {
      strategy: props.strategyName,
      watchedRegion: props.watchedRegion,
      dns: props.dns,
      namespace: AUTO_FAILOVER_NAMESPACE,
      metricName: AUTO_FAILOVER_METRIC,
      looks: LOOKS_PER_RUN,
      lookIntervalMs: LOOK_INTERVAL_MS,
      lock: props.lock,
    };
    const logGroup = new logs.LogGroup(this, 'DetectorLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    const role = new iam.Role(this, 'DetectorRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: `Automatic failover of ${props.strategyName}: watches ${props.watchedRegion} through Route 53's answers` });
    logGroup.grantWrite(role);
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'], // PutMetricData has no resource-level permissions; the condition keeps it to this namespace
        conditions: { StringEquals: { 'cloudwatch:namespace': AUTO_FAILOVER_NAMESPACE } },
      }),
    );
    role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: props.lock.tableName })] }));
    // Outside a VPC: it must reach the name servers when the VPC's egress is what failed.
    const detector = new lambda.Function(this, 'Detector', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: bundledLambdaCode('auto-failover-detector'),
      role,
      logGroup,
      // 3 looks 15 s apart, each up to 2 x 2 s of DNS, then the lock and one PutMetricData.
      timeout: Duration.seconds(55),
      memorySize: 256,
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrency === false ? undefined : (props.reservedConcurrency ?? 2),
      // A missed run is a missing datapoint: never retried late into another minute.
      retryAttempts: 0,
      maxEventAge: Duration.seconds(LOOK_SECONDS),
      environment: { DETECTOR_CONFIG: stack.toJsonString(config), AWS_MAX_ATTEMPTS: '2' },
    });
    new events.Rule(this, 'Schedule', {
      schedule: events.Schedule.rate(Duration.seconds(LOOK_SECONDS)),
      description: `cdk-resilience ${props.strategyName}: look at ${props.watchedRegion} through Route 53 every minute`,
      targets: [new targets.LambdaFunction(detector, { retryAttempts: 0, maxEventAge: Duration.seconds(LOOK_SECONDS) })],
    });
    acknowledgeNagFinding(role.node.findChild('DefaultPolicy'), 'AwsSolutions-IAM5[Resource::*]', 'cloudwatch:PutMetricData supports no resource-level permissions; a condition keeps it to the automatic-failover namespace.');
    return detector;
  }

  /** The confirmation state machine. */
  private buildConfirmation(props: AutoFailoverProps): sfn.StateMachine {
    const stack = Stack.of(this);
    const S = AUTO_FAILOVER_STATES;
    const C = sfn.Condition;
    const windowSeconds = props.confirmationWindow.toSeconds();
    const subject = `cdk-resilience ${props.strategyName}: automatic failover`;
    const publish = (name: string, message: sfn.TaskInput, next: sfn.IChainable, retry = true): sfn.TaskStateBase => {
      const task = new tasks.SnsPublish(this, `State${name}`, { stateName: name, topic: props.topic, subject, message, resultPath: sfn.JsonPath.DISCARD, taskTimeout: sfn.Timeout.duration(Duration.seconds(ANNOUNCE_TIMEOUT_SECONDS)) });
      if (retry) task.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 3, jitterStrategy: sfn.JitterType.FULL });
      // A report that cannot be sent (its topic's Region failing too) never holds the run back.
      task.addCatch(next, { errors: ['States.ALL'], resultPath: '$.publishError' });
      task.next(next);
      return task;
    };
    const done = new sfn.Succeed(this, `State${S.done}`, { stateName: S.done });
    const refused = new sfn.Fail(this, `State${S.refused}`, { stateName: S.refused, error: 'AutomaticFailoverRefused', cause: 'the runbook refused or could not be started: see the alerts topic; a person decides now' });
    const reportRefusal = publish(S.reportRefusal, sfn.TaskInput.fromJsonPathAt("States.Format('The automatic failover could not start the runbook: {}. A person decides now (cdk-resilience failover).', States.JsonToString($.entry))"), refused);
    const accepted = publish(S.accepted, sfn.TaskInput.fromJsonPathAt("States.Format('The automatic failover started the runbook: {}. Follow it: cdk-resilience status.', $.entry.executionArn)"), done);
    const recovered = publish(S.recovered, sfn.TaskInput.fromText(`${props.watchedRegion} recovered within the confirmation window (the alarm left ALARM, or a last look saw it serving or fenced, or a runbook running): no failover.`), done);

    const entry = (name: string, request: Record<string, unknown>): tasks.LambdaInvoke => {
      const task = new tasks.LambdaInvoke(this, `State${name}`, {
        stateName: name,
        lambdaFunction: props.entryFunction,
        payload: sfn.TaskInput.fromObject({ action: 'failover', 'requestedBy.$': '$$.Execution.Id', ...request }),
        payloadResponseOnly: true,
        resultPath: '$.entry',
        taskTimeout: sfn.Timeout.duration(Duration.seconds(90)),
        retryOnServiceExceptions: false,
      });
      task.addRetry({ errors: RUNBOOK_TRANSIENT_ERRORS, interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 6, maxDelay: Duration.seconds(30), jitterStrategy: sfn.JitterType.FULL });
      task.addCatch(reportRefusal, { errors: ['States.ALL'], resultPath: '$.entry' });
      return task;
    };
    const reason = `automatic failover: Route 53 withdrew ${props.watchedRegion} with its fence open for ${this.evaluationPeriods} minutes, still at the end of a ${windowSeconds} s window nobody cancelled`;
    // A planned switchover first: no data loss when the primary's database still answers.
    const switchover = entry(S.startSwitchover, { mode: 'planned', 'requestId.$': "States.Format('auto-{}', $$.Execution.Name)", reason: `${reason} (planned switchover first)` });
    const failover = entry(S.startFailover, { mode: 'unplanned', allowDataLoss: true, 'requestId.$': "States.Format('auto-{}-u', $$.Execution.Name)", reason: `${reason}; the planned switchover was refused: the primary is unhealthy` });
    const wasAccepted = new sfn.Choice(this, `State${S.wasAccepted}`, { stateName: S.wasAccepted }).when(C.booleanEquals('$.entry.accepted', true), accepted).otherwise(reportRefusal);
    failover.next(wasAccepted);
    switchover.next(
      new sfn.Choice(this, `State${S.switchoverRefused}`, { stateName: S.switchoverRefused })
        .when(C.booleanEquals('$.entry.accepted', true), accepted)
        // Only a primary that is unhealthy (or unreachable) earns the unplanned failover; any other refusal is a person's call.
        .when(C.and(C.isPresent('$.entry.error.code'), C.stringEquals('$.entry.error.code', 'PrimaryUnhealthy')), failover)
        .otherwise(reportRefusal),
    );

    // Nothing of the event is kept: the machine reads what it needs itself.
    const begin = new sfn.Pass(this, `State${S.begin}`, { stateName: S.begin, parameters: { 'startedAt.$': '$$.Execution.StartTime' } });
    const wait = new sfn.Wait(this, `State${S.confirmationWindow}`, { stateName: S.confirmationWindow, time: sfn.WaitTime.duration(props.confirmationWindow) });
    const announce = publish(
      S.announce,
      sfn.TaskInput.fromJsonPathAt(
        `States.Format('Route 53 has withdrawn ${props.watchedRegion} with its traffic gates open for ${this.evaluationPeriods} minutes. The failover of ${props.strategyName} to ${stack.region} starts in ${windowSeconds} s unless cancelled: a planned switchover if the primary database answers, else unplanned (up to the replication lag of writes lost; consent given at synth). Cancel: cdk-resilience cancel --strategy ${props.strategyName} --to ${stack.region} (or aws stepfunctions stop-execution --region ${stack.region} --execution-arn {})', $$.Execution.Id)`,
      ),
      wait,
      // One try: the window must not wait on a failing topic.
      false,
    );
    const readAlarm = new tasks.CallAwsService(this, `State${S.readAlarm}`, {
      stateName: S.readAlarm,
      service: 'cloudwatch',
      action: 'describeAlarms',
      parameters: { AlarmNames: [this.alarm.alarmName] },
      iamResources: [this.alarm.alarmArn],
      iamAction: 'cloudwatch:DescribeAlarms',
      resultSelector: { 'state.$': '$.MetricAlarms[0].StateValue' },
      resultPath: '$.alarm',
      taskTimeout: sfn.Timeout.duration(Duration.seconds(30)),
    }).addRetry({ errors: ['States.ALL'], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 5, jitterStrategy: sfn.JitterType.FULL });
    // The last word is a fresh look, not the alarm's last minute: still withdrawn, fence open, no runbook.
    const confirm = new tasks.LambdaInvoke(this, `State${S.confirm}`, {
      stateName: S.confirm,
      lambdaFunction: this.detector,
      payload: sfn.TaskInput.fromObject({ confirm: true }),
      payloadResponseOnly: true,
      resultSelector: { 'outage.$': '$.outage' },
      resultPath: '$.confirm',
      taskTimeout: sfn.Timeout.duration(Duration.seconds(90)),
      retryOnServiceExceptions: false,
    }).addRetry({ errors: RUNBOOK_TRANSIENT_ERRORS, interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 4, jitterStrategy: sfn.JitterType.FULL });
    // A confirmation that cannot look is not a confirmation: no failover, and the topic says so.
    confirm.addCatch(recovered, { errors: ['States.ALL'], resultPath: '$.confirmError' });
    // announce -> wait (publish chains to its next, on success or failure).
    const definition = begin.next(announce);
    wait.next(readAlarm).next(
        new sfn.Choice(this, `State${S.stillFailing}`, { stateName: S.stillFailing })
          .when(C.stringEquals('$.alarm.state', 'ALARM'), confirm.next(new sfn.Choice(this, 'StateConfirmed', { stateName: 'Confirmed' }).when(C.booleanEquals('$.confirm.outage', true), switchover).otherwise(recovered)))
          .otherwise(recovered),
      );
    const smLogs = new logs.LogGroup(this, 'StateMachineLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    return new sfn.StateMachine(this, 'StateMachine', {
      role: stateMachineRole(this, 'StateMachineRole', `Automatic failover of ${props.strategyName}: the confirmation state machine`),
      stateMachineName: `${props.strategyName}-auto-failover`,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: props.confirmationWindow.plus(Duration.minutes(30)),
      tracingEnabled: true,
      logs: { destination: smLogs, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: `${props.strategyName}: automatic failover to ${stack.region} after a ${windowSeconds} s confirmation window`,
    });
  }

  /**
   * The decision term this trigger gives the RTO, after Route 53's own detection. Typical: the
   * alarm's n one-minute runs, the window, and the last look. Worst: a failure just after a run
   * (one more minute), one run without an answer restarting the streak (n more), a late
   * evaluation (one more), and the announcement's one try.
   */
  public get decision(): AutoFailoverDecision {
    const window = this.confirmationWindow.toSeconds();
    const n = this.evaluationPeriods;
    const typical = n * LOOK_SECONDS + window + CONFIRM_SECONDS;
    const extra = (n + 2) * LOOK_SECONDS + ANNOUNCE_TIMEOUT_SECONDS;
    return {
      seconds: typical,
      worstSeconds: typical + extra,
      formula: `automatic: the outage alarm's ${n} one-minute runs (${n * LOOK_SECONDS} s) + the ${window} s confirmation window nobody cancelled + the last look (${CONFIRM_SECONDS} s); worst +${extra} s (a failure just after a run, a run without an answer restarting the streak, a late evaluation, the announcement's one try)`,
    };
  }
}

function validateAutoFailover(v: Validator, props: AutoFailoverOptions): Validator {
  v.duration('autoFailover.confirmationWindow', props.confirmationWindow, { code: 'DR_AUTO_FAILOVER', minSeconds: 180, maxSeconds: 3600, fix: 'give the operators 3 to 60 minutes to cancel (a page at 3 a.m. takes minutes to answer), e.g. Duration.minutes(5)' });
  v.check((props.acceptDataLoss as boolean) !== true, {
    code: 'DR_AUTO_FAILOVER',
    prop: 'autoFailover.acceptDataLoss',
    value: props.acceptDataLoss,
    message: 'an automatic failover is unplanned: it loses up to the replication lag of writes, and this is the consent to that',
    fix: 'pass acceptDataLoss: true, or leave autoFailover out (a person starts every failover)',
  });
  if (props.evaluationPeriods !== undefined) v.integer('autoFailover.evaluationPeriods', props.evaluationPeriods, { code: 'DR_AUTO_FAILOVER', min: 1, max: 10, fix: 'alarm after 1 to 10 one-minute looks (3 by default)' });
  return v;
}
