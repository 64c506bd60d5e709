/**
 * Rules CloudFormation and the services apply at deploy time, checked on synthesized templates:
 * what synth accepts and a deploy would refuse. Each rule returns its violations (empty: it
 * holds), so a test can plant a defect and watch the rule find it.
 */
type Json = Record<string, unknown>;
type Resource = { Type: string; Properties?: Json; DependsOn?: string | string[] };
export type TemplateJson = { Resources?: Record<string, Resource> };

const resourcesOf = (t: TemplateJson): [string, Resource][] => Object.entries(t.Resources ?? {});
const dependsOn = (r: Resource): string[] => (r.DependsOn === undefined ? [] : Array.isArray(r.DependsOn) ? r.DependsOn : [r.DependsOn]);
const normalName = (n: string): string => n.toLowerCase().replace(/\.$/, '');

/** Every logical id `id` depends on, directly or through others, by DependsOn or a Ref / Fn::GetAtt. */
function dependencyClosure(t: TemplateJson, id: string): Set<string> {
  const seen = new Set<string>();
  const refs = (v: unknown, out: string[]): void => {
    if (Array.isArray(v)) v.forEach((x) => refs(x, out));
    else if (v && typeof v === 'object') {
      const o = v as Json;
      if (typeof o.Ref === 'string') out.push(o.Ref);
      if (Array.isArray(o['Fn::GetAtt'])) out.push(String((o['Fn::GetAtt'] as unknown[])[0]));
      Object.values(o).forEach((x) => refs(x, out));
    }
  };
  const stack = [id];
  while (stack.length) {
    const r = t.Resources?.[stack.pop()!];
    if (!r) continue;
    const next: string[] = [...dependsOn(r)];
    refs(r.Properties, next);
    for (const n of next) if (!seen.has(n)) (seen.add(n), stack.push(n));
  }
  return seen;
}

/**
 * An alias record to another record of the same zone in the same template must depend on it:
 * Route 53 refuses an alias to a record that does not exist yet, and CloudFormation creates
 * resources with no dependency between them in parallel. "The alias target must already exist":
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-alias.html
 */
export function aliasOrderViolations(t: TemplateJson): string[] {
  const byName = new Map<string, string[]>();
  for (const [id, r] of resourcesOf(t)) {
    if (r.Type === 'AWS::Route53::RecordSet' && typeof r.Properties?.Name === 'string') {
      const key = normalName(r.Properties.Name);
      byName.set(key, [...(byName.get(key) ?? []), id]);
    }
  }
  const out: string[] = [];
  for (const [id, r] of resourcesOf(t)) {
    const alias = r.Properties?.AliasTarget as Json | undefined;
    if (r.Type !== 'AWS::Route53::RecordSet' || typeof alias?.DNSName !== 'string') continue;
    const targets = byName.get(normalName(alias.DNSName)) ?? [];
    if (targets.length === 0) continue;
    const closure = dependencyClosure(t, id);
    if (!targets.some((x) => closure.has(x))) out.push(`${id} aliases ${alias.DNSName} (${targets.join(', ')}) in the same template without depending on it`);
  }
  return out;
}

/** The services that publish to SNS topics, and where a template says they do. */
const PUBLISHERS: { service: string; topics: (r: Resource) => unknown[] }[] = [
  {
    service: 's3.amazonaws.com',
    topics: (r) =>
      r.Type === 'AWS::S3::Bucket' || r.Type === 'Custom::S3BucketNotifications'
        ? (((r.Properties?.NotificationConfiguration as Json | undefined)?.TopicConfigurations as Json[] | undefined) ?? []).map((c) => c.Topic ?? c.TopicArn)
        : [],
  },
  { service: 'cloudwatch.amazonaws.com', topics: (r) => (r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm' ? [...((r.Properties?.AlarmActions as unknown[]) ?? []), ...((r.Properties?.OKActions as unknown[]) ?? [])] : []) },
  { service: 'events.amazonaws.com', topics: (r) => (r.Type === 'AWS::Events::Rule' ? ((r.Properties?.Targets as Json[] | undefined) ?? []).map((x) => x.Arn) : []) },
];

/**
 * A service publishing to a KMS-encrypted topic must be allowed by the key's policy to use the
 * key (kms:GenerateDataKey* and kms:Decrypt), or its messages are dropped (CloudWatch, EventBridge)
 * or the deploy fails (S3 validates the destination: "Unable to validate the following
 * destination configurations"):
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 * Checked for topics and keys in the same template (a topic of another stack is referenced by a
 * literal ARN and not checked here).
 */
export function topicKeyViolations(t: TemplateJson): string[] {
  const out: string[] = [];
  const res = t.Resources ?? {};
  for (const [id, r] of resourcesOf(t)) {
    for (const p of PUBLISHERS) {
      for (const ref of p.topics(r)) {
        const topicId = (ref as Json | undefined)?.Ref;
        const topic = typeof topicId === 'string' ? res[topicId] : undefined;
        if (topic?.Type !== 'AWS::SNS::Topic') continue;
        const keyRef = topic.Properties?.KmsMasterKeyId as Json | undefined;
        if (keyRef === undefined) continue;
        const keyId = Array.isArray(keyRef['Fn::GetAtt']) ? String((keyRef['Fn::GetAtt'] as unknown[])[0]) : typeof keyRef.Ref === 'string' ? keyRef.Ref : undefined;
        const key = keyId ? res[keyId] : undefined;
        if (key?.Type !== 'AWS::KMS::Key') {
          out.push(`${id}: ${p.service} publishes to ${topicId}, whose key (${JSON.stringify(keyRef)}) is not in the template to check`);
          continue;
        }
        const statements = ((key.Properties?.KeyPolicy as Json | undefined)?.Statement as Json[] | undefined) ?? [];
        const allows = (action: string): boolean =>
          statements.some((s) => {
            if (s.Effect !== 'Allow') return false;
            const svc = (s.Principal as Json | undefined)?.Service;
            const services = Array.isArray(svc) ? svc : [svc];
            const actions = Array.isArray(s.Action) ? (s.Action as string[]) : [String(s.Action)];
            return services.includes(p.service) && actions.some((a) => a === action || a === 'kms:*' || (a.endsWith('*') && action.startsWith(a.slice(0, -1))));
          });
        if (!allows('kms:GenerateDataKey') || !allows('kms:Decrypt')) out.push(`${id}: ${p.service} publishes to ${topicId}, whose key ${keyId} does not let ${p.service} use it`);
      }
    }
  }
  return [...new Set(out)];
}

/** What a set of templates takes of the per-Region quotas a fresh account starts with. */
export interface QuotaUse {
  readonly elasticIps: number;
  readonly vpcs: number;
  readonly internetGateways: number;
  /** NAT gateways per AZ (by the AZ of their subnet). */
  readonly natGatewaysPerAz: Record<string, number>;
}

/**
 * The default quotas of a new account, per Region (per AZ for NAT gateways): Elastic IP
 * addresses 5, VPCs 5, internet gateways 5, NAT gateways 5 per AZ. "Amazon VPC quotas":
 * https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html
 */
export const DEFAULT_QUOTAS = { elasticIps: 5, vpcs: 5, internetGateways: 5, natGatewaysPerAz: 5 } as const;

/**
 * Count what templates deployed in one Region take of those quotas. A new account has a
 * default VPC with its internet gateway in every Region, which count too (`defaultVpc`).
 */
export function quotaUse(templates: readonly TemplateJson[], options: { readonly defaultVpc?: boolean } = { defaultVpc: true }): QuotaUse {
  let elasticIps = 0;
  let vpcs = options.defaultVpc ? 1 : 0;
  let internetGateways = options.defaultVpc ? 1 : 0;
  const natGatewaysPerAz: Record<string, number> = {};
  for (const t of templates) {
    const res = t.Resources ?? {};
    for (const r of Object.values(res)) {
      if (r.Type === 'AWS::EC2::EIP') elasticIps++;
      if (r.Type === 'AWS::EC2::VPC') vpcs++;
      if (r.Type === 'AWS::EC2::InternetGateway') internetGateways++;
      if (r.Type === 'AWS::EC2::NatGateway') {
        const subnet = (r.Properties?.SubnetId as Json | undefined)?.Ref;
        const az = typeof subnet === 'string' ? String(res[subnet]?.Properties?.AvailabilityZone ?? 'unknown') : 'unknown';
        natGatewaysPerAz[az] = (natGatewaysPerAz[az] ?? 0) + 1;
      }
    }
  }
  return { elasticIps, vpcs, internetGateways, natGatewaysPerAz };
}

/** Where a use exceeds the default quotas, by quota name. */
export function quotaViolations(use: QuotaUse): string[] {
  const out: string[] = [];
  if (use.elasticIps > DEFAULT_QUOTAS.elasticIps) out.push(`EC2-VPC Elastic IPs: ${use.elasticIps} > ${DEFAULT_QUOTAS.elasticIps}`);
  if (use.vpcs > DEFAULT_QUOTAS.vpcs) out.push(`VPCs per Region: ${use.vpcs} > ${DEFAULT_QUOTAS.vpcs}`);
  if (use.internetGateways > DEFAULT_QUOTAS.internetGateways) out.push(`Internet gateways per Region: ${use.internetGateways} > ${DEFAULT_QUOTAS.internetGateways}`);
  for (const [az, n] of Object.entries(use.natGatewaysPerAz)) if (n > DEFAULT_QUOTAS.natGatewaysPerAz) out.push(`NAT gateways per Availability Zone (${az}): ${n} > ${DEFAULT_QUOTAS.natGatewaysPerAz}`);
  return out;
}
