import * as fs from 'fs';
import * as path from 'path';
import { App, CfnParameter, CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { costSummary, estimateCost, estimateStackCost, NOT_PRICED, PRICES, renderPriceTable, StackTemplate, strategyStacks, WarmStandby } from '../../lib';
import { PRICE_TABLE_BEGIN, PRICE_TABLE_END } from '../../lib/assessment/cost-report';
import { addStackDependency } from '../../lib/core/stack-dependency';
import { strategyProps } from '../dr/stacks';
import { errorOf, newStack, TEST_ENV } from '../helpers/app';

const HOURS = 730;

/** A launch template of `type` with one 20 GB gp3 root volume, and a group of `capacity` on it. */
function webGroup(stack: Stack, vpc: ec2.IVpc, type: string, desired?: number): autoscaling.AutoScalingGroup {
  const launchTemplate = new ec2.LaunchTemplate(stack, `Lt${type}`, {
    instanceType: new ec2.InstanceType(type),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(20, { volumeType: ec2.EbsDeviceVolumeType.GP3 }) }],
  });
  return new autoscaling.AutoScalingGroup(stack, `Asg${type}`, { vpc, launchTemplate, minCapacity: 2, maxCapacity: 4, desiredCapacity: desired });
}

/** A template of literal resources, for what the CDK constructs do not make easy to plant. */
const template = (resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>, region = 'us-east-1', stackName = 'Literal'): StackTemplate => ({ stackName, region, template: { Resources: resources } });

describe('cost estimate', () => {
  test('a small stack, priced by hand from literal figures, equals the estimate', () => {
    const stack = newStack('Small');
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['us-east-1a', 'us-east-1b'], natGateways: 1 });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
    webGroup(stack, vpc, 't3.small');
    new rds.DatabaseCluster(stack, 'Db', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
      writer: rds.ClusterInstance.provisioned('Writer', { instanceType: ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE) }),
      vpc,
    });
    new route53.CfnHealthCheck(stack, 'Check', { healthCheckConfig: { type: 'HTTPS', fullyQualifiedDomainName: alb.loadBalancerDnsName, port: 443, resourcePath: '/health', requestInterval: 10 } });

    const c = estimateStackCost([stack]);
    // us-east-1 on demand, 730 hours a month, written out here rather than read from the table.
    const byHand = {
      nat: 0.045 * HOURS, // one NAT gateway
      natAddress: 0.005 * HOURS, // its Elastic IP
      alb: 0.0225 * HOURS,
      albAddresses: 2 * 0.005 * HOURS, // internet-facing, in 2 public subnets
      instances: 2 * 0.0208 * HOURS, // MinSize 2 x t3.small
      volumes: 2 * 20 * 0.08, // 20 GB gp3 each
      aurora: 0.26 * HOURS, // one db.r6g.large writer
      secret: 0.4, // the cluster's generated credentials
      healthCheck: 0.5 + 2 * 1.0, // an AWS endpoint, HTTPS and fast interval
    };
    const total = Object.values(byHand).reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(286.493, 3);
    expect(c.monthlyUsd).toBeCloseTo(total, 6);
    expect(c.unknown).toEqual([]);
    expect(c.unclassified).toEqual([]);
    expect(c.regions).toEqual([{ region: 'us-east-1', monthlyUsd: c.monthlyUsd, unknown: 0 }]);

    const item = (p: string) => c.items.filter((i) => i.price === p);
    expect(item('ec2:t3.small')).toEqual([expect.objectContaining({ count: 2, unitUsd: 0.0208, per: 'hour', resourceType: 'AWS::AutoScaling::AutoScalingGroup', detail: '2 x t3.small (MinSize)', path: 'Small/Asgt3.small/ASG' })]);
    expect(item('ec2:t3.small')[0].monthlyUsd).toBeCloseTo(byHand.instances, 6);
    expect(item('ebs:gp3')).toEqual([expect.objectContaining({ count: 40, detail: '2 x 20 GB gp3' })]);
    expect(item('vpc:public-ipv4').map((i) => [i.resourceType, i.count])).toEqual([['AWS::EC2::EIP', 1], ['AWS::ElasticLoadBalancingV2::LoadBalancer', 2]]);
    expect(item('aurora-postgresql:db.r6g.large')).toEqual([expect.objectContaining({ count: 1, path: 'Small/Db/Writer/Resource' })]);
    expect(item('route53:health-check-feature-aws')).toEqual([expect.objectContaining({ count: 2, detail: 'HTTPS, fast interval' })]);
    // What has no fixed charge is listed with its reason, not dropped.
    expect(c.notPriced).toContainEqual({ resourceType: 'AWS::EC2::Subnet', count: 4, reason: 'no charge' });
    expect(c.notPriced).toContainEqual({ resourceType: 'AWS::RDS::DBCluster', count: 1, reason: 'Aurora cluster: its instances are priced; storage, I/O and backups by use' });
    expect(costSummary(c)).toBe('$286/month');
  });

  test('an RDS Multi-AZ instance counts its standby: the instance and its storage twice', () => {
    const stack = newStack('Ledger');
    const props = { engine: 'postgres', dbInstanceClass: 'db.m6g.large', allocatedStorage: '100', storageType: 'gp3', masterUsername: 'ledger', manageMasterUserPassword: true };
    new rds.CfnDBInstance(stack, 'MultiAz', { ...props, multiAz: true });
    new rds.CfnDBInstance(stack, 'SingleAz', { ...props, multiAz: false });
    const c = estimateStackCost([stack]);
    const of = (id: string) => c.items.filter((i) => i.logicalId === id).map((i) => [i.price, i.count, Math.round(i.monthlyUsd * 100) / 100]);
    expect(of('MultiAz')).toEqual([['rds-postgres:db.m6g.large', 2, 221.92], ['rds:storage-gp3', 200, 23]]);
    expect(of('SingleAz')).toEqual([['rds-postgres:db.m6g.large', 1, 110.96], ['rds:storage-gp3', 100, 11.5]]);
  });

  test('an instance type not in the price table is reported as unknown, not priced at zero', () => {
    const stack = newStack('Unlisted');
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['us-east-1a', 'us-east-1b'], natGateways: 0 });
    webGroup(stack, vpc, 'm7i.large');
    const c = estimateStackCost([stack]);
    expect(c.unknown).toEqual([expect.objectContaining({ resourceType: 'AWS::AutoScaling::AutoScalingGroup', reason: 'instance type m7i.large is not in the price table (no row ec2:m7i.large)', path: 'Unlisted/Asgm7i.large/ASG' })]);
    expect(c.items.some((i) => i.price.startsWith('ec2:'))).toBe(false);
    expect(costSummary(c)).toMatch(/^at least \$\d+\/month \(1 unknown\)$/);
  });

  test('tokens are unknown: a desired capacity from a parameter, a health check interval, an alarm period', () => {
    const stack = newStack('Tokens');
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['us-east-1a', 'us-east-1b'], natGateways: 0 });
    const desired = new CfnParameter(stack, 'Desired', { type: 'Number' });
    webGroup(stack, vpc, 't3.small', Token.asNumber(desired.valueAsNumber));
    const interval = new CfnParameter(stack, 'Interval', { type: 'Number' });
    new route53.CfnHealthCheck(stack, 'Check', { healthCheckConfig: { type: 'HTTP', fullyQualifiedDomainName: 'shop.example.com', requestInterval: interval.valueAsNumber } });
    new cloudwatch.CfnAlarm(stack, 'Alarm', { comparisonOperator: 'GreaterThanThreshold', evaluationPeriods: 1, threshold: 1, metricName: 'Errors', namespace: 'Shop', statistic: 'Sum', period: interval.valueAsNumber });
    const c = estimateStackCost([stack]);
    expect(c.unknown.map((u) => u.reason)).toEqual(['DesiredCapacity is not a literal count (got: {"Ref":"Desired"})', 'RequestInterval is not a literal (got: {"Ref":"Interval"})', 'an alarm period is not a literal (got: [{"Ref":"Interval"}])']);
    expect(c.items.filter((i) => i.resourceType === 'AWS::AutoScaling::AutoScalingGroup')).toEqual([]);
  });

  test('a type in neither the price table nor the not-priced list is unclassified; a Lambda function is not priced, with its reason', () => {
    const stack = newStack('Types');
    new CfnResource(stack, 'Gadget', { type: 'AWS::Made::Up' });
    new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;') });
    const c = estimateStackCost([stack]);
    expect(c.unclassified).toEqual(['AWS::Made::Up']);
    expect(costSummary(c)).toBe('at least $0/month (1 unknown)');
    expect(c.notPriced).toContainEqual({ resourceType: 'AWS::Lambda::Function', count: 1, reason: 'per request and duration: idle costs nothing' });
    expect(c.notPriced).toContainEqual({ resourceType: 'AWS::IAM::Role', count: 1, reason: 'IAM: no charge' });
  });

  test('from literal templates: cache nodes, a global datastore member, replicas per Region, alarm metrics, WAF rules, health check rates', () => {
    const primary = template({
      Cache: { Type: 'AWS::ElastiCache::ReplicationGroup', Properties: { CacheNodeType: 'cache.r6g.large', Engine: 'valkey', NumNodeGroups: 2, ReplicasPerNodeGroup: 1 } },
      Datastore: { Type: 'AWS::ElastiCache::GlobalReplicationGroup', Properties: { Members: [{ ReplicationGroupId: { Ref: 'Cache' }, Role: 'PRIMARY' }] } },
      Sessions: { Type: 'AWS::DynamoDB::GlobalTable', Properties: { BillingMode: 'PAY_PER_REQUEST', Replicas: [{ Region: 'us-west-2' }, { Region: 'us-east-1' }] } },
      Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { ReplicaRegions: [{ Region: 'us-west-2' }] } },
      ErrorRate: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: [{ Id: 'e', Expression: 'm1/m2' }, { Id: 'm1', MetricStat: { Period: 60 } }, { Id: 'm2', MetricStat: { Period: 60 } }] } },
      Fast: { Type: 'AWS::CloudWatch::Alarm', Properties: { Period: 10 } },
      Acl: { Type: 'AWS::WAFv2::WebACL', Properties: { Rules: [{ Name: 'a' }, { Name: 'b' }, { Name: 'c' }] } },
      External: { Type: 'AWS::Route53::HealthCheck', Properties: { HealthCheckConfig: { Type: 'HTTPS_STR_MATCH', FullyQualifiedDomainName: 'status.example.org', SearchString: 'ok' } } },
    });
    const secondary = template({ Cache: { Type: 'AWS::ElastiCache::ReplicationGroup', Properties: { GlobalReplicationGroupId: { 'Fn::GetAtt': ['Lookup', 'Value'] }, NumCacheClusters: 3 } } }, 'us-west-2', 'Secondary');
    const c = estimateCost([primary, secondary]);
    const line = (stack: string, id: string) => c.items.filter((i) => i.stackName === stack && i.logicalId === id).map((i) => `${i.region} ${i.price} x${i.count} $${Math.round(i.monthlyUsd * 1000) / 1000}`);
    expect(line('Literal', 'Cache')).toEqual(['us-east-1 elasticache:cache.r6g.large x4 $601.52']);
    expect(line('Secondary', 'Cache')).toEqual(['us-west-2 elasticache:cache.r6g.large x3 $451.14']);
    expect(line('Literal', 'Sessions')).toEqual(['us-west-2 dynamodb:on-demand-replica x1 $0', 'us-east-1 dynamodb:on-demand-replica x1 $0']);
    expect(line('Literal', 'Secret')).toEqual(['us-east-1 secretsmanager:secret x1 $0.4', 'us-west-2 secretsmanager:secret x1 $0.4']);
    expect(line('Literal', 'ErrorRate')).toEqual(['us-east-1 cloudwatch:alarm-metric x2 $0.2']);
    expect(line('Literal', 'Fast')).toEqual(['us-east-1 cloudwatch:alarm-metric-high-resolution x1 $0.3']);
    expect(line('Literal', 'Acl')).toEqual(['us-east-1 waf:web-acl x1 $5', 'us-east-1 waf:rule x3 $3']);
    // A literal name may be anything: the non-AWS rate, the higher one, for the check and both features.
    expect(line('Literal', 'External')).toEqual(['us-east-1 route53:health-check-non-aws x1 $0.75', 'us-east-1 route53:health-check-feature-non-aws x2 $4']);
    expect(c.regions.map((r) => r.region)).toEqual(['us-east-1', 'us-west-2']);
    expect(c.items.find((i) => i.stackName === 'Secondary')!.detail).toMatch(/the global datastore primary's node type, Literal.*Valkey at the Redis OSS rate/);
    // Without the primary's template, the member's node type is unknown, not free.
    expect(estimateCost([secondary]).unknown.map((u) => u.reason)).toEqual(["a global datastore member: its node type is the primary's, which is not in the templates priced together with it"]);
  });

  test("a strategy's stacks: its own three and a stack only they depend on, not one another stack also needs", () => {
    const app = new App();
    const s = new WarmStandby(app, 'Ws', strategyProps('ws'));
    const data = new Stack(app, 'Ws-Data', { env: TEST_ENV });
    const shared = new Stack(app, 'Shared', { env: TEST_ENV });
    const other = new Stack(app, 'Other', { env: TEST_ENV });
    addStackDependency(s.primaryStack, data, 'test');
    addStackDependency(s.primaryStack, shared, 'test');
    addStackDependency(other, shared, 'test');
    expect(strategyStacks(s).map((x) => x.stackName)).toEqual(['Ws-Primary', 'Ws-Recovery', 'Ws-Fence', 'Ws-Data']);
  });

  test('a stack under no App or Stage has no template to price', () => {
    const alone = new Stack(new Construct(undefined as unknown as Construct, 'Root'), 'Alone');
    expect(errorOf(() => estimateStackCost([alone])).codes).toEqual(['COST_NO_STAGE']);
  });
});

describe('price table', () => {
  test('one date, one Region, every row with its AWS source and how it was checked', () => {
    expect(PRICES).toMatchObject({ region: 'us-east-1', currency: 'USD', hoursPerMonth: 730 });
    expect(PRICES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const [id, row] of Object.entries(PRICES.rows)) {
      expect([id, row.source]).toEqual([id, expect.stringMatching(/^https:\/\/aws\.amazon\.com\//)]);
      expect([id, row.checked.length > 10, row.usd >= 0]).toEqual([id, true, true]);
    }
    // Priced types are not also "not priced".
    expect(Object.keys(NOT_PRICED).filter((t) => ['AWS::EC2::NatGateway', 'AWS::RDS::DBInstance', 'AWS::Route53::HealthCheck'].includes(t))).toEqual([]);
  });

  test('docs/assessment.md carries the generated price table (npm run docs:report)', () => {
    const text = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'assessment.md'), 'utf8');
    expect(text.slice(text.indexOf(PRICE_TABLE_BEGIN) + PRICE_TABLE_BEGIN.length, text.indexOf(PRICE_TABLE_END)).trim()).toBe(renderPriceTable());
  });
});
