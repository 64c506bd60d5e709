/**
 * Rules CloudFormation and the services apply at deploy time, checked on synthesized templates:
 * what synth accepts and a deploy would refuse. Each rule returns its violations (empty: it
 * holds), so a test can plant a defect and watch the rule find it.
 */
type Json = Record<string, unknown>;
type Resource = { Type: string; Properties?: Json; DependsOn?: string | string[] };
export type TemplateJson = { Resources?: Record<string, Resource>; Outputs?: Record<string, { Value?: unknown; Export?: { Name?: unknown } }> };

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
 * An alias record to another record of the same zone in the same template must depend on it
 * (names compared as rendered: literal, or `Fn::Join` of literals and references):
 * Route 53 refuses an alias to a record that does not exist yet, and CloudFormation creates
 * resources with no dependency between them in parallel. "The alias target must already exist":
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-alias.html
 */
export function aliasOrderViolations(t: TemplateJson): string[] {
  const byName = new Map<string, string[]>();
  for (const [id, r] of resourcesOf(t)) {
    const name = r.Type === 'AWS::Route53::RecordSet' ? render(r.Properties?.Name) : undefined;
    if (name !== undefined) {
      const key = normalName(name);
      byName.set(key, [...(byName.get(key) ?? []), id]);
    }
  }
  const out: string[] = [];
  for (const [id, r] of resourcesOf(t)) {
    const alias = r.Properties?.AliasTarget as Json | undefined;
    const dnsName = r.Type === 'AWS::Route53::RecordSet' ? render(alias?.DNSName) : undefined;
    if (dnsName === undefined) continue;
    const targets = (byName.get(normalName(dnsName)) ?? []).filter((x) => x !== id);
    if (targets.length === 0) continue;
    const closure = dependencyClosure(t, id);
    if (!targets.some((x) => closure.has(x))) out.push(`${id} aliases ${dnsName} (${targets.join(', ')}) in the same template without depending on it`);
  }
  return out;
}

/** A synthesized stack: its template, and the account and Region it deploys to (when literal). */
export interface StackTemplate {
  readonly name: string;
  readonly template: TemplateJson;
  readonly account?: string;
  readonly region?: string;
}

/** Where a stack deploys (when literal); pseudo parameters render to these. */
interface Env {
  readonly account?: string;
  readonly region?: string;
}

/**
 * A template value as a string: literals as they are, pseudo parameters as the stack's account,
 * Region and partition, `Fn::Join` joined, `Fn::Sub` of pseudo parameters, and any other
 * reference as `${LogicalId}` (so the same reference renders the same everywhere). Undefined
 * for what cannot be rendered (`Fn::ImportValue`, conditions).
 */
export function render(v: unknown, env: Env = {}): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Json;
  const pseudo = (name: string): string | undefined =>
    name === 'AWS::Partition' ? 'aws' : name === 'AWS::AccountId' ? (env.account ?? '${AWS::AccountId}') : name === 'AWS::Region' ? (env.region ?? '${AWS::Region}') : name === 'AWS::URLSuffix' ? 'amazonaws.com' : undefined;
  if (typeof o.Ref === 'string') return pseudo(o.Ref) ?? `\${${o.Ref}}`;
  if (Array.isArray(o['Fn::GetAtt'])) return `\${${(o['Fn::GetAtt'] as unknown[]).map(String).join('.')}}`;
  if (Array.isArray(o['Fn::Join'])) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    if (!Array.isArray(parts)) return undefined;
    const rendered = parts.map((x) => render(x, env));
    return rendered.every((x) => x !== undefined) ? rendered.join(sep) : undefined;
  }
  if (typeof o['Fn::Sub'] === 'string') return (o['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, (m, name: string) => pseudo(name) ?? m);
  return undefined;
}

/** One place a service publishes to a topic (a topic by ARN names its own Region). */
interface Publication {
  readonly topic: unknown;
  /** The ARN of what publishes (for aws:SourceArn conditions), when it can be rendered. */
  readonly sourceArn?: string;
  /**
   * False where the service is not documented to send aws:SourceAccount / aws:SourceArn to KMS
   * when it publishes (EventBridge): conditions on them are then not judged to hold.
   */
  readonly sendsSourceKeys?: boolean;
}

/** The services that publish to SNS topics, and where a template says they do. */
const PUBLISHERS: { service: string; publications: (r: Resource, env: Env, id: string) => Publication[] }[] = [
  {
    service: 's3.amazonaws.com',
    publications: (r, env, id) => {
      if (r.Type !== 'AWS::S3::Bucket' && r.Type !== 'Custom::S3BucketNotifications') return [];
      // A bucket's Ref is its name.
      const bucketName = r.Type === 'AWS::S3::Bucket' ? (render(r.Properties?.BucketName, env) ?? `\${${id}}`) : render(r.Properties?.BucketName, env);
      const configs = ((r.Properties?.NotificationConfiguration as Json | undefined)?.TopicConfigurations as Json[] | undefined) ?? [];
      return configs.map((c) => ({ topic: c.Topic ?? c.TopicArn, sourceArn: bucketName !== undefined ? `arn:aws:s3:::${bucketName}` : undefined }));
    },
  },
  {
    service: 'cloudwatch.amazonaws.com',
    publications: (r, env, id) => {
      if (r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm') {
        // A generated name is unknown: its logical id stands for it (only a wildcard matches it).
        const name = render(r.Properties?.AlarmName, env) ?? `\${${id}}`;
        const sourceArn = name !== undefined ? `arn:aws:cloudwatch:${env.region ?? '${AWS::Region}'}:${env.account ?? '${AWS::AccountId}'}:alarm:${name}` : undefined;
        return (['AlarmActions', 'OKActions', 'InsufficientDataActions'] as const).flatMap((k) => ((r.Properties?.[k] as unknown[]) ?? []).map((topic) => ({ topic, sourceArn })));
      }
      // An alarm an AwsCustomResource creates (PutMetricAlarm), possibly in another Region.
      if (r.Type === 'Custom::AWS') {
        const calls = ['Create', 'Update'].map((k) => render(r.Properties?.[k], env)).filter((x): x is string => x !== undefined);
        return calls.flatMap((c) => {
          let call: Json;
          try {
            call = JSON.parse(c) as Json;
          } catch {
            return [];
          }
          if (call.action !== 'PutMetricAlarm' && call.action !== 'putMetricAlarm') return [];
          const params = (call.parameters ?? {}) as Json;
          const region = typeof call.region === 'string' ? call.region : env.region;
          const sourceArn = typeof params.AlarmName === 'string' ? `arn:aws:cloudwatch:${region ?? '${AWS::Region}'}:${env.account ?? '${AWS::AccountId}'}:alarm:${params.AlarmName}` : undefined;
          return (['AlarmActions', 'OKActions', 'InsufficientDataActions'] as const).flatMap((k) => ((params[k] as unknown[]) ?? []).map((topic) => ({ topic, sourceArn })));
        });
      }
      return [];
    },
  },
  {
    service: 'events.amazonaws.com',
    publications: (r) => {
      if (r.Type !== 'AWS::Events::Rule') return [];
      // EventBridge is not documented to send the source keys to KMS: no source ARN, and
      // conditions on them never count (sendsSourceKeys: false).
      return ((r.Properties?.Targets as Json[] | undefined) ?? []).map((x) => ({ topic: x.Arn, sendsSourceKeys: false }));
    },
  },
];

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
/** IAM's glob: `*` any run of characters, `?` one. */
const globMatches = (pattern: string, value: string): boolean => {
  const escape = (c: string): string => c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  const body = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escape(c))).join('');
  return new RegExp('^' + body + '$').test(value);
};

/**
 * Whether a key-policy statement's Condition holds when a service publishes: the condition keys
 * services send (aws:SourceAccount, aws:SourceArn) with the string and ARN operators and their
 * negations; `'unknown'` for anything else (another key, another operator, a value that cannot
 * be rendered), which an Allow cannot count on and a Deny is taken to meet.
 */
function conditionHolds(condition: unknown, ctx: { account?: string; sourceArn?: string }, env: Env): boolean | 'unknown' {
  if (condition === undefined) return true;
  let result: boolean | 'unknown' = true;
  for (const [operator, tests] of Object.entries(condition as Json)) {
    for (const [key, expected] of Object.entries(tests as Json)) {
      // Services call KMS over TLS: aws:SecureTransport is true for them.
      if (key === 'aws:SecureTransport' && operator === 'Bool') {
        if (asList(expected).map((x) => String(x).toLowerCase()).includes('true') === false) result = false;
        continue;
      }
      const values = asList(expected).map((x) => render(x, env));
      const actual = key === 'aws:SourceAccount' ? ctx.account : key === 'aws:SourceArn' ? ctx.sourceArn : undefined;
      if (actual === undefined || values.some((x) => x === undefined)) {
        result = result === false ? false : 'unknown';
        continue;
      }
      // The same reference renders the same on both sides, so a match is a match; a mismatch
      // where either side holds a reference (`${...}`) proves nothing.
      const unresolved = actual.includes('${') || values.some((x) => x!.includes('${'));
      const equals = values.includes(actual);
      const like = values.some((x) => globMatches(x!, actual));
      const ok = ({ StringEquals: equals, ArnEquals: equals, StringLike: like, ArnLike: like, StringNotEquals: !equals, ArnNotEquals: !equals, StringNotLike: !like, ArnNotLike: !like } as Record<string, boolean>)[operator];
      const matched = operator.includes('Not') ? !ok : ok;
      if (ok === undefined || (!matched && unresolved)) result = result === false ? false : 'unknown';
      else if (!ok) result = false;
    }
  }
  return result;
}

/**
 * Whether a statement applies to `service` doing `action`: its Principal names the service or
 * everyone (NotPrincipal: does not name it), and its Action covers the action (NotAction: does
 * not). IAM compares action names without regard to case.
 */
function covers(s: Json, service: string, action: string): boolean {
  const names = (p: unknown): string[] => (p === '*' ? ['*'] : [...asList((p as Json | undefined)?.Service), ...asList((p as Json | undefined)?.AWS)].map(String));
  const matches = (patterns: unknown): boolean =>
    asList(patterns).map((a) => String(a).toLowerCase()).some((a) => a === action.toLowerCase() || a === 'kms:*' || a === '*' || (a.endsWith('*') && action.toLowerCase().startsWith(a.slice(0, -1))));
  const principalOk = s.NotPrincipal !== undefined ? !names(s.NotPrincipal).includes(service) : names(s.Principal).some((p) => p === service || p === '*');
  const actionOk = s.NotAction !== undefined ? !matches(s.NotAction) : matches(s.Action);
  return principalOk && actionOk;
}

/** Why `service` may not use the key for `action` under this policy, or undefined when it may. */
function keyRefusal(statements: Json[], service: string, action: string, ctx: { account?: string; sourceArn?: string }, env: Env): string | undefined {
  // An explicit Deny that applies wins over any Allow.
  const denies = statements.filter((s) => s.Effect === 'Deny' && covers(s, service, action)).map((s) => conditionHolds(s.Condition, ctx, env));
  if (denies.includes(true)) return `a Deny statement refuses ${action}`;
  if (denies.includes('unknown')) return `a Deny statement may refuse ${action} (its condition cannot be judged here)`;
  const allows = statements.filter((s) => s.Effect === 'Allow' && covers(s, service, action));
  if (allows.length === 0) return `nothing allows ${action}`;
  if (!allows.some((s) => conditionHolds(s.Condition, ctx, env) === true)) return `the statements allowing ${action} have conditions that do not hold for it (${JSON.stringify(allows.map((s) => s.Condition))})`;
  return undefined;
}

/** The topic a reference names: in this template by Ref / Fn::GetAtt, or by ARN in any template given. */
function findTopic(ref: unknown, here: StackTemplate, all: readonly StackTemplate[]): { stack: StackTemplate; id: string } | 'elsewhere' | undefined {
  const o = ref as Json | undefined;
  // An export of another stack: follow it to the value that stack exports.
  if (o && typeof o['Fn::ImportValue'] === 'string') {
    for (const stack of all) {
      const outputs = stack.template.Outputs ?? {};
      const out = Object.values(outputs).find((x) => x.Export?.Name === o['Fn::ImportValue']);
      if (out) return findTopic(out.Value, stack, all);
    }
    return 'elsewhere';
  }
  const localId = typeof o?.Ref === 'string' ? o.Ref : Array.isArray(o?.['Fn::GetAtt']) ? String((o!['Fn::GetAtt'] as unknown[])[0]) : undefined;
  if (localId !== undefined && here.template.Resources?.[localId]) {
    return here.template.Resources[localId].Type === 'AWS::SNS::Topic' ? { stack: here, id: localId } : undefined;
  }
  const arn = render(ref, here);
  // A reference inside a rendered JSON string (an AwsCustomResource call): `${LogicalId}`.
  const inString = arn?.match(/^\$\{([A-Za-z0-9]+)(\.[A-Za-z]+)?\}$/);
  if (inString && here.template.Resources?.[inString[1]]?.Type === 'AWS::SNS::Topic') return { stack: here, id: inString[1] };
  const m = arn?.match(/^arn:[^:]+:sns:([^:]+):([^:]+):(.+)$/);
  if (!m) return undefined;
  const [, region, account, name] = m;
  for (const stack of all) {
    if (stack.region !== undefined && stack.region !== region) continue;
    if (stack.account !== undefined && !account.startsWith('$') && stack.account !== account) continue;
    if (stack.region === undefined && stack !== here) continue;
    for (const [id, r] of resourcesOf(stack.template)) {
      if (r.Type === 'AWS::SNS::Topic' && render(r.Properties?.TopicName, stack) === name) return { stack, id };
    }
  }
  // A literal ARN of a topic no template here holds (a user's, imported): its key is its owner's.
  return 'elsewhere';
}

/**
 * A service publishing to a KMS-encrypted topic must be allowed by the key's policy to use the
 * key (kms:GenerateDataKey* and kms:Decrypt), or its messages are dropped (CloudWatch, EventBridge)
 * or the deploy fails (S3 validates the destination: "Unable to validate the following
 * destination configurations"):
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 * Publishers: S3 notifications, alarms (alarm, OK and insufficient-data actions, and alarms an
 * AwsCustomResource creates with PutMetricAlarm, in whatever Region it names) and EventBridge
 * rules. Topics are found by Ref or Fn::GetAtt in the same template, or by ARN (literal or
 * Fn::Join) among `others` (the other stacks of the app); a topic no template holds is its
 * owner's, not checked. The key policy is evaluated as KMS would for the publisher: an
 * applicable Deny refuses; an Allow counts only when its conditions hold (aws:SourceAccount,
 * aws:SourceArn; conditions on anything else are not judged and do not count).
 */
export function topicKeyViolations(t: TemplateJson, context: { readonly account?: string; readonly region?: string; readonly others?: readonly StackTemplate[] } = {}): string[] {
  const here: StackTemplate = { name: 'this template', template: t, account: context.account, region: context.region };
  const all = [here, ...(context.others ?? [])];
  const out: string[] = [];
  for (const [id, r] of resourcesOf(t)) {
    for (const p of PUBLISHERS) {
      for (const pub of p.publications(r, here, id)) {
        const found = findTopic(pub.topic, here, all);
        if (found === undefined || found === 'elsewhere') continue;
        const topicName = found.stack === here ? found.id : `${found.stack.name}/${found.id}`;
        const topic = found.stack.template.Resources![found.id];
        const keyRef = topic.Properties?.KmsMasterKeyId as Json | string | undefined;
        if (keyRef === undefined) continue;
        const keyId = keyOf(keyRef, found.stack);
        const key = keyId ? found.stack.template.Resources?.[keyId] : undefined;
        if (key?.Type !== 'AWS::KMS::Key') {
          out.push(`${id}: ${p.service} publishes to ${topicName}, whose key (${JSON.stringify(keyRef)}) is not in the template to check`);
          continue;
        }
        const statements = asList((key.Properties?.KeyPolicy as Json | undefined)?.Statement).filter((x): x is Json => !!x && typeof x === 'object');
        const ctx = pub.sendsSourceKeys === false ? {} : { account: here.account ?? '${AWS::AccountId}', sourceArn: pub.sourceArn };
        const why = keyRefusal(statements, p.service, 'kms:GenerateDataKey', ctx, found.stack) ?? keyRefusal(statements, p.service, 'kms:Decrypt', ctx, found.stack);
        if (why) out.push(`${id}: ${p.service} publishes to ${topicName}, whose key ${keyId} does not let ${p.service} use it: ${why}`);
      }
    }
  }
  return [...new Set(out)];
}

/** The logical id of the key a KmsMasterKeyId names: by Ref / Fn::GetAtt, or through an AWS::KMS::Alias of the same template. */
function keyOf(keyRef: unknown, stack: StackTemplate): string | undefined {
  const o = keyRef as Json | undefined;
  const direct = (v: Json | undefined): string | undefined => (Array.isArray(v?.['Fn::GetAtt']) ? String((v!['Fn::GetAtt'] as unknown[])[0]) : typeof v?.Ref === 'string' ? (v.Ref as string) : undefined);
  const id = typeof keyRef === 'object' ? direct(o) : undefined;
  const resources = stack.template.Resources ?? {};
  if (id !== undefined && resources[id]?.Type === 'AWS::KMS::Alias') return direct(resources[id].Properties?.TargetKeyId as Json);
  if (id !== undefined) return id;
  const name = render(keyRef, stack)?.replace(/^arn:[^:]+:kms:[^:]+:[^:]+:/, '');
  const alias = name?.startsWith('alias/') ? Object.values(resources).find((r) => r.Type === 'AWS::KMS::Alias' && render(r.Properties?.AliasName, stack) === name) : undefined;
  return alias ? direct(alias.Properties?.TargetKeyId as Json) : undefined;
}

/** {@link topicKeyViolations} on every stack of an app, each seeing the others (topics referenced by ARN across stacks and Regions). */
export function appTopicKeyViolations(stacks: readonly StackTemplate[]): string[] {
  return stacks.flatMap((s) => topicKeyViolations(s.template, { account: s.account, region: s.region, others: stacks.filter((x) => x !== s) }).map((v) => `${s.name}: ${v}`));
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
