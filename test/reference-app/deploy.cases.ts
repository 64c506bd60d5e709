/**
 * Deploy-time rules (test/helpers/deploy-rules.ts) on every template of the reference app:
 * what `cdk synth` accepts and CloudFormation, Route 53 or S3 would refuse on a fresh account.
 */
import { aliasOrderViolations, TemplateJson, topicKeyViolations } from '../helpers/deploy-rules';
import { REFERENCE_ENGINE_VERSIONS } from '../../bin/engine-versions';
import { referenceApp } from '../helpers/reference';

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

  test('every service that publishes to an encrypted topic may use its key (S3 notifications, alarms, EventBridge rules)', () => {
    expect(templates.flatMap(([name, t]) => topicKeyViolations(t).map((v) => `${name}: ${v}`))).toEqual([]);
  });
});
