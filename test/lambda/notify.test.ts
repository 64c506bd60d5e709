/**
 * The report step (lambda/runbook-notify) field by field, at a fixed clock, with
 * aws-sdk-client-mock: what each line of the report says for each outcome, what it reads to
 * say it (the database after a failed Recover step, the directory parameter for a re-run), the
 * metrics it emits (Powertools' EMF, captured from the console) and the message it publishes.
 * Mutation testing showed the report's text, its timeline and its metrics unchecked: the runbook
 * tests read only its status and first words.
 */
import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeDBClustersCommand, DescribeGlobalClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as notify, rerunCommands } from '../../lambda/runbook-notify';
import { installClock } from '../../lambda/shared/clock';
import type { RunbookConfig, RunbookReport, RunbookState } from '../../protocol';
import { testConfig } from '../dr/fixtures';

const rdsMock = mockClient(RDSClient);
const ddb = mockClient(DynamoDBClient);
const snsMock = mockClient(SNSClient);
const ssmMock = mockClient(SSMClient);
const EXEC = 'arn:aws:states:us-west-2:111111111111:execution:shop-failover:inc-1';
const UNPLANNED = { action: 'failover', mode: 'unplanned', allowDataLoss: true, requestId: 'inc-1', reason: 'us-east-1 outage' };
const PLANNED = { action: 'failover', mode: 'planned', requestId: 'inc-1', reason: 'drill' };
/** The report is written at 00:02:05.250 (the clock is fixed); the run began at 00:00:00. */
const NOW = Date.parse('2026-01-01T00:02:05.250Z');
const T = (s: number): string => new Date(Date.parse('2026-01-01T00:00:00.000Z') + s * 1000).toISOString();
const EAST_ARN = 'arn:aws:rds:us-east-1:111111111111:cluster:shop-us-east-1';
const WEST_ARN = 'arn:aws:rds:us-west-2:111111111111:cluster:shop-us-west-2';

const plan = (o: Record<string, unknown> = {}): never => ({ step: 'preflight', startedAt: T(0), endedAt: T(1.25), actions: ['read the world'], dataLossRiskSeconds: 0.5, alreadyDone: false, steps: [], ...o }) as never;
const step = (name: string, from: number, to: number, actions: string[] = [], extra: Record<string, unknown> = {}) => ({ step: name, startedAt: T(from), endedAt: T(to), actions, ...extra });

/** A completed run: preflight, database and compute side by side, traffic, verify. */
const completed = (extra: Partial<RunbookState> = {}): RunbookState =>
  ({
    request: UNPLANNED,
    execution: EXEC,
    startedAt: T(0),
    plan: plan(),
    parallel: [step('database', 1.25, 62.5, ['promoted shop-us-west-2'], { dataLossRiskSeconds: 0.8 }), step('compute', 1.25, 40, ['scaled shop-web-us-west-2 to 6'])],
    traffic: step('traffic', 62.5, 63, ['opened us-west-2']),
    verify: step('verify', 63, 124, ['verified us-west-2']),
    ...extra,
  }) as never;

let emf: Record<string, unknown>[];
let config: RunbookConfig;

function useConfig(c: RunbookConfig): void {
  config = c;
  process.env.RUNBOOK_CONFIG = JSON.stringify(c);
}

beforeEach(() => {
  rdsMock.reset();
  ddb.reset();
  snsMock.reset();
  ssmMock.reset();
  process.env.AWS_MAX_ATTEMPTS = '1';
  // Powertools writes its EMF lines through the global console in dev mode, metrics enabled.
  process.env.POWERTOOLS_DEV = 'true';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  emf = [];
  jest.spyOn(console, 'log').mockImplementation((line: unknown) => {
    if (typeof line === 'string' && line.includes('"_aws"')) emf.push(JSON.parse(line));
  });
  installClock({ now: () => NOW });
  useConfig({ ...testConfig({}), rtoSeconds: 600 });
  ddb.on(DeleteItemCommand).resolves({});
  snsMock.on(PublishCommand).resolves({ MessageId: '1' });
  ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify({ entryFunctionName: 'Shop-Entry' }) } });
});

afterEach(() => {
  installClock(undefined);
  jest.restoreAllMocks();
  delete process.env.POWERTOOLS_DEV;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

const published = () => snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input);
/** The metric values of the one EMF line, by name; and its dimensions and namespace. */
function metrics(): { values: Record<string, unknown>; namespace: unknown; dimensions: Record<string, unknown> } {
  expect(emf).toHaveLength(1);
  const [line] = emf;
  const meta = (line._aws as { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[]; Dimensions: string[][] }[] }).CloudWatchMetrics[0];
  const values = Object.fromEntries(meta.Metrics.map((m) => [m.Name, line[m.Name]]));
  const dimensions = Object.fromEntries(meta.Dimensions[0].map((d) => [d, line[d]]));
  return { values, namespace: meta.Namespace, dimensions };
}

describe('a completed run', () => {
  let report: RunbookReport;
  beforeEach(async () => {
    report = await notify(completed());
  });

  test('its first line: the runbook, the recovery time from the run start to the report, the writes at risk from the database step', () => {
    expect(report.status).toBe('SUCCEEDED');
    expect(report.summary).toBe('SUCCEEDED: shop failover to us-west-2 in 125.3 s. Up to 0.8 s of writes may be lost (the replication lag at the decision).');
    expect(report).toMatchObject({ runbook: 'shop failover to us-west-2', requestId: 'inc-1', recoveryTimeSeconds: 125.3, dataLossRiskSeconds: 0.8, notDone: [], rerun: undefined, error: undefined, twoWriters: undefined });
    expect(report.requestedBy).toBeUndefined();
  });

  test('the timeline: every step in order (preflight, the parallel ones, traffic, verify), each to a tenth of a second', () => {
    expect(report.timeline).toEqual([
      { step: 'preflight', startedAt: T(0), endedAt: T(1.25), seconds: 1.3 },
      { step: 'database', startedAt: T(1.25), endedAt: T(62.5), seconds: 61.3 },
      { step: 'compute', startedAt: T(1.25), endedAt: T(40), seconds: 38.8 },
      { step: 'traffic', startedAt: T(62.5), endedAt: T(63), seconds: 0.5 },
      { step: 'verify', startedAt: T(63), endedAt: T(124), seconds: 61 },
    ]);
    expect(report.done).toEqual(['preflight: read the world', 'database: promoted shop-us-west-2', 'compute: scaled shop-web-us-west-2 to 6', 'traffic: opened us-west-2', 'verify: verified us-west-2']);
  });

  test('the Gantt chart: titled by the runbook, from the run start, with the recovery and the RTO milestones', () => {
    expect(report.gantt.split('\n')).toEqual([
      'gantt',
      '  title shop failover to us-west-2',
      '  dateFormat X',
      '  axisFormat %M:%S',
      '  section Steps',
      '  preflight :s0, 0, 1s',
      '  database :s1, 1, 62s',
      '  compute :s2, 1, 39s',
      '  traffic :s3, 63, 1s',
      '  verify :s4, 63, 61s',
      '  section Target',
      '  recovered in 125 s :milestone, rec, 125, 0s',
      '  RTO 600 s :crit, milestone, rto, 600, 0s',
    ]);
  });

  test('its metrics: succeeded, the recovery time and each step, under the namespace, service and runbook', () => {
    const m = metrics();
    expect(m.namespace).toBe('CdkResilience');
    expect(m.dimensions).toEqual({ service: 'shop', Runbook: 'failover-us-west-2' });
    expect(m.values).toEqual({
      RunbookSucceeded: 1,
      RecoveryTimeSeconds: 125.3,
      StepSeconds_preflight: 1.3,
      StepSeconds_database: 61.3,
      StepSeconds_compute: 38.8,
      StepSeconds_traffic: 0.5,
      StepSeconds_verify: 61,
    });
  });

  test('the lock is released as this execution; the message is the first line, the report and the chart; nothing else is read', () => {
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(1);
    expect(ddb.commandCalls(DeleteItemCommand)[0].args[0].input).toMatchObject({ TableName: 'shop-runbook-lock', ExpressionAttributeValues: { ':me': { S: EXEC } } });
    expect(published()).toEqual([
      {
        TopicArn: 'arn:aws:sns:us-west-2:111111111111:shop-runbook',
        Subject: '[SUCCEEDED] shop failover to us-west-2',
        Message: `${report.summary}\n\n${JSON.stringify(report, null, 2)}\n\nTimeline (Mermaid):\n${report.gantt}\n`,
      },
    ]);
    expect(report.notification).toBeUndefined();
    // A completed run reads neither the database nor the directory.
    expect(rdsMock.calls()).toHaveLength(0);
    expect(ssmMock.calls()).toHaveLength(0);
  });
});

describe('the writes at risk', () => {
  test('the lag the database step read at its call, not Preflight’s', async () => {
    expect((await notify(completed())).dataLossRiskSeconds).toBe(0.8);
  });

  test('a database step that could not read the lag: unknown, though Preflight read one', async () => {
    const [db, compute] = (completed().parallel ?? []) as never[];
    const report = await notify(completed({ parallel: [{ ...(db as object), dataLossRiskSeconds: null }, compute] as never }));
    expect(report.dataLossRiskSeconds).toBeUndefined();
    expect(report.summary).toBe('SUCCEEDED: shop failover to us-west-2 in 125.3 s. An unknown amount of writes may be lost: the replication lag could not be read at the decision.');
  });

  test('a database step that made no such call: Preflight’s lag', async () => {
    const report = await notify(completed({ parallel: [step('database', 1, 2), step('compute', 1, 2)] as never }));
    expect(report.dataLossRiskSeconds).toBe(0.5);
    expect(report.summary).toMatch(/ Up to 0\.5 s of writes may be lost/);
  });

  test('no database step in the state: Preflight’s lag; a null or step-less branch output is skipped', async () => {
    const report = await notify(completed({ parallel: [null, { Error: 'x' }, step('compute', 1, 2)] as never, traffic: undefined, verify: null as never }));
    expect(report.dataLossRiskSeconds).toBe(0.5);
    expect(report.timeline.map((t) => t.step)).toEqual(['preflight', 'compute']);
  });

  test('the database step found after other branches (compute first)', async () => {
    const report = await notify(completed({ parallel: [null, step('compute', 1, 2), step('database', 1, 2, [], { dataLossRiskSeconds: 2.5, twoWriters: { fencedRegion: 'us-east-1', beforeFailback: 'keep it fenced' } })] as never }));
    expect(report.dataLossRiskSeconds).toBe(2.5);
    expect(report.twoWriters).toEqual({ fencedRegion: 'us-east-1', beforeFailback: 'keep it fenced' });
  });

  test('a planned run risks none, and its first line says nothing of lost writes', async () => {
    const report = await notify(completed({ request: PLANNED as never }));
    expect(report.dataLossRiskSeconds).toBe(0);
    expect(report.summary).toBe('SUCCEEDED: shop failover to us-west-2 in 125.3 s.');
  });
});

describe('nothing to do', () => {
  test('the workload already runs there: said so, no writes at risk in the words, though the request was unplanned', async () => {
    const report = await notify({ request: UNPLANNED, execution: EXEC, startedAt: T(0), plan: plan({ alreadyDone: true }) } as never);
    expect(report.status).toBe('NOTHING_TO_DO');
    expect(report.summary).toBe('NOTHING TO DO: shop failover to us-west-2: the workload already runs there');
    expect(metrics().values).toMatchObject({ RunbookSucceeded: 1 });
  });

  test('no Preflight result and no error (a state no runbook makes): a success from the report time', async () => {
    const report = await notify({ request: PLANNED, execution: EXEC } as never);
    expect(report).toMatchObject({ status: 'SUCCEEDED', recoveryTimeSeconds: 0, timeline: [], done: [] });
  });
});

describe('a failed run', () => {
  const failedAfterDatabase = (o: Partial<RunbookState> = {}) =>
    completed({ parallel: [step('database', 1.25, 62.5, ['promoted shop-us-west-2'], { dataLossRiskSeconds: 0.8 })] as never, traffic: undefined, verify: undefined, error: { Error: 'States.TaskFailed', Cause: 'ReconcileCompute failed\nat line 2' }, ...o });

  test('its first line: the error’s first line, and what a promotion made may have lost', async () => {
    const report = await notify(failedAfterDatabase());
    expect(report.status).toBe('FAILED');
    expect(report.summary).toBe('FAILED: shop failover to us-west-2: States.TaskFailed: ReconcileCompute failed. If a promotion was made: Up to 0.8 s of writes may be lost (the replication lag at the decision).');
    expect(report.error).toBe('States.TaskFailed: ReconcileCompute failed\nat line 2');
  });

  test('what was not done, in the order the steps run; the recovery time is not a recovery (no metric, no milestone)', async () => {
    const report = await notify(failedAfterDatabase());
    expect(report.notDone).toEqual(['compute', 'traffic', 'verify']);
    expect(report.gantt).not.toMatch(/recovered in/);
    expect(report.gantt).toMatch(/\n  RTO 600 s :crit, milestone, rto, 600, 0s$/);
    const m = metrics();
    expect(m.values).toEqual({ RunbookFailed: 1, StepSeconds_preflight: 1.3, StepSeconds_database: 61.3 });
  });

  test('a planned run’s failure says nothing of lost writes', async () => {
    const report = await notify(failedAfterDatabase({ request: PLANNED as never }));
    expect(report.summary).toBe('FAILED: shop failover to us-west-2: States.TaskFailed: ReconcileCompute failed');
    expect(report.dataLossRiskSeconds).toBe(0);
  });

  test('a long error: the first line cut at 300 characters, the report’s error at 2,000; an error without a cause', async () => {
    const long = await notify(failedAfterDatabase({ error: { Error: 'E', Cause: 'x'.repeat(5000) } }));
    expect(long.error).toHaveLength(2000);
    expect(long.summary).toBe(`FAILED: shop failover to us-west-2: E: ${'x'.repeat(297)}. If a promotion was made: Up to 0.8 s of writes may be lost (the replication lag at the decision).`);
    const bare = await notify(failedAfterDatabase({ error: { Error: 'States.Timeout' } as never }));
    expect(bare.error).toBe('States.Timeout: ');
  });

  test('the subject names the status and two writers, cut at 100 characters', async () => {
    const name = 'a'.repeat(90);
    useConfig({ ...testConfig({}), name });
    await notify(failedAfterDatabase({ parallel: [step('database', 1, 2, [], { twoWriters: { fencedRegion: 'us-east-1', beforeFailback: 'b' } })] as never }));
    expect(published()[0].Subject).toBe(`[FAILED, TWO WRITERS] ${name} failover to us-west-2`.slice(0, 100));
    expect(published()[0].Subject).toHaveLength(100);
  });

  test('two writable databases head the first line, before FAILED', async () => {
    const report = await notify(failedAfterDatabase({ parallel: [step('database', 1, 2, [], { twoWriters: { fencedRegion: 'us-east-1', beforeFailback: 'Fence it before a failback' } })] as never }));
    expect(report.summary).toBe(
      "TWO WRITABLE DATABASES: us-east-1's database may accept writes when it answers; it is fenced (no traffic until a failback). Fence it before a failback. FAILED: shop failover to us-west-2: States.TaskFailed: ReconcileCompute failed. If a promotion was made: Up to 0.5 s of writes may be lost (the replication lag at the decision).",
    );
  });

  describe('a failed Recover step (no database result): the report reads the database', () => {
    const failedInRecover = (o: Partial<RunbookState> = {}) => completed({ parallel: undefined, traffic: undefined, verify: undefined, error: { Error: 'States.TaskFailed', Cause: 'Recover failed' }, ...o });
    const globalWith = (members: { DBClusterArn: string; IsWriter: boolean }[]) => rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ GlobalClusterIdentifier: 'shop', Status: 'available', GlobalClusterMembers: members }] });

    test('the writer already in the target: its lag at the call is lost with the result, so the risk is unknown', async () => {
      globalWith([{ DBClusterArn: WEST_ARN, IsWriter: true }, { DBClusterArn: EAST_ARN, IsWriter: false }]);
      const report = await notify(failedInRecover());
      expect(rdsMock.commandCalls(DescribeGlobalClustersCommand)).toHaveLength(1);
      expect(report.dataLossRiskSeconds).toBeUndefined();
      expect(report.twoWriters).toBeUndefined();
      expect(report.summary).toBe('FAILED: shop failover to us-west-2: States.TaskFailed: Recover failed. If a promotion was made: An unknown amount of writes may be lost: the replication lag could not be read at the decision.');
      expect(report.notDone).toEqual(['database', 'compute', 'traffic', 'verify']);
    });

    test('the writer still in the source: Preflight’s lag stands', async () => {
      globalWith([{ DBClusterArn: EAST_ARN, IsWriter: true }, { DBClusterArn: WEST_ARN, IsWriter: false }]);
      const report = await notify(failedInRecover());
      expect(report.dataLossRiskSeconds).toBe(0.5);
      expect(report.twoWriters).toBeUndefined();
    });

    test('detached (two writers): the note, and the risk unknown', async () => {
      globalWith([{ DBClusterArn: EAST_ARN, IsWriter: true }]);
      rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ DBClusterIdentifier: 'shop-us-west-2', Status: 'available' }] });
      const report = await notify(failedInRecover({ request: { ...UNPLANNED, allowDetach: true } as never }));
      expect(report.twoWriters?.fencedRegion).toBe('us-east-1');
      expect(report.dataLossRiskSeconds).toBeUndefined();
    });

    test('the database cannot be read: the report goes out, the risk unknown', async () => {
      rdsMock.on(DescribeGlobalClustersCommand).rejects(Object.assign(new Error('down'), { name: 'InternalFailure' }));
      const report = await notify(failedInRecover());
      expect(report.status).toBe('FAILED');
      expect(report.dataLossRiskSeconds).toBeUndefined();
      expect(published()).toHaveLength(1);
    });

    test('a failure before Preflight (no plan, no start time): the recovery time is zero, and every step is not done', async () => {
      globalWith([{ DBClusterArn: EAST_ARN, IsWriter: true }, { DBClusterArn: WEST_ARN, IsWriter: false }]);
      const report = await notify(failedInRecover({ plan: undefined, startedAt: undefined }));
      expect(report).toMatchObject({ recoveryTimeSeconds: 0, timeline: [], dataLossRiskSeconds: undefined, notDone: ['preflight', 'database', 'compute', 'traffic', 'verify'] });
    });

    test('the run start is the state’s, not Preflight’s', async () => {
      globalWith([{ DBClusterArn: EAST_ARN, IsWriter: true }, { DBClusterArn: WEST_ARN, IsWriter: false }]);
      const report = await notify(failedInRecover({ startedAt: T(5) }));
      expect(report.recoveryTimeSeconds).toBe(120.3);
      const fromPlan = await notify(failedInRecover({ startedAt: undefined, plan: plan({ startedAt: T(10) }) }));
      expect(fromPlan.recoveryTimeSeconds).toBe(115.3);
    });
  });

  describe('the re-run commands', () => {
    test('read from the runbook’s directory parameter in the target Region', async () => {
      const report = await notify(failedAfterDatabase());
      expect(ssmMock.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).toEqual([{ Name: '/cdk-resilience/runbooks/shop/us-west-2' }]);
      // Bounded: the read gets an abort signal, so a silent SSM cannot hold the report.
      expect((ssmMock.commandCalls(GetParameterCommand)[0].args as unknown[])[1]).toEqual({ abortSignal: expect.any(AbortSignal) });
      expect(await ssmMock.commandCalls(GetParameterCommand)[0].thisValue.config.region()).toBe('us-west-2');
      expect(report.rerun).toEqual([
        "npx cdk-resilience failover --strategy 'shop' --to 'us-west-2' --mode unplanned --allow-data-loss --request-id 'inc-1-rerun' --reason 'us-east-1 outage' --yes",
        `aws lambda invoke --region 'us-west-2' --function-name 'Shop-Entry' --cli-binary-format raw-in-base64-out --payload '${JSON.stringify({ ...UNPLANNED, requestId: 'inc-1-rerun' })}' out.json`,
      ]);
    });

    test('a parameter that cannot be read, or has no value: the CLI command only', async () => {
      ssmMock.on(GetParameterCommand).rejects(Object.assign(new Error('gone'), { name: 'ParameterNotFound' }));
      expect((await notify(failedAfterDatabase())).rerun).toHaveLength(1);
      ssmMock.on(GetParameterCommand).resolves({});
      expect((await notify(failedAfterDatabase())).rerun).toHaveLength(1);
      ssmMock.on(GetParameterCommand).resolves({ Parameter: {} });
      expect((await notify(failedAfterDatabase())).rerun).toHaveLength(1);
    });

    test('each consent flag as asked, and only as asked', () => {
      expect(rerunCommands(config, { ...UNPLANNED, allowDetach: true } as never)).toEqual([
        "npx cdk-resilience failover --strategy 'shop' --to 'us-west-2' --mode unplanned --allow-data-loss --allow-detach --request-id 'inc-1-rerun' --reason 'us-east-1 outage' --yes",
      ]);
      expect(rerunCommands(config, PLANNED as never)).toEqual(["npx cdk-resilience failover --strategy 'shop' --to 'us-west-2' --mode planned --request-id 'inc-1-rerun' --reason 'drill' --yes"]);
      expect(rerunCommands(config, { ...PLANNED, allowDetach: true } as never)[0]).toBe(
        "npx cdk-resilience failover --strategy 'shop' --to 'us-west-2' --mode planned --allow-detach --request-id 'inc-1-rerun' --reason 'drill' --yes",
      );
    });
  });

  test('an invalid request (a direct StartExecution) is named as such: no re-run, no directory read, no writes at risk claimed', async () => {
    const report = await notify(failedAfterDatabase({ request: { action: 'failover', mode: 'unplanned' } as never }));
    expect(report).toMatchObject({ status: 'FAILED', requestId: '(invalid request)', rerun: undefined, dataLossRiskSeconds: 0 });
    expect(report.requestedBy).toBeUndefined();
    expect(report.summary).toBe('FAILED: shop failover to us-west-2: States.TaskFailed: ReconcileCompute failed');
    expect(ssmMock.calls()).toHaveLength(0);
  });
});

describe('what it does not do', () => {
  test('no execution in the state: no lock to release', async () => {
    await notify(completed({ execution: undefined }));
    expect(ddb.calls()).toHaveLength(0);
  });

  test('no topic configured: nothing published, the report returned', async () => {
    useConfig({ ...testConfig({}), notifyTopicArn: undefined });
    const report = await notify(completed());
    expect(snsMock.calls()).toHaveLength(0);
    expect(report.status).toBe('SUCCEEDED');
    expect(report.notification).toBeUndefined();
  });
});
