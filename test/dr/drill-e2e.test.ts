/**
 * A strategy's failover drill, end to end: the synthesized drill state machine runs in the
 * local ASL interpreter; its Start step runs the strategy's own synthesized failover runbook
 * (harness.ts) against the runbook simulator, and its measuring steps read that simulated
 * AWS (healthy hosts, alarms), so the recovery time it reports is the simulated failover's.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { StateMachine } from 'aws-local-stepfunctions';
import { handler as drillHandler } from '../../lambda/drill';
import { DrillReport, RunbookConfig } from '../../protocol';
import { DRILL_STATES, DrStrategy, PilotLight, WarmStandby } from '../../lib';
import { newApp } from '../helpers/app';
import { execute, ExecutionOutcome } from './harness';
import { Fault, SimulatedAws } from './simulator';
import { strategyProps } from './stacks';

type Json = Record<string, unknown>;
const S = DRILL_STATES;

/** A drill's definition and config with tokens replaced by stable strings. */
function rendered(stack: Stack, value: unknown): unknown {
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': stack.region, 'AWS::AccountId': stack.account, 'AWS::URLSuffix': 'amazonaws.com' };
  return JSON.parse(
    JSON.stringify(stack.resolve(value), (_k, v: unknown) => {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const o = v as Json;
        if (typeof o.Ref === 'string') return pseudo[o.Ref] ?? `ref-${o.Ref}`;
        if (o['Fn::GetAtt']) return `arn:aws:lambda:${stack.region}:${stack.account}:function:${(o['Fn::GetAtt'] as string[]).join('-')}`;
        if (o['Fn::Join']) return (o['Fn::Join'] as [string, unknown[]])[1].map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join('');
      }
      return v;
    }),
  );
}

async function drillFailover(strategy: DrStrategy, faults: Fault[] = []): Promise<{ status: string; report: DrillReport; runbook: ExecutionOutcome; sim: SimulatedAws }> {
  const drill = strategy.addFailoverDrill({ pollInterval: Duration.seconds(15) });
  const runbook = strategy.runbook.failover!;
  const rbConfig = Stack.of(runbook).resolve(runbook.config) as RunbookConfig;
  const stack = Stack.of(drill);
  const drillConfig = rendered(stack, drill.config) as Json;
  const template = stack.resolve((drill.stateMachine.node.defaultChild as unknown as { definitionString: unknown }).definitionString) as { 'Fn::Join': [string, unknown[]] };
  const definition = JSON.parse(
    template['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : (rendered(stack, p) as string))).join(''),
  ) as Json & { States: Record<string, { Type: string }> };

  const sim = new SimulatedAws({ config: rbConfig, controls: {} });
  sim.faults.push(...faults);
  sim.install();
  let runbookOutcome: ExecutionOutcome | undefined;
  const drillStep = async (input: unknown): Promise<unknown> => {
    process.env.DRILL_CONFIG = JSON.stringify(drillConfig);
    return drillHandler(input as never);
  };
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {
    [S.baseline]: drillStep,
    [S.check]: drillStep,
    [S.report]: drillStep,
    [S.reportFailure]: drillStep,
    ReportNotSteady: drillStep,
    // The entry function accepts the request; the execution it starts is the runbook run.
    [S.start]: async (input) => {
      const request = input as { action: 'failover'; mode: 'planned'; requestId: string; reason: string };
      runbookOutcome = await execute(sim, runbook, rbConfig, { ...request, requestId: 'drill-1' });
      return { accepted: true, executionArn: 'arn:aws:states:us-west-2:111111111111:execution:runbook:drill-1', duplicate: false, status: 'RUNNING' };
    },
    [S.status]: async () => {
      sim.time.advance(15); // the Wait before this pass
      return { Status: runbookOutcome!.status };
    },
  };
  const zero = (type: string) => Object.fromEntries(Object.entries(definition.States).filter(([, s]) => s.Type === type).map(([n]) => [n, 0]));
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false, checkPaths: false } });
  let status = 'SUCCEEDED';
  try {
    await machine.run({}, { overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: zero('Wait'), retryIntervalOverrides: zero('Task') }, context: { Execution: { Name: 'drill-1' } } as never }).result;
  } catch {
    status = 'FAILED';
  } finally {
    sim.uninstall();
  }
  const report = JSON.parse(sim.notifications[sim.notifications.length - 1]) as DrillReport;
  return { status, report, runbook: runbookOutcome!, sim };
}

describe("a strategy's failover drill, run against the runbook simulator", () => {
  test('warm standby: passes, measuring the simulated failover against the 15-minute RTO', async () => {
    const { status, report, runbook, sim } = await drillFailover(new WarmStandby(newApp(), 'Ws', strategyProps('ws')));
    expect(runbook.status).toBe('SUCCEEDED');
    expect(status).toBe('SUCCEEDED');
    expect(report).toMatchObject({ drill: 'ws-failover', passed: true, rtoSeconds: 900, targetStatus: 'SUCCEEDED', stoppedByAlarm: false });
    // The drill's measure is the runbook's simulated recovery, to within one poll interval.
    expect(report.recoverySeconds).toBeGreaterThanOrEqual(runbook.seconds);
    expect(report.recoverySeconds).toBeLessThanOrEqual(runbook.seconds + 15 + 1);
    expect(sim.metrics).toEqual([
      { name: 'DrillRecoveryTimeSeconds', value: report.recoverySeconds },
      { name: 'DrillPassed', value: 1 },
    ]);
  });

  test('pilot light with a 5-minute RTO: the failover works but is too slow, and the drill says so', async () => {
    const { status, report, runbook } = await drillFailover(new PilotLight(newApp(), 'Pl', strategyProps('pl', { rto: Duration.minutes(5) })));
    expect(runbook.status).toBe('SUCCEEDED');
    expect(status).toBe('FAILED');
    expect(report.passed).toBe(false);
    expect(report.recoverySeconds).toBeGreaterThan(300);
    expect(report.reason).toMatch(/over the RTO of 300 s/);
  });

  test('a runbook that cannot scale the recovery Region fails the drill, and the failover is not stopped', async () => {
    const { status, report, runbook } = await drillFailover(new WarmStandby(newApp(), 'Ws', strategyProps('ws')), [{ kind: 'error5xx', command: 'UpdateAutoScalingGroupCommand' }]);
    expect(runbook.status).toBe('FAILED');
    expect(status).toBe('FAILED');
    expect(report).toMatchObject({ passed: false, targetStatus: 'FAILED' });
    expect(report.reason).toMatch(/the runbook ended FAILED/);
  });
});
