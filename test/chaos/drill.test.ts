/**
 * Drills run in the local Step Functions interpreter: the synthesized state machine, the
 * real drill function (its CloudWatch and SNS clients mocked with aws-sdk-client-mock),
 * and a small simulated world behind the FIS / runbook tasks, on a virtual clock.
 */
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { StateMachine } from 'aws-local-stepfunctions';
import { handler as drillHandler } from '../../lambda/drill';
import { installClock } from '../../lambda/shared/clock';
import { DrillReport } from '../../protocol';
import { Drill, DRILL_METRICS_NAMESPACE, DRILL_STATES, InstanceTerminationScenario, ResilienceError, WebTier } from '../../lib';
import { errorOf, flattenTokens, nagFindings, newStack, TEST_AZS } from '../helpers/app';

type Json = Record<string, unknown>;
const S = DRILL_STATES;

/** A world: what the metrics, the alarm and the experiment or runbook look like at time t (s). */
interface World {
  hosts(t: number): number;
  alarm(t: number): 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  /** Status of the experiment or runbook execution, t seconds after it started. */
  status(sinceStart: number, stoppedAt?: number): string;
  /** The runbook entry function's answer. */
  entry?: Json;
}

function build(kind: 'experiment' | 'runbook', extra: Partial<ConstructorParameters<typeof Drill>[2]> = {}): { stack: Stack; drill: Drill; web: WebTier } {
  const stack = newStack();
  const web = new WebTier(stack, 'Web', { vpcProps: { availabilityZones: TEST_AZS }, capacity: { min: 4, max: 12 } });
  const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true });
  if (kind === 'experiment') {
    const { experiment } = new InstanceTerminationScenario(stack, 'Terminate', { web });
    return { stack, web, drill: new Drill(stack, 'Drill', { experiment, web, rto: Duration.minutes(5), alarmTopic: topic, ...extra }) };
  }
  // A stand-in for a Runbook: its entry function and state machine (the drill only needs those).
  const entryFunction = new lambda.Function(stack, 'Entry', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>({})') });
  const stateMachine = new sfn.StateMachine(stack, 'Runbook', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Succeed(stack, 'Done')) });
  return { stack, web, drill: new Drill(stack, 'Drill', { runbook: { entryFunction, stateMachine }, web, rto: Duration.minutes(10), alarmTopic: topic, recoveredHosts: 6, ...extra }) };
}

function definitionOf(drill: Drill): Json {
  const stack = Stack.of(drill);
  const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Properties: { DefinitionString: unknown } }> };
  const def = template.Resources[stack.getLogicalId(drill.stateMachine.node.defaultChild as never)].Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] };
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '111111111111', 'AWS::URLSuffix': 'amazonaws.com' };
  const text = def['Fn::Join'][1]
    .map((p) => (typeof p === 'string' ? p : pseudo[(p as { Ref?: string }).Ref ?? ''] ?? `arn:aws:lambda:us-east-1:111111111111:function:${JSON.stringify(p).replace(/\W/g, '')}`))
    .join('');
  return JSON.parse(text) as Json;
}

interface RunResult {
  status: 'SUCCEEDED' | 'FAILED';
  report?: DrillReport;
  states: string[];
  stopCalls: number;
  started: number;
  metrics: { name: string; value: number }[];
  messages: string[];
}

async function run(drill: Drill, world: World): Promise<RunResult> {
  const stack = Stack.of(drill);
  const config = stack.resolve(drill.config) as Json;
  // Tokens in the config (alarm names, dimensions) become their logical ids: stable strings.
  const flat = flattenTokens(config);
  process.env.DRILL_CONFIG = JSON.stringify(flat);
  process.env.AWS_MAX_ATTEMPTS = '1';
  const poll = flat.pollSeconds as number;
  const alarmNames = flat.alarmNames as string[];

  let t = 0;
  installClock({ now: () => Date.UTC(2026, 10, 22) + t * 1000 });
  let startedAt: number | undefined;
  let stoppedAt: number | undefined;
  let stopCalls = 0;
  let started = 0;
  const states: string[] = [];
  const cw = mockClient(CloudWatchClient);
  const sn = mockClient(SNSClient);
  cw.on(GetMetricDataCommand).callsFake(() => ({ MetricDataResults: [{ Id: 'hosts0', Values: [world.hosts(t)] }] }));
  cw.on(DescribeAlarmsCommand).callsFake(() => ({ MetricAlarms: alarmNames.map((n) => ({ AlarmName: n, StateValue: world.alarm(t) })) }));
  cw.on(PutMetricDataCommand).resolves({});
  sn.on(PublishCommand).resolves({ MessageId: 'm' });

  const fn = (name: string) => async (input: unknown) => {
    states.push(name);
    return drillHandler(input as never);
  };
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {
    [S.baseline]: fn(S.baseline),
    [S.check]: fn(S.check),
    [S.report]: fn(S.report),
    [S.reportFailure]: fn(S.reportFailure),
    ReportNotSteady: fn('ReportNotSteady'),
    [S.start]: async () => {
      states.push(S.start);
      started++;
      startedAt = t;
      if (world.entry) return world.entry;
      return drill.config.mode === 'runbook' ? { accepted: true, executionArn: 'arn:aws:states:us-east-1:111111111111:execution:rb:drill-1', duplicate: false, status: 'RUNNING' } : { Experiment: { Id: 'EXP1', State: { Status: 'initiating' } } };
    },
    [S.status]: async () => {
      states.push(S.status);
      t += poll; // the Wait state before this pass
      const st = world.status(t - startedAt!, stoppedAt === undefined ? undefined : stoppedAt - startedAt!);
      return drill.config.mode === 'runbook' ? { Status: st } : { Experiment: { Id: 'EXP1', State: { Status: st } } };
    },
    [S.stop]: async () => {
      states.push(S.stop);
      stopCalls++;
      stoppedAt = t;
      return {};
    },
    [S.cleanup]: async () => {
      states.push(S.cleanup);
      stopCalls++;
      return {};
    },
  };
  const definition = definitionOf(drill) as Json & { States: Record<string, { Type: string }> };
  const zero = Object.fromEntries(Object.entries(definition.States).filter(([, s]) => s.Type === 'Wait').map(([n]) => [n, 0]));
  if (process.env.DRILL_DUMP) require('fs').writeFileSync('/tmp/drill-def.json', JSON.stringify(definition, null, 1));
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false, checkPaths: false } });
  const execution = machine.run({}, { overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: zero, retryIntervalOverrides: Object.fromEntries(Object.entries(definition.States).filter(([, s]) => s.Type === 'Task').map(([n]) => [n, 0])) }, context: { Execution: { Name: 'drill-1' } } as never });
  let status: RunResult['status'] = 'SUCCEEDED';
  let output: Json | undefined;
  try {
    output = (await execution.result) as Json;
  } catch {
    status = 'FAILED';
  }
  const reportCall = sn.commandCalls(PublishCommand)[0];
  const report = reportCall ? (JSON.parse(reportCall.args[0].input.Message!) as DrillReport) : undefined;
  const metrics = cw.commandCalls(PutMetricDataCommand).flatMap((c) => (c.args[0].input.MetricData ?? []).map((m) => ({ name: m.MetricName!, value: m.Value! })));
  const messages = sn.commandCalls(PublishCommand).map((c) => c.args[0].input.Subject!);
  cw.restore();
  sn.restore();
  installClock(undefined);
  void output;
  return { status, report, states, stopCalls, started, metrics, messages };
}

describe('Drill: template', () => {
  const { stack, drill, web } = build('experiment');
  const t = Template.fromStack(stack);

  test('a logged, traced state machine that starts the experiment with the execution name as its client token', () => {
    const def = definitionOf(drill) as { States: Record<string, Json> };
    expect(def.States[S.start]).toMatchObject({ Resource: 'arn:aws:states:::aws-sdk:fis:startExperiment', Parameters: { 'ClientToken.$': '$$.Execution.Name' } });
    expect(def.States[S.status]).toMatchObject({ Resource: 'arn:aws:states:::aws-sdk:fis:getExperiment' });
    expect(def.States[S.stop]).toMatchObject({ Resource: 'arn:aws:states:::aws-sdk:fis:stopExperiment' });
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true }, LoggingConfiguration: Match.objectLike({ Level: 'ALL' }) });
  });
  test('the function measures the web tier and reports to the topic, in the drill namespace', () => {
    const config = stack.resolve(drill.config);
    expect(config).toMatchObject({ mode: 'experiment', rtoSeconds: 300, pollSeconds: 30, namespace: DRILL_METRICS_NAMESPACE, alarmNames: [stack.resolve(web.alarms.serverErrorRate.alarmName)] });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'cloudwatch:PutMetricData', Condition: { StringEquals: { 'cloudwatch:namespace': DRILL_METRICS_NAMESPACE } } })]) },
    });
  });
  test('the state machine may start, read and stop experiments of this template only', () => {
    const policy = JSON.stringify(t.findResources('AWS::IAM::Policy'));
    expect(policy).toContain('fis:StartExperiment');
    expect(policy).toContain('fis:StopExperiment');
    expect(policy).toContain(':experiment-template/');
  });
  test('cdk-nag clean', () => {
    expect(nagFindings(stack).filter((f) => f.includes('/Drill/'))).toEqual([]);
  });
  test('the failover variant starts the runbook through its entry function and follows the execution; cdk-nag clean', () => {
    const { stack: s2, drill: d2 } = build('runbook');
    const def = definitionOf(d2) as { States: Record<string, Json> };
    expect(def.States[S.start]).toMatchObject({ Parameters: { action: 'failover', mode: 'planned', 'requestId.$': '$$.Execution.Name', reason: 'drill drill' } });
    expect(def.States[S.status]).toMatchObject({ Resource: 'arn:aws:states:::aws-sdk:sfn:describeExecution', Parameters: { 'ExecutionArn.$': '$.target.executionArn' } });
    expect(def.States[S.stop]).toBeUndefined();
    expect(nagFindings(s2).filter((f) => f.includes('/Drill/'))).toEqual([]);
  });

  test('invalid props are refused', () => {
    const err = errorOf(() => build('experiment', { runbook: { entryFunction: undefined as never, stateMachine: undefined as never } }));
    expect(err).toBeInstanceOf(ResilienceError);
    expect(err.codes).toContain('DRILL_TARGET');
    expect(errorOf(() => build('experiment', { pollInterval: Duration.seconds(1) })).codes).toContain('DRILL_POLL');
    expect(errorOf(() => build('experiment', { unplanned: true })).codes).toContain('DRILL_UNPLANNED');
    expect(errorOf(() => build('experiment', { allowDetach: true })).codes).toContain('DRILL_DETACH');
    expect(errorOf(() => build('experiment', { reservedConcurrency: 0 })).codes).toContain('DRILL_CONCURRENCY');
    expect(errorOf(() => build('experiment', { reservedConcurrency: 1.5 })).codes).toContain('DRILL_CONCURRENCY');
  });

  test('the drill function has reserved concurrency (2 by default, none with false) and its steps retry a function timeout', () => {
    const reserved = (d: Drill): unknown => (Stack.of(d).resolve((d.function.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions));
    expect(reserved(build('experiment').drill)).toBe(2);
    expect(reserved(build('experiment', { reservedConcurrency: false }).drill)).toBeUndefined();
    expect(reserved(build('experiment', { reservedConcurrency: 7 }).drill)).toBe(7);
    const def = definitionOf(build('runbook').drill) as { States: Record<string, { Resource?: string; Retry?: { ErrorEquals: string[] }[] }> };
    const lambdaSteps = Object.entries(def.States).filter(([, st]) => st.Resource === 'arn:aws:states:::lambda:invoke' || String(st.Resource).includes(':lambda:'));
    expect(lambdaSteps.length).toBeGreaterThanOrEqual(4);
    for (const [name, st] of lambdaSteps) expect({ name, errors: st.Retry?.flatMap((r) => r.ErrorEquals) }).toEqual({ name, errors: expect.arrayContaining(['Lambda.Unknown', 'Sandbox.Timedout']) });
  });

  test('every task of both variants has a timeout: a hung call never holds the drill until its overall timeout', () => {
    for (const kind of ['experiment', 'runbook'] as const) {
      const def = definitionOf(build(kind).drill) as { States: Record<string, { Type: string; TimeoutSeconds?: number }> };
      const tasks = Object.entries(def.States).filter(([, s]) => s.Type === 'Task');
      expect(tasks.length).toBeGreaterThan(3);
      for (const [name, s] of tasks) expect({ name, timeout: (s.TimeoutSeconds ?? 0) > 0 }).toEqual({ name, timeout: true });
    }
  });

  test('a drill of a read-replica failover gives the consent the promotion needs (allowDetach)', () => {
    const def = definitionOf(build('runbook', { allowDetach: true }).drill) as { States: Record<string, Json> };
    expect(def.States[S.start]).toMatchObject({ Parameters: { allowDetach: true } });
  });
});

describe('Drill: experiment runs', () => {
  test('passes when the tier keeps serving: recovery time 0, metrics and a PASSED report', async () => {
    const { drill } = build('experiment');
    const r = await run(drill, {
      hosts: (t) => (t > 60 && t < 300 ? 4 : 6), // capacity dips, service holds
      alarm: () => 'OK',
      status: (s) => (s < 240 ? 'running' : 'completed'),
    });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.report).toMatchObject({ passed: true, recoverySeconds: 0, stoppedByAlarm: false, targetStatus: 'completed' });
    expect(r.metrics).toEqual([{ name: 'DrillRecoveryTimeSeconds', value: 0 }, { name: 'DrillPassed', value: 1 }]);
    expect(r.messages).toEqual(['Drill drill: PASSED']);
    // It waited until capacity came back, not only until the experiment ended.
    expect(r.states.filter((s) => s === S.check).length).toBe(10);
    expect(r.stopCalls).toBe(0);
  });

  test('measures customer impact: alarm not OK for 90 s within a 300 s RTO passes with that time', async () => {
    const { drill } = build('experiment');
    const r = await run(drill, { hosts: () => 6, alarm: (t) => (t >= 90 && t < 180 ? 'INSUFFICIENT_DATA' : 'OK'), status: (s) => (s < 300 ? 'running' : 'completed') });
    expect(r.report).toMatchObject({ passed: true, recoverySeconds: 90 });
  });

  test('stops the experiment when the stop alarm fires, cleans up, and fails', async () => {
    const { drill } = build('experiment');
    const r = await run(drill, {
      hosts: () => 6,
      alarm: (t) => (t >= 120 && t < 240 ? 'ALARM' : 'OK'),
      status: (s, stopped) => (stopped !== undefined && s > stopped ? 'stopped' : 'running'),
    });
    expect(r.stopCalls).toBe(1);
    expect(r.states).toContain(S.stop);
    expect(r.status).toBe('FAILED');
    expect(r.report).toMatchObject({ passed: false, stoppedByAlarm: true, targetStatus: 'stopped' });
    expect(r.report!.reason).toMatch(/stopped by its stop alarm/);
    expect(r.metrics).toContainEqual({ name: 'DrillPassed', value: 0 });
  });

  test('never starts from an unsteady state', async () => {
    const { drill } = build('experiment');
    const r = await run(drill, { hosts: () => 6, alarm: () => 'ALARM', status: () => 'running' });
    expect(r.started).toBe(0);
    expect(r.status).toBe('FAILED');
    expect(r.report!.reason).toMatch(/not started: the steady state does not hold \(alarms not OK/);
  });

  test('gives up after maxDuration when capacity never returns, and stops nothing that ended', async () => {
    const { drill } = build('experiment', { maxDuration: Duration.minutes(10) });
    const r = await run(drill, { hosts: (t) => (t > 30 ? 4 : 6), alarm: () => 'OK', status: (s) => (s < 120 ? 'running' : 'completed') });
    expect(r.report).toMatchObject({ passed: false });
    expect(r.report!.reason).toMatch(/no recovery within 6\d\d s/);
    expect(r.stopCalls).toBe(0);
  });

  test('a failing status call is cleaned up: the experiment is stopped and the failure reported', async () => {
    const { drill } = build('experiment');
    const r = await run(drill, {
      hosts: () => 6,
      alarm: () => 'OK',
      status: () => {
        throw Object.assign(new Error('AccessDenied'), { name: 'Fis.AccessDeniedException' });
      },
    });
    expect(r.states).toContain(S.cleanup);
    // Retried with backoff first (1 try + 5 retries), then cleaned up.
    expect(r.states.filter((s) => s === S.status).length).toBe(6);
    expect(r.stopCalls).toBe(1);
    expect(r.status).toBe('FAILED');
    expect(r.report!.reason).toMatch(/the drill failed/);
  });
});

describe('Drill: failover runs', () => {
  test('measures the failover against the RTO: passes when the Region serves at full capacity in time', async () => {
    const { drill } = build('runbook');
    const r = await run(drill, { hosts: (t) => (t < 240 ? 3 : 6), alarm: () => 'OK', status: (s) => (s < 200 ? 'RUNNING' : 'SUCCEEDED') });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.report).toMatchObject({ passed: true, recoverySeconds: 240, rtoSeconds: 600, targetStatus: 'SUCCEEDED' });
  });

  test('fails when recovery takes longer than the RTO', async () => {
    const { drill } = build('runbook');
    const r = await run(drill, { hosts: (t) => (t < 900 ? 3 : 6), alarm: () => 'OK', status: (s) => (s < 850 ? 'RUNNING' : 'SUCCEEDED') });
    expect(r.report).toMatchObject({ passed: false, recoverySeconds: 900 });
    expect(r.report!.reason).toMatch(/over the RTO of 600 s/);
  });

  test('a failed runbook fails the drill at once, and the failover is not stopped half-way', async () => {
    const { drill } = build('runbook');
    const r = await run(drill, { hosts: () => 3, alarm: () => 'OK', status: (s) => (s < 120 ? 'RUNNING' : 'FAILED') });
    expect(r.report).toMatchObject({ passed: false, targetStatus: 'FAILED' });
    expect(r.report!.reason).toMatch(/the runbook ended FAILED/);
    expect(r.states.filter((s) => s === S.check).length).toBe(4);
    expect(r.stopCalls).toBe(0);
  });

  test('a request the runbook rejects is reported, nothing else runs', async () => {
    const { drill } = build('runbook');
    const r = await run(drill, { hosts: () => 3, alarm: () => 'OK', status: () => 'RUNNING', entry: { accepted: false, error: { code: 'PrimaryUnhealthy', message: 'planned switchover needs a healthy primary' } } });
    expect(r.status).toBe('FAILED');
    expect(r.states).not.toContain(S.status);
    expect(r.report!.reason).toMatch(/RunbookRejected.*PrimaryUnhealthy/);
  });
});
