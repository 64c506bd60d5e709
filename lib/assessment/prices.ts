/**
 * The one price table the cost estimate reads (`estimateCost`), and the resource types it
 * leaves out on purpose, each with its reason. The README's and the report's cost figures
 * come from here and nowhere else.
 */

/** One priced unit: what it is, what it costs in us-east-1 on demand, and where the figure comes from. */
export interface PriceRow {
  /** What one unit is, e.g. `NAT gateway hour`. */
  readonly unit: string;
  /** US dollars per unit (us-east-1, on-demand list price). 0: no fixed charge, only `byUse`. */
  readonly usd: number;
  /** `hour`: multiplied by the table's hours per month; `month`: a monthly charge. */
  readonly per: 'hour' | 'month';
  /** What the same resource also costs by use, which no estimate from a template can know. */
  readonly byUse?: string;
  /** The AWS pricing page of the figure. */
  readonly source: string;
  /** How the figure was checked: read where, or from memory. */
  readonly checked: string;
}

/** The price table: one Region's on-demand list prices, with their date and how they were checked. */
export interface PriceTable {
  /** The Region whose prices these are; the estimate applies them to every Region. */
  readonly region: string;
  readonly currency: 'USD';
  /** The day the table was written and checked (ISO date). */
  readonly asOf: string;
  /** Hours in a month, for hourly prices. */
  readonly hoursPerMonth: number;
  /** How the table was checked, and what it does not cover. */
  readonly note: string;
  /** The rows, by id (`ec2:t3.small`, `vpc:nat-gateway`, ...). */
  readonly rows: Readonly<Record<string, PriceRow>>;
}

const MEMORY = 'figure from memory, not re-read on the AWS page here: check before budgeting';
const seen = (url: string): string => `the same figure on a third-party page (${url}); not re-read on the AWS page here: check before budgeting`;

const VPC = 'https://aws.amazon.com/vpc/pricing/';
const ELB = 'https://aws.amazon.com/elasticloadbalancing/pricing/';
const EC2 = 'https://aws.amazon.com/ec2/pricing/on-demand/';
const EBS = 'https://aws.amazon.com/ebs/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const AURORA = 'https://aws.amazon.com/rds/aurora/pricing/';
const RDS = 'https://aws.amazon.com/rds/pricing/';
const ELASTICACHE = 'https://aws.amazon.com/elasticache/pricing/';
const ROUTE53 = 'https://aws.amazon.com/route53/pricing/';
const WAF = 'https://aws.amazon.com/waf/pricing/';
const DYNAMODB = 'https://aws.amazon.com/dynamodb/pricing/';

const ec2 = (type: string, usd: number, checked = MEMORY): PriceRow => ({ unit: `EC2 instance hour (${type}, Linux)`, usd, per: 'hour', byUse: 'data transfer out', source: EC2, checked });
const aurora = (engine: string, cls: string, usd: number): PriceRow => ({
  unit: `Aurora ${engine} instance hour (${cls}, Aurora Standard)`,
  usd,
  per: 'hour',
  byUse: 'storage (GB-month), I/O requests, backups beyond the retention, global database replicated writes',
  source: AURORA,
  checked: `${MEMORY}; a third-party calculator page (store-v2-khaki.vercel.app/rds-vs-aurora-cost-calculator.html) lists $0.29-0.30 for this class`,
});
const rds = (engine: string, cls: string, usd: number, checked = `${MEMORY} (one figure for MySQL and PostgreSQL; PostgreSQL may be a few per cent higher)`): PriceRow => ({
  unit: `RDS ${engine} instance hour (${cls}, Single-AZ; Multi-AZ counts 2)`,
  usd,
  per: 'hour',
  byUse: 'backup storage beyond the database size, data transfer',
  source: RDS,
  checked,
});
const cacheNode = (type: string, usd: number): PriceRow => ({
  unit: `ElastiCache node hour (${type}, Redis OSS rate)`,
  usd,
  per: 'hour',
  byUse: 'backup storage, cross-AZ and cross-Region data transfer',
  source: ELASTICACHE,
  checked: `${MEMORY}; Valkey nodes are priced at this Redis OSS rate, an upper bound (AWS charges less for Valkey)`,
});
const healthCheck = (unit: string, usd: number, checked: string): PriceRow => ({ unit, usd, per: 'month', source: ROUTE53, checked });
const alarm = (unit: string, usd: number): PriceRow => ({ unit, usd, per: 'month', source: CLOUDWATCH, checked: seen('https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm') });

/** us-east-1 on-demand list prices, applied to every Region. */
export const PRICES: PriceTable = {
  region: 'us-east-1',
  currency: 'USD',
  asOf: '2026-12-07',
  hoursPerMonth: 730,
  note:
    'us-east-1 on-demand list prices, applied to every Region: other Regions differ (often by 5-30 %). ' +
    'Written on 2026-12-07 without access to the AWS pricing pages: each row says whether its figure matched a third-party page or is from memory. ' +
    'Fixed charges only: data transfer, LCUs, requests and storage by use are not in the figures; no free tier, Savings Plan or reservation is applied.',
  rows: {
    'vpc:nat-gateway': { unit: 'NAT gateway hour', usd: 0.045, per: 'hour', byUse: 'data processed ($0.045/GB)', source: VPC, checked: seen('https://cloudburn.io/blog/aws-nat-gateway-pricing') },
    'vpc:public-ipv4': { unit: 'public IPv4 address hour (charged since 2024-02-01, in use or idle)', usd: 0.005, per: 'hour', source: VPC, checked: seen('https://www.doit.com/aws-public-ipv4-price-increase-the-complete-guide/') },
    'vpc:interface-endpoint': { unit: 'VPC interface endpoint hour, per AZ', usd: 0.01, per: 'hour', byUse: 'data processed ($0.01/GB)', source: 'https://aws.amazon.com/privatelink/pricing/', checked: seen('https://www.egresscost.com/nat-gateway') },
    'elb:application': { unit: 'Application Load Balancer hour', usd: 0.0225, per: 'hour', byUse: 'LCU-hours ($0.008 each)', source: ELB, checked: MEMORY },
    'elb:network': { unit: 'Network Load Balancer hour', usd: 0.0225, per: 'hour', byUse: 'NLCU-hours', source: ELB, checked: MEMORY },
    'ec2:t3.micro': ec2('t3.micro', 0.0104),
    'ec2:t3.small': ec2('t3.small', 0.0208),
    'ec2:t3.medium': ec2('t3.medium', 0.0416),
    'ec2:t3.large': ec2('t3.large', 0.0832, seen('https://go-cloud.io/?p=10607')),
    'ec2:m5.large': ec2('m5.large', 0.096),
    'ebs:gp3': { unit: 'EBS gp3 GB-month', usd: 0.08, per: 'month', byUse: 'IOPS above 3,000 and throughput above 125 MB/s, snapshots', source: EBS, checked: MEMORY },
    'ebs:gp2': { unit: 'EBS gp2 GB-month', usd: 0.1, per: 'month', byUse: 'snapshots', source: EBS, checked: MEMORY },
    'cloudwatch:detailed-monitoring': { unit: 'EC2 detailed monitoring, instance-month (7 metrics at $0.30)', usd: 2.1, per: 'month', source: CLOUDWATCH, checked: `${MEMORY} (CloudWatch's own pricing example)` },
    'aurora-postgresql:db.r6g.large': aurora('PostgreSQL', 'db.r6g.large', 0.26),
    'aurora-mysql:db.r6g.large': aurora('MySQL', 'db.r6g.large', 0.26),
    'rds-postgres:db.m6g.large': rds('PostgreSQL', 'db.m6g.large', 0.152),
    'rds-mysql:db.m6g.large': rds('MySQL', 'db.m6g.large', 0.152),
    'rds-postgres:db.m5.large': rds('PostgreSQL', 'db.m5.large', 0.178, `${MEMORY} (the class aws-cdk-lib's DatabaseInstance defaults to)`),
    'rds-mysql:db.m5.large': rds('MySQL', 'db.m5.large', 0.171, `${MEMORY} (the class aws-cdk-lib's DatabaseInstance defaults to)`),
    'rds:storage-gp3': { unit: 'RDS gp3 storage GB-month (Multi-AZ counts 2)', usd: 0.115, per: 'month', byUse: 'IOPS above 3,000 and throughput above 125 MB/s', source: RDS, checked: seen('https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/') },
    'rds:storage-gp2': { unit: 'RDS gp2 storage GB-month (Multi-AZ counts 2)', usd: 0.115, per: 'month', source: RDS, checked: MEMORY },
    'elasticache:cache.t4g.micro': cacheNode('cache.t4g.micro', 0.016),
    'elasticache:cache.r6g.large': cacheNode('cache.r6g.large', 0.206),
    'elasticache:cache.r7g.large': cacheNode('cache.r7g.large', 0.219),
    'elasticache:serverless': { unit: 'ElastiCache Serverless cache (no fixed charge)', usd: 0, per: 'month', byUse: 'data stored (GB-hours, with a minimum per cache) and ECPUs', source: ELASTICACHE, checked: 'billing model from the AWS page (https://aws.amazon.com/elasticache/pricing/, stored copy)' },
    'arc:cluster': { unit: 'Application Recovery Controller cluster hour', usd: 2.5, per: 'hour', source: 'https://aws.amazon.com/route53/application-recovery-controller/pricing/', checked: `${MEMORY}; AWS's guide confirms a cluster is charged by the hour (https://docs.aws.amazon.com/r53recovery/latest/dg/routing-control.create.html)` },
    'route53:hosted-zone': { unit: 'Route 53 hosted zone month (first 25)', usd: 0.5, per: 'month', byUse: 'queries (alias queries to AWS resources are free)', source: ROUTE53, checked: seen('https://ns1.com/resources/aws-dns') },
    'route53:health-check-aws': healthCheck('Route 53 health check month, AWS endpoint', 0.5, seen('https://wewantcode.com/en/course/aws/lesson/7-84-health-checks-status-check.html')),
    'route53:health-check-non-aws': healthCheck('Route 53 health check month, non-AWS endpoint', 0.75, seen('https://wewantcode.com/en/course/aws/lesson/7-84-health-checks-status-check.html')),
    'route53:health-check-feature-aws': healthCheck('Route 53 health check optional feature month (HTTPS, string matching, fast interval or latency), AWS endpoint', 1, MEMORY),
    'route53:health-check-feature-non-aws': healthCheck('Route 53 health check optional feature month, non-AWS endpoint', 2, MEMORY),
    'route53:health-check-calculated': healthCheck('Route 53 calculated health check month', 0.5, `${MEMORY} (the basic AWS-endpoint rate)`),
    'route53:health-check-metric': healthCheck('Route 53 CloudWatch-alarm health check month', 0.5, `${MEMORY} (the basic AWS-endpoint rate)`),
    'route53:health-check-recovery-control': healthCheck('Route 53 routing control health check month', 0.5, 'an assumption: the basic AWS-endpoint rate; the ARC pricing page may include these in the cluster charge: check'),
    'waf:web-acl': { unit: 'WAF web ACL month', usd: 5, per: 'month', byUse: 'requests ($0.60 per million), paid managed rule groups and Bot Control', source: WAF, checked: `${seen('https://c3x.dev/blog/aws-waf-cost-explained/')}; AWS's blog says the price is the same in every Region` },
    'waf:rule': { unit: 'WAF rule month (a rule group counts as one)', usd: 1, per: 'month', source: WAF, checked: seen('https://c3x.dev/blog/aws-waf-cost-explained/') },
    'cloudfront:distribution': { unit: 'CloudFront distribution (no fixed monthly charge)', usd: 0, per: 'month', byUse: 'requests and data transfer out (by traffic)', source: 'https://aws.amazon.com/cloudfront/pricing/', checked: 'billing model, no figure' },
    'dynamodb:on-demand-replica': { unit: 'DynamoDB on-demand table replica (no minimum)', usd: 0, per: 'month', byUse: 'reads, writes, replicated writes, storage, point-in-time recovery and streams', source: `${DYNAMODB}on-demand/`, checked: 'billing model, no figure' },
    'dynamodb:wcu': { unit: 'DynamoDB provisioned write capacity unit hour', usd: 0.00065, per: 'hour', byUse: 'storage, point-in-time recovery', source: `${DYNAMODB}provisioned/`, checked: MEMORY },
    'dynamodb:rcu': { unit: 'DynamoDB provisioned read capacity unit hour', usd: 0.00013, per: 'hour', source: `${DYNAMODB}provisioned/`, checked: MEMORY },
    'kms:key': { unit: 'KMS customer managed key month (a multi-Region replica counts as one)', usd: 1, per: 'month', byUse: 'requests beyond 20,000 a month ($0.03 per 10,000)', source: 'https://aws.amazon.com/kms/pricing/', checked: seen('https://cloudburn.io/blog/aws-kms-pricing') },
    'secretsmanager:secret': { unit: 'Secrets Manager secret month (each replica counts as one)', usd: 0.4, per: 'month', byUse: 'API calls ($0.05 per 10,000)', source: 'https://aws.amazon.com/secrets-manager/pricing/', checked: MEMORY },
    'cloudwatch:alarm-metric': alarm('CloudWatch standard-resolution alarm metric month (a metric math alarm counts each metric)', 0.1),
    'cloudwatch:alarm-metric-high-resolution': alarm('CloudWatch high-resolution alarm metric month', 0.3),
    'cloudwatch:composite-alarm': alarm('CloudWatch composite alarm month', 0.5),
    'cloudwatch:dashboard': { unit: 'CloudWatch dashboard month (the free tier of 3 is not applied)', usd: 3, per: 'month', source: CLOUDWATCH, checked: seen('https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/') },
    'ssm:advanced-parameter': { unit: 'SSM Parameter Store advanced parameter month', usd: 0.05, per: 'month', source: 'https://aws.amazon.com/systems-manager/pricing/', checked: MEMORY },
  },
};

const NO_CHARGE = 'no charge';
const BY_REQUEST = 'no charge of its own: API Gateway charges per request (by use)';
const BY_DATA = 'by data size: storage and copies grow with the data (not priced)';

/**
 * Resource types with no fixed monthly charge, or none a template can show, by type. The
 * estimate lists each it meets with its reason; a type in neither this list nor the priced
 * types is reported as unclassified (and the reference app's test fails on it).
 */
export const NOT_PRICED: Readonly<Record<string, string>> = {
  'AWS::ApiGateway::Account': 'no charge (the account-level logging role)',
  'AWS::ApiGateway::Authorizer': 'no charge (its Lambda function is charged per invocation, by use)',
  'AWS::ApiGateway::ApiKey': BY_REQUEST,
  'AWS::ApiGateway::Deployment': BY_REQUEST,
  'AWS::ApiGateway::Method': BY_REQUEST,
  'AWS::ApiGateway::RequestValidator': BY_REQUEST,
  'AWS::ApiGateway::Resource': BY_REQUEST,
  'AWS::ApiGateway::RestApi': 'per request and data transfer out (by use)',
  'AWS::ApiGateway::UsagePlan': BY_REQUEST,
  'AWS::ApiGateway::UsagePlanKey': BY_REQUEST,
  'AWS::AutoScaling::LaunchConfiguration': 'priced through the Auto Scaling groups that use it',
  'AWS::AutoScaling::ScalingPolicy': NO_CHARGE,
  'AWS::Backup::BackupPlan': BY_DATA,
  'AWS::Backup::BackupSelection': NO_CHARGE,
  'AWS::Backup::BackupVault': BY_DATA,
  'AWS::CDK::Metadata': NO_CHARGE,
  'AWS::CertificateManager::Certificate': 'no charge (a public certificate)',
  'AWS::CloudFormation::CustomResource': 'a custom resource: a Lambda function invoked at deploy time (by use)',
  'AWS::EC2::FlowLog': 'by data: log ingestion and storage (by use)',
  'AWS::EC2::InternetGateway': 'no charge (data transfer out by use)',
  'AWS::EC2::LaunchTemplate': 'priced through the Auto Scaling groups that use it',
  'AWS::EC2::Route': NO_CHARGE,
  'AWS::EC2::RouteTable': NO_CHARGE,
  'AWS::EC2::SecurityGroup': NO_CHARGE,
  'AWS::EC2::SecurityGroupEgress': NO_CHARGE,
  'AWS::EC2::SecurityGroupIngress': NO_CHARGE,
  'AWS::EC2::Subnet': NO_CHARGE,
  'AWS::EC2::SubnetRouteTableAssociation': NO_CHARGE,
  'AWS::EC2::VPC': NO_CHARGE,
  'AWS::EC2::VPCGatewayAttachment': NO_CHARGE,
  'AWS::ElastiCache::GlobalReplicationGroup': 'no charge of its own: each member replication group is priced; cross-Region replication traffic by use',
  'AWS::ElastiCache::SubnetGroup': NO_CHARGE,
  'AWS::ElasticLoadBalancingV2::Listener': NO_CHARGE,
  'AWS::ElasticLoadBalancingV2::ListenerRule': 'no charge (rule evaluations count in LCUs, by use)',
  'AWS::ElasticLoadBalancingV2::TargetGroup': NO_CHARGE,
  'AWS::Events::Rule': 'no charge for a schedule or AWS service events (custom events by use); what it invokes is by use',
  'AWS::FIS::ExperimentTemplate': 'per action-minute while an experiment runs (by use)',
  'AWS::KMS::Alias': NO_CHARGE,
  'AWS::Lambda::EventSourceMapping': 'no charge (the function it invokes is by use)',
  'AWS::Lambda::Function': 'per request and duration: idle costs nothing',
  'AWS::Lambda::Permission': NO_CHARGE,
  'AWS::Logs::LogGroup': 'by data ingested and stored (by use)',
  'AWS::Logs::MetricFilter': 'no charge of its own; the metric it publishes is a custom metric, charged while it reports (by use)',
  'AWS::RDS::DBClusterParameterGroup': NO_CHARGE,
  'AWS::RDS::DBParameterGroup': NO_CHARGE,
  'AWS::RDS::DBSubnetGroup': NO_CHARGE,
  'AWS::RDS::GlobalCluster': 'no charge of its own: each member cluster is priced; replicated writes by use',
  'AWS::Route53::RecordSet': 'queries by use (alias queries to AWS resources are free)',
  'AWS::Route53::RecordSetGroup': 'queries by use (alias queries to AWS resources are free)',
  'AWS::Route53RecoveryControl::ControlPanel': "included in the cluster's hourly charge",
  'AWS::Route53RecoveryControl::RoutingControl': "included in the cluster's hourly charge",
  'AWS::Route53RecoveryControl::SafetyRule': "included in the cluster's hourly charge",
  'AWS::S3::Bucket': 'by data size and requests (by use)',
  'AWS::S3::BucketPolicy': NO_CHARGE,
  'AWS::SNS::Subscription': NO_CHARGE,
  'AWS::SNS::Topic': 'per request and delivery (by use)',
  'AWS::SNS::TopicPolicy': NO_CHARGE,
  'AWS::SQS::Queue': 'per request (by use)',
  'AWS::SQS::QueuePolicy': NO_CHARGE,
  'AWS::SecretsManager::ResourcePolicy': NO_CHARGE,
  'AWS::SecretsManager::RotationSchedule': 'no charge (the rotation function it invokes is by use)',
  'AWS::SecretsManager::SecretTargetAttachment': NO_CHARGE,
  'AWS::Serverless::Application': 'a nested application (Serverless Application Repository), here a Secrets Manager rotation function: its resources are not in this template; a Lambda function costs per invocation',
  'AWS::StepFunctions::StateMachine': 'per state transition: idle costs nothing',
  'AWS::WAFv2::WebACLAssociation': NO_CHARGE,
};

/** Type prefixes not priced, with their reason (checked after `NOT_PRICED`). */
export const NOT_PRICED_PREFIXES: Readonly<Record<string, string>> = {
  'AWS::IAM::': 'IAM: no charge',
  'Custom::': 'a custom resource: a Lambda function invoked at deploy time (by use)',
};

/** Why a resource type is not priced, or undefined when neither list has it. */
export function notPricedReason(type: string): string | undefined {
  return NOT_PRICED[type] ?? Object.entries(NOT_PRICED_PREFIXES).find(([prefix]) => type.startsWith(prefix))?.[1];
}
