import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler as entry } from '../../lambda/runbook-entry';
import { EAST, testConfig, WEST } from './fixtures';
import { SimulatedAws } from './simulator';

const SM = 'arn:aws:states:us-west-2:111111111111:stateMachine:shop-failover';
const valid = { action: 'failover', mode: 'unplanned', allowDataLoss: true, requestId: 'req-1', reason: 'us-east-1 outage' };

/** No execution yet, Step Functions starting what it is asked to, and a simulated AWS installed. */
function freshWorld(sfn: ReturnType<typeof mockClient>, config: ReturnType<typeof testConfig>): SimulatedAws {
  process.env.RUNBOOK_CONFIG = JSON.stringify(config);
  process.env.STATE_MACHINE_ARN = SM;
  process.env.AWS_MAX_ATTEMPTS = '1';
  sfn.reset();
  sfn.on(ListExecutionsCommand).resolves({ executions: [] });
  sfn.on(DescribeExecutionCommand).rejects(Object.assign(new Error('no such execution'), { name: 'ExecutionDoesNotExist' }));
  sfn.on(StartExecutionCommand).callsFake((i) => ({ executionArn: `${SM.replace(':stateMachine:', ':execution:')}:${i.name}`, startDate: new Date() }));
  const sim = new SimulatedAws({ config });
  sim.install();
  return sim;
}

describe('runbook entry function', () => {
  const config = testConfig({});
  const sfn = mockClient(SFNClient);
  let sim: SimulatedAws;

  beforeEach(() => {
    sim = freshWorld(sfn, config);
  });
  afterEach(() => sim.uninstall());
  afterAll(() => sfn.restore());

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['no action', { ...valid, action: undefined }, /action: must be failover, failback or plan \(got: undefined\)/],
    ['the other direction', { ...valid, action: 'failback' }, /moves the workload to us-west-2 \(failover\); for failback invoke the runbook in us-east-1/],
    ['a bad mode', { ...valid, mode: 'sideways' }, /mode: must be planned or unplanned \(got: "sideways"\)/],
    ['unplanned without allowDataLoss', { ...valid, allowDataLoss: undefined }, /allowDataLoss: an unplanned failover can lose the replication lag/],
    ['unplanned with allowDataLoss false', { ...valid, allowDataLoss: false }, /set allowDataLoss: true to accept it/],
    ['a requestId with spaces', { ...valid, requestId: 'my request' }, /requestId: must be 1-80 letters/],
    ['a missing reason', { ...valid, reason: '' }, /reason: must be a non-empty string/],
    ['not an object', 'failover' as unknown as Record<string, unknown>, /must be a JSON object/],
  ])('rejects %s and changes nothing', async (_name, request, message) => {
    const out = await entry(request);
    expect(out.accepted).toBe(false);
    expect(out.accepted === false && out.error.code).toBe('InvalidRequest');
    expect(out.accepted === false && out.error.message).toMatch(message);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(sim.calls.filter((c) => !c.command.startsWith('Describe') && !c.command.startsWith('Get'))).toEqual([]);
  });

  test('plan reports both Regions, the lag, the data-loss risk and the steps, and changes nothing', async () => {
    const out = await entry({ ...valid, action: 'plan' });
    expect(out.accepted).toBe(true);
    const plan = out.accepted ? out.plan! : undefined;
    expect(plan?.source).toMatchObject({ region: EAST, reachable: true, healthy: true, writer: true, traffic: 'serving' });
    expect(plan?.target).toMatchObject({ region: WEST, reachable: true, healthy: false, writer: false, traffic: 'withdrawn', desiredCapacity: 3 });
    expect(plan?.replicationLagSeconds).toBe(0.5);
    expect(plan?.dataLossRiskSeconds).toBe(0.5);
    expect(plan?.steps.join('\n')).toMatch(/scale shop-web-us-west-2 in us-west-2 to 6[\s\S]*FailoverGlobalCluster with AllowDataLoss[\s\S]*traffic gates[\s\S]*verify on the data plane/);
    expect(plan?.alreadyDone).toBe(false);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(sim.calls.map((c) => c.command).filter((c) => !/^(Describe|Get|DnsQuery)/.test(c))).toEqual([]);
  });

  test('plan of a planned switchover shows no data-loss risk; with the primary down it says it would be refused', async () => {
    const planned = await entry({ ...valid, action: 'plan', mode: 'planned' });
    expect(planned.accepted && planned.plan?.dataLossRiskSeconds).toBe(0);
    expect(planned.accepted && planned.plan?.refusal).toBeUndefined();
    sim.faults.push({ region: EAST, kind: 'unreachable' });
    const planDown = await entry({ ...valid, action: 'plan', mode: 'planned' });
    expect(planDown.accepted && planDown.plan?.source.reachable).toBe(false);
    expect(planDown.accepted && planDown.plan?.refusal).toEqual({ code: 'PrimaryUnhealthy', message: expect.stringMatching(/re-run with mode unplanned and allowDataLoss: true/) });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  test('a planned switchover with the primary down is rejected before anything starts', async () => {
    sim.faults.push({ region: EAST, kind: 'unreachable' });
    const out = await entry({ ...valid, mode: 'planned' });
    expect(out).toMatchObject({ accepted: false, error: { code: 'PrimaryUnhealthy' } });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  test('starts one execution named after the requestId, with the request, and returns the plan', async () => {
    const out = await entry(valid);
    expect(out).toMatchObject({ accepted: true, duplicate: false, executionArn: `${SM.replace(':stateMachine:', ':execution:')}:req-1` });
    expect(out.accepted && out.plan?.steps.length).toBeGreaterThan(0);
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: SM, name: 'req-1' });
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!);
    expect(input.request).toEqual(valid);
  });

  test('a duplicate request with the same requestId starts nothing new (and plans nothing)', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' });
    const out = await entry(valid);
    expect(out).toMatchObject({ accepted: true, duplicate: true, status: 'SUCCEEDED' });
    expect(sfn).toHaveReceivedCommandWith(DescribeExecutionCommand, { executionArn: `${SM.replace(':stateMachine:', ':execution:')}:req-1` });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  test('a duplicate racing the first start (ExecutionAlreadyExists) is answered with the existing execution', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    sfn.on(DescribeExecutionCommand).rejectsOnce(Object.assign(new Error('no such execution'), { name: 'ExecutionDoesNotExist' })).resolves({ status: 'RUNNING' });
    const out = await entry(valid);
    expect(out).toMatchObject({ accepted: true, duplicate: true, status: 'RUNNING' });
  });

  test('a retried request while its execution runs is the same request, not a conflict', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [{ name: 'req-1', executionArn: 'x', stateMachineArn: SM, status: 'RUNNING', startDate: new Date() }] });
    const out = await entry(valid);
    expect(out.accepted).toBe(true);
  });

  test('a request while another execution of this runbook runs is refused', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [{ name: 'req-0', executionArn: 'x', stateMachineArn: SM, status: 'RUNNING', startDate: new Date('2026-01-01T00:00:00Z') }] });
    const out = await entry({ ...valid, requestId: 'req-2' });
    expect(out).toMatchObject({ accepted: false, error: { code: 'RunbookAlreadyRunning' } });
    expect(out.accepted === false && out.error.message).toMatch(/execution req-0 of this runbook is running/);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  // Requests at the same moment in two Regions meet at the lock: test/dr/fault-matrix-arc.test.ts.
  test('a second request after the first started (same Region): refused, one execution', async () => {
    const running: string[] = [];
    sfn.on(ListExecutionsCommand).callsFake(() => ({ executions: running.map((name) => ({ name, executionArn: name, stateMachineArn: SM, status: 'RUNNING', startDate: new Date() })) }));
    sfn.on(StartExecutionCommand).callsFake((i) => {
      running.push(i.name!);
      return { executionArn: i.name, startDate: new Date() };
    });
    const a = await entry({ ...valid, requestId: 'a' });
    const b = await entry({ ...valid, requestId: 'b' });
    expect([a.accepted, b.accepted]).toEqual([true, false]);
    expect(running).toEqual(['a']);
  });
});

describe('runbook entry function: the strategy lock', () => {
  const config = testConfig({});
  const sfn = mockClient(SFNClient);
  let sim: SimulatedAws;
  beforeEach(() => {
    sim = freshWorld(sfn, config);
  });
  afterEach(() => sim.uninstall());
  afterAll(() => sfn.restore());

  test('refuses while the other direction\'s runbook holds the lock, naming it, and starts nothing', async () => {
    // A failback execution in us-east-1 took the lock; its write has reached this Region's replica.
    const { acquireLock } = await import('../../lambda/shared/lock');
    process.env.RUNBOOK_CONFIG = JSON.stringify(testConfig({ direction: 'failback' }));
    await sim.time.run('main', () => acquireLock(testConfig({ direction: 'failback' }), 'arn:aws:states:us-east-1:111111111111:execution:shop-failback:back-1', 'back-1', 'arn:aws:iam::111111111111:user/ana'));
    sim.time.advance(5);
    process.env.RUNBOOK_CONFIG = JSON.stringify(config);
    const out = await entry(valid);
    expect(out).toMatchObject({ accepted: false, error: { code: 'RunbookAlreadyRunning' } });
    expect(out.accepted === false && out.error.message).toMatch(/the failback runbook in us-east-1 \(request back-1, by arn:aws:iam::111111111111:user\/ana\) holds the strategy's lock until .* a failover and a failback never run together/);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });
});

describe('runbook entry function: what it asks Step Functions, and each answer', () => {
  const config = testConfig({});
  const sfn = mockClient(SFNClient);
  let sim: SimulatedAws;
  beforeEach(() => {
    sim = freshWorld(sfn, config);
  });
  afterEach(() => sim.uninstall());
  afterAll(() => sfn.restore());
  const named = (name: string): Error => Object.assign(new Error(name), { name });

  test('an invalid request: every problem named in one message, and the problems listed', async () => {
    const out = await entry({ action: 'failover', mode: 'sideways', requestId: 'r', reason: 'x', AllowDataLoss: true });
    expect(out.accepted).toBe(false);
    if (out.accepted) return;
    expect(out.error.code).toBe('InvalidRequest');
    expect(out.error.problems!.length).toBeGreaterThanOrEqual(2);
    expect(out.error.message).toBe(out.error.problems!.map((p) => `${p.field}: ${p.message}`).join('; '));
    expect(out.error.message).toMatch(/^mode: .*; AllowDataLoss: is not a field/);
  });

  test('a plan that cannot be made (a refusal by design) is answered as refused, not thrown', async () => {
    process.env.RUNBOOK_CONFIG = JSON.stringify({ ...testConfig({ strategy: 'pilot-light', database: 'replica', direction: 'failback' }) });
    const out = await entry({ ...valid, action: 'plan' });
    expect(out).toMatchObject({ accepted: true, plan: { refusal: { code: 'ReprotectionRequired' } } });
    const started = await entry({ ...valid, action: 'failback' });
    expect(started).toMatchObject({ accepted: false, error: { code: 'ReprotectionRequired' } });
  });

  test('a plan whose reading fails for another reason (a permission error) is thrown, not answered as a refusal', async () => {
    // Denied once: a second reading (the start path's) would succeed, so only the plan's own handling can throw.
    sim.faults.push({ region: config.targetRegion, command: 'DescribeGlobalClustersCommand', kind: 'denied', times: 1 });
    await expect(entry({ ...valid, action: 'plan' })).rejects.toMatchObject({ name: 'AccessDeniedException' });
    // Thrown from the plan itself: the start path (which lists the running executions first) is never reached.
    expect(sfn).not.toHaveReceivedCommand(ListExecutionsCommand);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  test('the running executions asked for, with the start: named after the request, carrying it', async () => {
    const out = await entry(valid);
    expect(out).toMatchObject({ accepted: true, duplicate: false, status: 'RUNNING', executionArn: `${SM.replace(':stateMachine:', ':execution:')}:req-1` });
    expect(sfn).toHaveReceivedCommandWith(ListExecutionsCommand, { stateMachineArn: SM, statusFilter: 'RUNNING', maxResults: 10 });
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!);
    expect(input.request).toMatchObject({ requestId: 'req-1', mode: 'unplanned' });
    expect(typeof input.submittedAt).toBe('string');
    // No executions listed at all: none running.
    sfn.on(ListExecutionsCommand).resolves({});
    expect((await entry({ ...valid, requestId: 'req-2' })).accepted).toBe(true);
  });

  test('another execution running: its start time said, or the raw value when it is not a date', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [{ name: 'req-0', executionArn: 'x', stateMachineArn: SM, status: 'RUNNING', startDate: new Date('2026-01-01T00:00:00Z') }] });
    const out = await entry({ ...valid, requestId: 'req-2' });
    expect(out.accepted === false && out.error.message).toBe('execution req-0 of this runbook is running (started 2026-01-01T00:00:00.000Z); follow it or wait for it to end');
  });

  test('a duplicate: the execution it names, its status, and UNKNOWN when Step Functions gives none', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' });
    expect(await entry(valid)).toEqual({ accepted: true, executionArn: `${SM.replace(':stateMachine:', ':execution:')}:req-1`, duplicate: true, status: 'SUCCEEDED' });
    sfn.on(DescribeExecutionCommand).resolves({});
    expect(await entry(valid)).toMatchObject({ duplicate: true, status: 'UNKNOWN' });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  test('a racing start whose execution cannot be described yet: UNKNOWN; any other start error is thrown', async () => {
    sfn.on(StartExecutionCommand).rejects(named('ExecutionAlreadyExists'));
    expect(await entry(valid)).toMatchObject({ accepted: true, duplicate: true, status: 'UNKNOWN' });
    sfn.on(StartExecutionCommand).rejects(named('ExecutionLimitExceeded'));
    await expect(entry(valid)).rejects.toMatchObject({ name: 'ExecutionLimitExceeded' });
  });

  test('describing the execution fails otherwise: thrown, nothing started', async () => {
    sfn.on(DescribeExecutionCommand).rejects(named('AccessDeniedException'));
    await expect(entry(valid)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  test("a lock held by this request's own execution, or expired, does not refuse it", async () => {
    const { acquireLock } = await import('../../lambda/shared/lock');
    const mine = `${SM.replace(':stateMachine:', ':execution:')}:req-1`;
    await sim.time.run('main', () => acquireLock(config, mine, 'req-1'));
    expect((await entry(valid)).accepted).toBe(true);
    const back = testConfig({ direction: 'failback' });
    sim.time.advance(config.lock.leaseSeconds + 5);
    await sim.time.run('main', () => acquireLock(back, 'arn:aws:states:us-east-1:111111111111:execution:shop-failback:old', 'old'));
    sim.time.advance(config.lock.leaseSeconds + 5);
    expect((await entry({ ...valid, requestId: 'req-3' })).accepted).toBe(true);
  });

  test('the holder named with its lease end, to the second', async () => {
    const { acquireLock } = await import('../../lambda/shared/lock');
    const back = testConfig({ direction: 'failback' });
    await sim.time.run('main', () => acquireLock(back, 'arn:aws:states:us-east-1:111111111111:execution:shop-failback:b', 'b'));
    sim.time.advance(5);
    const out = await entry(valid);
    const until = out.accepted === false ? /until (\S+) unless/.exec(out.error.message)?.[1] : undefined;
    expect(until).toBeDefined();
    expect(Math.abs(Date.parse(until!) - (Date.UTC(2026, 0, 1) + (back.lock.leaseSeconds) * 1000))).toBeLessThan(10_000);
    expect(out.accepted === false && out.error.message).toMatch(/^the failback runbook in us-east-1 \(request b\) holds/);
  });
});
