/**
 * Deploy-time rules (test/helpers/deploy-rules.ts) on every template of the reference app:
 * what `cdk synth` accepts and CloudFormation, Route 53 or S3 would refuse on a fresh account.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildReferenceApp, REFERENCE_PARTS, ReferencePart } from '../../bin/reference-app';
import { aliasOrderViolations, appTopicKeyViolations, quotaUse, quotaViolations, TemplateJson } from '../helpers/deploy-rules';
import { REFERENCE_ENGINE_VERSIONS } from '../../bin/engine-versions';
import { referenceApp } from '../helpers/reference';
import { nagFindings } from '../helpers/app';

describe('reference app: deploy-time rules', () => {
  const { assembly } = referenceApp();
  const templates = assembly.stacks.map((s) => [s.stackName, s.template as TemplateJson] as const);

  test('an alias to a record in the same template depends on it (Route 53 refuses an alias to a record not yet created)', () => {
    expect(templates.flatMap(([name, t]) => aliasOrderViolations(t).map((v) => `${name}: ${v}`))).toEqual([]);
    // The rule has something to check: the routing-control records alias per-Region names in their own stack.
    expect(templates.some(([, t]) => Object.values(t.Resources ?? {}).some((r) => r.Type === 'AWS::Route53::RecordSet' && (r.Properties?.AliasTarget as { DNSName?: unknown })?.DNSName === 'us-west-2.shop.example.com'))).toBe(true);
  });

  test('every database engine version is on the one maintained list (bin/engine-versions.ts): a retired minor version cannot be created', () => {
    // "You can't create new DB instances with a deprecated version":
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.PostgreSQL.Minor.html
    const versions = templates.flatMap(([, t]) =>
      Object.values(t.Resources ?? {})
        .filter((r) => (r.Type === 'AWS::RDS::DBCluster' || r.Type === 'AWS::RDS::DBInstance' || r.Type === 'AWS::RDS::GlobalCluster') && r.Properties?.EngineVersion !== undefined)
        .map((r) => `${String(r.Properties!.Engine)} ${String(r.Properties!.EngineVersion)}`),
    );
    expect(versions.length).toBeGreaterThanOrEqual(5);
    const allowed = new Set([`aurora-postgresql ${REFERENCE_ENGINE_VERSIONS.auroraPostgres}`, `postgres ${REFERENCE_ENGINE_VERSIONS.postgres}`]);
    expect(versions.filter((v) => !allowed.has(v))).toEqual([]);
  });

  test('every service that publishes to an encrypted topic may use its key (S3 notifications, alarms, EventBridge rules), topics in other stacks and Regions included', () => {
    const stacks = assembly.stacks.map((s) => ({ name: s.stackName, template: s.template as TemplateJson, account: s.environment.account, region: s.environment.region }));
    expect(appTopicKeyViolations(stacks)).toEqual([]);
    // The rule sees across stacks: planting the defect (CloudWatch's statement removed from every
    // key in us-east-1) finds the alarms of the us-west-2 stacks that publish there, among them
    // the health-check status alarms a custom resource creates in us-east-1.
    const planted = stacks.map((s) => {
      if (s.region !== 'us-east-1') return s;
      const template = JSON.parse(JSON.stringify(s.template)) as TemplateJson;
      for (const r of Object.values(template.Resources ?? {})) {
        if (r.Type !== 'AWS::KMS::Key') continue;
        const policy = r.Properties!.KeyPolicy as { Statement: Array<{ Principal?: { Service?: unknown } }> };
        policy.Statement = policy.Statement.filter((st) => st.Principal?.Service !== 'cloudwatch.amazonaws.com');
      }
      return { ...s, template };
    });
    const found = appTopicKeyViolations(planted);
    const fromWest = found.filter((v) => stacks.some((s) => s.region === 'us-west-2' && v.startsWith(`${s.name}: `)));
    expect(fromWest.length).toBeGreaterThan(0);
    expect(fromWest.some((v) => /StatusAlarm[A-Za-z0-9]*: cloudwatch\.amazonaws\.com publishes to [A-Za-z0-9-]+\/[A-Za-z0-9]+, whose key/.test(v))).toBe(true);
  });

  /** The part of the reference app a stack belongs to, by its name. */
  const partOf = (stackName: string): ReferencePart =>
    stackName.startsWith('ResilienceRef-') ? 'blocks' : stackName.startsWith('RefActiveActive-') ? 'active-active' : stackName.startsWith('RefPilotLight-') ? 'pilot-light' : 'warm-standby';
  const byRegion = (stacks: typeof assembly.stacks) => {
    const out: Record<string, TemplateJson[]> = {};
    for (const s of stacks) (out[s.environment.region] ??= []).push(s.template as TemplateJson);
    return out;
  };

  test('each part alone (-c deploy=<part>) fits the default quotas of a new account in every Region', () => {
    for (const part of REFERENCE_PARTS) {
      const stacks = assembly.stacks.filter((s) => partOf(s.stackName) === part);
      expect(stacks.length).toBeGreaterThan(0);
      for (const [region, templates] of Object.entries(byRegion(stacks))) expect([part, region, quotaViolations(quotaUse(templates))]).toEqual([part, region, []]);
    }
  });

  test('the whole app needs quota increases, and README.md names each with the figure it needs', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const needs = Object.entries(byRegion(assembly.stacks)).flatMap(([region, t]) => quotaViolations(quotaUse(t)).map((v) => `${region} ${v}`));
    expect(needs.length).toBeGreaterThan(0);
    for (const need of needs) {
      const [, region, quota, used] = /^(\S+) (.+): (\d+) > \d+$/.exec(need)!;
      expect([need, readme.includes(`| ${quota} | ${region} | ${used} |`)]).toEqual([need, true]);
    }
  });

  test('-c deploy=warm-standby builds the warm standby and its extras only; an unknown part is refused', () => {
    const app = new App({ context: { deploy: 'warm-standby' } });
    expect(buildReferenceApp(app)).toEqual([]);
    const names = app.node.children.filter((c) => c.node.id.startsWith('Ref') || c.node.id.startsWith('Resilience')).map((c) => c.node.id).sort();
    expect(names).toEqual(['RefWarmStandby', 'RefWarmStandby-Fence', 'RefWarmStandby-Primary', 'RefWarmStandby-Recovery', 'RefWarmStandby-RecoveryData']);
    expect(() => buildReferenceApp(new App({ context: { deploy: 'warm' } }))).toThrow('-c deploy=warm: unknown part(s) warm; use all, or any of blocks, active-active, pilot-light, warm-standby, comma-separated');
  });

  test('-c deletionProtection=false: a strategy trial that cdk destroy removes whole, every RDS10 finding acknowledged with that reason', () => {
    const protection = (app: App): string[] =>
      app.node.findAll().filter((c): c is Stack => Stack.isStack(c)).flatMap((stack) =>
        Object.entries(Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>).flatMap(([id, r]) => {
          if (['AWS::RDS::DBCluster', 'AWS::RDS::GlobalCluster'].includes(r.Type) || (r.Type === 'AWS::RDS::DBInstance' && !r.Properties?.DBClusterIdentifier)) return [`${stack.stackName}/${id}=${String(r.Properties?.DeletionProtection)}`];
          if (r.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer') return [`${stack.stackName}/${id}=${(r.Properties?.LoadBalancerAttributes as Array<{ Key: string; Value: string }>).find((a) => a.Key === 'deletion_protection.enabled')?.Value}`];
          return [];
        }),
      );
    const trial = new App({ context: { deploy: 'warm-standby', deletionProtection: 'false' } });
    buildReferenceApp(trial);
    const off = protection(trial);
    expect(off.length).toBe(5);
    expect(off.filter((x) => !x.endsWith('=false'))).toEqual([]);
    expect(nagFindings(trial)).toEqual([]);
    // Without it, every one is protected.
    const kept = new App({ context: { deploy: 'warm-standby' } });
    buildReferenceApp(kept);
    expect(protection(kept).filter((x) => !x.endsWith('=true'))).toEqual([]);
  });
});
