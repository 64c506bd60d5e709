/**
 * What each priced resource type counts, read from a synthesized template: the units of
 * which price row, or why the count is unknown (a token, a type not in the table). Never a
 * silent zero: a value the template does not state is unknown, not free.
 */

/** A CloudFormation resource as it appears in a synthesized template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

/** One stack's synthesized template and where it deploys. */
export interface StackTemplate {
  /** The stack name. */
  readonly stackName: string;
  /** The Region the stack deploys to (an environment-agnostic stack: a token's text). */
  readonly region: string;
  /** The synthesized template (`Resources` is what is read). */
  readonly template: { readonly Resources?: Readonly<Record<string, TemplateResource>> };
  /**
   * Construct paths by logical id, when the template has no `aws:cdk:path` metadata.
   * @default - the metadata only
   */
  readonly paths?: Readonly<Record<string, string>>;
}

/** What one resource adds to the estimate. */
export type Charge =
  /** `count` units of the price row `price`, in `region` (default: the stack's). `missing` names it when the row is absent. */
  | { readonly kind: 'price'; readonly price: string; readonly count: number; readonly missing: string; readonly detail?: string; readonly region?: string }
  /** A charge the estimate cannot count. */
  | { readonly kind: 'unknown'; readonly reason: string }
  /** No fixed charge for this resource (its type is priced for other configurations). */
  | { readonly kind: 'free'; readonly reason: string };

/** What a pricer reads. */
export interface PricingInput {
  readonly logicalId: string;
  readonly props: Record<string, unknown>;
  /** The stack's template. */
  readonly stack: StackTemplate;
  /** Every template being priced (for what a resource inherits from another stack). */
  readonly all: readonly StackTemplate[];
}

type Pricer = (r: PricingInput) => Charge[];

const unknown = (reason: string): Charge => ({ kind: 'unknown', reason });
const show = (v: unknown): string => JSON.stringify(v)?.slice(0, 80) ?? 'undefined';

/** A count the template states (a number, or a string of digits), or undefined for a token. */
export function countOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

/** A literal string, or undefined for a token. */
function text(v: unknown): string | undefined {
  return typeof v === 'string' && !v.includes('${Token[') ? v : undefined;
}

/** The logical id a `Ref` or `Fn::GetAtt` points to. */
function target(v: unknown): string | undefined {
  if (v && typeof v === 'object') {
    const o = v as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
    if (typeof o.Ref === 'string') return o.Ref;
    if (Array.isArray(o['Fn::GetAtt'])) return String(o['Fn::GetAtt'][0]);
  }
  return undefined;
}

function resourceProps(stack: StackTemplate, id: string | undefined): Record<string, unknown> | undefined {
  return id ? stack.template.Resources?.[id]?.Properties ?? undefined : undefined;
}

function allResources(all: readonly StackTemplate[], type: string): { stack: StackTemplate; id: string; props: Record<string, unknown> }[] {
  return all.flatMap((stack) => Object.entries(stack.template.Resources ?? {}).filter(([, r]) => r.Type === type).map(([id, r]) => ({ stack, id, props: r.Properties ?? {} })));
}

/** A counted quantity, or an unknown charge naming the property that is a token. */
function counted(name: string, v: unknown, fallback?: number): number | Charge {
  if (v === undefined && fallback !== undefined) return fallback;
  return countOf(v) ?? unknown(`${name} is not a literal count (got: ${show(v)})`);
}

/** The sum of counts, or the first unknown among them. */
function sumOf(counts: (number | Charge)[]): number | Charge {
  return counts.find((c): c is Charge => typeof c !== 'number') ?? counts.reduce<number>((a, c) => a + (c as number), 0);
}

const price = (p: string, count: number, missing: string, detail?: string, region?: string): Charge => ({ kind: 'price', price: p, count, missing, detail, region });

function asg(r: PricingInput): Charge[] {
  const p = r.props;
  const capacity = p.DesiredCapacity !== undefined ? counted('DesiredCapacity', p.DesiredCapacity) : counted('MinSize', p.MinSize);
  if (typeof capacity !== 'number') return [capacity];
  if (p.MixedInstancesPolicy) return [unknown('a mixed instances policy: the instance types depend on the allocation')];
  const spec = p.LaunchTemplate as { LaunchTemplateId?: unknown; LaunchTemplateName?: unknown } | undefined;
  const data = resourceProps(r.stack, target(spec?.LaunchTemplateId ?? spec?.LaunchTemplateName))?.LaunchTemplateData as Record<string, unknown> | undefined;
  const config = resourceProps(r.stack, target(p.LaunchConfigurationName));
  const type = text(data?.InstanceType ?? config?.InstanceType);
  if (!type) return [unknown('the instance type is not in this template (no launch template or launch configuration here, or a token)')];
  const basis = p.DesiredCapacity !== undefined ? 'DesiredCapacity' : 'MinSize';
  const charges = [price(`ec2:${type}`, capacity, `instance type ${type}`, `${capacity} x ${type} (${basis})`)];
  if (capacity === 0) return charges;
  // Detailed monitoring: off by default in a launch template, on by default in a launch configuration.
  const monitoring = data ? ((data.Monitoring as { Enabled?: unknown } | undefined)?.Enabled ?? false) : (config?.InstanceMonitoring ?? true);
  if (typeof monitoring !== 'boolean') charges.push(unknown(`detailed monitoring is not a literal (got: ${show(monitoring)})`));
  else if (monitoring) charges.push(price('cloudwatch:detailed-monitoring', capacity, 'detailed monitoring', `${capacity} instance(s)`));
  const devices = (data?.BlockDeviceMappings ?? config?.BlockDeviceMappings) as { Ebs?: { VolumeSize?: unknown; VolumeType?: unknown } }[] | undefined;
  if (!devices?.length) charges.push(unknown("the instances' root volume: its size comes from the AMI, not from this template"));
  for (const d of (devices ?? []).filter((x) => x.Ebs)) {
    const size = countOf(d.Ebs!.VolumeSize);
    const volume = text(d.Ebs!.VolumeType) ?? 'gp2';
    if (size === undefined) charges.push(unknown(`an EBS volume size is not a literal (got: ${show(d.Ebs!.VolumeSize)})`));
    else charges.push(price(`ebs:${volume}`, size * capacity, `EBS volume type ${volume}`, `${capacity} x ${size} GB ${volume}`));
  }
  return charges;
}

function loadBalancer(r: PricingInput): Charge[] {
  const kind = text(r.props.Type ?? 'application') ?? 'application';
  const charges = [price(`elb:${kind}`, 1, `a ${kind} load balancer`)];
  const internetFacing = (r.props.Scheme ?? 'internet-facing') === 'internet-facing';
  if (!internetFacing || r.props.IpAddressType === 'dualstack-without-public-ipv4') return charges;
  const subnets = r.props.SubnetMappings ?? r.props.Subnets;
  if (!Array.isArray(subnets)) return [...charges, unknown(`the subnets of an internet-facing load balancer are not a literal list (got: ${show(subnets)}): its public IPv4 addresses cannot be counted`)];
  return [...charges, price('vpc:public-ipv4', subnets.length, 'public IPv4', `internet-facing: at least one public IPv4 address per AZ (${subnets.length}); it may scale out to more`)];
}

function dbInstance(r: PricingInput): Charge[] {
  let p = r.props;
  // A read replica may leave what it inherits to its source: take it from the source's template when given.
  const source = text(p.SourceDBInstanceIdentifier)?.split(':').pop();
  const src = source ? allResources(r.all, 'AWS::RDS::DBInstance').find((x) => x.props.DBInstanceIdentifier === source)?.props : undefined;
  if (src) p = { ...src, MultiAZ: undefined, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) };
  const engine = text(p.Engine);
  const cls = text(p.DBInstanceClass);
  if (!engine || !cls) return [unknown(`the engine or the instance class is not a literal in this template (engine ${show(p.Engine)}, class ${show(p.DBInstanceClass)})`)];
  if (engine.startsWith('aurora')) {
    if (cls === 'db.serverless') return [unknown('Aurora Serverless v2 (db.serverless): priced by ACU-hours, not in the price table')];
    const cluster = resourceProps(r.stack, target(p.DBClusterIdentifier));
    if (cluster?.StorageType === 'aurora-iopt1') return [unknown('Aurora I/O-Optimized: not in the price table')];
    return [price(`${engine}:${cls}`, 1, `${engine} instance class ${cls}`)];
  }
  if (p.MultiAZ !== undefined && typeof p.MultiAZ !== 'boolean') return [unknown(`MultiAZ is not a literal (got: ${show(p.MultiAZ)})`)];
  const copies = p.MultiAZ === true ? 2 : 1;
  const detail = copies === 2 ? 'Multi-AZ: a primary and a standby' : undefined;
  const charges = [price(`rds-${engine}:${cls}`, copies, `RDS ${engine} instance class ${cls}`, detail)];
  const storage = text(p.StorageType) ?? 'gp2';
  const size = countOf(p.AllocatedStorage);
  if (size === undefined) charges.push(unknown(`the allocated storage is not a literal in this template (got: ${show(p.AllocatedStorage)})`));
  else charges.push(price(`rds:storage-${storage}`, size * copies, `RDS storage type ${storage}`, `${size} GB${copies === 2 ? ' x 2 (Multi-AZ)' : ''}`));
  return charges;
}

function dbCluster(r: PricingInput): Charge[] {
  if (r.props.DBClusterInstanceClass !== undefined) return [unknown('a Multi-AZ DB cluster (DBClusterInstanceClass): not in the price table')];
  return [{ kind: 'free', reason: 'Aurora cluster: its instances are priced; storage, I/O and backups by use' }];
}

function cacheNodes(nodes: number | Charge, engineAndType: { engine?: unknown; type?: unknown }, inherited?: string): Charge[] {
  if (typeof nodes !== 'number') return [nodes];
  const type = text(engineAndType.type);
  if (!type) return [unknown(`the node type is not in this template${inherited ? '' : ` (got: ${show(engineAndType.type)})`}`)];
  const valkey = engineAndType.engine === 'valkey' ? '; Valkey at the Redis OSS rate (an upper bound)' : '';
  return [price(`elasticache:${type}`, nodes, `cache node type ${type}`, `${nodes} x ${type}${inherited ?? ''}${valkey}`)];
}

function replicationGroup(r: PricingInput): Charge[] {
  const p = r.props;
  const groups = p.NodeGroupConfiguration as { ReplicaCount?: unknown }[] | undefined;
  let nodes: number | Charge;
  if (Array.isArray(groups)) nodes = sumOf(groups.map((g) => counted('ReplicaCount', g.ReplicaCount, 0)).map((n) => (typeof n === 'number' ? n + 1 : n)));
  else if (p.NumNodeGroups !== undefined) {
    const shards = counted('NumNodeGroups', p.NumNodeGroups);
    const replicas = counted('ReplicasPerNodeGroup', p.ReplicasPerNodeGroup, 0);
    nodes = typeof shards !== 'number' ? shards : typeof replicas !== 'number' ? replicas : shards * (replicas + 1);
  } else nodes = counted('NumCacheClusters', p.NumCacheClusters, 1);
  if (p.CacheNodeType === undefined && p.GlobalReplicationGroupId !== undefined) {
    // A global datastore member takes the primary's node type; linkable only when the templates hold one datastore.
    const datastores = allResources(r.all, 'AWS::ElastiCache::GlobalReplicationGroup');
    const primaryMember = (datastores.length === 1 ? (datastores[0].props.Members as { ReplicationGroupId?: unknown; Role?: unknown }[] | undefined) : undefined)?.find((m) => m.Role === 'PRIMARY');
    const primary = primaryMember ? resourceProps(datastores[0].stack, target(primaryMember.ReplicationGroupId)) : undefined;
    if (!primary) return [unknown("a global datastore member: its node type is the primary's, which is not in the templates priced together with it")];
    return cacheNodes(nodes, { engine: primary.Engine, type: primary.CacheNodeType }, ` (the global datastore primary's node type, ${datastores[0].stack.stackName})`);
  }
  return cacheNodes(nodes, { engine: p.Engine, type: p.CacheNodeType });
}

function healthCheck(r: PricingInput): Charge[] {
  const c = (r.props.HealthCheckConfig ?? {}) as Record<string, unknown>;
  const type = text(c.Type) ?? '';
  if (type === 'CALCULATED') return [price('route53:health-check-calculated', 1, 'calculated health check')];
  if (type === 'CLOUDWATCH_METRIC') return [price('route53:health-check-metric', 1, 'CloudWatch-alarm health check')];
  if (type === 'RECOVERY_CONTROL') return [price('route53:health-check-recovery-control', 1, 'routing control health check')];
  if (!['HTTP', 'HTTPS', 'HTTP_STR_MATCH', 'HTTPS_STR_MATCH', 'TCP'].includes(type)) return [unknown(`health check type ${show(c.Type)} is not in the price table`)];
  // An endpoint given by reference is a resource of this account (an AWS endpoint); a literal
  // name or address may be anything: priced at the non-AWS rate, the higher one.
  const endpoint = c.FullyQualifiedDomainName ?? c.IPAddress;
  const aws = typeof endpoint === 'object' && endpoint !== null;
  const interval = c.RequestInterval === undefined ? 30 : countOf(c.RequestInterval);
  if (interval === undefined) return [unknown(`RequestInterval is not a literal (got: ${show(c.RequestInterval)})`)];
  const features = [type.startsWith('HTTPS') && 'HTTPS', type.endsWith('STR_MATCH') && 'string matching', interval < 30 && 'fast interval', c.MeasureLatency === true && 'latency measurement'].filter((f): f is string => typeof f === 'string');
  const where = aws ? 'aws' : 'non-aws';
  const charges = [price(`route53:health-check-${where}`, 1, 'endpoint health check', aws ? 'AWS endpoint' : 'endpoint by a literal name or address: priced as non-AWS, the higher rate')];
  if (features.length) charges.push(price(`route53:health-check-feature-${where}`, features.length, 'health check optional feature', features.join(', ')));
  return charges;
}

function alarm(r: PricingInput): Charge[] {
  const metrics = r.props.Metrics as { MetricStat?: { Period?: unknown }; Expression?: unknown }[] | undefined;
  const expressions = (metrics ?? []).map((m) => String(m.Expression ?? ''));
  if (expressions.some((e) => /ANOMALY_DETECTION_BAND|SELECT|SEARCH|LAMBDA\(/.test(e))) return [unknown('an anomaly detection, Metrics Insights, search or Lambda-sourced alarm: not in the price table')];
  const periods = metrics ? metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat!.Period) : [r.props.Period];
  const seconds = periods.map((x) => countOf(x));
  if (seconds.some((s) => s === undefined)) return [unknown(`an alarm period is not a literal (got: ${show(periods)})`)];
  const high = seconds.some((s) => s! < 60);
  return [price(high ? 'cloudwatch:alarm-metric-high-resolution' : 'cloudwatch:alarm-metric', seconds.length, 'alarm metric', metrics ? `metric math over ${seconds.length} metric(s)` : undefined)];
}

function globalTable(r: PricingInput): Charge[] {
  const replicas = r.props.Replicas as { Region?: unknown }[] | undefined;
  if (!Array.isArray(replicas)) return [unknown('the replicas are not a literal list')];
  if (r.props.BillingMode !== 'PAY_PER_REQUEST') return [unknown('a provisioned global table: replicated write capacity is not in the price table')];
  return replicas.map((x) => price('dynamodb:on-demand-replica', 1, 'on-demand replica', 'on-demand', text(x.Region)));
}

function table(r: PricingInput): Charge[] {
  if (r.props.BillingMode === 'PAY_PER_REQUEST') return [price('dynamodb:on-demand-replica', 1, 'on-demand table', 'on-demand')];
  const throughput = [r.props.ProvisionedThroughput, ...((r.props.GlobalSecondaryIndexes as { ProvisionedThroughput?: unknown }[] | undefined) ?? []).map((g) => g.ProvisionedThroughput)] as { ReadCapacityUnits?: unknown; WriteCapacityUnits?: unknown }[];
  const [wcu, rcu] = (['WriteCapacityUnits', 'ReadCapacityUnits'] as const).map((f) => sumOf(throughput.map((t) => counted(f, t?.[f]))));
  if (typeof wcu !== 'number') return [wcu];
  if (typeof rcu !== 'number') return [rcu];
  return [price('dynamodb:wcu', wcu, 'write capacity', 'provisioned (table and indexes)'), price('dynamodb:rcu', rcu, 'read capacity', 'provisioned (table and indexes)')];
}

function perRegionCopies(row: string, what: string, replicaRegions: unknown): Charge[] {
  const replicas = Array.isArray(replicaRegions) ? (replicaRegions as { Region?: unknown }[]) : [];
  return [price(row, 1, what), ...replicas.map((x) => price(row, 1, what, 'replica', text(x.Region)))];
}

const one = (row: string, what: string): Pricer => () => [price(row, 1, what)];

/** The pricer of every priced resource type. */
export const PRICERS: Readonly<Partial<Record<string, Pricer>>> = {
  'AWS::AutoScaling::AutoScalingGroup': asg,
  'AWS::EC2::Instance': (r) => {
    const type = text(r.props.InstanceType);
    return type ? [price(`ec2:${type}`, 1, `instance type ${type}`)] : [unknown(`the instance type is not a literal (got: ${show(r.props.InstanceType)})`)];
  },
  'AWS::EC2::NatGateway': one('vpc:nat-gateway', 'NAT gateway'),
  'AWS::EC2::EIP': (r) => {
    const nat = Object.values(r.stack.template.Resources ?? {}).some((x) => x.Type === 'AWS::EC2::NatGateway' && target(x.Properties?.AllocationId) === r.logicalId);
    return [price('vpc:public-ipv4', 1, 'public IPv4', nat ? "Elastic IP of a NAT gateway" : 'Elastic IP')];
  },
  'AWS::EC2::VPCEndpoint': (r) => {
    if ((r.props.VpcEndpointType ?? 'Gateway') === 'Gateway') return [{ kind: 'free', reason: 'a gateway endpoint (S3, DynamoDB): no charge' }];
    const subnets = r.props.SubnetIds;
    return Array.isArray(subnets) ? [price('vpc:interface-endpoint', subnets.length, 'interface endpoint', `${subnets.length} AZ(s)`)] : [unknown('the subnets of an interface endpoint are not a literal list')];
  },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': loadBalancer,
  'AWS::RDS::DBInstance': dbInstance,
  'AWS::RDS::DBCluster': dbCluster,
  'AWS::ElastiCache::ReplicationGroup': replicationGroup,
  'AWS::ElastiCache::CacheCluster': (r) => cacheNodes(counted('NumCacheNodes', r.props.NumCacheNodes), { engine: r.props.Engine, type: r.props.CacheNodeType }),
  'AWS::ElastiCache::ServerlessCache': one('elasticache:serverless', 'serverless cache'),
  'AWS::Route53RecoveryControl::Cluster': one('arc:cluster', 'ARC cluster'),
  'AWS::Route53::HealthCheck': healthCheck,
  'AWS::Route53::HostedZone': one('route53:hosted-zone', 'hosted zone'),
  'AWS::WAFv2::WebACL': (r) => {
    const rules = r.props.Rules ?? [];
    if (!Array.isArray(rules)) return [unknown('the rules are not a literal list')];
    return [price('waf:web-acl', 1, 'web ACL'), ...(rules.length ? [price('waf:rule', rules.length, 'WAF rule', `${rules.length} rule(s)`)] : [])];
  },
  'AWS::CloudFront::Distribution': one('cloudfront:distribution', 'distribution'),
  'AWS::DynamoDB::GlobalTable': globalTable,
  'AWS::DynamoDB::Table': table,
  'AWS::KMS::Key': one('kms:key', 'KMS key'),
  'AWS::KMS::ReplicaKey': one('kms:key', 'KMS key'),
  'AWS::SecretsManager::Secret': (r) => perRegionCopies('secretsmanager:secret', 'secret', r.props.ReplicaRegions),
  'AWS::CloudWatch::Alarm': alarm,
  'AWS::CloudWatch::CompositeAlarm': one('cloudwatch:composite-alarm', 'composite alarm'),
  'AWS::CloudWatch::Dashboard': one('cloudwatch:dashboard', 'dashboard'),
  'AWS::SSM::Parameter': (r) => (r.props.Tier === 'Advanced' ? [price('ssm:advanced-parameter', 1, 'advanced parameter')] : r.props.Tier === undefined || r.props.Tier === 'Standard' ? [{ kind: 'free', reason: 'a standard parameter: no charge' }] : [unknown(`parameter tier ${show(r.props.Tier)} is not in the price table`)]),
  'AWS::ApiGateway::Stage': (r) => (r.props.CacheClusterEnabled === true ? [unknown('an API Gateway stage cache (hourly by size): not in the price table')] : [{ kind: 'free', reason: 'API Gateway charges per request (by use)' }]),
};
