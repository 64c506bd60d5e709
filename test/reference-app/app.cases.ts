import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { NagPackOnScope } from '../../lib';
import { REFERENCE_REGIONS } from '../../bin/reference-app';
import { nagFindings, resourcesOfType } from '../helpers/app';
import { freshReferenceApp, referenceApp } from '../helpers/reference';

describe('reference app', () => {
  const { app, stacks, allStacks, assembly, warnings } = referenceApp();
  const [primary, recovery] = stacks;

  test('has one stack per Region with fixed accounts, Regions and AZs', () => {
    expect(stacks.map((s) => [s.stackName, s.region, s.account])).toEqual([
      ['ResilienceRef-Primary', 'us-east-1', '111111111111'],
      ['ResilienceRef-Recovery', 'us-west-2', '111111111111'],
    ]);
    expect(primary.network.availabilityZones).toEqual(REFERENCE_REGIONS.primary.availabilityZones);
    expect(recovery.network.availabilityZones).toEqual(REFERENCE_REGIONS.recovery.availabilityZones);
  });

  test('synthesizes with no context lookups and no cross-Region references', () => {
    expect(assembly.manifest.missing ?? []).toEqual([]);
    // The recovery Region's stack comes after the primary's (global database secondary,
    // read replica): a deploy-order dependency, never a reference.
    expect(recovery.dependencies.map((s) => s.stackName)).toEqual(['ResilienceRef-Primary']);
    expect(primary.dependencies).toHaveLength(0);
    for (const stack of stacks) {
      const text = JSON.stringify(Template.fromStack(stack).toJSON());
      expect(text).not.toMatch(/Fn::ImportValue|ExportsWriter|ExportsReader/);
    }
  });

  test('the two VPCs use disjoint CIDRs', () => {
    Template.fromStack(primary).hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.10.0.0/16' });
    Template.fromStack(recovery).hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.20.0.0/16' });
  });

  test('each Region serves HTTPS, runs N+1 per AZ and pages through an encrypted topic', () => {
    for (const stack of stacks) {
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
      t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '6', MaxSize: '12' });
      t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlarmsKey'), 'Arn'] } });
      t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      expect(stack.web.capacityPlan.survivesAzLoss).toBe(true);
    }
  });

  test('the data tier: Aurora PostgreSQL global across both Regions, Multi-AZ RDS with a cross-Region replica, backups copied across Regions', () => {
    const pt = Template.fromStack(primary);
    const rt = Template.fromStack(recovery);
    pt.hasResourceProperties('AWS::RDS::GlobalCluster', { GlobalClusterIdentifier: 'resilience-ref-orders' });
    pt.hasResourceProperties('AWS::RDS::DBCluster', { Engine: 'aurora-postgresql', DBClusterIdentifier: 'resilience-ref-orders-us-east-1' });
    rt.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      GlobalClusterIdentifier: 'resilience-ref-orders',
      DBClusterIdentifier: 'resilience-ref-orders-us-west-2',
      MasterUsername: Match.absent(),
      MasterUserPassword: Match.absent(),
    });
    pt.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: true, Engine: 'postgres', DBInstanceIdentifier: 'resilience-ref-ledger' });
    rt.hasResourceProperties('AWS::RDS::DBInstance', {
      SourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:111111111111:db:resilience-ref-ledger',
      SourceRegion: 'us-east-1',
    });
    pt.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: Match.objectLike({
        BackupPlanRule: Match.arrayWith([
          Match.objectLike({
            CopyActions: [Match.objectLike({ DestinationBackupVaultArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':backup:us-west-2:111111111111:backup-vault:resilience-ref-copies']] } })],
          }),
        ]),
      }),
    });
    rt.hasResourceProperties('AWS::Backup::BackupVault', { BackupVaultName: 'resilience-ref-copies' });
  });

  test('traffic: failover records for the warm-standby pair, latency records for the active-active pair, routing controls in us-west-2', () => {
    const pt = Template.fromStack(primary);
    const rt = Template.fromStack(recovery);
    pt.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'shop.example.com.', Failover: 'PRIMARY', HealthCheckId: Match.anyValue() });
    rt.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'shop.example.com.', Failover: 'SECONDARY', HealthCheckId: Match.anyValue() });
    pt.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'api.example.com.', Region: 'us-east-1', HealthCheckId: Match.anyValue() });
    rt.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'api.example.com.', Region: 'us-west-2', HealthCheckId: Match.anyValue() });
    pt.resourceCountIs('AWS::Route53RecoveryControl::Cluster', 0);
    rt.resourceCountIs('AWS::Route53RecoveryControl::Cluster', 1);
    rt.resourceCountIs('AWS::Route53RecoveryControl::RoutingControl', 2);
    rt.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'app.example.com.', Failover: 'PRIMARY', AliasTarget: Match.objectLike({ DNSName: 'us-east-1.shop.example.com' }) });
    // Health-check alarms of the us-west-2 stack go to the us-east-1 topic, by ARN.
    expect(JSON.stringify(rt.toJSON())).toContain('arn:aws:sns:us-east-1:111111111111:resilience-ref-alarms');
  });

  test('emits no cdk-resilience warning', () => {
    for (const stack of allStacks) expect(warnings(stack)).toEqual([]);
  });

  const stackNames = allStacks.map((s) => s.stackName);

  test('deploys the building blocks and all three DR strategies, two Regions each', () => {
    expect(stackNames.sort()).toEqual(
      [
        'RefActiveActive-Fence',
        'RefActiveActive-Primary',
        'RefActiveActive-Recovery',
        'RefActiveActive-RecoveryData',
        'RefPilotLight-Fence',
        'RefPilotLight-Primary',
        'RefPilotLight-Recovery',
        'RefWarmStandby-Fence',
        'RefWarmStandby-Primary',
        'RefWarmStandby-Recovery',
        'RefWarmStandby-RecoveryData',
        'ResilienceRef-Primary',
        'ResilienceRef-Recovery',
      ].sort(),
    );
  });

  test('the active-active pair serves the multi-tenant API in both Regions with the same keys', () => {
    const byName = (n: string): Template => Template.fromStack(allStacks.find((s) => s.stackName === n)!);
    const aaPrimary = byName('RefActiveActive-Primary');
    const aaRecovery = byName('RefActiveActive-Recovery');
    for (const t of [aaPrimary, aaRecovery]) {
      t.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'ref-tenants' });
      t.resourceCountIs('AWS::ApiGateway::ApiKey', 5);
      t.hasResourceProperties('AWS::ApiGateway::UsagePlan', { UsagePlanName: 'ref-tenants-acme', Throttle: { RateLimit: 200, BurstLimit: 400 } });
      t.hasResourceProperties('AWS::ApiGateway::UsagePlan', { UsagePlanName: 'ref-tenants-basic' });
      // The onboarding registry, the sessions table and the runbook lock, all created in the primary Region.
      t.resourceCountIs('AWS::DynamoDB::GlobalTable', t === aaPrimary ? 3 : 0);
    }
    // Keys are created once, in the primary Region, and replicated to the recovery Region.
    aaPrimary.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'tenant-api/ref-tenants/acme', ReplicaRegions: [{ Region: 'us-west-2' }] });
    expect(Object.values(aaRecovery.findResources('AWS::SecretsManager::Secret')).map((r) => r.Properties.Name)).not.toContain('tenant-api/ref-tenants/acme');
    expect(JSON.stringify(aaRecovery.findResources('AWS::ApiGateway::ApiKey'))).toContain('resolve:secretsmanager:arn:aws:secretsmanager:us-west-2:111111111111:secret:tenant-api/ref-tenants/acme:SecretString:key');
  });

  test('chaos: five FIS experiment templates on the reference tiers, each stopped by its web tier\'s 5xx alarm', () => {
    const templates = stacks.flatMap((st) => resourcesOfType(Template.fromStack(st), 'AWS::FIS::ExperimentTemplate').map(([, r]) => ({ st, r })));
    expect(templates.length).toBeGreaterThanOrEqual(4);
    const ids = templates.flatMap(({ r }) => Object.values(r.Properties.Actions as Record<string, { ActionId: string }>).map((a) => a.ActionId));
    expect(new Set(ids)).toEqual(
      new Set([
        'aws:ec2:terminate-instances',
        'aws:network:disrupt-connectivity',
        'aws:ec2:stop-instances',
        'aws:ec2:asg-insufficient-instance-capacity-error',
        'aws:rds:failover-db-cluster',
        'aws:rds:reboot-db-instances',
        'aws:network:route-table-disrupt-cross-region-connectivity',
      ]),
    );
    for (const { st, r } of templates) {
      const stop = r.Properties.StopConditions as { Source: string; Value: { 'Fn::GetAtt': string[] } }[];
      expect(stop).toEqual([{ Source: 'aws:cloudwatch:alarm', Value: { 'Fn::GetAtt': [st.getLogicalId(st.web.alarms.serverErrorRate.node.defaultChild as never), 'Arn'] } }]);
    }
  });

  test('one failover drill per DR strategy, in its recovery Region, held to the strategy\'s RTO', () => {
    const drills = allStacks.flatMap((st) =>
      Object.values(Template.fromStack(st).findResources('AWS::Lambda::Function'))
        .map((f) => (f.Properties.Environment?.Variables?.DRILL_CONFIG as unknown) ?? undefined)
        .filter((c) => c !== undefined)
        .map((c) => ({ stack: st.stackName, config: JSON.stringify(c) })),
    );
    expect(drills.map((d) => d.stack).sort()).toEqual(['RefActiveActive-Recovery', 'RefPilotLight-Recovery', 'RefWarmStandby-Recovery']);
    const rto = (name: string): string => drills.find((d) => d.stack === name)!.config;
    expect(rto('RefPilotLight-Recovery')).toContain('\\"rtoSeconds\\":1800');
    expect(rto('RefWarmStandby-Recovery')).toContain('\\"rtoSeconds\\":1080');
    expect(rto('RefActiveActive-Recovery')).toContain('\\"rtoSeconds\\":1080');
  });

  test("every strategy's Aurora global database bounds its RPO: a managed RPO of 20 s on its primary cluster", () => {
    for (const name of ['RefActiveActive-Primary', 'RefPilotLight-Primary', 'RefWarmStandby-Primary']) {
      const t = Template.fromStack(allStacks.find((s) => s.stackName === name)!);
      t.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: { 'rds.global_db_rpo': '20' } });
      const [groupId] = Object.keys(t.findResources('AWS::RDS::DBClusterParameterGroup', { Properties: { Parameters: { 'rds.global_db_rpo': '20' } } }));
      t.hasResourceProperties('AWS::RDS::DBCluster', { DBClusterParameterGroupName: { Ref: groupId } });
    }
  });

  test.each(stackNames)('%s has zero unacknowledged AwsSolutions findings', (name) => {
    const stack = allStacks.find((s) => s.stackName === name)!;
    expect(nagFindings(stack)).toEqual([]);
  });

  test.each(stackNames)('%s matches its snapshot', (name) => {
    const stack = allStacks.find((s) => s.stackName === name)!;
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });

  test('every acknowledgment covers one finding on one resource, with a reason', () => {
    const acks: { path: string; id: string; reason: string }[] = [];
    const visit = (c: IConstruct): void => {
      // Each acknowledgment rewrites the construct's whole set; the last entry holds it.
      const last = c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).pop();
      for (const [id, reason] of Object.entries((last?.data ?? {}) as Record<string, string>)) {
        acks.push({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
      c.node.children.forEach(visit);
    };
    visit(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.reason.length).toBeGreaterThanOrEqual(40);
      // Never on a stack or the app: that would be a blanket suppression.
      expect(Stack.isStack(app.node.findChild(ack.path.split('/')[0]).node.findAll().find((c) => c.node.path === ack.path))).toBe(false);
      expect(ack.path.split('/').length).toBeGreaterThan(1);
      // One finding per acknowledgment: IAM findings must name the exact policy or resource.
      if (/IAM[45]$/.test(ack.id)) throw new Error(`${ack.path}: ${ack.id} acknowledges every finding of the rule`);
    }
    expect([...new Set(acks.map((a) => `${a.path.replace(/^[^/]+/, '*')} ${a.id.replace(/[0-9A-F]{8}(?=[.>])/g, '')}`))].sort()).toMatchSnapshot();
  });
});

describe('the cdk-nag gate can fail', () => {
  test('the same checks report a finding the library did not acknowledge', () => {
    const { stacks } = freshReferenceApp();
    const sg = new ec2.SecurityGroup(stacks[0], 'WideOpen', { vpc: stacks[0].network.vpc });
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    expect(nagFindings(stacks[0]).join('\n')).toMatch(/AwsSolutions-EC23 at ResilienceRef-Primary\/WideOpen/);
  });

  // CDK reports policy-validation failures by printing the report and setting
  // process.exitCode = 1, which is what makes `cdk synth` fail.
  function synthWithNag(app: App): { exitCode: typeof process.exitCode; report: string } {
    const saved = process.exitCode;
    const printed: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      printed.push(args.join(' '));
    });
    try {
      process.exitCode = undefined;
      Validations.of(app).addPlugins(new NagPackOnScope(app, new AwsSolutionsChecks(app)));
      app.synth();
      return { exitCode: process.exitCode, report: printed.join('\n') };
    } finally {
      spy.mockRestore();
      process.exitCode = saved;
    }
  }

  test('cdk synth of an app with the plugin fails on an unacknowledged finding', () => {
    const { app, stacks } = freshReferenceApp();
    const sg = new ec2.SecurityGroup(stacks[1], 'WideOpen', { vpc: stacks[1].network.vpc });
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    const { exitCode, report } = synthWithNag(app);
    expect(exitCode).toBe(1);
    expect(report).toMatch(/AwsSolutions-EC23/);
    expect(report).toMatch(/Validation failed/);
  });

  test('and succeeds on the reference app as shipped', () => {
    const { app } = freshReferenceApp();
    const { exitCode, report } = synthWithNag(app);
    expect(exitCode).toBeUndefined();
    expect(report).toMatch(/AwsSolutions[^\n]*success/);
  });
});
