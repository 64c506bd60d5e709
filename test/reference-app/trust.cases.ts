/**
 * Trust policies of every role the reference app creates for an AWS service: where the service
 * documents that it sends aws:SourceAccount and aws:SourceArn when it assumes a role, the trust
 * policy requires both (cross-service confused deputy prevention); the others are named here
 * with the reason, so a new service role must be classified to pass.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
 */
import { render, TemplateJson } from '../helpers/deploy-rules';
import { referenceApp } from '../helpers/reference';

type Json = Record<string, unknown>;

/** Services whose role trust policies carry both keys, and the ARN pattern each must scope to. */
const SCOPED: Record<string, RegExp> = {
  // https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html#prevent-cross-service-confused-deputy
  'states.amazonaws.com': /^arn:aws:states:[a-z0-9-]+:\d{12}:stateMachine:\*$/,
  // https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
  'vpc-flow-logs.amazonaws.com': /^arn:aws:ec2:[a-z0-9-]+:\d{12}:vpc-flow-log\/\*$/,
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html#USER_Monitoring.OS.confused-deputy
  'monitoring.rds.amazonaws.com': /^arn:aws:rds:[a-z0-9-]+:\d{12}:\*$/,
  // https://docs.aws.amazon.com/fis/latest/userguide/security-iam-roles.html (confused deputy)
  'fis.amazonaws.com': /^arn:aws:fis:[a-z0-9-]+:\d{12}:experiment\/\*$/,
};

/** Services left without the keys, and why. */
const UNSCOPED: Record<string, string> = {
  'lambda.amazonaws.com': 'Lambda execution roles: Lambda documents no aws:SourceArn for assuming them',
  'ec2.amazonaws.com': 'instance profiles: EC2 sends no source keys',
  's3.amazonaws.com': "S3 replication: the S3 guide's replication trust policy has no condition, and a key S3 does not send would stop replication",
  'backup.amazonaws.com': 'AWS Backup service role: the Backup guide documents no source keys for it',
  'apigateway.amazonaws.com': "API Gateway's account-wide CloudWatch Logs role (one per account and Region)",
};

describe('reference app: trust policies of service roles', () => {
  const { assembly } = referenceApp();

  test('every service role is scoped to this account and its own resources, or its service is named with the reason it cannot be', () => {
    const seen = new Map<string, number>();
    const problems: string[] = [];
    for (const s of assembly.stacks) {
      for (const [id, r] of Object.entries((s.template as TemplateJson).Resources ?? {})) {
        if (r.Type !== 'AWS::IAM::Role') continue;
        for (const st of ((r.Properties?.AssumeRolePolicyDocument as Json).Statement as Json[])) {
          const services = [((st.Principal as Json | undefined)?.Service as string | string[] | undefined) ?? []].flat();
          for (const service of services) {
            seen.set(service, (seen.get(service) ?? 0) + 1);
            const pattern = SCOPED[service];
            if (!pattern) {
              if (!UNSCOPED[service]) problems.push(`${s.stackName}/${id}: ${service} is neither scoped nor named`);
              continue;
            }
            const cond = (st.Condition ?? {}) as Record<string, Record<string, unknown>>;
            const account = cond.StringEquals?.['aws:SourceAccount'];
            const arn = render(cond.ArnLike?.['aws:SourceArn'], s.environment) ?? '(none)';
            if (account !== s.environment.account) problems.push(`${s.stackName}/${id}: ${service} without aws:SourceAccount ${s.environment.account} (${JSON.stringify(account)})`);
            if (!pattern.test(arn)) problems.push(`${s.stackName}/${id}: ${service} aws:SourceArn ${arn} is not ${pattern}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    // The rule has something to check: each scoped service has roles in the app.
    for (const service of ['states.amazonaws.com', 'vpc-flow-logs.amazonaws.com', 'monitoring.rds.amazonaws.com', 'fis.amazonaws.com']) expect([service, (seen.get(service) ?? 0) > 0]).toEqual([service, true]);
  });
});
