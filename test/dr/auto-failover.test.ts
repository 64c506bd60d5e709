/**
 * The alarm-triggered failover (DrStrategyProps.autoFailover): what it deploys, what it refuses
 * at synth, and its confirmation state machine run in the local ASL interpreter: it starts the
 * failover runbook only when nobody cancelled within the window and the alarm still fires, with
 * an unplanned request that the runbook's own validator accepts and that never carries detach
 * consent.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { StateMachine } from 'aws-local-stepfunctions';
import { AUTO_FAILOVER_STATES, RunbookConfig, validateRequest } from '../../protocol';
import { ActiveActive, AutoFailoverOptions, DatabaseEngine, PilotLight, ResilienceError, WarmStandby } from '../../lib';
import { nagFindings, newApp } from '../helpers/app';
import { strategyProps } from './stacks';

type Json = Record<string, unknown>;
const S = AUTO_FAILOVER_STATES;
const AUTO: AutoFailoverOptions = { confirmationWindow: Duration.minutes(5), acceptDataLoss: true };

function warm(auto: AutoFailoverOptions | 'none' = AUTO): WarmStandby {
  return new WarmStandby(newApp(), 'Warm', strategyProps('shop', auto === 'none' ? {} : { autoFailover: auto }));
}

/** The synthesized definition, tokens replaced by stable strings. */
function definitionOf(stack: Stack, machine: { node: { defaultChild?: unknown } }): Json & { States: Record<string, Json> } {
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': stack.region, 'AWS::AccountId': stack.account, 'AWS::URLSuffix': 'amazonaws.com' };
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Json;
    if (typeof o.Ref === 'string') return pseudo[o.Ref] ?? `ref-${o.Ref}`;
    if (o['Fn::GetAtt']) return `arn:aws:lambda:${stack.region}:${stack.account}:function:${(o['Fn::GetAtt'] as string[]).join('-')}`;
    if (o['Fn::Join']) return (o['Fn::Join'] as [string, unknown[]])[1].map(render).join('');
    throw new Error(`cannot render ${JSON.stringify(v)}`);
  };
  const body = stack.resolve((machine.node.defaultChild as { definitionString: unknown }).definitionString);
  return JSON.parse(render(body)) as Json & { States: Record<string, Json> };
}

interface Run {
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  requests: Json[];
  messages: string[];
  error?: string;
}

interface World {
  /** The alarm's state after the window. */
  alarmAfterWindow: string;
  /** What the detector's last look says. @default true */
  confirmOutage?: boolean;
  confirmThrows?: boolean;
  /** The entry function's answer, by request mode. @default accepted */
  entry?: Partial<Record<'planned' | 'unplanned', Json>>;
  entryThrows?: boolean;
  snsFails?: boolean;
  abortDuringWindow?: boolean;
  /** The execution's input (EventBridge's event). */
  input?: unknown;
}

const ACCEPTED = { accepted: true, executionArn: 'arn:aws:states:us-west-2:111111111111:execution:shop-failover:auto-e-1', duplicate: false, status: 'RUNNING' };
const refusedWith = (code: string): Json => ({ accepted: false, error: { code, message: `refused: ${code}` } });

/** Run the confirmation machine against a world: the alarm, the detector's last look, the entry function. */
async function confirm(strategy: WarmStandby, world: World): Promise<Run> {
  const auto = strategy.autoFailover!;
  const stack = Stack.of(auto);
  const definition = definitionOf(stack, auto.stateMachine);
  const run: Run = { status: 'SUCCEEDED', requests: [], messages: [] };
  const publish = async (input: unknown): Promise<unknown> => {
    if (world.snsFails) throw Object.assign(new Error('SNS is down'), { name: 'SNS.InternalErrorException' });
    run.messages.push(String((input as Json).Message));
    return { MessageId: 'm-1' };
  };
  const entry = async (input: unknown): Promise<unknown> => {
    const request = input as Json;
    run.requests.push(request);
    if (world.entryThrows) throw Object.assign(new Error('Rate exceeded'), { name: 'Lambda.TooManyRequestsException' });
    return world.entry?.[request.mode as 'planned' | 'unplanned'] ?? ACCEPTED;
  };
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {
    [S.announce]: publish,
    [S.accepted]: publish,
    [S.recovered]: publish,
    [S.reportRefusal]: publish,
    [S.readAlarm]: async (input) => {
      expect(input).toEqual({ AlarmNames: [`ref-${stack.getLogicalId(auto.alarm.node.defaultChild as never)}`] });
      return { MetricAlarms: [{ StateValue: world.alarmAfterWindow }] };
    },
    [S.confirm]: async (input) => {
      expect(input).toEqual({ confirm: true });
      if (world.confirmThrows) throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
      return { looks: [], runbookRunning: false, outage: world.confirmOutage ?? true };
    },
    [S.startSwitchover]: entry,
    [S.startFailover]: entry,
  };
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false, checkPaths: false } });
  const execution = machine.run((world.input ?? { version: '0', 'detail-type': 'CloudWatch Alarm State Change', source: 'aws.cloudwatch' }) as never, {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      waitTimeOverrides: { [S.confirmationWindow]: world.abortDuringWindow ? 5_000 : 1 },
      retryIntervalOverrides: Object.fromEntries(Object.entries(definition.States).filter(([, st]) => st.Type === 'Task').map(([n]) => [n, 0])),
    },
    context: { Execution: { Name: 'e-1', Id: 'arn:aws:states:us-west-2:111111111111:execution:shop-auto-failover:e-1', StartTime: '2026-12-07T03:00:00.000Z' } } as never,
    noThrowOnAbort: true,
  });
  if (world.abortDuringWindow) setTimeout(() => execution.abort(), 100);
  try {
    const out = await execution.result;
    if (world.abortDuringWindow && out === null) run.status = 'ABORTED';
  } catch (e) {
    run.status = 'FAILED';
    run.error = ((e as Error).cause as Error | undefined)?.name;
  }
  return run;
}

describe('automatic failover: what it deploys', () => {
  const strategy = warm();
  const template = Template.fromStack(strategy.recoveryStack);
  const auto = strategy.autoFailover!;

  test('an alarm on the detector metric: 3 of 3 one-minute looks, missing data never breaches, paging the alerts topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop-auto-failover-us-east-1',
      Namespace: 'CdkResilience/AutoFailover',
      MetricName: 'UnfencedOutage',
      Dimensions: [{ Name: 'Region', Value: 'us-east-1' }, { Name: 'Strategy', Value: 'shop' }],
      Statistic: 'Minimum',
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alerts') }],
    });
    // Blind is its own alarm: missing data breaches there, and only pages.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'shop-auto-failover-blind', Statistic: 'SampleCount', ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching', EvaluationPeriods: 5 });
  });

  test('the rule starts the confirmation machine only on that alarm going into ALARM; the detector runs every minute', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], resources: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('AutoFailoverAlarm'), 'Arn'] }], detail: { state: { value: ['ALARM'] } } },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('AutoFailoverStateMachine') }, RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 900 } })],
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)', Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AutoFailoverDetector'), 'Arn'] } })] });
  });

  test('least privilege: the machine reads only its alarm and invokes only the failover entry; the detector writes only its namespace', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const statementsOf = (prefix: string): Json[] => Object.entries(policies).filter(([id]) => id.startsWith(prefix)).flatMap(([, p]) => (p as { Properties: { PolicyDocument: { Statement: Json[] } } }).Properties.PolicyDocument.Statement);
    const machine = JSON.stringify(strategy.recoveryStack.resolve(statementsOf('AutoFailoverStateMachineRole')));
    expect(machine).toContain('"Action":"cloudwatch:DescribeAlarms","Effect":"Allow","Resource":{"Fn::GetAtt":["AutoFailoverAlarm');
    expect(machine).toContain(strategy.recoveryStack.getLogicalId(strategy.runbook.failover!.entryFunction.node.defaultChild as never));
    expect(machine).not.toContain('states:StartExecution');
    // The alerts topic is KMS-encrypted: publishing needs its key too (sns:Publish alone is refused).
    const kms = statementsOf('AutoFailoverStateMachineRole').find((st) => JSON.stringify(st.Action).includes('kms:GenerateDataKey'));
    expect(kms).toMatchObject({ Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^AlertsKey/), 'Arn'] } });
    const detector = statementsOf('AutoFailoverDetectorRole');
    expect(detector).toContainEqual({ Action: 'cloudwatch:PutMetricData', Effect: 'Allow', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'CdkResilience/AutoFailover' } } });
    // The lock, in this Region's replica only.
    const lock = detector.filter((st) => JSON.stringify(st.Action).includes('dynamodb'));
    expect(lock).toEqual([expect.objectContaining({ Action: 'dynamodb:GetItem', Effect: 'Allow' })]);
    expect(JSON.stringify(lock[0].Resource)).toMatch(/:dynamodb:us-west-2:111111111111:table\/shop-runbook-lock"?\]*\]*\}?$/);
    // Invoking: the entry function and the detector (the last look), nothing else.
    const invoked = statementsOf('AutoFailoverStateMachineRole').filter((st) => st.Action === 'lambda:InvokeFunction').flatMap((st) => (st.Resource as Json[]).map((r) => JSON.stringify(r)));
    expect(invoked.every((r) => r.includes('FailoverRunbookEntry') || r.includes('AutoFailoverDetector'))).toBe(true);
    // The detector is never retried late into another minute.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: Match.stringLikeRegexp('^AutoFailoverDetector') }, MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
    expect(nagFindings(strategy.recoveryStack)).toEqual([]);
  });

  test('the confirmation window is the Wait; the request never carries detach consent', () => {
    const definition = definitionOf(strategy.recoveryStack, auto.stateMachine);
    expect(definition.States[S.confirmationWindow]).toMatchObject({ Type: 'Wait', Seconds: 300 });
    expect(JSON.stringify(definition)).not.toContain('allowDetach');
    // 3 runs + the window + the last look (30 s); worst + (3 + 2) minutes + the announcement's 10 s.
    expect(auto.decision).toMatchObject({ seconds: 180 + 300 + 30, worstSeconds: 510 + 300 + 10 });
  });

  test('without the opt-in nothing of it is deployed', () => {
    const none = warm('none');
    expect(none.autoFailover).toBeUndefined();
    expect(JSON.stringify(Template.fromStack(none.recoveryStack).toJSON())).not.toContain('AutoFailover');
  });
});

describe('automatic failover: refused at synth', () => {
  const attempt = (build: () => unknown) => {
    try {
      build();
    } catch (e) {
      return e as ResilienceError;
    }
    throw new Error('expected a ResilienceError');
  };

  test.each([
    ['a window under three minutes (nobody paged at 3 a.m. cancels within one)', { confirmationWindow: Duration.minutes(2), acceptDataLoss: true }, 'autoFailover.confirmationWindow'],
    ['a window over an hour', { confirmationWindow: Duration.hours(2), acceptDataLoss: true }, 'autoFailover.confirmationWindow'],
    ['no data-loss consent', { confirmationWindow: Duration.minutes(5), acceptDataLoss: false }, 'autoFailover.acceptDataLoss'],
    ['11 looks', { confirmationWindow: Duration.minutes(5), acceptDataLoss: true, evaluationPeriods: 11 }, 'autoFailover.evaluationPeriods'],
  ])('%s', (_name, auto, prop) => {
    const e = attempt(() => warm(auto as unknown as AutoFailoverOptions));
    expect(e).toBeInstanceOf(ResilienceError);
    expect(e.problems).toContainEqual(expect.objectContaining({ code: 'DR_AUTO_FAILOVER', prop }));
  });

  test('an RDS read replica: its promotion needs detach consent, never automatic', () => {
    const e = attempt(() => new PilotLight(newApp(), 'Pilot', strategyProps('pl', { database: { engine: DatabaseEngine.postgres('16.4') }, autoFailover: AUTO })));
    expect(e.problems).toContainEqual(expect.objectContaining({ code: 'DR_AUTO_FAILOVER', prop: 'autoFailover' }));
  });

  test('active-active takes it (the writer moves automatically)', () => {
    const aa = new ActiveActive(newApp(), 'Active', strategyProps('aa', { autoFailover: AUTO }));
    expect((aa.autoFailover!.alarm.node.defaultChild as CfnAlarm).alarmName).toBe('aa-auto-failover-us-east-1');
  });
});

describe('automatic failover: the confirmation machine in the ASL interpreter', () => {
  const strategy = warm();
  const config = Stack.of(strategy.runbook.failover!).resolve(strategy.runbook.failover!.config) as RunbookConfig;
  const EXECUTION = 'arn:aws:states:us-west-2:111111111111:execution:shop-auto-failover:e-1';

  test('still failing after the window: a planned switchover first (no data loss), accepted by the runbook\'s own validator', async () => {
    const run = await confirm(strategy, { alarmAfterWindow: 'ALARM' });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.requests).toEqual([{ action: 'failover', mode: 'planned', requestId: 'auto-e-1', reason: expect.stringMatching(/^automatic failover: Route 53 withdrew us-east-1 .*\(planned switchover first\)$/), requestedBy: EXECUTION }]);
    expect(validateRequest(run.requests[0], config)).toEqual([]);
    expect(run.messages[0]).toContain('starts in 300 s unless cancelled');
    expect(run.messages[0]).toContain(`Cancel: cdk-resilience cancel --strategy shop --to us-west-2 (or aws stepfunctions stop-execution --region us-west-2 --execution-arn ${EXECUTION})`);
    expect(run.messages[1]).toContain('started the runbook: arn:aws:states:us-west-2:111111111111:execution:shop-failover:auto-e-1');
  });

  test('the switchover refused because the primary is unhealthy: then the unplanned failover with data-loss consent, never detach', async () => {
    const run = await confirm(strategy, { alarmAfterWindow: 'ALARM', entry: { planned: refusedWith('PrimaryUnhealthy') } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.requests.map((r) => [r.mode, r.allowDataLoss, r.requestId])).toEqual([['planned', undefined, 'auto-e-1'], ['unplanned', true, 'auto-e-1-u']]);
    expect(run.requests[1]).not.toHaveProperty('allowDetach');
    for (const r of run.requests) expect(validateRequest(r, config)).toEqual([]);
  });

  test('any other refusal of the switchover (the replica lags, a runbook runs): no failover, the topic says why, a person decides', async () => {
    for (const code of ['ReplicationLagTooHigh', 'RunbookAlreadyRunning']) {
      const run = await confirm(strategy, { alarmAfterWindow: 'ALARM', entry: { planned: refusedWith(code) } });
      expect([run.status, run.error, run.requests.length]).toEqual(['FAILED', 'AutomaticFailoverRefused', 1]);
      expect(run.messages[1]).toMatch(new RegExp(`could not start the runbook: .*${code}.*A person decides now`));
    }
  });

  test('the unplanned failover refused too: reported, failed', async () => {
    const run = await confirm(strategy, { alarmAfterWindow: 'ALARM', entry: { planned: refusedWith('PrimaryUnhealthy'), unplanned: refusedWith('RunbookAlreadyRunning') } });
    expect([run.status, run.error, run.requests.length]).toEqual(['FAILED', 'AutomaticFailoverRefused', 2]);
  });

  test('the alarm left ALARM within the window: no request', async () => {
    const run = await confirm(strategy, { alarmAfterWindow: 'OK' });
    expect([run.status, run.requests.length]).toEqual(['SUCCEEDED', 0]);
    expect(run.messages[1]).toContain('recovered within the confirmation window');
  });

  test('still in ALARM, but the last look sees it serving, fenced or a runbook running (a flapping check): no request', async () => {
    const run = await confirm(strategy, { alarmAfterWindow: 'ALARM', confirmOutage: false });
    expect([run.status, run.requests.length]).toEqual(['SUCCEEDED', 0]);
  });

  test('a last look that cannot be made is no confirmation: no request', async () => {
    const run = await confirm(strategy, { alarmAfterWindow: 'ALARM', confirmThrows: true });
    expect([run.status, run.requests.length]).toEqual(['SUCCEEDED', 0]);
  });

  test('cancelled (the execution stopped) during the window: no request', async () => {
    const run = await confirm(strategy, { alarmAfterWindow: 'ALARM', abortDuringWindow: true });
    expect([run.status, run.requests.length, run.messages.length]).toEqual(['ABORTED', 0, 1]);
  });

  test('the entry function throttled on every retry: reported, failed, one request id for every attempt', async () => {
    const run = await confirm(strategy, { alarmAfterWindow: 'ALARM', entryThrows: true });
    expect(run.status).toBe('FAILED');
    expect(run.requests.length).toBe(7); // the first call and 6 retries
    expect(new Set(run.requests.map((r) => r.requestId))).toEqual(new Set(['auto-e-1']));
  });

  test('the topic failing does not hold the failover back', async () => {
    const run = await confirm(strategy, { alarmAfterWindow: 'ALARM', snsFails: true });
    expect([run.status, run.requests.length]).toEqual(['SUCCEEDED', 1]);
  });

  test('whatever the event looks like (an object, a batch): the machine keeps nothing of it', async () => {
    const run = await confirm(strategy, { alarmAfterWindow: 'ALARM', input: [{ source: 'aws.cloudwatch' }, { source: 'aws.cloudwatch' }] });
    expect([run.status, run.requests.length]).toEqual(['SUCCEEDED', 1]);
  });
});
