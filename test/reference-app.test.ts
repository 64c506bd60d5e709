import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { NagPackOnScope } from '../bin/nag';
import { buildReferenceApp, REFERENCE_REGIONS, ReferenceWebStack } from '../bin/reference-app';
import { newApp, resilienceWarnings } from './helpers/app';

function reference(): { app: App; stacks: ReferenceWebStack[] } {
  const app = newApp();
  const stacks = buildReferenceApp(app);
  return { app, stacks };
}

function nagFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks(scope, { verbose: true }).validateScope(scope);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}: ${v.description}`));
}

describe('reference app', () => {
  const { app, stacks } = reference();
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
    const assembly = app.synth();
    expect(assembly.manifest.missing ?? []).toEqual([]);
    for (const stack of stacks) {
      expect(stack.dependencies).toEqual([]);
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
      t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AlarmTopicKey'), 'Arn'] } });
      t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      expect(stack.web.capacityPlan.survivesAzLoss).toBe(true);
    }
  });

  test('emits no cdk-resilience warning', () => {
    for (const stack of stacks) expect(resilienceWarnings(stack)).toEqual([]);
  });

  test.each(['ResilienceRef-Primary', 'ResilienceRef-Recovery'])('%s has zero unacknowledged AwsSolutions findings', (name) => {
    const stack = stacks.find((s) => s.stackName === name)!;
    expect(nagFindings(stack)).toEqual([]);
  });

  test.each(['ResilienceRef-Primary', 'ResilienceRef-Recovery'])('%s matches its snapshot', (name) => {
    const stack = stacks.find((s) => s.stackName === name)!;
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });

  test('every acknowledgment covers one finding on one resource, with a reason', () => {
    const acks: { path: string; id: string; reason: string }[] = [];
    const visit = (c: IConstruct): void => {
      for (const m of c.node.metadata) {
        if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
          acks.push({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason });
        }
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
    expect(acks.map((a) => `${a.path.replace(/^ResilienceRef-\w+/, '*')} ${a.id}`).sort()).toMatchSnapshot();
  });
});

describe('the cdk-nag gate can fail', () => {
  test('the same checks report a finding the library did not acknowledge', () => {
    const { stacks } = reference();
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
    const { app, stacks } = reference();
    const sg = new ec2.SecurityGroup(stacks[1], 'WideOpen', { vpc: stacks[1].network.vpc });
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    const { exitCode, report } = synthWithNag(app);
    expect(exitCode).toBe(1);
    expect(report).toMatch(/AwsSolutions-EC23/);
    expect(report).toMatch(/Validation failed/);
  });

  test('and succeeds on the reference app as shipped', () => {
    const { app } = reference();
    const { exitCode, report } = synthWithNag(app);
    expect(exitCode).toBeUndefined();
    expect(report).toMatch(/AwsSolutions[^\n]*success/);
  });
});
