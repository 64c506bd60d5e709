/**
 * What a strategy deploys for the runbook's safety model: traffic gates (durable fences)
 * required by each Region's record, status records to observe Route 53 on the data plane, the
 * lock, and a state machine whose every task retries transient errors and function timeouts.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ActiveActive, DatabaseEngine, DrStrategy, PilotLight, ResilienceError, Runbook, WarmStandby } from '../../lib';
import { errorOf, newApp, resourcesOfType } from '../helpers/app';
import { testConfig } from './fixtures';
import { strategyProps, testRunbook } from './stacks';
import { runbookDefinition } from './harness';

const policyText = (t: Template, rolePrefix: string): string =>
  JSON.stringify(resourcesOfType(t, 'AWS::IAM::Policy').filter(([id]) => id.startsWith(rolePrefix)).map(([, r]) => r.Properties.PolicyDocument));

describe('a warm standby\'s traffic gates, lock and status records', () => {
  const s = new WarmStandby(newApp(), 'Ws', strategyProps('ws'));
  const pt = Template.fromStack(s.primaryStack);
  const rt = Template.fromStack(s.recoveryStack);
  const ft = Template.fromStack(s.fenceStack);
  const alarmNames = (t: Template): string[] => resourcesOfType(t, 'AWS::CloudWatch::Alarm').map(([, r]) => String(r.Properties.AlarmName)).filter((n) => n.includes('-gate-')).sort();

  test('four gates, each in the Region that holds it; the primary\'s gate in the recovery Region is in a stack the primary deploys after', () => {
    expect(alarmNames(pt)).toEqual(['ws-gate-us-east-1-in-us-east-1', 'ws-gate-us-west-2-in-us-east-1']);
    expect(alarmNames(ft)).toEqual(['ws-gate-us-east-1-in-us-west-2']);
    expect(alarmNames(rt)).toEqual(['ws-gate-us-west-2-in-us-west-2']);
    expect(s.fenceStack.region).toBe('us-west-2');
    expect(s.primaryStack.dependencies).toContain(s.fenceStack);
    expect(s.recoveryStack.dependencies).toContain(s.primaryStack);
  });

  test('the PRIMARY requires its endpoint check and both of its gates; the SECONDARY its two gates only, so a fenced primary is never its fallback', () => {
    for (const [t, region] of [[pt, 'us-east-1'], [rt, 'us-west-2']] as const) {
      const checks = resourcesOfType(t, 'AWS::Route53::HealthCheck').map(([, r]) => r.Properties.HealthCheckConfig as Record<string, unknown>);
      const gates = checks.filter((c) => c.Type === 'CLOUDWATCH_METRIC' && String((c.AlarmIdentifier as { Name: string }).Name).startsWith(`ws-gate-${region}-in-`));
      expect(gates.map((g) => (g.AlarmIdentifier as { Region: string }).Region).sort()).toEqual(['us-east-1', 'us-west-2']);
      // Every gate keeps its last status when its data stream is silent: one write holds.
      for (const g of gates) expect(g.InsufficientDataHealthStatus).toBe('LastKnownStatus');
      // The PRIMARY: its record's check (endpoint + 2 gates) and its fence record's (2 gates); the SECONDARY's record check is its fence.
      const expected = region === 'us-east-1' ? [[3, 3], [2, 2]] : [[2, 2]];
      expect(checks.filter((c) => c.Type === 'CALCULATED').map((c) => [c.HealthThreshold, (c.ChildHealthChecks as unknown[]).length])).toEqual(expected);
    }
    // The SECONDARY's alias ignores the load balancer's health too (Route 53 would otherwise answer the PRIMARY when it fails).
    rt.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'ws.example.com.', Failover: 'SECONDARY', AliasTarget: Match.objectLike({ EvaluateTargetHealth: false }) });
    pt.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'ws.example.com.', Failover: 'PRIMARY', AliasTarget: Match.objectLike({ EvaluateTargetHealth: true }) });
    // Its endpoint check is still built: it alarms.
    expect(s.recovery.record.endpointHealthCheck).toBeDefined();
    // In the same stack, a gate's health check is made after its alarm.
    const [[gateCheckId, gateCheck]] = Object.entries(pt.findResources('AWS::Route53::HealthCheck', { Properties: { HealthCheckConfig: { AlarmIdentifier: { Name: 'ws-gate-us-east-1-in-us-east-1' } } } }));
    expect(gateCheckId).toBeDefined();
    expect(JSON.stringify(gateCheck.DependsOn ?? [])).toMatch(/TrafficGateuseast1/);
  });

  test('status and fence records in both Regions, and the runbooks observe them on the zone\'s name servers', () => {
    pt.hasResourceProperties('AWS::Route53::RecordSet', { Name: '_status.us-east-1.ws.example.com.', Type: 'TXT', Failover: 'PRIMARY' });
    rt.hasResourceProperties('AWS::Route53::RecordSet', { Name: '_status.us-west-2.ws.example.com.', Type: 'TXT', Failover: 'PRIMARY' });
    // The fence record answers on the gates alone: a Region that is down reads withdrawn, but only a read closure reads closed.
    const [[fenceCheckId]] = resourcesOfType(pt, 'AWS::Route53::HealthCheck').filter(([id]) => id.includes('FenceHealthCheck'));
    pt.hasResourceProperties('AWS::Route53::RecordSet', { Name: '_fence.us-east-1.ws.example.com.', Type: 'TXT', ResourceRecords: ['"open"'], Failover: 'PRIMARY', HealthCheckId: { Ref: fenceCheckId } });
    pt.hasResourceProperties('AWS::Route53::RecordSet', { Name: '_fence.us-east-1.ws.example.com.', Type: 'TXT', ResourceRecords: ['"closed"'], Failover: 'SECONDARY' });
    rt.hasResourceProperties('AWS::Route53::RecordSet', { Name: '_fence.us-west-2.ws.example.com.', Type: 'TXT', ResourceRecords: ['"open"'], Failover: 'PRIMARY' });
    expect(s.runbook.failover!.config.traffic).toMatchObject({ dns: { fenceRecords: { 'us-east-1': '_fence.us-east-1.ws.example.com', 'us-west-2': '_fence.us-west-2.ws.example.com' } } });
    const traffic = s.runbook.failover!.config.traffic;
    expect(traffic).toMatchObject({
      kind: 'health-check',
      gates: { namespace: 'CdkResilience/TrafficGates/ws', delaySeconds: 90, alarms: { 'us-west-2': { 'us-west-2': { alarmName: 'ws-gate-us-west-2-in-us-west-2' } } } },
      dns: { statusRecords: { 'us-east-1': '_status.us-east-1.ws.example.com', 'us-west-2': '_status.us-west-2.ws.example.com' }, ttlSeconds: 60, nameServers: strategyProps('ws').domain.nameServers },
    });
  });

  test('the lock: a global table in both Regions, named for the runbooks of both directions', () => {
    const lock = resourcesOfType(pt, 'AWS::DynamoDB::GlobalTable').find(([, r]) => r.Properties.TableName === 'ws-runbook-lock')![1];
    expect((lock.Properties.Replicas as { Region: string }[]).map((r) => r.Region).sort()).toEqual(['us-east-1', 'us-west-2']);
    expect(s.runbook.failover!.config.lock).toEqual({ tableName: 'ws-runbook-lock', leaseSeconds: 300 });
    expect(s.runbook.failback!.config.lock).toEqual({ tableName: 'ws-runbook-lock', leaseSeconds: 300 });
  });

  test('least privilege: gates by namespace and alarm ARN, the lock by table ARN, no write to the source Region\'s group', () => {
    const traffic = policyText(rt, 'FailoverRunbookTrafficRole');
    // One namespace per strategy: a runbook cannot write another strategy's gates.
    expect(traffic).toContain('"cloudwatch:namespace":"CdkResilience/TrafficGates/ws"');
    expect(traffic).toContain('arn:aws:cloudwatch:us-west-2:111111111111:alarm:ws-gate-us-east-1-in-us-west-2');
    expect(traffic).toContain('arn:aws:dynamodb:us-west-2:111111111111:table/ws-runbook-lock');
    expect(traffic).not.toContain('autoscaling:UpdateAutoScalingGroup');
    // The database step may touch the source's group only to scale it to zero (consent flows).
    const dbPolicy = resourcesOfType(rt, 'AWS::IAM::Policy').find(([id]) => id.startsWith('FailoverRunbookDatabaseRole'))![1];
    const statements = (dbPolicy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[] }).Statement;
    const scale = statements.filter((st) => [st.Action].flat().includes('autoscaling:UpdateAutoScalingGroup'));
    expect(scale).toEqual([
      expect.objectContaining({
        Resource: 'arn:aws:autoscaling:us-east-1:111111111111:autoScalingGroup:*:autoScalingGroupName/ws-web-us-east-1',
        Condition: { NumericEquals: { 'autoscaling:MinSize': 0 }, NumericLessThanEqualsIfExists: { 'autoscaling:MaxSize': 0 } },
      }),
    ]);
    const preflight = policyText(rt, 'FailoverRunbookPreflightRole');
    expect(preflight).toContain('arn:aws:dynamodb:us-east-1:111111111111:table/ws-runbook-lock');
  });

  test('every runbook function has reserved concurrency (2) and runs outside a VPC', () => {
    const fns = resourcesOfType(rt, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('FailoverRunbook'));
    expect(fns).toHaveLength(7);
    for (const [, f] of fns) {
      expect(f.Properties.ReservedConcurrentExecutions).toBe(2);
      expect(f.Properties.VpcConfig).toBeUndefined();
    }
  });
});

test('without the zone\'s name servers, each runbook stack reads them at deploy with GetHostedZone (us-east-1), scoped to the zone', () => {
  const { nameServers, ...domain } = strategyProps('ws').domain;
  void nameServers;
  const s = new WarmStandby(newApp(), 'Ws', { ...strategyProps('ws'), domain });
  const rt = Template.fromStack(s.recoveryStack);
  const lookup = resourcesOfType(rt, 'Custom::AWS').find(([id]) => id.startsWith('ZoneNameServers'))![1];
  expect(JSON.stringify(lookup.Properties)).toMatch(/getHostedZone.*Z0123456789EXAMPLE.*us-east-1/);
  expect(JSON.stringify(rt.toJSON())).toContain('arn:aws:route53:::hostedzone/Z0123456789EXAMPLE');
});

test.each<[string, () => DrStrategy, string]>([
  ['a private hosted zone', () => new WarmStandby(newApp(), 'Ws', { ...strategyProps('ws'), domain: { ...strategyProps('ws').domain, privateZone: true } }), 'DR_PRIVATE_ZONE'],
  ['name servers that are not host names', () => new PilotLight(newApp(), 'Pl', { ...strategyProps('pl'), domain: { ...strategyProps('pl').domain, nameServers: ['ns 1'] } }), 'DR_NAME_SERVERS'],
  ['an empty list of name servers', () => new ActiveActive(newApp(), 'Aa', { ...strategyProps('aa'), domain: { ...strategyProps('aa').domain, nameServers: [] } }), 'DR_NAME_SERVERS'],
])('a strategy refuses %s at synth', (_name, make, code) => {
  const err = errorOf(make);
  expect(err).toBeInstanceOf(ResilienceError);
  expect(err.codes).toEqual([code]);
});

describe('the runbook state machine', () => {
  const { runbook } = testRunbook(testConfig({}));
  const def = runbookDefinition(runbook) as { States: Record<string, { Type: string; Retry?: { ErrorEquals: string[] }[]; Catch?: { ErrorEquals: string[]; Next: string }[]; TimeoutSeconds?: number; Branches?: { States: Record<string, unknown> }[] }> };
  const all = { ...def.States, ...Object.assign({}, ...(def.States.Recover.Branches ?? []).map((b) => b.States)) } as typeof def.States;
  const tasks = Object.entries(all).filter(([, s]) => s.Type === 'Task');

  test('every task retries transient errors and function timeouts (Lambda.Unknown, Sandbox.Timedout), never refusals or permission problems', () => {
    expect(tasks.map(([n]) => n).sort()).toEqual(['Notify', 'NotifyFailure', 'Preflight', 'ReconcileCompute', 'ReconcileDatabase', 'ShiftTraffic', 'Verify']);
    for (const [, s] of tasks) {
      const errors = s.Retry!.flatMap((r) => r.ErrorEquals);
      expect(errors).toEqual(expect.arrayContaining(['Lambda.Unknown', 'Sandbox.Timedout', 'Lambda.ServiceException', 'ThrottlingException', 'TimeoutError']));
      for (const never of ['RunbookRefused', 'RunbookPermissionDenied', 'VerificationFailed', 'States.ALL']) expect(errors).not.toContain(never);
      // The task waits longer than the function's own 60 s timeout, so the function's fires first.
      expect(s.TimeoutSeconds).toBe(90);
    }
    expect(runbook.functions.database.timeout!.toSeconds()).toBe(60);
  });

  test('a failed notification does not fail a completed failover; verification is a loop', () => {
    expect(all.Notify.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.notificationError', Next: 'NotificationFailed' }]);
    expect(Object.keys(all)).toEqual(expect.arrayContaining(['InitVerify', 'Verify', 'Verified?', 'WaitVerify', 'VerifyResult']));
  });

  test('reserved concurrency can be turned off (small account quotas) and is validated', () => {
    const stack = new Stack(newApp(), 'R', { env: { account: '111111111111', region: 'us-west-2' } });
    new Runbook(stack, 'Rb', { config: testConfig({}), reservedConcurrency: false });
    for (const [, f] of resourcesOfType(Template.fromStack(stack), 'AWS::Lambda::Function')) expect(f.Properties.ReservedConcurrentExecutions).toBeUndefined();
    const err = errorOf(() => new Runbook(new Stack(newApp(), 'R2', { env: { account: '111111111111', region: 'us-west-2' } }), 'Rb', { config: testConfig({}), reservedConcurrency: 0 }));
    expect(err.codes).toEqual(['RUNBOOK_CONCURRENCY']);
    expect(errorOf(() => new Runbook(new Stack(newApp(), 'R3', { env: { account: '111111111111', region: 'us-west-2' } }), 'Rb', { config: testConfig({}), stateMachineName: 'no spaces' })).codes).toEqual(['RUNBOOK_NAME']);
  });

  test('a drill of an RDS read-replica failover needs the consent to two writers given in code; nothing else takes it', () => {
    const rdsProps = (): ReturnType<typeof strategyProps> => strategyProps('pl', { database: { engine: DatabaseEngine.postgres('16.4') } });
    const withoutConsent = errorOf(() => new PilotLight(newApp(), 'Pl', rdsProps()).addFailoverDrill());
    expect(withoutConsent.codes).toEqual(['DR_DRILL_DETACH']);
    expect(withoutConsent.message).toMatch(/addFailoverDrill\(\{ allowDetach: true \}\)/);
    const drill = new PilotLight(newApp(), 'Pl', rdsProps()).addFailoverDrill({ allowDetach: true });
    expect(drill.config.mode).toBe('runbook');
    // An Aurora strategy never needs it: the consent is refused rather than silently carried.
    expect(errorOf(() => new WarmStandby(newApp(), 'Ws', strategyProps('ws')).addFailoverDrill({ allowDetach: true })).codes).toEqual(['DR_DRILL_DETACH']);
  });

  test('a strategy passes reservedConcurrency to both runbooks and its drill: false reserves nothing anywhere', () => {
    const reserved = (s: DrStrategy): unknown[] =>
      [s.primaryStack, s.recoveryStack].flatMap((st) => resourcesOfType(Template.fromStack(st), 'AWS::Lambda::Function').filter(([id]) => /Runbook|Drill/.test(id)).map(([, f]) => f.Properties.ReservedConcurrentExecutions));
    const byDefault = new WarmStandby(newApp(), 'Ws', strategyProps('ws'));
    byDefault.addFailoverDrill();
    expect(reserved(byDefault)).toHaveLength(15); // 7 per runbook, and the drill
    expect(new Set(reserved(byDefault))).toEqual(new Set([2]));
    const none = new WarmStandby(newApp(), 'Ws', { ...strategyProps('ws'), reservedConcurrency: false });
    none.addFailoverDrill();
    expect(new Set(reserved(none))).toEqual(new Set([undefined]));
    const five = new PilotLight(newApp(), 'Pl', { ...strategyProps('pl'), reservedConcurrency: 5 });
    five.addFailoverDrill();
    expect(new Set(reserved(five))).toEqual(new Set([5]));
  });
});
