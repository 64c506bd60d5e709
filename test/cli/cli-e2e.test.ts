/**
 * The operator CLI end to end: `cdk-resilience failover` reads the directory parameter,
 * invokes the real entry function (plan, then failover), which starts the synthesized
 * runbook state machine in aws-local-stepfunctions; the real step handlers run against the
 * simulated AWS, and the CLI follows the execution's history (the local event log,
 * converted to Step Functions history events on the virtual clock) until it succeeds.
 */
import * as fs from 'fs';
import * as path from 'path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, HistoryEvent, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { awsClients } from '../../cli/aws';
import { Io } from '../../cli/commands';
import { EXIT } from '../../cli/errors';
import { runCli } from '../../cli/program';
import { handler as entryHandler } from '../../lambda/runbook-entry';
import { RunbookEntry, RunbookRequest } from '../../protocol';
import { RUNBOOK_STATES as S } from '../../lib/dr/runbook';
import { testConfig, WEST } from '../dr/fixtures';
import { testRunbook } from '../dr/stacks';
import { execute, ExecutionOutcome, LocalEvent } from '../dr/harness';
import { SimulatedAws } from '../dr/simulator';

const lambda = mockClient(LambdaClient);
const sfn = mockClient(SFNClient);
const sts = mockClient(STSClient);
const SM = 'arn:aws:states:us-west-2:123456789012:stateMachine:shop-failover';

test('failover from the CLI: plan, confirm (--yes), run the real runbook in the local simulator, follow it to SUCCEEDED', async () => {
  const config = testConfig({});
  const { runbook } = testRunbook(config);
  const sim = new SimulatedAws({ config });
  const entry: RunbookEntry = {
    strategy: config.name,
    direction: 'failover',
    targetRegion: WEST,
    sourceRegion: config.sourceRegion,
    entryFunctionName: 'shop-failover-entry',
    stateMachineArn: SM,
    rtoSeconds: 600,
    steps: [{ name: S.preflight }, { name: S.database, doneWhen: S.databaseOut }, { name: S.compute, doneWhen: S.computeOut }, { name: S.traffic }, { name: S.trafficWait }, { name: S.verify, doneWhen: S.verifyOut }, { name: S.notify }],
  };
  sim.parameters[`/cdk-resilience/runbooks/${config.name}/${WEST}`] = JSON.stringify(entry);
  sim.install();
  const history: HistoryEvent[] = [];
  let run: Promise<ExecutionOutcome> | undefined;
  const T0 = Date.parse('2026-11-22T03:00:00Z');
  const toHistory = (e: LocalEvent, seconds: number): void => {
    const timestamp = new Date(T0 + seconds * 1000);
    const id = history.length + 1;
    if (e.type === 'StateEntered' && e.state) history.push({ id, type: `${e.state.type}StateEntered` as never, timestamp, stateEnteredEventDetails: { name: e.state.name } });
    else if (e.type === 'StateExited' && e.state) history.push({ id, type: `${e.state.type}StateExited` as never, timestamp, stateExitedEventDetails: { name: e.state.name } });
    else if (e.type === 'StateFailed') history.push({ id, type: 'TaskFailed', timestamp, taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: e.Error, cause: String(e.Cause) } });
    else if (e.type === 'ExecutionStarted' || e.type === 'ExecutionSucceeded') history.push({ id, type: e.type, timestamp });
    else if (e.type === 'ExecutionFailed') history.push({ id, type: 'ExecutionFailed', timestamp, executionFailedEventDetails: { error: e.Error, cause: String(e.Cause) } });
  };
  try {
    process.env.RUNBOOK_CONFIG = JSON.stringify(config);
    process.env.STATE_MACHINE_ARN = SM;
    process.env.AWS_MAX_ATTEMPTS = '1';
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
    // The entry function runs for real; Lambda only carries the payload to it.
    lambda.on(InvokeCommand).callsFake(async (input: { FunctionName: string; Payload: Uint8Array }) => {
      expect(input.FunctionName).toBe('shop-failover-entry');
      const answer = await entryHandler(JSON.parse(Buffer.from(input.Payload).toString()));
      return { StatusCode: 200, Payload: Buffer.from(JSON.stringify(answer)) } as never;
    });
    sts.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:sts::111111111111:assumed-role/oncall/ana' });
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    let ended: ExecutionOutcome | undefined;
    sfn.on(DescribeExecutionCommand).callsFake(() => {
      if (!ended) throw Object.assign(new Error('no such execution'), { name: 'ExecutionDoesNotExist' });
      return { status: ended.status, output: JSON.stringify(ended.output ?? {}) };
    });
    sfn.on(StartExecutionCommand).callsFake((input: { name: string; input: string }) => {
      const { request } = JSON.parse(input.input) as { request: RunbookRequest };
      run = execute(sim, runbook, config, request, toHistory).then((o) => (ended = o));
      return { executionArn: `${SM.replace(':stateMachine:', ':execution:')}:${input.name}`, startDate: new Date() };
    });
    sfn.on(GetExecutionHistoryCommand).callsFake(() => ({ events: [...history] }));

    const out: string[] = [];
    const io: Io = {
      out: (t) => out.push(t),
      err: (t) => out.push(`ERR ${t}`),
      isTTY: false,
      interactive: false,
      prompt: async () => '',
      // The execution runs on the event loop: let it progress between polls.
      sleep: () => new Promise((resolve) => setTimeout(resolve, 5)),
      now: () => new Date(),
      color: false,
    };
    const code = await runCli(['failover', '--strategy', config.name, '--to', WEST, '--mode', 'unplanned', '--allow-data-loss', '--request-id', 'e2e-1', '--yes', '--poll', '1s'], io, () => awsClients());
    // docs/operator-guide.md shows this run, as recorded: it must stay what the CLI prints.
    // `UPDATE_OPERATOR_GUIDE=1 npx jest test/cli/cli-e2e.test.ts` records it again.
    const guidePath = path.join(__dirname, '..', '..', 'docs', 'operator-guide.md');
    const command = '$ cdk-resilience failover --strategy shop --to us-west-2 --mode unplanned --allow-data-loss --request-id e2e-1 --yes\n';
    if (process.env.UPDATE_OPERATOR_GUIDE) {
      const old = fs.readFileSync(guidePath, 'utf8');
      const start = old.indexOf(command);
      const end = old.indexOf('\n````', start);
      fs.writeFileSync(guidePath, `${old.slice(0, start)}${command}${out.join('\n')}${old.slice(end)}`);
    }
    const guide = fs.readFileSync(guidePath, 'utf8');
    expect(guide).toContain(`$ cdk-resilience failover --strategy shop --to us-west-2 --mode unplanned --allow-data-loss --request-id e2e-1 --yes\n${out.join('\n')}\n`);
    const outcome = await run!;
    expect(outcome.status).toBe('SUCCEEDED');
    expect(code).toBe(EXIT.succeeded);
    const text = out.join('\n');
    // The plan came from the real preflight against the simulated Regions.
    expect(text).toMatch(/Plan: .* failover to us-west-2 \(unplanned\)/);
    expect(text).toContain('Started arn:aws:states:us-west-2:123456789012:execution:shop-failover:e2e-1');
    for (const step of [S.preflight, S.database, S.compute, S.traffic, S.verify, S.notify]) expect(text).toMatch(new RegExp(`${step} succeeded in`));
    expect(text).toMatch(/execution SUCCEEDED after \d+m \d+s \(RTO 10m 00s: met\)/);
    expect(text).toContain('```mermaid\ngantt');
    // The runbook did what the CLI reported: the writer and the traffic are in us-west-2.
    expect(sim.writableRegions()).toContain(WEST);
  } finally {
    sim.uninstall();
    lambda.reset();
    sfn.reset();
    sts.reset();
  }
});
