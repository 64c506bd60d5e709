import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { WarmStandby } from '../../lib';
import { newApp, resourcesOfType } from '../helpers/app';
import { strategyProps } from './stacks';

/** The directory parameters of a stack, by name, with their values resolved enough to parse. */
function parameters(stack: Stack): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    resourcesOfType(Template.fromStack(stack), 'AWS::SSM::Parameter')
      .map(([, r]) => r.Properties as { Name: string; Value: unknown })
      .filter((p) => p.Name.startsWith('/cdk-resilience/'))
      .map((p) => {
        const v = p.Value as string | { 'Fn::Join': [string, unknown[]] };
        const text = typeof v === 'string' ? v : v['Fn::Join'][1].map((x) => (typeof x === 'string' ? x : 'TOKEN')).join('');
        return [p.Name, JSON.parse(text) as Record<string, unknown>];
      }),
  );
}

describe('what a strategy publishes for the operator CLI', () => {
  const s = new WarmStandby(newApp(), 'Ws', strategyProps('ws'));
  s.addFailoverDrill();
  const primary = parameters(s.primaryStack);
  const recovery = parameters(s.recoveryStack);

  test('the strategy, in both Regions, with its objectives and drills', () => {
    const expected = { strategy: 'ws', kind: 'warm-standby', primaryRegion: 'us-east-1', recoveryRegion: 'us-west-2', rtoSeconds: 900, rpoSeconds: 30, drills: [{ name: 'ws-failover', region: 'us-west-2' }] };
    expect(primary['/cdk-resilience/strategies/ws']).toEqual(expected);
    expect(recovery['/cdk-resilience/strategies/ws']).toEqual(expected);
  });

  test('each runbook in the Region it moves the workload to: entry function, state machine, steps, RTO', () => {
    expect(recovery['/cdk-resilience/runbooks/ws/us-west-2']).toMatchObject({ strategy: 'ws', direction: 'failover', targetRegion: 'us-west-2', sourceRegion: 'us-east-1', rtoSeconds: 900, entryFunctionName: 'TOKEN', stateMachineArn: 'TOKEN' });
    expect(primary['/cdk-resilience/runbooks/ws/us-east-1']).toMatchObject({ direction: 'failback', targetRegion: 'us-east-1' });
    expect((recovery['/cdk-resilience/runbooks/ws/us-west-2'].steps as { name: string }[]).map((x) => x.name)).toEqual(['Preflight', 'ReconcileDatabase', 'ReconcileCompute', 'ShiftTraffic', 'WaitForTraffic', 'Verify', 'Notify']);
    expect(primary['/cdk-resilience/runbooks/ws/us-west-2']).toBeUndefined();
  });

  test('the drill, in its Region', () => {
    expect(recovery['/cdk-resilience/drills/ws-failover']).toEqual({ drill: 'ws-failover', region: 'us-west-2', stateMachineArn: 'TOKEN', rtoSeconds: 900 });
  });
});
