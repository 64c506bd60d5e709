import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as cr from 'aws-cdk-lib/custom-resources';
import { IConstruct } from 'constructs';

/**
 * Acknowledge exactly one cdk-nag finding on one construct, with the reason it is
 * acceptable. Never use it on a stack or app: acknowledgments are finding by finding.
 *
 * cdk-nag 3 reads acknowledgments from the construct metadata that
 * `Validations.of(scope).acknowledge()` writes. aws-cdk-lib 2.257 rejects ids that
 * contain `::` more than once, yet cdk-nag's finding ids do (e.g.
 * `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/...]`). For those ids
 * only, this helper records the acknowledgment in the same metadata format itself;
 * the reference app's cdk-nag test proves cdk-nag honours it.
 *
 * @param scope the construct the finding is reported on (or its parent L2)
 * @param finding the full finding id, e.g. `AwsSolutions-EC23`; tokens in it (an ARN's
 *   partition or account) are rendered as cdk-nag renders them (`<AWS::Partition>`)
 * @param reason why the finding is acceptable here, for the audit trail
 */
export function acknowledgeNagFinding(scope: IConstruct, finding: string, reason: string): void {
  if (reason.trim().length < 20) {
    throw new Error(`cdk-resilience internal: acknowledgment of ${finding} on ${scope.node.path} needs a real reason`);
  }
  // An id built from an ARN can hold tokens (the partition, the account, a logical id): as a
  // metadata key a token crashes synth (KeyMustResolveToString). Render it the way cdk-nag
  // names the finding, so the acknowledgment matches with or without
  // `@aws-cdk/core:enablePartitionLiterals` and on env-agnostic stacks.
  const ruleId = Token.isUnresolved(finding) ? nagResourceName(Stack.of(scope), finding) : finding;
  if (Token.isUnresolved(ruleId)) {
    throw new Error(`cdk-resilience internal: acknowledgment id ${ruleId} on ${scope.node.path} still holds a token`);
  }
  if (!ruleId.includes('::')) {
    Validations.of(scope).acknowledge({ id: ruleId, reason });
    return;
  }
  const key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;
  const previous = scope.node.metadata.filter((m) => m.type === key).pop()?.data as Record<string, string> | undefined;
  scope.node.addMetadata(key, { ...(previous ?? {}), [`annotation::${ruleId}`]: reason });
}

/**
 * A resource (usually an ARN with tokens) as cdk-nag names it in a finding id (cdk-nag's
 * `flattenCfnReference`): `{ Ref: X }` becomes `<X>`, `Fn::GetAtt` becomes `<Id.Attr>`,
 * joins are flattened. A string without tokens is returned as it is.
 */
export function nagResourceName(stack: Stack, resource: string): string {
  if (!Token.isUnresolved(resource)) return resource;
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v.replace(/\$\{/g, '<').replace(/\}/g, '>');
    const o = v as Record<string, unknown>;
    if (o['Fn::Join']) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(sep);
    }
    if (o['Fn::Sub']) return render(o['Fn::Sub']);
    if (o['Fn::GetAtt']) return `<${(o['Fn::GetAtt'] as unknown[]).map(render).join('.')}>`;
    if (o['Fn::ImportValue']) return render(o['Fn::ImportValue']);
    if (o.Ref) return `<${render(o.Ref)}>`;
    return JSON.stringify(v);
  };
  return render(stack.resolve(resource));
}

/**
 * Acknowledge, once per stack, the findings of aws-cdk-lib's AwsCustomResource provider
 * function (a singleton the library does not define): its managed logging policy and its
 * runtime, both chosen by aws-cdk-lib.
 */
export function acknowledgeCustomResourceProvider(stack: Stack): void {
  const provider = stack.node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
  const role = provider?.node.tryFindChild('ServiceRole');
  if (!provider || !role || role.node.metadata.some((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) return;
  acknowledgeNagFinding(
    role,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    "aws-cdk-lib's AwsCustomResource provider writes its own logs with the AWS-maintained basic execution policy; its SDK permissions are scoped to named resources.",
  );
  acknowledgeNagFinding(provider, 'AwsSolutions-L1', "aws-cdk-lib's AwsCustomResource provider runtime is chosen and updated by aws-cdk-lib; it runs only at deploy time.");
}
