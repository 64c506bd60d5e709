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
   * How long the operators have to cancel (stop the confirmation execution) after the alarm
   * fires and the alerts topic says so. 1 to 60 minutes.
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

/** Seconds between the detector's looks (one EventBridge schedule tick, one metric period). */
const LOOK_SECONDS = 60;

/**
 * An alarm-triggered failover with a confirmation window, in the recovery Region:
 *
 * - a detector function, every minute, asks the zone's name servers how Route 53 sees the
 *   primary (its status and fence records: the data plane, nothing in the primary Region) and
 *   writes 1 when the primary is withdrawn while its fence is open (an outage no runbook made);
 * - an alarm on that metric (n of n minutes; missing data never breaches) pages the alerts topic
 *   and, through EventBridge, starts the confirmation state machine;
 * - that machine announces the failover on the topic with how to cancel, waits the window,
 *   reads the alarm again, and only if it is still in ALARM invokes the failover runbook's entry
 *   function: `unplanned`, `allowDataLoss: true`, never `allowDetach`. The runbook then checks
 *   everything it checks for a person's request; its safety model is the same.
 *
 * Cancel: `aws stepfunctions stop-execution --execution-arn <the ARN in the announcement>`.
 * Hold it off for maintenance: `aws events disable-rule --name <ruleName>`.
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
  /** The rule that starts the confirmation state machine when the alarm fires. */
  public readonly rule: events.Rule;
  /** The confirmation window. */
  public readonly confirmationWindow: Duration;
  /** The consecutive one-minute looks the alarm needs. */
  public readonly evaluationPeriods: number;
  /** The outage alarm's name (literal). */
  public readonly alarmName: string;

  constructor(scope: Construct, id: string, props: AutoFailoverProps) {
    super(scope, id);
    const stack = Stack.of(this);
    validateAutoFailover(new Validator(this), props).throwIfAny();
    const S = AUTO_FAILOVER_STATES;
    this.confirmationWindow = props.confirmationWindow;
    this.evaluationPeriods = props.evaluationPeriods ?? 3;
    this.alarmName = `${props.strategyName}-auto-failover-${props.watchedRegion}`;

    const config: AutoFailoverDetectorConfig = { strategy: props.strategyName, watchedRegion: props.watchedRegion, dns: props.dns, namespace: AUTO_FAILOVER_NAMESPACE, metricName: AUTO_FAILOVER_METRIC };
    const logGroup = new logs.LogGroup(this, 'DetectorLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    const role = new iam.Role(this, 'DetectorRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: `Automatic failover of ${props.strategyName}: watches ${props.watchedRegion} through Route 53's answers` });
    logGroup.grantWrite(role);
    // PutMetricData has no resource-level permissions; the condition keeps it to this namespace.
    role.addToPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': AUTO_FAILOVER_NAMESPACE } } }));
    // Outside a VPC: it must reach the name servers when the VPC's egress is what failed.
    this.detector = new lambda.Function(this, 'Detector', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: bundledLambdaCode('auto-failover-detector'),
      role,
      logGroup,
      timeout: Duration.seconds(30),
      memorySize: 256,
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrency === false ? undefined : (props.reservedConcurrency ?? 1),
      environment: { DETECTOR_CONFIG: stack.toJsonString(config), AWS_MAX_ATTEMPTS: '2' },
    });
    // A missed look is a missing datapoint (no retry: the next minute looks again).
    new events.Rule(this, 'Schedule', {
      schedule: events.Schedule.rate(Duration.seconds(LOOK_SECONDS)),
      description: `cdk-resilience ${props.strategyName}: look at ${props.watchedRegion} through Route 53 every minute`,
      targets: [new targets.LambdaFunction(this.detector, { retryAttempts: 0, maxEventAge: Duration.seconds(LOOK_SECONDS) })],
    });

    const metric = (statistic: string): cloudwatch.Metric =>
      new cloudwatch.Metric({ namespace: AUTO_FAILOVER_NAMESPACE, metricName: AUTO_FAILOVER_METRIC, dimensionsMap: { Strategy: props.strategyName, Region: props.watchedRegion }, statistic, period: Duration.seconds(LOOK_SECONDS) });
    const alarmAction = new cwActions.SnsAction(props.topic);
    this.alarm = new cloudwatch.Alarm(this, 'Alarm', {
      alarmName: this.alarmName,
      alarmDescription: `Route 53 has withdrawn ${props.watchedRegion} with its fence open for ${this.evaluationPeriods} minutes: the automatic failover of ${props.strategyName} starts after a ${props.confirmationWindow.toHumanString()} confirmation window unless cancelled`,
      metric: metric('Maximum'),
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

    const publish = (name: string, message: sfn.TaskInput, resultPath = sfn.JsonPath.DISCARD): sfn.TaskStateBase =>
      new tasks.SnsPublish(this, `State${name}`, { stateName: name, topic: props.topic, subject: `cdk-resilience ${props.strategyName}: automatic failover`, message, resultPath, taskTimeout: sfn.Timeout.duration(Duration.seconds(30)) }).addRetry({
        errors: ['States.ALL'],
        interval: Duration.seconds(1),
        backoffRate: 2,
        maxAttempts: 4,
        jitterStrategy: sfn.JitterType.FULL,
      });
    const windowSeconds = props.confirmationWindow.toSeconds();
    const announce = publish(
      S.announce,
      sfn.TaskInput.fromJsonPathAt(
        `States.Format('Route 53 has withdrawn ${props.watchedRegion} with its traffic gates open for ${this.evaluationPeriods} minutes. The failover of ${props.strategyName} to ${stack.region} (unplanned: up to the replication lag of writes may be lost; consent given at synth) starts in ${windowSeconds} s unless cancelled. Cancel: aws stepfunctions stop-execution --region ${stack.region} --execution-arn {}', $$.Execution.Id)`,
      ),
    );
    // The announcement may fail (its topic's Region failing too): the window still runs.
    const wait = new sfn.Wait(this, `State${S.confirmationWindow}`, { stateName: S.confirmationWindow, time: sfn.WaitTime.duration(props.confirmationWindow) });
    announce.addCatch(wait, { errors: ['States.ALL'], resultPath: '$.announceError' });
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
    const start = new tasks.LambdaInvoke(this, `State${S.startFailover}`, {
      stateName: S.startFailover,
      lambdaFunction: props.entryFunction,
      payload: sfn.TaskInput.fromObject({
        action: 'failover',
        mode: 'unplanned',
        allowDataLoss: true,
        'requestId.$': "States.Format('auto-{}', $$.Execution.Name)",
        reason: `automatic failover: Route 53 withdrew ${props.watchedRegion} with its fence open for ${this.evaluationPeriods} minutes and nobody cancelled within ${windowSeconds} s`,
        'requestedBy.$': '$$.Execution.Id',
      }),
      payloadResponseOnly: true,
      resultPath: '$.entry',
      taskTimeout: sfn.Timeout.duration(Duration.seconds(90)),
      retryOnServiceExceptions: false,
    }).addRetry({ errors: RUNBOOK_TRANSIENT_ERRORS, interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 6, maxDelay: Duration.seconds(30), jitterStrategy: sfn.JitterType.FULL });
    const done = new sfn.Succeed(this, `State${S.done}`, { stateName: S.done });
    const refused = new sfn.Fail(this, `State${S.refused}`, { stateName: S.refused, error: 'AutomaticFailoverRefused', cause: 'the runbook refused or could not be started: see the alerts topic; a person decides now' });
    const reportRefusal = publish(
      S.reportRefusal,
      sfn.TaskInput.fromJsonPathAt("States.Format('The automatic failover could not start the runbook: {}. A person decides now (cdk-resilience failover).', States.JsonToString($.entry))"),
    );
    reportRefusal.addCatch(refused, { errors: ['States.ALL'], resultPath: '$.reportError' });
    reportRefusal.next(refused);
    start.addCatch(reportRefusal, { errors: ['States.ALL'], resultPath: '$.entry' });
    const accepted = publish(S.accepted, sfn.TaskInput.fromJsonPathAt("States.Format('The automatic failover started the runbook: {}. Follow it: cdk-resilience status.', $.entry.executionArn)"));
    accepted.addCatch(done, { errors: ['States.ALL'], resultPath: '$.reportError' });
    accepted.next(done);
    const recovered = publish(S.recovered, sfn.TaskInput.fromText(`${props.watchedRegion} recovered within the confirmation window (the alarm is no longer in ALARM): no failover.`));
    recovered.addCatch(done, { errors: ['States.ALL'], resultPath: '$.reportError' });
    recovered.next(done);
    const C = sfn.Condition;
    const definition = announce
      .next(wait)
      .next(readAlarm)
      .next(
        new sfn.Choice(this, `State${S.stillFailing}`, { stateName: S.stillFailing })
          .when(C.stringEquals('$.alarm.state', 'ALARM'), start.next(new sfn.Choice(this, 'StateAcceptedChoice', { stateName: 'WasAccepted' }).when(C.booleanEquals('$.entry.accepted', true), accepted).otherwise(reportRefusal)))
          .otherwise(recovered),
      );
    const smLogs = new logs.LogGroup(this, 'StateMachineLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: `${props.strategyName}-auto-failover`,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: props.confirmationWindow.plus(Duration.minutes(30)),
      tracingEnabled: true,
      logs: { destination: smLogs, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: `${props.strategyName}: automatic failover to ${stack.region} after a ${windowSeconds} s confirmation window`,
    });
    // The alerts topic is KMS-encrypted: SnsPublish grants sns:Publish only, the topic's grant adds its key.
    props.topic.grantPublish(this.stateMachine);
    this.rule = new events.Rule(this, 'OnAlarm', {
      description: `cdk-resilience ${props.strategyName}: the outage alarm starts the confirmation window of an automatic failover`,
      eventPattern: { source: ['aws.cloudwatch'], detailType: ['CloudWatch Alarm State Change'], resources: [this.alarm.alarmArn], detail: { state: { value: ['ALARM'] } } },
      // No DLQ: the alarm pages the topic itself, so a lost event leaves a person deciding, as without this construct.
      targets: [new targets.SfnStateMachine(this.stateMachine, { retryAttempts: 10, maxEventAge: Duration.minutes(15) })],
    });

    acknowledgeNagFinding(role.node.findChild('DefaultPolicy'), 'AwsSolutions-IAM5[Resource::*]', 'cloudwatch:PutMetricData supports no resource-level permissions; a condition keeps it to the automatic-failover namespace.');
    const smPolicy = this.stateMachine.role.node.findChild('DefaultPolicy');
    acknowledgeNagFinding(smPolicy, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray tracing and the vended log delivery of the state machine support no resource-level permissions.');
    acknowledgeNagFinding(smPolicy, `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(props.entryFunction.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`, 'Invoking the runbook entry function by any version or alias.');
    if (JSON.stringify(stack.resolve((smPolicy as iam.Policy).document.toJSON())).includes('kms:GenerateDataKey*')) {
      acknowledgeNagFinding(smPolicy, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', "Publishing to the KMS-encrypted alerts topic needs kms:GenerateDataKey* on that topic's key only (aws-cdk-lib's topic grant).");
    }
  }

  /**
   * The decision term this trigger gives the RTO, after Route 53's own detection: the alarm's
   * n one-minute looks and the confirmation window; in the worst case the failure begins just
   * after a look (one more minute) and CloudWatch evaluates the alarm a minute late.
   */
  public get decision(): AutoFailoverDecision {
    const window = this.confirmationWindow.toSeconds();
    const looks = this.evaluationPeriods * LOOK_SECONDS;
    return {
      seconds: looks + window,
      worstSeconds: looks + 2 * LOOK_SECONDS + window,
      formula: `automatic: the outage alarm's ${this.evaluationPeriods} one-minute looks (${looks} s; worst +${2 * LOOK_SECONDS} s, a look missed and a late evaluation) + the ${window} s confirmation window nobody cancelled`,
    };
  }
}

function validateAutoFailover(v: Validator, props: AutoFailoverOptions): Validator {
  v.duration('autoFailover.confirmationWindow', props.confirmationWindow, { code: 'DR_AUTO_FAILOVER', minSeconds: 60, maxSeconds: 3600, fix: 'give the operators 1 to 60 minutes to cancel, e.g. Duration.minutes(5)' });
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
