import { stateMachineRole } from '../core/service-principal';
import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { LAMBDA_TRANSIENT_ERRORS, RUNBOOK_STATES, type RunbookConfig, type RunbookEntry, runbookParameterName, TRANSIENT_ERRORS } from '../../protocol';
import { bundledLambdaCode } from '../core/lambda-code';
import { Validator } from '../core/validation';
import { acknowledgeRunbook, grantRunbook, RunbookFunctions } from './runbook-grants';

export type { RunbookConfig } from '../../protocol';

/**
 * Errors the state machine retries with backoff and full jitter: throttling, 5xx, timeouts,
 * Lambda's service errors and function timeouts (every step is idempotent). Refusals,
 * permission problems and a failed verification are never retried.
 */
export const RUNBOOK_TRANSIENT_ERRORS = [...TRANSIENT_ERRORS, ...LAMBDA_TRANSIENT_ERRORS];

/** The step names of a runbook's state machine (stable: tests and operators use them). */
export { RUNBOOK_STATES };

/** Props for {@link Runbook}. */
export interface RunbookProps {
  /** What the runbook acts on. Deployed in `config.targetRegion`. */
  readonly config: RunbookConfig;
  /**
   * Topic for the outcome (a topic of this stack; its KMS key is granted too).
   * @default - no notification, only metrics
   */
  readonly notifyTopic?: sns.ITopic;
  /**
   * The declared RTO of the strategy the runbook serves, published for the operator CLI
   * (progress against the target).
   * @default - none
   */
  readonly rto?: Duration;
  /**
   * Overall timeout of an execution.
   * @default Duration.hours(2)
   */
  readonly timeout?: Duration;
  /**
   * Reserved concurrency of each of the runbook's functions, so an account-wide concurrency
   * exhaustion in an outage cannot throttle the failover. `false` for none: Lambda refuses a
   * reservation that leaves the account fewer than 100 unreserved executions, and new
   * accounts may have a quota of only 10.
   * @default 2 (one execution runs at a time; 2 covers a retry overlapping a timed-out call)
   */
  readonly reservedConcurrency?: number | false;
  /**
   * The state machine's name: the runbook of the other direction finds this one's executions
   * by it (the lock holder's liveness). Strategies set `<name>-<direction>`.
   * @default - a generated name
   */
  readonly stateMachineName?: string;
}

/** Seconds a step function may run. */
const FUNCTION_TIMEOUT = Duration.seconds(60);
/** Seconds a task waits for its function: more than the function's own timeout, so that one fires first. */
const TASK_TIMEOUT = Duration.seconds(90);

/**
 * A failover runbook: a Step Functions standard workflow of small reconciling Lambdas
 * that moves the workload to this stack's Region, and an entry function operators
 * invoke. Deployed in the Region it moves the workload to.
 *
 * Preflight (validate, lock, plan) -> [database reconciler || compute reconciler] -> move
 * traffic (fence the source durably) -> wait -> verify on data planes, for one DNS TTL ->
 * notify. Every task has a timeout and retries transient errors with full-jitter backoff;
 * any failure is caught, reported with what was and was not done, and leaves state that a
 * re-run finishes.
 */
export class Runbook extends Construct {
  /** The state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** The function operators invoke. */
  public readonly entryFunction: lambda.Function;
  /** Step functions by name. */
  public readonly functions: Record<'preflight' | 'database' | 'compute' | 'traffic' | 'verify' | 'notify', lambda.Function>;
  /** The SSM parameter the operator CLI reads (`/cdk-resilience/runbooks/<name>/<targetRegion>`). */
  public readonly directoryParameter: ssm.StringParameter;
  /** The rendered configuration. */
  public readonly config: RunbookConfig;

  constructor(scope: Construct, id: string, props: RunbookProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const v = new Validator(this);
    if (props.reservedConcurrency !== undefined && props.reservedConcurrency !== false) {
      v.integer('reservedConcurrency', props.reservedConcurrency, { code: 'RUNBOOK_CONCURRENCY', min: 1, max: 100, fix: 'reserve 1-100 per function, or pass false for none' });
    }
    if (props.stateMachineName !== undefined && !Token.isUnresolved(props.stateMachineName)) {
      v.check(!/^[A-Za-z0-9_-]{1,80}$/.test(props.stateMachineName), {
        code: 'RUNBOOK_NAME',
        prop: 'stateMachineName',
        value: props.stateMachineName,
        message: 'a state machine name has 1-80 letters, digits, hyphens or underscores',
        fix: "pass stateMachineName: 'shop-failover'",
      });
    }
    v.throwIfAny();
    this.config = props.config;
    const configJson = stack.toJsonString(props.config);
    const S = RUNBOOK_STATES;
    const reserved = props.reservedConcurrency === false ? undefined : (props.reservedConcurrency ?? 2);

    const fn = (name: string, handler: string, timeout: Duration): lambda.Function => {
      const logGroup = new logs.LogGroup(this, `${name}Logs`, { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
      const role = new iam.Role(this, `${name}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Runbook ${props.config.name} (${props.config.direction} to ${props.config.targetRegion}): ${name}`,
      });
      logGroup.grantWrite(role);
      // Outside a VPC on purpose: a failover must reach the Regional APIs even when the
      // VPC's NAT or endpoints are what failed. Invoked synchronously (by Step Functions or
      // an operator), so there is no asynchronous event to lose and no DLQ to set.
      return new lambda.Function(this, name, {
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        handler: 'index.handler',
        code: bundledLambdaCode(handler),
        role,
        timeout,
        memorySize: 256,
        logGroup,
        tracing: lambda.Tracing.ACTIVE,
        reservedConcurrentExecutions: reserved,
        environment: {
          RUNBOOK_CONFIG: configJson,
          AWS_MAX_ATTEMPTS: '3',
          POWERTOOLS_SERVICE_NAME: props.config.name,
        },
      });
    };

    this.functions = {
      preflight: fn('Preflight', 'runbook-preflight', FUNCTION_TIMEOUT),
      database: fn('Database', 'runbook-database', FUNCTION_TIMEOUT),
      compute: fn('Compute', 'runbook-compute', FUNCTION_TIMEOUT),
      traffic: fn('Traffic', 'runbook-traffic', FUNCTION_TIMEOUT),
      verify: fn('Verify', 'runbook-verify', FUNCTION_TIMEOUT),
      notify: fn('Notify', 'runbook-notify', Duration.seconds(30)),
    };
    this.entryFunction = fn('Entry', 'runbook-entry', FUNCTION_TIMEOUT);
    const all: RunbookFunctions = { ...this.functions, entry: this.entryFunction };
    grantRunbook(stack, props.config, all, props.notifyTopic);

    const retry = (task: sfn.TaskStateBase, maxAttempts = 6): sfn.TaskStateBase =>
      task.addRetry({
        errors: RUNBOOK_TRANSIENT_ERRORS,
        interval: Duration.seconds(1),
        backoffRate: 2,
        maxAttempts,
        maxDelay: Duration.seconds(30),
        jitterStrategy: sfn.JitterType.FULL,
      });
    const invoke = (stateName: string, f: lambda.IFunction, payload: sfn.TaskInput | undefined, resultPath: string): tasks.LambdaInvoke =>
      new tasks.LambdaInvoke(this, `State${stateName}`, {
        stateName,
        lambdaFunction: f,
        payload,
        payloadResponseOnly: true,
        resultPath,
        taskTimeout: sfn.Timeout.duration(TASK_TIMEOUT),
        retryOnServiceExceptions: false,
      });
    // Every step gets the request and the execution's ARN (the lock holder) explicitly.
    const input = (extra: Record<string, string> = {}): sfn.TaskInput => sfn.TaskInput.fromObject({ 'request.$': '$.request', 'execution.$': '$.execution', ...extra });

    const preflight = retry(invoke(S.preflight, this.functions.preflight, input(), '$.plan'));

    const loop = (kind: 'database' | 'compute'): sfn.IChainable => {
      const [init, task, done, wait, out] =
        kind === 'database'
          ? [S.initDatabase, S.database, S.databaseDone, S.databaseWait, S.databaseOut]
          : [S.initCompute, S.compute, S.computeDone, S.computeWait, S.computeOut];
      const initState = new sfn.Pass(this, `State${init}`, { stateName: init, result: sfn.Result.fromObject({}), resultPath: `$.${kind}` });
      const reconcile = retry(invoke(task, this.functions[kind], input({ [`${kind}.$`]: `$.${kind}` }), `$.${kind}`), 10);
      const waitState = new sfn.Wait(this, `State${wait}`, { stateName: wait, time: sfn.WaitTime.secondsPath(`$.${kind}.waitSeconds`) });
      const output = new sfn.Pass(this, `State${out}`, { stateName: out, outputPath: `$.${kind}` });
      return initState.next(reconcile).next(new sfn.Choice(this, `State${done}`, { stateName: done }).when(sfn.Condition.booleanEquals(`$.${kind}.done`, true), output).otherwise(waitState.next(reconcile)));
    };

    const recover = new sfn.Parallel(this, `State${S.recover}`, { stateName: S.recover, resultPath: '$.parallel' }).branch(loop('database')).branch(loop('compute'));
    const traffic = retry(invoke(S.traffic, this.functions.traffic, input(), '$.traffic'));
    const trafficWait = new sfn.Wait(this, `State${S.trafficWait}`, { stateName: S.trafficWait, time: sfn.WaitTime.secondsPath('$.traffic.waitSeconds') });
    const initVerify = new sfn.Pass(this, 'StateInitVerify', { stateName: 'InitVerify', result: sfn.Result.fromObject({}), resultPath: '$.verify' });
    const verify = retry(invoke(S.verify, this.functions.verify, input({ 'verify.$': '$.verify' }), '$.verify'));
    const verifyWait = new sfn.Wait(this, `State${S.verifyWait}`, { stateName: S.verifyWait, time: sfn.WaitTime.secondsPath('$.verify.waitSeconds') });
    const verified = new sfn.Pass(this, `State${S.verifyOut}`, { stateName: S.verifyOut });
    // Notify gets the whole execution state (no payload: the state's input goes as is).
    const notify = retry(invoke(S.notify, this.functions.notify, undefined, '$.report'));
    const notifyFailure = retry(invoke(S.notifyFailure, this.functions.notify, undefined, '$.report'));
    const failed = new sfn.Fail(this, `State${S.failed}`, { stateName: S.failed, errorPath: '$.error.Error', causePath: '$.error.Cause' });
    const succeeded = new sfn.Succeed(this, `State${S.succeeded}`, { stateName: S.succeeded });
    // A failover that completed stays completed when only its notification fails: the
    // execution succeeds, and its output says the report was not sent.
    const notificationFailed = new sfn.Pass(this, `State${S.notificationFailed}`, { stateName: S.notificationFailed }).next(succeeded);
    notify.addCatch(notificationFailed, { errors: ['States.ALL'], resultPath: '$.notificationError' });
    notifyFailure.next(failed);
    // A failure report that cannot be made (its function failing every attempt, its Region
    // failing under it) must not hide the failure nor the data at risk: the execution fails
    // with the step's own error, its cause saying what the report would have (the lag
    // Preflight read may be minutes older than a promotion, so the amount is unknown).
    const noReport = (name: string, format: string): sfn.IChainable =>
      new sfn.Pass(this, `State${name}`, { stateName: name, parameters: { 'Error.$': '$.error.Error', 'Cause.$': format }, resultPath: '$.error' }).next(failed);
    // A Choice rule on a path that is absent fails the execution (except IsPresent): test presence first.
    const C = sfn.Condition;
    const riskUnknown = noReport(S.riskUnknownInError, "States.Format('{} (no report could be made: if a promotion was made, an unknown amount of writes may be lost)', $.error.Cause)");
    const riskKnown = new sfn.Choice(this, `State${S.riskKnown}`, { stateName: S.riskKnown })
      .when(C.isNumeric('$.plan.dataLossRiskSeconds'), noReport(S.riskInError, "States.Format('{} (no report could be made: if a promotion was made, an unknown amount of writes may be lost; Preflight read a replication lag of {} s)', $.error.Cause, $.plan.dataLossRiskSeconds)"))
      .otherwise(riskUnknown);
    const causeKind = new sfn.Choice(this, `State${S.causeKind}`, { stateName: S.causeKind })
      .when(C.and(C.isString('$.error.Cause'), C.isPresent('$.plan.dataLossRiskSeconds')), riskKnown)
      .when(C.isString('$.error.Cause'), riskUnknown)
      .otherwise(failed);
    const reportUnavailable = new sfn.Choice(this, `State${S.reportUnavailable}`, { stateName: S.reportUnavailable }).when(C.isPresent('$.error.Cause'), causeKind).otherwise(failed);
    notifyFailure.addCatch(reportUnavailable, { errors: ['States.ALL'], resultPath: '$.notificationError' });
    for (const state of [preflight, recover, traffic, verify] as (sfn.TaskStateBase | sfn.Parallel)[]) {
      state.addCatch(notifyFailure, { errors: ['States.ALL'], resultPath: '$.error' });
    }

    const start = new sfn.Pass(this, 'StateStart', {
      stateName: 'Start',
      parameters: { 'request.$': '$.request', 'execution.$': '$$.Execution.Id', 'startedAt.$': '$$.Execution.StartTime' },
    });
    const verifyLoop = initVerify
      .next(verify)
      .next(new sfn.Choice(this, `State${S.verifyDone}`, { stateName: S.verifyDone }).when(sfn.Condition.booleanEquals('$.verify.done', true), verified.next(notify)).otherwise(verifyWait.next(verify)));
    const definition = start
      .next(preflight)
      .next(new sfn.Choice(this, `State${S.alreadyDone}`, { stateName: S.alreadyDone }).when(sfn.Condition.booleanEquals('$.plan.alreadyDone', true), notify).otherwise(recover.next(traffic).next(trafficWait).next(verifyLoop)));
    notify.next(succeeded);

    const smLogs = new logs.LogGroup(this, 'StateMachineLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      role: stateMachineRole(this, 'StateMachineRole', `${props.config.name}: the ${props.config.direction} runbook's state machine`),
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: props.timeout ?? Duration.hours(2),
      tracingEnabled: true,
      logs: { destination: smLogs, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: `${props.config.name}: ${props.config.direction} to ${props.config.targetRegion}`,
    });
    this.entryFunction.addEnvironment('STATE_MACHINE_ARN', this.stateMachine.stateMachineArn);
    // Published where the runbook runs, so the operator CLI finds it by strategy and Region.
    const entry: RunbookEntry = {
      strategy: props.config.name,
      direction: props.config.direction,
      targetRegion: props.config.targetRegion,
      sourceRegion: props.config.sourceRegion,
      entryFunctionName: this.entryFunction.functionName,
      stateMachineArn: this.stateMachine.stateMachineArn,
      rtoSeconds: props.rto?.toSeconds(),
      steps: [
        { name: S.preflight },
        { name: S.database, doneWhen: S.databaseOut },
        { name: S.compute, doneWhen: S.computeOut },
        { name: S.traffic },
        { name: S.trafficWait },
        { name: S.verify, doneWhen: S.verifyOut },
        { name: S.notify },
      ],
    };
    this.directoryParameter = new ssm.StringParameter(this, 'Directory', {
      parameterName: runbookParameterName(props.config.name, props.config.targetRegion),
      stringValue: stack.toJsonString(entry),
      description: `cdk-resilience runbook ${props.config.name}: ${props.config.direction} to ${props.config.targetRegion} (read by the operator CLI)`,
    });
    this.stateMachine.grantStartExecution(this.entryFunction);
    this.entryFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:ListExecutions'], resources: [this.stateMachine.stateMachineArn] }));
    this.entryFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution'],
        resources: [stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${this.stateMachine.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }),
    );
    acknowledgeRunbook(stack, props.config, all, this.stateMachine, props.stateMachineName);
  }
}
