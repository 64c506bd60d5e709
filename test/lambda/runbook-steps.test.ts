/**
 * Runbook steps on their own, with aws-sdk-client-mock: each step checks the request again
 * and refuses before any call (a state machine can be started directly), and the report says
 * what an operator must know first.
 */
import { execFileSync } from 'child_process';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, DescribeGlobalClustersCommand, PromoteReadReplicaCommand, RDSClient } from '@aws-sdk/client-rds';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler as database } from '../../lambda/runbook-database';
import { handler as notify, rerunCommands } from '../../lambda/runbook-notify';
import type { RunbookState } from '../../protocol';
import { testConfig } from '../dr/fixtures';

const rdsMock = mockClient(RDSClient);
const ddb = mockClient(DynamoDBClient);
const snsMock = mockClient(SNSClient);
const ssmMock = mockClient(SSMClient);
const EXEC = 'arn:aws:states:us-west-2:111111111111:execution:shop-failover:inc-1';
const unplanned = { action: 'failover', mode: 'unplanned', allowDataLoss: true, requestId: 'inc-1', reason: 'us-east-1 outage' };

beforeEach(() => {
  rdsMock.reset();
  ddb.reset();
  snsMock.reset();
  ssmMock.reset();
  process.env.AWS_MAX_ATTEMPTS = '1';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

describe('the database step fails closed', () => {
  test.each<[string, Record<string, unknown>, string, RegExp]>([
    ['a request with no mode (a direct StartExecution)', { action: 'failover' }, 'aurora', /^InvalidRequest: mode: must be planned or unplanned/],
    ['an unplanned request without allowDataLoss', { ...unplanned, allowDataLoss: undefined }, 'aurora', /^InvalidRequest: allowDataLoss: an unplanned failover can lose/],
    ['an extra field', { ...unplanned, AllowDataLoss: true }, 'aurora', /^InvalidRequest: AllowDataLoss: is not a field/],
  ])('%s: refused before any RDS call', async (_name, request, db, message) => {
    process.env.RUNBOOK_CONFIG = JSON.stringify(testConfig({ database: db as never }));
    await expect(database({ request, execution: EXEC })).rejects.toMatchObject({ name: 'RunbookRefused', message: expect.stringMatching(message) });
    expect(rdsMock.calls()).toHaveLength(0);
    expect(ddb.calls()).toHaveLength(0);
  });

  test('a read replica promotion without allowDetach is refused before any RDS call', async () => {
    process.env.RUNBOOK_CONFIG = JSON.stringify(testConfig({ database: 'replica' }));
    ddb.on(UpdateItemCommand).resolves({});
    rdsMock.resolves({ DBInstances: [{ DBInstanceStatus: 'available', ReadReplicaSourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:111111111111:db:ledger' }] });
    await expect(database({ request: unplanned, execution: EXEC })).rejects.toMatchObject({ message: expect.stringMatching(/^DetachConsentRequired: /) });
    expect(rdsMock.commandCalls(PromoteReadReplicaCommand)).toHaveLength(0);
  });

  test('a step that no longer holds the lock changes nothing (LockLost)', async () => {
    process.env.RUNBOOK_CONFIG = JSON.stringify(testConfig({}));
    ddb.on(UpdateItemCommand).rejects(Object.assign(new Error('x'), { name: 'ConditionalCheckFailedException' }));
    ddb.on(GetItemCommand).resolves({});
    await expect(database({ request: unplanned, execution: EXEC })).rejects.toMatchObject({ message: expect.stringMatching(/^LockLost: /) });
    expect(rdsMock.calls()).toHaveLength(0);
  });
});

describe('the report', () => {
  const config = testConfig({});
  const state = (extra: Partial<RunbookState> = {}): RunbookState =>
    ({
      request: unplanned,
      execution: EXEC,
      startedAt: '2026-01-01T00:00:00.000Z',
      plan: { step: 'preflight', startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.000Z', actions: [], dataLossRiskSeconds: 0.5, alreadyDone: false, steps: [] },
      ...extra,
    }) as never;
  beforeEach(() => {
    process.env.RUNBOOK_CONFIG = JSON.stringify(config);
    ddb.on(DeleteItemCommand).resolves({});
    snsMock.on(PublishCommand).resolves({ MessageId: '1' });
  });

  test('success: the first line says so, with the writes at risk; the lock is released; the message starts with it', async () => {
    const report = await notify(state());
    expect(report.summary).toMatch(/^SUCCEEDED: shop failover to us-west-2 in [\d.]+ s\. Up to 0\.5 s of writes may be lost \(the replication lag at the decision\)\.$/);
    expect(ddb.commandCalls(DeleteItemCommand)[0].args[0].input).toMatchObject({ ExpressionAttributeValues: { ':me': { S: EXEC } } });
    expect(snsMock.commandCalls(PublishCommand)[0].args[0].input.Message).toMatch(/^SUCCEEDED: /);
  });

  test('an unknown lag is said to be unknown, not zero', async () => {
    const report = await notify(state({ plan: { ...state().plan!, dataLossRiskSeconds: undefined } }));
    expect(report.summary).toMatch(/An unknown amount of writes may be lost/);
  });

  test('two writable databases come before anything else, in the subject too', async () => {
    const report = await notify(state({ parallel: [{ step: 'database', startedAt: 'a', endedAt: 'b', actions: [], twoWriters: { fencedRegion: 'us-east-1', beforeFailback: 'keep it fenced' } } as never] }));
    expect(report.summary).toMatch(/^TWO WRITABLE DATABASES: us-east-1's database may accept writes when it answers; it is fenced/);
    expect(snsMock.commandCalls(PublishCommand)[0].args[0].input.Subject).toMatch(/^\[SUCCEEDED, TWO WRITERS\]/);
  });

  test('a run that failed after its detach still says TWO WRITABLE DATABASES first: the report reads the database', async () => {
    // The Recover step failed, so the state has no database result; the target already left the global database.
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ GlobalClusterIdentifier: 'shop', Status: 'available', GlobalClusterMembers: [{ DBClusterArn: 'arn:aws:rds:us-east-1:111111111111:cluster:shop-us-east-1', IsWriter: true }] }] });
    rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ DBClusterIdentifier: 'shop-us-west-2', Status: 'available' }] });
    ssmMock.on(GetParameterCommand).rejects(new Error('no'));
    const report = await notify(state({ request: { ...unplanned, allowDetach: true } as never, error: { Error: 'States.TaskFailed', Cause: 'ReconcileCompute failed' } }));
    expect(report.summary).toMatch(/^TWO WRITABLE DATABASES: us-east-1's database may accept writes when it answers/);
    expect(report.status).toBe('FAILED');
    // Without a detach, a failed run says nothing of the kind.
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ GlobalClusterIdentifier: 'shop', Status: 'available', GlobalClusterMembers: [{ DBClusterArn: 'arn:aws:rds:us-east-1:111111111111:cluster:shop-us-east-1', IsWriter: true }, { DBClusterArn: 'arn:aws:rds:us-west-2:111111111111:cluster:shop-us-west-2', IsWriter: false }] }] });
    const plain = await notify(state({ error: { Error: 'States.TaskFailed', Cause: 'ReconcileCompute failed' } }));
    expect(plain.summary).toMatch(/^FAILED: /);
  });

  test('a run that failed while its read replica was being promoted says TWO WRITABLE DATABASES too', async () => {
    process.env.RUNBOOK_CONFIG = JSON.stringify(testConfig({ strategy: 'pilot-light', database: 'replica' }));
    rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: 'orders-us-west-2', DBInstanceStatus: 'modifying', ReadReplicaSourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:111111111111:db:orders' }] });
    ssmMock.on(GetParameterCommand).rejects(new Error('no'));
    const report = await notify(state({ request: { ...unplanned, allowDetach: true } as never, error: { Error: 'DatabaseNotReady', Cause: 'promoting' } }));
    expect(report.summary).toMatch(/^TWO WRITABLE DATABASES: /);
  });

  test('a notification that cannot be sent does not fail a completed failover: the report says so', async () => {
    snsMock.on(PublishCommand).rejects(Object.assign(new Error('down'), { name: 'ServiceUnavailable' }));
    const report = await notify(state());
    expect(report).toMatchObject({ status: 'SUCCEEDED', notification: 'not sent: ServiceUnavailable: down' });
  });

  test('a failure gives re-run commands from the validated fields, quoted for a shell, with the real function name', async () => {
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify({ entryFunctionName: 'Shop-Recovery-FailoverRunbookEntry1234' }) } });
    const reason = "INC-1: east's down; $(curl evil)";
    const report = await notify(state({ request: { ...unplanned, reason, requestedBy: 'arn:aws:iam::111111111111:user/ana' } as never, error: { Error: 'States.Timeout', Cause: 'x' } }));
    expect(report.status).toBe('FAILED');
    expect(report.requestedBy).toBe('arn:aws:iam::111111111111:user/ana');
    const [cli, aws] = report.rerun!;
    expect(cli).toBe(`npx cdk-resilience failover --strategy 'shop' --to 'us-west-2' --mode unplanned --allow-data-loss --request-id 'inc-1-rerun' --reason 'INC-1: east'\\''s down; $(curl evil)' --yes`);
    expect(aws).toMatch(/^aws lambda invoke --region 'us-west-2' --function-name 'Shop-Recovery-FailoverRunbookEntry1234' --cli-binary-format raw-in-base64-out --payload '/);
    // The payload a shell hands to the AWS CLI is exactly the request, with the new id.
    const payload = execFileSync('sh', ['-c', `printf '%s' ${aws.split(' --payload ')[1].replace(/ out\.json$/, '')}`], { encoding: 'utf8' });
    expect(JSON.parse(payload)).toEqual({ ...unplanned, reason, requestedBy: 'arn:aws:iam::111111111111:user/ana', requestId: 'inc-1-rerun' });
  });

  test('without the directory parameter, only the CLI command is offered (no placeholder)', () => {
    expect(rerunCommands(config, unplanned as never)).toHaveLength(1);
  });
});
