import * as fs from 'fs';
import * as path from 'path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, HistoryEvent, ListExecutionsCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { awsClients } from '../../cli/aws';
import { Io } from '../../cli/commands';
import { EXIT } from '../../cli/errors';
import { runCli } from '../../cli/program';
import type { DrillEntry, Plan, RunbookEntry, StrategyEntry } from '../../protocol';

const ssm = mockClient(SSMClient);
const lambda = mockClient(LambdaClient);
const sfn = mockClient(SFNClient);
const sts = mockClient(STSClient);
const OPERATOR = 'arn:aws:sts::111111111111:assumed-role/oncall/ana';

const fixture = (name: string): HistoryEvent[] =>
  (JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')) as { events: (HistoryEvent & { timestamp: string })[] }).events.map((e) => ({ ...e, timestamp: new Date(e.timestamp) }));

const FAILOVER: RunbookEntry = {
  strategy: 'shop',
  direction: 'failover',
  targetRegion: 'us-west-2',
  sourceRegion: 'us-east-1',
  entryFunctionName: 'shop-Recovery-FailoverRunbookEntry',
  stateMachineArn: 'arn:aws:states:us-west-2:111111111111:stateMachine:shop-failover',
  rtoSeconds: 600,
  steps: [
    { name: 'Preflight' },
    { name: 'ReconcileDatabase', doneWhen: 'DatabaseResult' },
    { name: 'ReconcileCompute', doneWhen: 'ComputeResult' },
    { name: 'ShiftTraffic' },
    { name: 'WaitForTraffic' },
    { name: 'Verify' },
    { name: 'Notify' },
  ],
};
const FAILBACK: RunbookEntry = { ...FAILOVER, direction: 'failback', targetRegion: 'us-east-1', sourceRegion: 'us-west-2', entryFunctionName: 'shop-Primary-FailbackRunbookEntry', stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:shop-failback' };
const STRATEGY: StrategyEntry = { strategy: 'shop', kind: 'warm-standby', primaryRegion: 'us-east-1', recoveryRegion: 'us-west-2', rtoSeconds: 600, rpoSeconds: 30, drills: [{ name: 'shop-failover', region: 'us-west-2' }] };
const DRILL: DrillEntry = { drill: 'shop-failover', region: 'us-west-2', stateMachineArn: 'arn:aws:states:us-west-2:111111111111:stateMachine:shop-drill', rtoSeconds: 600 };

function plan(overrides: Partial<Plan> = {}): Plan {
  return {
    step: 'preflight',
    startedAt: '2026-11-22T03:00:00.000Z',
    endedAt: '2026-11-22T03:00:01.000Z',
    actions: [],
    source: { region: 'us-east-1', reachable: false, healthy: false, writer: true },
    target: { region: 'us-west-2', reachable: true, healthy: true, healthyTargets: 3, writer: false, desiredCapacity: 3 },
    replicationLagSeconds: 0.8,
    dataLossRiskSeconds: 0.8,
    steps: ['promote the us-west-2 cluster (unplanned, AllowDataLoss)', 'scale shop-web-us-west-2 to 6', 'move traffic to us-west-2'],
    alreadyDone: false,
    ...overrides,
  };
}

const payload = (body: unknown): never => ({ Payload: Buffer.from(JSON.stringify(body)), StatusCode: 200 }) as never;

/** The parameters a deployment publishes, by name. */
function publish(entries: Record<string, unknown>): void {
  ssm.on(GetParameterCommand).callsFake((input: { Name: string }) => {
    const value = entries[input.Name];
    if (value === undefined) throw Object.assign(new Error(`Parameter ${input.Name} not found.`), { name: 'ParameterNotFound' });
    return { Parameter: { Name: input.Name, Value: JSON.stringify(value) } };
  });
}

function io(opts: { tty?: boolean; interactive?: boolean; answers?: string[] } = {}): Io & { stdout: string[]; stderr: string[]; prompts: string[] } {
  let now = Date.parse('2026-11-22T03:00:00Z');
  const answers = [...(opts.answers ?? [])];
  const rec = {
    stdout: [] as string[],
    stderr: [] as string[],
    prompts: [] as string[],
    out: (t: string) => rec.stdout.push(t),
    err: (t: string) => rec.stderr.push(t),
    isTTY: opts.tty ?? false,
    interactive: opts.interactive ?? false,
    prompt: async (q: string) => {
      rec.prompts.push(q);
      return answers.shift() ?? '';
    },
    sleep: async (ms: number) => {
      now += ms;
    },
    now: () => new Date(now),
    color: false,
  };
  return rec;
}

const cli = (argv: string, o: Io): Promise<number> => runCli(argv.split(' '), o, () => awsClients());
const invokedActions = (): string[] => lambda.commandCalls(InvokeCommand).map((c) => JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString()).action);

beforeEach(() => {
  ssm.reset();
  lambda.reset();
  sfn.reset();
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Arn: OPERATOR, Account: '111111111111', UserId: 'AROA:ana' });
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  publish({
    '/cdk-resilience/runbooks/shop/us-west-2': FAILOVER,
    '/cdk-resilience/runbooks/shop/us-east-1': FAILBACK,
    '/cdk-resilience/strategies/shop': STRATEGY,
    '/cdk-resilience/drills/shop-failover': DRILL,
  });
});

describe('AWS clients', () => {
  test('the standard chain with a profile, and timeouts so a Region in an outage cannot hang the CLI', async () => {
    const c = awsClients('prod')('us-west-2');
    const handler = c.lambda.config.requestHandler as unknown as { configProvider: Promise<{ connectionTimeout: number; requestTimeout: number }> };
    expect(await handler.configProvider).toMatchObject({ connectionTimeout: 5000, requestTimeout: 90_000 });
    expect(c.lambda.config.profile).toBe('prod');
    expect(await c.sfn.config.region()).toBe('us-west-2');
  });
});

describe('the directory names only what is in its Region and the caller\'s account', () => {
  const planOk = () => lambda.on(InvokeCommand).resolves(payload({ accepted: true, plan: plan() }));
  test.each<[string, Partial<RunbookEntry>, RegExp]>([
    ['a state machine in another Region', { stateMachineArn: 'arn:aws:states:eu-west-1:111111111111:stateMachine:shop-failover' }, /names a state machine in eu-west-1/],
    ['a function ARN in another Region', { entryFunctionName: 'arn:aws:lambda:eu-west-1:111111111111:function:shop-entry' }, /names the function arn:aws:lambda:eu-west-1/],
    ['a function of another account', { entryFunctionName: 'arn:aws:lambda:us-west-2:999999999999:function:shop-entry' }, /several accounts \(111111111111, 999999999999\)/],
    ['a state machine of another account', { stateMachineArn: 'arn:aws:states:us-west-2:999999999999:stateMachine:shop-failover' }, /account 999999999999, but you are signed in to 111111111111/],
    ['something that is not a state machine', { stateMachineArn: 'arn:aws:lambda:us-west-2:111111111111:function:x' }, /is not a state machine ARN/],
    ['a runbook to another Region', { targetRegion: 'us-east-1' }, /describes a runbook to us-east-1/],
  ])('%s: refused, nothing invoked', async (_n, change, message) => {
    publish({ '/cdk-resilience/runbooks/shop/us-west-2': { ...FAILOVER, ...change } });
    planOk();
    const o = io();
    expect(await cli('plan --strategy shop --to us-west-2 --mode unplanned --allow-data-loss', o)).toBe(EXIT.refused);
    expect(o.stderr.join('\n')).toMatch(message);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  test('when STS does not answer (an outage), the Region checks still hold and the CLI goes on', async () => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('timeout'), { name: 'TimeoutError' }));
    planOk();
    expect(await cli('plan --strategy shop --to us-west-2 --mode unplanned --allow-data-loss', io())).toBe(EXIT.succeeded);
    publish({ '/cdk-resilience/runbooks/shop/us-west-2': { ...FAILOVER, stateMachineArn: 'arn:aws:states:eu-west-1:111111111111:stateMachine:shop-failover' } });
    expect(await cli('plan --strategy shop --to us-west-2 --mode unplanned --allow-data-loss', io())).toBe(EXIT.refused);
  });
});

describe('plan', () => {
  test('shows both Regions, the data-loss risk and the steps; invokes only the plan action', async () => {
    lambda.on(InvokeCommand).resolves(payload({ accepted: true, plan: plan() }));
    const o = io();
    expect(await cli('plan --strategy shop --to us-west-2 --mode unplanned --allow-data-loss', o)).toBe(EXIT.succeeded);
    const text = o.stdout.join('\n');
    expect(text).toContain('Plan: shop failover to us-west-2 (unplanned)');
    expect(text).toMatch(/source\s+us-east-1\s+UNREACHABLE, not serving/);
    expect(text).toMatch(/target\s+us-west-2\s+reachable, serving, healthy targets 3/);
    expect(text).toContain('data-loss risk: up to 0.8 s of writes');
    expect(text).toContain('1. promote the us-west-2 cluster');
    expect(text).toContain('RTO target: 10m 00s');
    expect(invokedActions()).toEqual(['plan']);
    expect(lambda.commandCalls(InvokeCommand)[0].args[0].input.FunctionName).toBe('shop-Recovery-FailoverRunbookEntry');
    expect(ssm.commandCalls(GetParameterCommand)[0].args[0].input.Name).toBe('/cdk-resilience/runbooks/shop/us-west-2');
  });
});

describe('failover', () => {
  test('plans, starts with the same request id, follows the history to the end: exit 0, one line per step event', async () => {
    const all = fixture('failover-succeeded.json');
    lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) => {
      const req = JSON.parse(Buffer.from(input.Payload).toString());
      return req.action === 'plan' ? payload({ accepted: true, plan: plan() }) : payload({ accepted: true, executionArn: 'arn:aws:states:us-west-2:111111111111:execution:shop-failover:inc-4711', duplicate: false, status: 'RUNNING', plan: plan() });
    });
    sfn.on(GetExecutionHistoryCommand).resolvesOnce({ events: all.slice(0, 8) }).resolvesOnce({ events: all.slice(0, 22) }).resolves({ events: all });
    const o = io();
    expect(await cli('failover --strategy shop --to us-west-2 --mode unplanned --allow-data-loss --request-id inc-4711 --reason INC-4711 --yes', o)).toBe(EXIT.succeeded);
    const requests = lambda.commandCalls(InvokeCommand).map((c) => JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString()));
    expect(requests.map((r) => [r.action, r.mode, r.allowDataLoss, r.requestId, r.reason])).toEqual([
      ['plan', 'unplanned', true, 'inc-4711', 'INC-4711'],
      ['failover', 'unplanned', true, 'inc-4711', 'INC-4711'],
    ]);
    const lines = o.stdout.join('\n');
    expect(lines).toContain('Started arn:aws:states:us-west-2:111111111111:execution:shop-failover:inc-4711');
    expect(lines).toContain('+0s Preflight started (step 1/7)');
    expect(lines).toContain('+3s Preflight succeeded in 3s');
    expect(lines).toContain('+1m 04s ReconcileDatabase succeeded in 1m 01s');
    expect(lines).toContain('+3m 41s execution SUCCEEDED after 3m 41s (RTO 10m 00s: met)');
    expect(o.stderr).toEqual([]);
  });

  test('a failed run: exit 1, what was done and not done, and the re-run command', async () => {
    lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) => {
      const req = JSON.parse(Buffer.from(input.Payload).toString());
      return req.action === 'plan' ? payload({ accepted: true, plan: plan() }) : payload({ accepted: true, executionArn: 'arn:x', duplicate: false, status: 'RUNNING' });
    });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: fixture('failover-failed.json') });
    const o = io();
    expect(await cli('failover --strategy shop --to us-west-2 --mode unplanned --allow-data-loss --request-id inc-4711 --yes', o)).toBe(EXIT.failed);
    const err = o.stderr.join('\n');
    expect(err).toContain('failover FAILED: RunbookFailed: ShiftTraffic failed');
    expect(err).toContain('done:     Preflight, ReconcileDatabase, ReconcileCompute');
    expect(err).toContain('not done: ShiftTraffic, WaitForTraffic, Verify, Notify');
    expect(err).toContain('re-run (safe: each step reconciles): cdk-resilience failover --strategy shop --to us-west-2 --mode unplanned --allow-data-loss --request-id inc-4711-rerun --yes');
  });

  test('--allow-detach and the caller (STS, self-reported) go with the request; the re-run keeps the consent and an 80-character id', async () => {
    lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) => {
      const req = JSON.parse(Buffer.from(input.Payload).toString());
      return req.action === 'plan' ? payload({ accepted: true, plan: plan() }) : payload({ accepted: true, executionArn: 'arn:x', duplicate: false, status: 'RUNNING' });
    });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: fixture('failover-failed.json') });
    const o = io();
    const id = 'i'.repeat(80);
    expect(await cli(`failover --strategy shop --to us-west-2 --mode unplanned --allow-data-loss --allow-detach --request-id ${id} --yes`, o)).toBe(EXIT.failed);
    const requests = lambda.commandCalls(InvokeCommand).map((c) => JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString()));
    expect(requests.find((r) => r.action === 'failover')).toMatchObject({ allowDataLoss: true, allowDetach: true, requestedBy: OPERATOR });
    const rerun = /re-run \(safe: each step reconciles\): (.*)$/m.exec(o.stderr.join('\n'))![1];
    expect(rerun).toContain('--allow-data-loss --allow-detach');
    const rerunId = /--request-id (\S+)/.exec(rerun)![1];
    expect(rerunId).toHaveLength(80);
    expect(rerunId).toMatch(/-rerun$/);
  });

  test('when STS does not answer, the request goes without requestedBy (never blocked for it)', async () => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('expired'), { name: 'ExpiredToken' }));
    lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) => {
      const req = JSON.parse(Buffer.from(input.Payload).toString());
      return req.action === 'plan' ? payload({ accepted: true, plan: plan() }) : payload({ accepted: true, executionArn: 'arn:x', duplicate: false, status: 'RUNNING' });
    });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: fixture('failover-failed.json') });
    await cli('failover --strategy shop --to us-west-2 --mode unplanned --allow-data-loss --request-id x --yes', io());
    const started = lambda.commandCalls(InvokeCommand).map((c) => JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString())).find((r) => r.action === 'failover');
    expect(started.requestedBy).toBeUndefined();
  });

  test('still running at --timeout: exit 2, and how to follow it', async () => {
    lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) =>
      JSON.parse(Buffer.from(input.Payload).toString()).action === 'plan' ? payload({ accepted: true, plan: plan() }) : payload({ accepted: true, executionArn: 'arn:x', duplicate: false, status: 'RUNNING' }),
    );
    sfn.on(GetExecutionHistoryCommand).resolves({ events: fixture('failover-succeeded.json').slice(0, 10) });
    const o = io();
    expect(await cli('failover --strategy shop --to us-west-2 --mode planned --yes --timeout 1m --poll 10s', o)).toBe(EXIT.timedOut);
    expect(sfn.commandCalls(GetExecutionHistoryCommand).length).toBe(7);
    expect(o.stderr.join('\n')).toMatch(/^Still running after 1m 00s: follow it with `cdk-resilience failover --strategy shop --to us-west-2 --mode planned --request-id failover-2026-11-22T03-00-00-000 --yes` \(?or `cdk-resilience status --strategy shop --to us-west-2`/);
  });

  test('the re-run command keeps the profile and the reason', async () => {
    lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) =>
      JSON.parse(Buffer.from(input.Payload).toString()).action === 'plan' ? payload({ accepted: true, plan: plan() }) : payload({ accepted: true, executionArn: 'arn:x', duplicate: false, status: 'RUNNING' }),
    );
    sfn.on(GetExecutionHistoryCommand).resolves({ events: fixture('failover-failed.json') });
    const o = io();
    const argv = ['failover', '--strategy', 'shop', '--to', 'us-west-2', '--mode', 'unplanned', '--allow-data-loss', '--request-id', 'inc-4711', '--reason', "INC-4711 east's outage", '--profile', 'prod', '--yes'];
    expect(await runCli(argv, o, () => awsClients())).toBe(EXIT.failed);
    expect(o.stderr.join('\n')).toContain(`--request-id inc-4711-rerun --reason 'INC-4711 east'\\''s outage' --profile prod --yes`);
  });

  test('the state machine\'s own timeout is a failure (exit 1), not "still running"', async () => {
    lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) =>
      JSON.parse(Buffer.from(input.Payload).toString()).action === 'plan' ? payload({ accepted: true, plan: plan() }) : payload({ accepted: true, executionArn: 'arn:x', duplicate: false, status: 'RUNNING' }),
    );
    const events = fixture('failover-succeeded.json').slice(0, 10);
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [...events, { id: 99, type: 'ExecutionTimedOut', timestamp: new Date('2026-11-22T05:00:00Z'), executionTimedOutEventDetails: { error: 'States.Timeout' } }] });
    const o = io();
    expect(await cli('failover --strategy shop --to us-west-2 --yes', o)).toBe(EXIT.failed);
    expect(o.stderr.join('\n')).toContain('failover TIMED_OUT: States.Timeout');
  });

  test('credentials expiring while following: the run goes on, and the message says so (never "nothing changed")', async () => {
    lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) =>
      JSON.parse(Buffer.from(input.Payload).toString()).action === 'plan' ? payload({ accepted: true, plan: plan() }) : payload({ accepted: true, executionArn: 'arn:x', duplicate: false, status: 'RUNNING' }),
    );
    sfn.on(GetExecutionHistoryCommand).rejects(Object.assign(new Error('expired'), { name: 'ExpiredTokenException' }));
    const o = io();
    expect(await cli('failover --strategy shop --to us-west-2 --request-id inc-9 --profile prod --yes', o)).toBe(EXIT.credentials);
    expect(o.stderr).toHaveLength(1);
    expect(o.stderr[0]).toMatch(/the failover was started and goes on \(arn:x\), but following it failed: AWS credentials are missing or expired/);
    expect(o.stderr[0]).toContain('`cdk-resilience failover --strategy shop --to us-west-2 --mode planned --request-id inc-9 --profile prod --yes`');
    expect(o.stderr[0]).not.toContain('nothing was changed');
  });

  test('in a terminal, the progress frame is redrawn in place until the end', async () => {
    const all = fixture('failover-succeeded.json');
    lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) =>
      JSON.parse(Buffer.from(input.Payload).toString()).action === 'plan' ? payload({ accepted: true, plan: plan() }) : payload({ accepted: true, executionArn: 'arn:x', duplicate: false, status: 'RUNNING' }),
    );
    sfn.on(GetExecutionHistoryCommand).resolvesOnce({ events: all.slice(0, 14) }).resolves({ events: all });
    const o = io({ tty: true });
    expect(await cli('failover --strategy shop --to us-west-2 --yes', o)).toBe(EXIT.succeeded);
    const frames = o.stdout.filter((t) => t.includes('/7 steps'));
    expect(frames).toHaveLength(2);
    expect(frames[0]).toContain('1/7 steps');
    // The second frame moves the cursor up over the first (9 lines) and clears below it.
    expect(frames[1].startsWith('\u001b[9A\u001b[0J')).toBe(true);
    expect(frames[1]).toContain('7/7 steps');
    expect(frames[1]).toContain('SUCCEEDED');
  });

  test('in a terminal, asks to type the Region; the right answer proceeds', async () => {
    lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) =>
      JSON.parse(Buffer.from(input.Payload).toString()).action === 'plan' ? payload({ accepted: true, plan: plan() }) : payload({ accepted: true, executionArn: 'arn:x', duplicate: false, status: 'RUNNING' }),
    );
    sfn.on(GetExecutionHistoryCommand).resolves({ events: fixture('failover-succeeded.json') });
    const o = io({ interactive: true, answers: ['us-west-2'] });
    expect(await cli('failover --strategy shop --to us-west-2 --mode unplanned --allow-data-loss', o)).toBe(EXIT.succeeded);
    expect(o.prompts).toEqual(['Type us-west-2 to failover shop to us-west-2: ']);
  });
});

describe('every bad input: one line, a non-zero exit, nothing changed', () => {
  const onlyPlan = (): void => {
    lambda.on(InvokeCommand).resolves(payload({ accepted: true, plan: plan() }));
  };

  test.each<[string, string, () => void, number, RegExp, string[]]>([
    ['an unknown strategy', 'failover --strategy nope --to us-west-2 --yes', onlyPlan, EXIT.refused, /unknown strategy 'nope': a runbook to us-west-2 was not found in us-west-2: no parameter \/cdk-resilience\/runbooks\/nope\/us-west-2/, []],
    [
      'a target Region that is already active',
      'failover --strategy shop --to us-west-2 --yes',
      () => lambda.on(InvokeCommand).resolves(payload({ accepted: true, plan: plan({ alreadyDone: true }) })),
      EXIT.refused,
      /us-west-2 is already the active Region of shop: nothing changed/,
      ['plan'],
    ],
    ['unplanned without --allow-data-loss', 'failover --strategy shop --to us-west-2 --mode unplanned --yes', onlyPlan, EXIT.refused, /--mode unplanned may lose the replication lag: add --allow-data-loss/, []],
    ['no confirmation in a non-interactive run', 'failover --strategy shop --to us-west-2', onlyPlan, EXIT.refused, /no confirmation: this is not an interactive terminal, so pass --yes/, ['plan']],
    [
      'expired credentials',
      'failover --strategy shop --to us-west-2 --yes',
      () => ssm.on(GetParameterCommand).rejects(Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException' })),
      EXIT.credentials,
      /AWS credentials are missing or expired \(ExpiredTokenException\).*nothing was changed/,
      [],
    ],
    [
      'missing credentials',
      'status --strategy shop --to us-west-2',
      () => ssm.on(GetParameterCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })),
      EXIT.credentials,
      /AWS credentials are missing or expired \(CredentialsProviderError\)/,
      [],
    ],
    ['the failback runbook asked to fail over', 'failover --strategy shop --to us-east-1 --yes', onlyPlan, EXIT.refused, /the runbook to us-east-1 is the failback of shop: run `cdk-resilience failback`/, []],
    [
      'a request the runbook refuses (another run in progress)',
      'failover --strategy shop --to us-west-2 --yes',
      () =>
        lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) =>
          JSON.parse(Buffer.from(input.Payload).toString()).action === 'plan' ? payload({ accepted: true, plan: plan() }) : payload({ accepted: false, error: { code: 'RunbookAlreadyRunning', message: 'execution inc-1 is running' } }),
        ),
      EXIT.refused,
      /RunbookAlreadyRunning: execution inc-1 is running/,
      ['plan', 'failover'],
    ],
    ['a plan the runbook would refuse', 'failover --strategy shop --to us-west-2 --yes', () => lambda.on(InvokeCommand).resolves(payload({ accepted: true, plan: plan({ refusal: { code: 'PrimaryUnhealthy', message: 'us-east-1 is not serving' } }) })), EXIT.refused, /PrimaryUnhealthy: us-east-1 is not serving/, ['plan']],
    ['a bad --request-id', 'failover --strategy shop --to us-west-2 --request-id a/b --yes', onlyPlan, EXIT.refused, /--request-id 'a\/b' must be 1-80 letters/, []],
    ['a wrong confirmation', 'failover --strategy shop --to us-west-2', onlyPlan, EXIT.refused, /not confirmed \(typed 'us-east-1'\): nothing changed/, ['plan']],
    ['a missing Region', 'failover --strategy shop --yes', onlyPlan, EXIT.refused, /a Region is required: --to <region> \(or --region\)/, []],
    ['a missing strategy', 'failover --to us-west-2 --yes', onlyPlan, EXIT.refused, /required option '-s, --strategy <name>' not specified/, []],
    ['--to and --region that disagree', 'failover --strategy shop --to us-west-2 --region us-east-1 --yes', onlyPlan, EXIT.refused, /--to us-west-2 and --region us-east-1 disagree/, []],
    ['an unknown mode', 'plan --strategy shop --to us-west-2 --mode maybe', onlyPlan, EXIT.refused, /argument 'maybe' is invalid/, []],
    ['a mistyped Region', 'failover --strategy shop --to us-wset2 --yes', onlyPlan, EXIT.refused, /'us-wset2' is not a Region name/, []],
    ['a poll interval under a second', 'failover --strategy shop --to us-west-2 --poll 0 --yes', onlyPlan, EXIT.refused, /--poll '0' is under 1 s/, []],
  ])('%s', async (name, argv, arrange, code, message, actions) => {
    arrange();
    const o = io({ interactive: name === 'a wrong confirmation', answers: ['us-east-1'] });
    expect(await cli(argv, o)).toBe(code);
    expect(o.stderr).toHaveLength(1);
    expect(o.stderr[0]).toMatch(message);
    expect(invokedActions()).toEqual(actions);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('failback', () => {
  test('with --region (the same as --to): the failback runbook in the primary Region, planned, followed to the end', async () => {
    lambda.on(InvokeCommand).callsFake((input: { FunctionName: string; Payload: Uint8Array }) => {
      expect(input.FunctionName).toBe('shop-Primary-FailbackRunbookEntry');
      const req = JSON.parse(Buffer.from(input.Payload).toString());
      const p = plan({ source: { region: 'us-west-2', reachable: true, healthy: true, writer: true }, target: { region: 'us-east-1', reachable: true, healthy: true, writer: false }, dataLossRiskSeconds: 0 });
      return req.action === 'plan' ? payload({ accepted: true, plan: p }) : payload({ accepted: true, executionArn: 'arn:aws:states:us-east-1:111111111111:execution:shop-failback:fb-1', duplicate: false, status: 'RUNNING' });
    });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: fixture('failover-succeeded.json') });
    const o = io();
    expect(await cli('failback --strategy shop --region us-east-1 --mode planned --request-id fb-1 --yes', o)).toBe(EXIT.succeeded);
    expect(invokedActions()).toEqual(['plan', 'failback']);
    expect(o.stdout.join('\n')).toContain('data-loss risk: none (planned: the secondary catches up first)');
    expect(o.stdout.join('\n')).toContain('execution SUCCEEDED after 3m 41s');
  });
});

describe('drill', () => {
  test('starts the strategy\'s drill, follows it and reports a pass: exit 0', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-west-2:111111111111:execution:shop-drill:d1' });
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 1, type: 'ExecutionStarted', timestamp: new Date('2026-11-22T03:00:00Z') },
        { id: 2, type: 'TaskStateEntered', timestamp: new Date('2026-11-22T03:00:00Z'), stateEnteredEventDetails: { name: 'Baseline' } },
        { id: 3, type: 'TaskStateExited', timestamp: new Date('2026-11-22T03:00:02Z'), stateExitedEventDetails: { name: 'Baseline' } },
        { id: 4, type: 'TaskStateEntered', timestamp: new Date('2026-11-22T03:00:02Z'), stateEnteredEventDetails: { name: 'StartFailover' } },
        { id: 5, type: 'TaskStateExited', timestamp: new Date('2026-11-22T03:04:02Z'), stateExitedEventDetails: { name: 'StartFailover' } },
        { id: 6, type: 'ExecutionSucceeded', timestamp: new Date('2026-11-22T03:04:10Z') },
      ],
    });
    sfn.on(DescribeExecutionCommand).resolves({ output: JSON.stringify({ drill: 'shop-failover', passed: true, recoverySeconds: 242, rtoSeconds: 600, stoppedByAlarm: false, targetStatus: 'SUCCEEDED', reason: 'recovered within the RTO' }) });
    const o = io();
    expect(await cli('drill --strategy shop --to us-west-2 --request-id d1 --yes', o)).toBe(EXIT.succeeded);
    expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input).toMatchObject({ stateMachineArn: DRILL.stateMachineArn, name: 'd1' });
    expect(o.stdout.join('\n')).toContain('+2s StartFailover started (step 2/2)');
    expect(o.stdout.join('\n')).toContain('Drill shop-failover: PASSED, recovered in 4m 02s against an RTO of 10m 00s');
  });

  test('a failed drill report: exit 1', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:d2' });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [{ id: 1, type: 'ExecutionStarted', timestamp: new Date() }, { id: 2, type: 'ExecutionSucceeded', timestamp: new Date() }] });
    sfn.on(DescribeExecutionCommand).resolves({ output: JSON.stringify({ drill: 'shop-failover', passed: false, recoverySeconds: 900, rtoSeconds: 600, stoppedByAlarm: false, targetStatus: 'SUCCEEDED', reason: 'recovered after the RTO' }) });
    const o = io();
    expect(await cli('drill --strategy shop --to us-west-2 --yes', o)).toBe(EXIT.failed);
    expect(o.stdout.join('\n')).toContain('Drill shop-failover: FAILED, recovered in 15m 00s');
  });

  test('no confirmation in a non-interactive run: nothing started', async () => {
    const o = io();
    expect(await cli('drill --strategy shop --to us-west-2', o)).toBe(EXIT.refused);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('status', () => {
  test('the active Region (from a plan in the recovery Region), the last executions and the last drill', async () => {
    lambda.on(InvokeCommand).resolves(payload({ accepted: true, plan: plan({ source: { region: 'us-east-1', reachable: true, healthy: true, writer: true } }) }));
    sfn.on(ListExecutionsCommand, { stateMachineArn: FAILOVER.stateMachineArn }).resolves({
      executions: [{ executionArn: 'arn:e1', stateMachineArn: FAILOVER.stateMachineArn, name: 'drill-2026-11-01', status: 'SUCCEEDED', startDate: new Date('2026-11-01T10:00:00Z'), stopDate: new Date('2026-11-01T10:03:40Z') }],
    });
    sfn.on(ListExecutionsCommand, { stateMachineArn: FAILBACK.stateMachineArn }).resolves({ executions: [] });
    sfn.on(ListExecutionsCommand, { stateMachineArn: DRILL.stateMachineArn }).resolves({ executions: [{ executionArn: 'arn:d', stateMachineArn: DRILL.stateMachineArn, name: 'd', status: 'SUCCEEDED', startDate: new Date('2026-11-01T10:00:00Z') }] });
    sfn.on(DescribeExecutionCommand).resolves({ output: JSON.stringify({ drill: 'shop-failover', passed: true, recoverySeconds: 220, rtoSeconds: 600, stoppedByAlarm: false, targetStatus: 'SUCCEEDED', reason: 'ok' }) });
    const o = io();
    expect(await cli('status --strategy shop --to us-east-1', o)).toBe(EXIT.succeeded);
    const text = o.stdout.join('\n');
    expect(text).toContain('shop (warm-standby): primary us-east-1, recovery us-west-2; RTO 10m 00s, RPO 30s');
    expect(text).toContain('active Region: us-east-1');
    expect(text).toContain('failover runbook (to us-west-2): last executions');
    expect(text).toContain('drill-2026-11-01 SUCCEEDED started 2026-11-01T10:00:00.000Z (3m 40s)');
    expect(text).toContain('failback runbook (to us-east-1): never run');
    expect(text).toContain('drill shop-failover: SUCCEEDED 2026-11-01T10:00:00.000Z; Drill shop-failover: PASSED, recovered in 3m 40s');
    expect(invokedActions()).toEqual(['plan']);
  });

  test('after a failover the recovery Region is active', async () => {
    lambda.on(InvokeCommand).resolves(payload({ accepted: true, plan: plan({ alreadyDone: true }) }));
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    const o = io();
    await cli('status --strategy shop --to us-west-2', o);
    expect(o.stdout.join('\n')).toContain('active Region: us-west-2');
    expect(o.stdout.join('\n')).toContain('automatic failover: off (a person starts every failover)');
  });
});

describe('automatic failover: status and cancel', () => {
  const AUTO_SM = 'arn:aws:states:us-west-2:111111111111:stateMachine:shop-auto-failover';
  const inState = (name: string) => ({ events: [{ id: 9, type: 'WaitStateEntered', timestamp: new Date(), stateEnteredEventDetails: { name } }, { id: 8, type: 'TaskStateExited', timestamp: new Date() }] }) as never;
  const PENDING = { executionArn: `${AUTO_SM.replace(':stateMachine:', ':execution:')}:e-1`, stateMachineArn: AUTO_SM, name: 'e-1', status: 'RUNNING' as const, startDate: new Date('2026-11-22T02:58:00Z') };
  beforeEach(() => {
    publish({
      '/cdk-resilience/runbooks/shop/us-west-2': FAILOVER,
      '/cdk-resilience/runbooks/shop/us-east-1': FAILBACK,
      '/cdk-resilience/strategies/shop': { ...STRATEGY, drills: [], autoFailover: { stateMachineArn: AUTO_SM, confirmationSeconds: 300, alarmName: 'shop-auto-failover-us-east-1' } },
    });
    lambda.on(InvokeCommand).resolves(payload({ accepted: true, plan: plan() }));
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
  });

  test('an active-active strategy shows both objectives', async () => {
    publish({ '/cdk-resilience/runbooks/shop/us-west-2': FAILOVER, '/cdk-resilience/runbooks/shop/us-east-1': FAILBACK, '/cdk-resilience/strategies/shop': { ...STRATEGY, kind: 'active-active', drills: [], trafficRtoSeconds: 120 } });
    const o = io();
    await cli('status --strategy shop --to us-west-2', o);
    expect(o.stdout.join('\n')).toContain('shop (active-active): primary us-east-1, recovery us-west-2; RTO 10m 00s (writes; traffic 2m 00s), RPO 30s');
  });

  test('status shows a pending confirmation window and how to cancel it', async () => {
    sfn.on(ListExecutionsCommand, { stateMachineArn: AUTO_SM, statusFilter: 'RUNNING' }).resolves({ executions: [PENDING] });
    sfn.on(GetExecutionHistoryCommand).resolves(inState('ConfirmationWindow'));
    const o = io();
    await cli('status --strategy shop --to us-west-2', o);
    const text = o.stdout.join('\n');
    expect(text).toContain('automatic failover: armed (alarm shop-auto-failover-us-east-1, confirmation window 5m 00s); PENDING (cancel one still in its window: cdk-resilience cancel --strategy shop --to us-west-2):');
    expect(text).toContain(`    ${PENDING.executionArn} started 2026-11-22T02:58:00.000Z, in its window (ConfirmationWindow)`);
  });

  test('cancel stops each confirmation still in its window, in the recovery Region, with who and why', async () => {
    sfn.on(ListExecutionsCommand, { stateMachineArn: AUTO_SM, statusFilter: 'RUNNING' }).resolves({ executions: [PENDING] });
    sfn.on(GetExecutionHistoryCommand).resolves(inState('ConfirmationWindow'));
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    const o = io();
    expect(await cli('cancel --strategy shop --to us-east-1 --reason flapping', o)).toBe(EXIT.succeeded);
    expect(sfn.commandCalls(StopExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { executionArn: PENDING.executionArn, error: 'CancelledByOperator', cause: `cancelled by ${OPERATOR} from the CLI: flapping` },
    ]);
    expect(await sfn.commandCalls(StopExecutionCommand)[0].thisValue.config.region()).toBe('us-west-2');
    expect(o.stdout.join('\n')).toContain(`Cancelled ${PENDING.executionArn}`);
    // Never a runbook: only the confirmation machine's executions are listed and stopped.
    expect(sfn.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input.stateMachineArn)).toEqual([AUTO_SM]);
  });

  test('past its window (asking the runbook to start): not stopped, and the operator is told to follow the runbook', async () => {
    sfn.on(ListExecutionsCommand, { stateMachineArn: AUTO_SM, statusFilter: 'RUNNING' }).resolves({ executions: [PENDING] });
    sfn.on(GetExecutionHistoryCommand).resolves(inState('StartFailover'));
    const o = io();
    expect(await cli('cancel --strategy shop --to us-west-2', o)).toBe(EXIT.failed);
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
    expect(o.stderr.join('\n')).toContain(`${PENDING.executionArn} is past its window (StartFailover): it asks or has asked the runbook to start, and stopping it would not stop the runbook. Follow it: cdk-resilience status --strategy shop --to us-west-2`);
  });

  test('the window ended between the read and the stop: stopped, but the operator is told it may have reached the runbook', async () => {
    sfn.on(ListExecutionsCommand, { stateMachineArn: AUTO_SM, statusFilter: 'RUNNING' }).resolves({ executions: [PENDING] });
    sfn.on(GetExecutionHistoryCommand).resolvesOnce(inState('ReadAlarm')).resolves(inState('StartSwitchover'));
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    const o = io();
    expect(await cli('cancel --strategy shop --to us-west-2', o)).toBe(EXIT.failed);
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(1);
    expect(o.stderr.join('\n')).toContain('was stopped in StartSwitchover: it may have asked the runbook to start');
    expect(o.stdout.join('\n')).not.toContain('Cancelled');
  });

  test('nothing pending: nothing stopped, and where to follow a failover already started', async () => {
    const o = io();
    expect(await cli('cancel --strategy shop --to us-west-2', o)).toBe(EXIT.succeeded);
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
    expect(o.stdout.join('\n')).toMatch(/^No automatic failover of shop is pending\. If one already started the runbook, follow it: cdk-resilience status/);
  });

  test('a strategy without automatic failover: refused, nothing called', async () => {
    publish({ '/cdk-resilience/strategies/shop': STRATEGY });
    const o = io();
    expect(await cli('cancel --strategy shop --to us-west-2', o)).toBe(EXIT.refused);
    expect(o.stderr.join('\n')).toContain('shop has no automatic failover: nothing to cancel');
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(0);
  });
});
