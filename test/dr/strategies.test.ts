import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RunbookConfig } from '../../protocol';
import { ActiveActive, DatabaseEngine, DrStrategy, DrStrategyProps, PilotLight, ResilienceError, StrategySiteContext, WarmStandby } from '../../lib';
import { nagFindings, newApp, RECOVERY_AZS, resourcesOfType, TEST_AZS } from '../helpers/app';
import { strategyProps } from './stacks';
import { execute } from './harness';
import { SimulatedAws } from './simulator';


/** Run a strategy's own synthesized runbook against the simulator, with its own rendered configuration. */
export async function drill(strategy: DrStrategy, direction: 'failover' | 'failback' = 'failover', request: Record<string, unknown> = {}) {
  const runbook = strategy.runbook[direction]!;
  const config = Stack.of(runbook).resolve(runbook.config) as RunbookConfig;
  const sim = new SimulatedAws({ config, controls: {} });
  sim.install();
  try {
    const out = await execute(sim, runbook, config, { action: direction, mode: 'unplanned', allowDataLoss: true, requestId: 'drill', reason: 'drill', ...request } as never);
    return { out, sim, config };
  } finally {
    sim.uninstall();
  }
}

function build<T extends DrStrategy>(make: (app: App) => T): { strategy: T; pt: Template; rt: Template } {
  const strategy = make(newApp());
  return { strategy, pt: Template.fromStack(strategy.primaryStack), rt: Template.fromStack(strategy.recoveryStack) };
}

describe.each([
  ['PilotLight', (app: App) => new PilotLight(app, 'Pl', strategyProps('pl'))],
  ['WarmStandby', (app: App) => new WarmStandby(app, 'Ws', strategyProps('ws'))],
  ['ActiveActive', (app: App) => new ActiveActive(app, 'Aa', strategyProps('aa'))],
] as const)('%s', (_name, make) => {
  const { strategy, pt, rt } = build(make as (app: App) => DrStrategy);

  test('one stack per Region, the recovery stack deploying after the primary, nothing referenced across Regions', () => {
    expect([strategy.primaryStack.region, strategy.recoveryStack.region]).toEqual(['us-east-1', 'us-west-2']);
    expect(strategy.recoveryStack.dependencies.map((s) => s.stackName)).toEqual([strategy.primaryStack.stackName]);
    for (const t of [pt, rt]) expect(JSON.stringify(t.toJSON())).not.toMatch(/Fn::ImportValue|ExportsReader|ExportsWriter/);
  });

  test('the failover runbook is deployed in the recovery Region, the failback runbook in the primary', () => {
    expect(Stack.of(strategy.runbook.failover!)).toBe(strategy.recoveryStack);
    expect(Stack.of(strategy.runbook.failback!)).toBe(strategy.primaryStack);
    expect(strategy.runbook.failover!.config).toMatchObject({ direction: 'failover', targetRegion: 'us-west-2', sourceRegion: 'us-east-1', strategy: strategy.kind });
    expect(strategy.runbook.failback!.config).toMatchObject({ direction: 'failback', targetRegion: 'us-east-1', sourceRegion: 'us-west-2' });
    rt.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'STANDARD', TracingConfiguration: { Enabled: true } });
    pt.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'STANDARD' });
  });

  test('the objectives are recorded for the assessment', () => {
    expect(strategy.objectives.rto.toMinutes()).toBe(15);
    expect(strategy.node.metadata.find((m) => m.type === 'cdk-resilience:objectives')?.data).toEqual({ strategy: strategy.kind, rtoSeconds: 900, rpoSeconds: 30, ...(strategy.kind === 'active-active' ? { trafficRtoSeconds: 900 } : {}) });
  });

  test('the Aurora global secondary joins by value, without credentials', () => {
    rt.hasResourceProperties('AWS::RDS::DBCluster', { GlobalClusterIdentifier: strategy.strategyName, MasterUsername: Match.absent() });
  });

  test('zero unacknowledged cdk-nag findings in both stacks', () => {
    expect(nagFindings(strategy.primaryStack)).toEqual([]);
    expect(nagFindings(strategy.recoveryStack)).toEqual([]);
  });

  test('its own synthesized failover runbook, with its own rendered configuration, moves the workload in the simulator', async () => {
    const there = await drill(strategy, 'failover');
    expect(there.out.status).toBe('SUCCEEDED');
    expect(there.sim.invariantViolations).toEqual([]);
    expect(there.sim.writableRegions()).toEqual(['us-west-2']);
  });
});

describe('strategy specifics', () => {
  test('pilot light: the recovery compute is at 0, the Aurora secondary is headless', () => {
    const { strategy, rt } = build((app) => new PilotLight(app, 'Pl', strategyProps('pl')));
    rt.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '0', AutoScalingGroupName: 'pl-web-us-west-2' });
    rt.resourceCountIs('AWS::RDS::DBInstance', 0);
    expect(strategy.runbook.failover!.config.compute.target).toMatchObject({ standby: { desired: 0 }, full: { desired: 6 }, requiredHealthy: 4 });
  });

  test('pilot light with an RDS engine: a Multi-AZ instance and a cross-Region read replica', async () => {
    const { strategy, pt, rt } = build((app) => new PilotLight(app, 'Pl', strategyProps('pl', { database: { engine: DatabaseEngine.postgres('16.4') } })));
    pt.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: true, DBInstanceIdentifier: 'pl' });
    rt.hasResourceProperties('AWS::RDS::DBInstance', { SourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:111111111111:db:pl' });
    expect(strategy.runbook.failover!.config.database).toMatchObject({ kind: 'rds-replica', replica: { region: 'us-west-2', identifier: 'pl-us-west-2' } });
    // Promoting the replica leaves its source writable: the request must consent, and then it works.
    const refused = await drill(strategy);
    expect(refused.out.status).toBe('FAILED');
    expect(refused.out.error).toMatch(/DetachConsentRequired/);
    const { out, sim } = await drill(strategy, 'failover', { allowDetach: true });
    expect(out.status).toBe('SUCCEEDED');
    expect(sim.invariantViolations).toEqual([]);
  });

  test('warm standby: one instance per AZ stands by; hot standby runs full capacity', () => {
    const warm = build((app) => new WarmStandby(app, 'Ws', strategyProps('ws')));
    warm.rt.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '3' });
    warm.pt.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '6' });
    const hot = build((app) => new WarmStandby(app, 'Ws', { ...strategyProps('ws'), hotStandby: true }));
    hot.rt.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '6' });
    warm.rt.hasResourceProperties('AWS::Route53::RecordSet', { Failover: 'SECONDARY', Name: 'ws.example.com.' });
    warm.pt.hasResourceProperties('AWS::Route53::RecordSet', { Failover: 'PRIMARY', Name: 'ws.example.com.' });
  });

  test('active-active: both Regions at full capacity behind latency records', () => {
    const { pt, rt } = build((app) => new ActiveActive(app, 'Aa', strategyProps('aa')));
    for (const [t, region] of [[pt, 'us-east-1'], [rt, 'us-west-2']] as const) {
      t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '6' });
      t.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'aa.example.com.', Region: region, HealthCheckId: Match.anyValue() });
    }
  });

  test.each([
    ['WarmStandby', (app: App, p: DrStrategyProps) => new WarmStandby(app, 'Ws', p)],
    ['ActiveActive', (app: App, p: DrStrategyProps) => new ActiveActive(app, 'Aa', p)],
  ] as const)('%s: each Region\'s health check probes what its load balancer serves (HTTP on 80, or HTTPS on 443 with a certificate)', (_n, make) => {
    const plain = build((app) => make(app, strategyProps('ws')));
    for (const t of [plain.pt, plain.rt]) {
      t.hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ Type: 'HTTP', Port: 80 }) });
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    }
    const cert = (region: string) => `arn:aws:acm:${region}:111111111111:certificate/11111111-1111-1111-1111-111111111111`;
    const base = strategyProps('ws');
    const tls = build((app) =>
      make(app, { ...base, primary: { ...base.primary, certificateArn: cert('us-east-1') }, recovery: { ...base.recovery, certificateArn: cert('us-west-2') } }),
    );
    for (const t of [tls.pt, tls.rt]) {
      t.hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ Type: 'HTTPS', Port: 443, EnableSNI: true }) });
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
    }
  });

  test('a failover drill in the recovery Region runs the failover runbook and is held to the declared RTO', () => {
    const strategy = new WarmStandby(newApp(), 'Ws', strategyProps('ws'));
    const drill = strategy.addFailoverDrill();
    expect(Stack.of(drill)).toBe(strategy.recoveryStack);
    const config = strategy.recoveryStack.resolve(drill.config);
    expect(config).toMatchObject({ mode: 'runbook', rtoSeconds: 900, recoveredHosts: strategy.primary.web.capacityPlan.groupMin, name: 'ws-failover' });
    const rt = Template.fromStack(strategy.recoveryStack);
    const entryArn = strategy.recoveryStack.resolve(strategy.runbook.failover!.entryFunction.functionArn);
    const sm = Object.values(rt.findResources('AWS::StepFunctions::StateMachine')).find((r) => JSON.stringify(r).includes('MeasureRecovery'))!;
    expect(JSON.stringify(sm.Properties.DefinitionString)).toContain(JSON.stringify(entryArn));
    expect(nagFindings(strategy.recoveryStack)).toEqual([]);
  });

  test('runbook functions are scoped to the strategy: writes name its groups and clusters', () => {
    const { rt } = build((app) => new WarmStandby(app, 'Ws', strategyProps('ws')));
    rt.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['rds:FailoverGlobalCluster', 'rds:RemoveFromGlobalCluster', 'rds:SwitchoverGlobalCluster'],
            Resource: [
              'arn:aws:rds::111111111111:global-cluster:ws',
              'arn:aws:rds:us-east-1:111111111111:cluster:ws-us-east-1',
              'arn:aws:rds:us-west-2:111111111111:cluster:ws-us-west-2',
            ],
          }),
        ]),
      },
    });
    rt.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'autoscaling:UpdateAutoScalingGroup', Resource: 'arn:aws:autoscaling:us-west-2:111111111111:autoScalingGroup:*:autoScalingGroupName/ws-web-us-west-2' }),
        ]),
      },
    });
    const fns = resourcesOfType(rt, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('FailoverRunbook'));
    expect(fns.length).toBe(7);
    for (const [, f] of fns) {
      expect(f.Properties.Runtime).toBe('nodejs24.x');
      expect(f.Properties.Timeout).toBeLessThanOrEqual(60);
    }
  });
});

describe('strategies reject invalid props', () => {
  test.each<[string, (app: App) => unknown, string, RegExp]>([
    ['the same Region twice', (app) => new WarmStandby(app, 'S', strategyProps('s', { recovery: { env: { account: '111111111111', region: 'us-east-1' }, availabilityZones: TEST_AZS } })), 'DR_SAME_REGION', /survives no Regional failure/],
    ['two accounts', (app) => new WarmStandby(app, 'S', strategyProps('s', { recovery: { env: { account: '222222222222', region: 'us-west-2' }, availabilityZones: RECOVERY_AZS } })), 'DR_ACCOUNT', /one account/],
    ['an RDS engine for warm standby', (app) => new WarmStandby(app, 'S', strategyProps('s', { database: { engine: DatabaseEngine.postgres('16.4') } })), 'DR_ENGINE', /needs an Aurora global database/],
    ['an RDS engine for active-active', (app) => new ActiveActive(app, 'S', strategyProps('s', { database: { engine: DatabaseEngine.mysql('8.0.39') } })), 'DR_ENGINE', /PilotLight/],
    ['a name with capitals', (app) => new PilotLight(app, 'S', strategyProps('Shop')), 'DR_NAME', /got: "Shop"/],
  ])('%s', (_name, make, code, message) => {
    let err: ResilienceError | undefined;
    try {
      make(newApp());
    } catch (e) {
      err = e as ResilienceError;
    }
    expect(err?.codes).toContain(code);
    expect(err?.message).toMatch(message);
  });
});

describe('deletion protection (deletionProtection)', () => {
  // Every resource of a strategy that can refuse a delete: the load balancers, the clusters,
  // the global cluster, the RDS instance and its replica.
  const protectedOnes = (t: Template): Array<[string, unknown]> => {
    const out: Array<[string, unknown]> = [];
    for (const [id, r] of Object.entries(t.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>)) {
      if (['AWS::RDS::DBCluster', 'AWS::RDS::GlobalCluster', 'AWS::RDS::DBInstance'].includes(r.Type) && !(r.Type === 'AWS::RDS::DBInstance' && r.Properties?.DBClusterIdentifier)) out.push([id, r.Properties?.DeletionProtection]);
      if (r.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer') {
        const attrs = (r.Properties?.LoadBalancerAttributes ?? []) as Array<{ Key: string; Value: string }>;
        out.push([id, attrs.find((a) => a.Key === 'deletion_protection.enabled')?.Value]);
      }
    }
    return out;
  };
  test.each([
    ['Aurora (warm standby)', (props?: Partial<DrStrategyProps>) => (app: App) => new WarmStandby(app, 'Ws', strategyProps('ws', props)), 5],
    ['RDS (pilot light)', (props?: Partial<DrStrategyProps>) => (app: App) => new PilotLight(app, 'Pl', strategyProps('pl', { database: { engine: DatabaseEngine.postgres('16.4') }, ...props })), 4],
  ] as const)('%s: on by default on every such resource; off for a trial when asked', (_n, make, count) => {
    const on = build(make());
    const onAll = [...protectedOnes(on.pt), ...protectedOnes(on.rt)];
    expect(onAll).toHaveLength(count);
    for (const [, v] of onAll) expect([true, 'true']).toContainEqual(v);
    const off = build(make({ deletionProtection: false }));
    const offAll = [...protectedOnes(off.pt), ...protectedOnes(off.rt)];
    expect(offAll).toHaveLength(count);
    for (const [, v] of offAll) expect([false, 'false']).toContainEqual(v);
  });
});

describe('per-Region user data (web.userData as a function)', () => {
  const rendered = (stack: Stack): string => {
    const [[, lt]] = resourcesOfType(Template.fromStack(stack), 'AWS::EC2::LaunchTemplate');
    return JSON.stringify((lt.Properties.LaunchTemplateData as { UserData: unknown }).UserData);
  };
  const userData = (site: StrategySiteContext): ec2.UserData => {
    const ud = ec2.UserData.forLinux();
    ud.addCommands(`echo ${site.role} ${site.region} ${site.database.hostname}:${site.database.port}`);
    return ud;
  };

  test('each Region gets its own, with its own database endpoint (Aurora: its cluster; the secondary in the recovery Region)', () => {
    const s = new WarmStandby(newApp(), 'Ws', strategyProps('ws', { web: { capacity: { min: 4, max: 12 }, userData } }));
    const primaryCluster = s.primaryStack.getLogicalId(s.globalDatabase!.primary.cluster!.node.defaultChild as never);
    const secondaryCluster = s.recoveryStack.getLogicalId(s.secondaryCluster!.cluster);
    expect(rendered(s.primaryStack)).toContain(`echo primary us-east-1 ",{"Fn::GetAtt":["${primaryCluster}","Endpoint.Address"]},":5432"`);
    expect(rendered(s.recoveryStack)).toContain(`echo recovery us-west-2 ",{"Fn::GetAtt":["${secondaryCluster}","Endpoint.Address"]},":5432"`);
  });

  test('an RDS pilot light: the instance in the primary Region, its read replica in the recovery Region', () => {
    const s = new PilotLight(newApp(), 'Pl', strategyProps('pl', { database: { engine: DatabaseEngine.postgres('17.7') }, web: { capacity: { min: 4, max: 12 }, userData } }));
    expect(rendered(s.primaryStack)).toMatch(/echo primary us-east-1 ",\{"Fn::GetAtt":\["DatabaseInstance[A-Z0-9]+","Endpoint.Address"\]\},":5432"/);
    expect(rendered(s.recoveryStack)).toContain(`echo recovery us-west-2 ",{"Fn::GetAtt":["${s.recoveryStack.getLogicalId(s.replica!.instance)}","Endpoint.Address"]},":5432"`);
  });
});
