/** The consumer's own test: Template assertions on what the installed package synthesizes. */
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ResilienceChecks } from 'cdk-resilience';
import { buildConsumerApp } from '../lib/consumer-app';
// Copied in by scripts/test-consumer.mjs from test/helpers/deploy-rules.ts.
import { aliasOrderViolations, appTopicKeyViolations, TemplateJson } from './deploy-rules';

const app = new App();
const built = buildConsumerApp(app);
const assembly = app.synth();

test('no lookup: explicit AZs need no context and no credentials', () => {
  expect(assembly.manifest.missing ?? []).toEqual([]);
});

test('the web tier spans its three AZs behind an internet-facing ALB', () => {
  const t = Template.fromStack(built.webStack);
  t.resourceCountIs('AWS::EC2::Subnet', 9);
  t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
  t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '6' });
  const [group] = Object.values(t.findResources('AWS::AutoScaling::AutoScalingGroup'));
  expect(group.Properties.VPCZoneIdentifier).toHaveLength(3);
  t.hasResourceProperties('AWS::FIS::ExperimentTemplate', { Description: 'Two stopped instances do not raise the 5xx rate' });
});

test.each([
  ['pilot', () => built.pilotLight],
  ['warm', () => built.warmStandby],
  ['active', () => built.activeActive],
])('the %s strategy: an Aurora global database across its two Regions and a failover runbook in each', (_name, strategy) => {
  const s = strategy();
  const primary = Template.fromStack(s.primaryStack);
  const recovery = Template.fromStack(s.recoveryStack);
  primary.resourceCountIs('AWS::RDS::GlobalCluster', 1);
  expect(Object.keys(recovery.findResources('AWS::StepFunctions::StateMachine')).length).toBeGreaterThan(0);
  expect(Object.keys(recovery.findResources('AWS::Lambda::Function')).length).toBeGreaterThan(0);
});

test('the tenant API gives each tenant its own throttles', () => {
  const t = Template.fromStack(built.tenants.api.stack);
  t.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Throttle: { RateLimit: 200, BurstLimit: 400 } });
  t.resourceCountIs('AWS::ApiGateway::ApiKey', 2);
});

test("the tenant API knows its callers: every tenant method behind the package's authorizer, which supplies the key; deploy-time tenants registered", () => {
  const t = Template.fromStack(built.tenants.api.stack);
  t.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
  t.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'REQUEST', IdentitySource: 'method.request.header.Authorization' });
  const tenantMethods = Object.values(t.findResources('AWS::ApiGateway::Method')).filter((m) => m.Properties.ApiKeyRequired === true);
  expect(tenantMethods.length).toBeGreaterThan(0);
  for (const m of tenantMethods) expect(m.Properties.AuthorizationType).toBe('CUSTOM');
  t.resourceCountIs('Custom::TenantRegistry', 1);
  t.hasResourceProperties('AWS::ApiGateway::RestApi', { Policy: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Resource: 'execute-api:/*/POST/admin/tenants' })]) }) });
});

test('zero unacknowledged AwsSolutions findings', () => {
  const report = new AwsSolutionsChecks(app).validateScope(app);
  expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
});

test('ResilienceChecks from the package finds alarms that notify nobody (no alarm topic was given)', () => {
  const report = new ResilienceChecks(app).validateScope(app);
  const cw1 = report.violations.find((v) => v.ruleName === 'RES-CW1');
  expect(cw1?.violatingResources.map((r) => r.constructPath)).toContain('ConsumerWeb/Web/ServerErrorRateAlarm/Resource');
  expect(report.violations.map((v) => v.ruleName)).not.toContain('RES-RDS1');
});

test('warnings carry their acknowledgment hint once (a warning without one fails too)', () => {
  let seen = 0;
  for (const stack of [built.webStack, built.warmStandby.primaryStack]) {
    for (const w of Annotations.fromStack(stack).findWarning('*', Match.anyValue())) {
      seen += 1;
      expect(String(w.entry.data).match(/\[ack: /g)?.length ?? 0).toBe(1);
    }
  }
  expect(seen).toBeGreaterThan(0);
});

test('deploy-time rules on every template of the consumer app: aliases after their targets, keys that let their publishers in', () => {
  // Quotas are not judged here: this app holds three strategies and a web tier on purpose, and
  // needs the Elastic IP increase the reference app's README names for its whole app.
  const violations: string[] = [];
  for (const s of assembly.stacks) {
    const t = s.template as TemplateJson;
    violations.push(...aliasOrderViolations(t).map((v) => `${s.stackName}: ${v}`));
  }
  // Topics referenced by ARN across stacks and Regions (a us-east-1 topic the health-check alarms publish to) are found in their stack.
  violations.push(...appTopicKeyViolations(assembly.stacks.map((s) => ({ name: s.stackName, template: s.template as TemplateJson, account: s.environment.account, region: s.environment.region }))));
  expect(violations).toEqual([]);
  expect(assembly.stacks.length).toBeGreaterThan(3);
});
