import { ArnFormat, CfnElement, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct, IConstruct } from 'constructs';
import { RUNBOOK_STATES, type RunbookConfig, type RunbookEntry, runbookParameterName, TRANSIENT_ERRORS } from '../../protocol';
import { bundledLambdaCode } from '../core/lambda-code';
import { acknowledgeNagFinding } from '../core/nag';

export type { RunbookConfig } from '../../protocol';

/** Errors the state machine retries with backoff and full jitter: throttling, 5xx, timeouts. */
export const RUNBOOK_TRANSIENT_ERRORS = [...TRANSIENT_ERRORS, 'Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'Lambda.SdkClientException', 'States.Timeout'];

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
}

/**
 * A failover runbook: a Step Functions standard workflow of small reconciling Lambdas
 * that moves the workload to this stack's Region, and an entry function operators
 * invoke. Deployed in the Region it moves the workload to.
 *
 * Preflight -> [database reconciler || compute reconciler] -> shift traffic (fencing the
 * source) -> verify -> notify. Every task has a timeout and retries transient errors with
 * full-jitter backoff; any failure is caught, reported with what was and was not done,
 * and leaves state that a re-run finishes.
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
    this.config = props.config;
    const configJson = stack.toJsonString(props.config);
    const S = RUNBOOK_STATES;

    const fn = (name: string, handler: string, timeout: Duration): lambda.Function => {
      const logGroup = new logs.LogGroup(this, `${name}Logs`, { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
      const role = new iam.Role(this, `${name}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Runbook ${props.config.name} (${props.config.direction} to ${props.config.targetRegion}): ${name}`,
      });
      logGroup.grantWrite(role);
      const f = new lambda.Function(this, name, {
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        handler: 'index.handler',
        code: bundledLambdaCode(handler),
        role,
        timeout,
        memorySize: 256,
        logGroup,
        tracing: lambda.Tracing.ACTIVE,
        environment: {
          RUNBOOK_CONFIG: configJson,
          AWS_MAX_ATTEMPTS: '3',
          POWERTOOLS_SERVICE_NAME: props.config.name,
        },
      });
      return f;
    };

    this.functions = {
      preflight: fn('Preflight', 'runbook-preflight', Duration.seconds(60)),
      database: fn('Database', 'runbook-database', Duration.seconds(60)),
      compute: fn('Compute', 'runbook-compute', Duration.seconds(60)),
      traffic: fn('Traffic', 'runbook-traffic', Duration.seconds(60)),
      verify: fn('Verify', 'runbook-verify', Duration.seconds(60)),
      notify: fn('Notify', 'runbook-notify', Duration.seconds(30)),
    };
    this.entryFunction = fn('Entry', 'runbook-entry', Duration.seconds(60));
    this.grant(props);

    const retry = (task: sfn.TaskStateBase, maxAttempts = 6): sfn.TaskStateBase =>
      task.addRetry({
        errors: RUNBOOK_TRANSIENT_ERRORS,
        interval: Duration.seconds(1),
        backoffRate: 2,
        maxAttempts,
        maxDelay: Duration.seconds(30),
        jitterStrategy: sfn.JitterType.FULL,
      });
    const invoke = (stateName: string, f: lambda.IFunction, payload: sfn.TaskInput | undefined, resultPath: string, timeout: Duration): tasks.LambdaInvoke =>
      new tasks.LambdaInvoke(this, `State${stateName}`, {
        stateName,
        lambdaFunction: f,
        payload,
        payloadResponseOnly: true,
        resultPath,
        taskTimeout: sfn.Timeout.duration(timeout),
        retryOnServiceExceptions: false,
      });

    const preflight = retry(invoke(S.preflight, this.functions.preflight, sfn.TaskInput.fromObject({ 'request.$': '$.request' }), '$.plan', Duration.seconds(90)));

    const loop = (kind: 'database' | 'compute'): sfn.IChainable => {
      const [init, task, done, wait, out] =
        kind === 'database'
          ? [S.initDatabase, S.database, S.databaseDone, S.databaseWait, S.databaseOut]
          : [S.initCompute, S.compute, S.computeDone, S.computeWait, S.computeOut];
      const initState = new sfn.Pass(this, `State${init}`, { stateName: init, result: sfn.Result.fromObject({}), resultPath: `$.${kind}` });
      const reconcile = retry(
        invoke(task, this.functions[kind], sfn.TaskInput.fromObject({ 'request.$': '$.request', [`${kind}.$`]: `$.${kind}` }), `$.${kind}`, Duration.seconds(90)),
        10,
      );
      const waitState = new sfn.Wait(this, `State${wait}`, { stateName: wait, time: sfn.WaitTime.secondsPath(`$.${kind}.waitSeconds`) });
      const output = new sfn.Pass(this, `State${out}`, { stateName: out, outputPath: `$.${kind}` });
      return initState.next(reconcile).next(new sfn.Choice(this, `State${done}`, { stateName: done }).when(sfn.Condition.booleanEquals(`$.${kind}.done`, true), output).otherwise(waitState.next(reconcile)));
    };

    const recover = new sfn.Parallel(this, `State${S.recover}`, { stateName: S.recover, resultPath: '$.parallel' }).branch(loop('database')).branch(loop('compute'));
    const traffic = retry(invoke(S.traffic, this.functions.traffic, undefined, '$.traffic', Duration.seconds(90)));
    const trafficWait = new sfn.Wait(this, `State${S.trafficWait}`, { stateName: S.trafficWait, time: sfn.WaitTime.secondsPath('$.traffic.waitSeconds') });
    const verify = invoke(S.verify, this.functions.verify, undefined, '$.verify', Duration.seconds(90));
    verify.addRetry({ errors: ['VerificationFailed', ...RUNBOOK_TRANSIENT_ERRORS], interval: Duration.seconds(5), backoffRate: 1.5, maxAttempts: 8, jitterStrategy: sfn.JitterType.FULL });
    const notify = retry(invoke(S.notify, this.functions.notify, undefined, '$.report', Duration.seconds(60)));
    const notifyFailure = retry(invoke(S.notifyFailure, this.functions.notify, undefined, '$.report', Duration.seconds(60)));
    const failed = new sfn.Fail(this, `State${S.failed}`, { stateName: S.failed, errorPath: '$.error.Error', causePath: '$.error.Cause' });
    const succeeded = new sfn.Succeed(this, `State${S.succeeded}`, { stateName: S.succeeded });
    notifyFailure.next(failed);
    for (const state of [preflight, recover, traffic, verify] as (sfn.TaskStateBase | sfn.Parallel)[]) {
      state.addCatch(notifyFailure, { errors: ['States.ALL'], resultPath: '$.error' });
    }

    const start = new sfn.Pass(this, 'StateStart', { stateName: 'Start', parameters: { 'request.$': '$.request', 'startedAt.$': '$$.Execution.StartTime' } });
    const definition = start
      .next(preflight)
      .next(
        new sfn.Choice(this, `State${S.alreadyDone}`, { stateName: S.alreadyDone })
          .when(sfn.Condition.booleanEquals('$.plan.alreadyDone', true), notify)
          .otherwise(recover.next(traffic).next(trafficWait).next(verify).next(notify)),
      );
    notify.next(succeeded);

    const smLogs = new logs.LogGroup(this, 'StateMachineLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
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
        { name: S.verify },
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
    this.acknowledge();
  }

  /** Least-privilege grants, scoped to this strategy's resources. */
  private grant(props: RunbookProps): void {
    const c = props.config;
    const stack = Stack.of(this);
    const f = this.functions;
    const readers = [f.preflight, f.database, f.compute, f.verify, this.entryFunction, f.traffic];
    const add = (fns: lambda.Function[], actions: string[], resources: string[]): void => {
      for (const x of fns) x.addToRolePolicy(new iam.PolicyStatement({ actions, resources }));
    };
    const partition = stack.partition;
    const account = stack.account;
    const asgArn = (region: string, name: string): string => `arn:${partition}:autoscaling:${region}:${account}:autoScalingGroup:*:autoScalingGroupName/${name}`;

    // Describe* calls of ELB, Auto Scaling and CloudWatch GetMetricData do not support
    // resource-level permissions: AWS requires '*' for them.
    add(readers, ['elasticloadbalancing:DescribeTargetHealth', 'autoscaling:DescribeAutoScalingGroups', 'cloudwatch:GetMetricData'], ['*']);

    if (c.database.kind === 'aurora-global') {
      const globalArn = `arn:${partition}:rds::${account}:global-cluster:${c.database.globalClusterIdentifier}`;
      const clusterArns = Object.values(c.database.clusters).map((x) => x.arn);
      const target = c.database.clusters[c.targetRegion];
      const writerInstanceArn = `arn:${partition}:rds:${c.targetRegion}:${account}:db:${target.identifier}-writer`;
      add(readers, ['rds:DescribeGlobalClusters'], [globalArn]);
      add([f.database, f.preflight, f.verify, this.entryFunction], ['rds:DescribeDBClusters'], clusterArns);
      // DescribeDBInstances with a db-cluster-id filter is authorized on the db resource type.
      add([f.database], ['rds:DescribeDBInstances'], [`arn:${partition}:rds:${c.targetRegion}:${account}:db:*`]);
      add([f.database], ['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster', 'rds:RemoveFromGlobalCluster'], [globalArn, ...clusterArns]);
      add([f.database], ['rds:CreateDBInstance'], [writerInstanceArn, target.arn]);
    } else if (c.database.kind === 'aurora-replica') {
      const replicaArn = c.database.replica.arn;
      add(readers, ['rds:DescribeDBClusters'], [replicaArn]);
      add([f.database], ['rds:PromoteReadReplicaDBCluster'], [replicaArn]);
    } else {
      const replicaArn = c.database.replica.arn;
      add(readers, ['rds:DescribeDBInstances'], [replicaArn]);
      add([f.database], ['rds:PromoteReadReplica'], [replicaArn]);
    }

    add([f.compute], ['autoscaling:UpdateAutoScalingGroup'], [asgArn(c.compute.target.region, c.compute.target.asgName)]);
    if (c.traffic.kind === 'routing-control') {
      const controlArns = Object.values(c.traffic.controls);
      add(readers, ['route53-recovery-cluster:GetRoutingControlState'], controlArns);
      add([f.traffic], ['route53-recovery-cluster:UpdateRoutingControlState', 'route53-recovery-cluster:UpdateRoutingControlStates'], controlArns);
      const p = c.traffic.endpointsParameter;
      add(readers, ['ssm:GetParameter'], [`arn:${partition}:ssm:${p.region}:${account}:parameter${p.name}`]);
    } else {
      add([f.traffic], ['autoscaling:UpdateAutoScalingGroup'], [asgArn(c.compute.source.region, c.compute.source.asgName)]);
    }
    props.notifyTopic?.grantPublish(f.notify);
  }

  /** cdk-nag: the wildcards AWS forces, acknowledged finding by finding with the reason. */
  private acknowledge(): void {
    const stack = Stack.of(this);
    const c = this.config;
    const policyOf = (role: iam.IRole | undefined): IConstruct | undefined => role?.node.tryFindChild('DefaultPolicy');
    const ack = (role: iam.IRole | undefined, finding: string, reason: string): void => {
      const policy = policyOf(role);
      if (policy) acknowledgeNagFinding(policy, `AwsSolutions-IAM5[${finding}]`, reason);
    };
    const readers = [this.functions.preflight, this.functions.database, this.functions.compute, this.functions.verify, this.functions.traffic, this.entryFunction];
    for (const f of readers) {
      ack(
        f.role,
        'Resource::*',
        "elasticloadbalancing:DescribeTargetHealth, autoscaling:DescribeAutoScalingGroups, cloudwatch:GetMetricData and X-Ray's PutTraceSegments/PutTelemetryRecords support no resource-level permissions; every write is scoped to this strategy's ARNs.",
      );
    }
    ack(this.functions.notify.role, 'Resource::*', "X-Ray's PutTraceSegments and PutTelemetryRecords (active tracing) support no resource-level permissions.");
    const asgArn = (region: string, name: string): string => `arn:${stack.partition}:autoscaling:${region}:${stack.account}:autoScalingGroup:*:autoScalingGroupName/${name}`;
    const asgReason = 'An Auto Scaling group ARN carries a generated id; the group is pinned by its name, the only stable part.';
    ack(this.functions.compute.role, `Resource::${asgArn(c.compute.target.region, c.compute.target.asgName)}`, asgReason);
    if (c.traffic.kind === 'health-check') ack(this.functions.traffic.role, `Resource::${asgArn(c.compute.source.region, c.compute.source.asgName)}`, asgReason);
    if (c.database.kind === 'aurora-global') {
      ack(
        this.functions.database.role,
        `Resource::arn:${stack.partition}:rds:${c.targetRegion}:${stack.account}:db:*`,
        "DescribeDBInstances filtered by the target cluster: its instances' names are generated, so only db:* in this Region and account can match them; it only reads.",
      );
    }
    ack(
      this.functions.notify.role,
      'Action::kms:GenerateDataKey*',
      "Publishing to the KMS-encrypted notification topic needs kms:GenerateDataKey* on that topic's key only (aws-cdk-lib's topic grant).",
    );
    ack(
      this.entryFunction.role,
      `Resource::arn:${stack.partition}:states:${stack.region}:${stack.account}:execution:<${stack.getLogicalId(this.stateMachine.node.defaultChild as CfnElement)}.Name>:*`,
      'DescribeExecution of this state machine\'s executions (by requestId), whose names are only known at run time.',
    );
    const smRole = this.stateMachine.role;
    for (const f of [...Object.values(this.functions)]) {
      ack(
        smRole,
        `Resource::<${stack.getLogicalId(f.node.defaultChild as CfnElement)}.Arn>:*`,
        "Step Functions' Lambda integration grant covers the function's versions and aliases (aws-cdk-lib's LambdaInvoke).",
      );
    }
    ack(
      smRole,
      'Resource::*',
      'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules/Targets) and CloudWatch Logs delivery (logs:CreateLogDelivery and friends) support no resource-level permissions.',
    );
  }
}
