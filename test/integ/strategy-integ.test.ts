/**
 * The strategy integration tests' assertions run only after a real deploy (docs/integ.md). This
 * checks, without AWS, that what they send is a valid request of each strategy's own rendered
 * configuration and that what they expect is what the handlers answer: the plan assertion's
 * pattern matches the entry function's answer (from the simulator) in a healthy world and not
 * with the primary down; the drill assertion's pattern matches a steady baseline and not an
 * unsteady one. A pattern that could never match, or always would, fails here.
 */
import { App, Stack } from 'aws-cdk-lib';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { ActiveActive, DrStrategy, PilotLight, WarmStandby } from '../../lib';
import { RunbookConfig } from '../../protocol';
import { handler as entry } from '../../lambda/runbook-entry';
import { handler as drillHandler } from '../../lambda/drill';
import { SimulatedAws } from '../dr/simulator';
import { flattenTokens } from '../helpers/app';
import { DRILL_BASELINE, DRILL_STEADY, integStrategyProps, PLAN_ACCEPTED, PLAN_REQUEST } from './strategy-integ';

const strategies: Array<[string, (app: App) => DrStrategy]> = [
  ['pilot light', (app) => new PilotLight(app, 'IntegPilot', integStrategyProps('integ-pilot', 94))],
  ['warm standby', (app) => new WarmStandby(app, 'IntegWarm', integStrategyProps('integ-warm', 92))],
  ['active-active', (app) => new ActiveActive(app, 'IntegActive', integStrategyProps('integ-active', 96))],
];


describe.each(strategies)('the %s integration test', (_name, make) => {
  const strategy = make(new App());

  test("the plan assertion's request is valid, and its pattern matches an accepted plan but not one with the primary down", async () => {
    const runbook = strategy.runbook.failover!;
    const config = flattenTokens(Stack.of(runbook).resolve(runbook.config) as RunbookConfig);
    process.env.RUNBOOK_CONFIG = JSON.stringify(config);
    process.env.AWS_MAX_ATTEMPTS = '1';
    const sim = new SimulatedAws({ config });
    sim.install();
    try {
      const healthy = JSON.stringify(await entry(PLAN_REQUEST));
      expect(healthy).toMatch(new RegExp(PLAN_ACCEPTED));
      sim.faults.push({ region: config.sourceRegion, kind: 'unreachable' });
      const down = JSON.stringify(await entry(PLAN_REQUEST));
      expect(down).toMatch(/"refusal"/);
      expect(down).not.toMatch(new RegExp(PLAN_ACCEPTED));
      expect(JSON.stringify(await entry({ ...PLAN_REQUEST, mode: 'sideways' }))).not.toMatch(new RegExp(PLAN_ACCEPTED));
    } finally {
      sim.uninstall();
    }
  });

  test("the drill assertion's pattern matches a steady baseline and not an unsteady one", async () => {
    const drill = strategy.drills[0] ?? strategy.addFailoverDrill();
    const config = flattenTokens(Stack.of(drill).resolve(drill.config) as { alarmNames: string[] });
    expect(config.alarmNames.length).toBeGreaterThan(0);
    process.env.DRILL_CONFIG = JSON.stringify(config);
    process.env.AWS_MAX_ATTEMPTS = '1';
    const cw = mockClient(CloudWatchClient);
    try {
      let state = 'OK';
      cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'hosts0', Values: [3] }] });
      cw.on(DescribeAlarmsCommand).callsFake(() => ({ MetricAlarms: config.alarmNames.map((n) => ({ AlarmName: n, StateValue: state })) }));
      expect(JSON.stringify(await drillHandler(DRILL_BASELINE))).toMatch(new RegExp(DRILL_STEADY));
      // A fresh deploy's alarms start INSUFFICIENT_DATA: the assertion waits until they are OK.
      for (state of ['ALARM', 'INSUFFICIENT_DATA']) expect(JSON.stringify(await drillHandler(DRILL_BASELINE))).not.toMatch(new RegExp(DRILL_STEADY));
    } finally {
      cw.restore();
    }
  });
});
