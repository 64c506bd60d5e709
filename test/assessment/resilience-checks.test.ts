/**
 * The ResilienceChecks pack on a plain aws-cdk-lib app (no cdk-resilience construct):
 * each rule fires on a deliberate flaw (noncompliance) and stays silent on the sound
 * version of the same resource (compliance).
 */
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as fis from 'aws-cdk-lib/aws-fis';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { RESILIENCE_RULES, ResilienceChecks } from '../../lib';

const ENV = { account: '111111111111', region: 'us-east-1' };
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/** The RES findings under a construct path prefix, as `RES-ID at path`. */
function findings(scope: Construct): string[] {
  const report = new ResilienceChecks(scope).validateScope(scope);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)).sort();
}

function stack(id: string): Stack {
  const s = new Stack(new App(), id, { env: ENV });
  return s;
}

function vpc(s: Stack, natGateways = 3, maxAzs = 3): ec2.Vpc {
  return new ec2.Vpc(s, 'Vpc', { availabilityZones: AZS.slice(0, maxAzs), natGateways });
}

function fn(s: Stack, id: string, props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(s, id, { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>({})'), ...props });
}

/** One case per rule: a stack with the flaw under `Flawed`, and the same resource sound under `Sound`. */
const CASES: Record<string, { flawed: (s: Stack) => void; sound: (s: Stack) => void }> = {
  RDS1: {
    flawed: (s) => new rds.DatabaseInstance(s, 'Flawed', { engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }), vpc: vpc(s), multiAz: false }),
    sound: (s) => new rds.DatabaseInstance(s, 'Sound', { engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }), vpc: vpc(s), multiAz: true }),
  },
  RDS2: {
    flawed: (s) => new rds.DatabaseCluster(s, 'Flawed', { engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }), vpc: vpc(s), writer: rds.ClusterInstance.provisioned('w') }),
    sound: (s) =>
      new rds.DatabaseCluster(s, 'Sound', {
        engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
        vpc: vpc(s),
        writer: rds.ClusterInstance.provisioned('w'),
        readers: [rds.ClusterInstance.provisioned('r')],
      }),
  },
  RDS3: {
    flawed: (s) => new rds.DatabaseInstance(s, 'Flawed', { engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }), vpc: vpc(s), deletionProtection: false }),
    sound: (s) => new rds.DatabaseInstance(s, 'Sound', { engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }), vpc: vpc(s), deletionProtection: true }),
  },
  RDS4: {
    flawed: (s) => new rds.DatabaseInstance(s, 'Flawed', { engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }), vpc: vpc(s), backupRetention: Duration.days(3) }),
    sound: (s) => new rds.DatabaseInstance(s, 'Sound', { engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }), vpc: vpc(s), backupRetention: Duration.days(14) }),
  },
  ASG1: {
    flawed: (s) => asg(s, 'Flawed', { vpcSubnets: { availabilityZones: ['us-east-1a'] } }),
    sound: (s) => asg(s, 'Sound', {}),
  },
  ASG2: {
    flawed: (s) => asg(s, 'Flawed', {}, true),
    sound: (s) => asg(s, 'Sound', { healthChecks: autoscaling.HealthChecks.withAdditionalChecks({ additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB], gracePeriod: Duration.minutes(5) }) }, true),
  },
  ASG3: {
    flawed: (s) => asg(s, 'Flawed', { minCapacity: 1 }),
    sound: (s) => asg(s, 'Sound', { minCapacity: 3 }),
  },
  ELB1: {
    flawed: (s) => new elbv2.CfnLoadBalancer(s, 'Flawed', { subnets: ['subnet-1'] }),
    sound: (s) => new elbv2.ApplicationLoadBalancer(s, 'Sound', { vpc: vpc(s) }),
  },
  VPC1: {
    flawed: (s) => new ec2.Vpc(s, 'Flawed', { availabilityZones: AZS, natGateways: 1 }),
    sound: (s) => new ec2.Vpc(s, 'Sound', { availabilityZones: AZS, natGateways: 3 }),
  },
  ROUTE1: {
    flawed: (s) => new route53.CfnRecordSet(s, 'Flawed', { name: 'a.example.com', type: 'A', hostedZoneId: 'Z1', setIdentifier: 'p', failover: 'PRIMARY', ttl: '60', resourceRecords: ['192.0.2.1'] }),
    sound: (s) => new route53.CfnRecordSet(s, 'Sound', { name: 'a.example.com', type: 'A', hostedZoneId: 'Z1', setIdentifier: 'p', failover: 'PRIMARY', ttl: '60', resourceRecords: ['192.0.2.1'], healthCheckId: 'hc-1' }),
  },
  ROUTE2: {
    flawed: (s) => new route53.CfnRecordSet(s, 'Flawed', { name: 'a.example.com', type: 'A', hostedZoneId: 'Z1', setIdentifier: 'east', region: 'us-east-1', ttl: '3600', resourceRecords: ['192.0.2.1'] }),
    sound: (s) => new route53.CfnRecordSet(s, 'Sound', { name: 'a.example.com', type: 'A', hostedZoneId: 'Z1', setIdentifier: 'east', region: 'us-east-1', ttl: '60', resourceRecords: ['192.0.2.1'] }),
  },
  FIS1: {
    flawed: (s) => new fis.CfnExperimentTemplate(s, 'Flawed', { description: 'x', roleArn: 'arn:aws:iam::111111111111:role/fis', stopConditions: [{ source: 'none' }], targets: {}, tags: {} }),
    sound: (s) =>
      new fis.CfnExperimentTemplate(s, 'Sound', { description: 'x', roleArn: 'arn:aws:iam::111111111111:role/fis', stopConditions: [{ source: 'aws:cloudwatch:alarm', value: 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:a' }], targets: {}, tags: {} }),
  },
  LAMBDA1: {
    flawed: (s) => fn(s, 'Flawed', { deadLetterQueueEnabled: true }),
    sound: (s) => fn(s, 'Sound', { timeout: Duration.seconds(10), deadLetterQueueEnabled: true }),
  },
  LAMBDA2: {
    flawed: (s) => fn(s, 'Flawed', { timeout: Duration.seconds(10) }),
    sound: (s) => fn(s, 'Sound', { timeout: Duration.seconds(10), retryAttempts: 2 }),
  },
  SQS1: {
    flawed: (s) => new sqs.Queue(s, 'Flawed'),
    sound: (s) => new sqs.Queue(s, 'Sound', { deadLetterQueue: { queue: new sqs.Queue(s, 'SoundDlq'), maxReceiveCount: 5 } }),
  },
  DDB1: {
    flawed: (s) => new dynamodb.Table(s, 'Flawed', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, deletionProtection: true }),
    sound: (s) => new dynamodb.TableV2(s, 'Sound', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true }, deletionProtection: true }),
  },
  DDB2: {
    flawed: (s) => new dynamodb.Table(s, 'Flawed', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true } }),
    sound: (s) => new dynamodb.Table(s, 'Sound', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true }, deletionProtection: true }),
  },
  'S3-1': {
    flawed: (s) => new s3.Bucket(s, 'Flawed'),
    sound: (s) => new s3.Bucket(s, 'Sound', { versioned: true }),
  },
  SFN1: {
    flawed: (s) => new sfn.StateMachine(s, 'Flawed', { definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(s, 'NoRetry', { lambdaFunction: fn(s, 'F1', { timeout: Duration.seconds(5) }), retryOnServiceExceptions: false })) }),
    sound: (s) => new sfn.StateMachine(s, 'Sound', { definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(s, 'WithRetry', { lambdaFunction: fn(s, 'F2', { timeout: Duration.seconds(5) }) })) }),
  },
  APIGW1: {
    flawed: (s) => new apigw.UsagePlan(s, 'Flawed', {}),
    sound: (s) => new apigw.UsagePlan(s, 'Sound', { throttle: { rateLimit: 10, burstLimit: 20 } }),
  },
  ELC1: {
    flawed: (s) => new elasticache.CfnReplicationGroup(s, 'Flawed', { replicationGroupDescription: 'x', engine: 'valkey', cacheNodeType: 'cache.t4g.small', numCacheClusters: 1 }),
    sound: (s) => new elasticache.CfnReplicationGroup(s, 'Sound', { replicationGroupDescription: 'x', engine: 'valkey', cacheNodeType: 'cache.t4g.small', numCacheClusters: 2, automaticFailoverEnabled: true, multiAzEnabled: true }),
  },
  CW1: {
    flawed: (s) => new cloudwatch.Alarm(s, 'Flawed', { metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }), threshold: 1, evaluationPeriods: 1 }),
    sound: (s) => {
      const a = new cloudwatch.Alarm(s, 'Sound', { metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }), threshold: 1, evaluationPeriods: 1 });
      a.addAlarmAction({ bind: () => ({ alarmActionArn: new sns.Topic(s, 'Page').topicArn }) });
    },
  },
  'EC2-1': {
    flawed: (s) => new ec2.Instance(s, 'Flawed', { vpc: vpc(s), instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023() }),
    sound: (s) => asg(s, 'Sound', {}),
  },
};

function asg(s: Stack, id: string, props: Partial<autoscaling.AutoScalingGroupProps>, behindLb = false): autoscaling.AutoScalingGroup {
  const v = vpc(s);
  const group = new autoscaling.AutoScalingGroup(s, id, {
    vpc: v,
    minCapacity: 3,
    launchTemplate: new ec2.LaunchTemplate(s, `${id}Lt`, {
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      role: new iam.Role(s, `${id}Role`, { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }),
      securityGroup: new ec2.SecurityGroup(s, `${id}Sg`, { vpc: v }),
    }),
    ...props,
  });
  if (behindLb) {
    const alb = new elbv2.ApplicationLoadBalancer(s, `${id}Alb`, { vpc: v });
    alb.addListener(`${id}Http`, { port: 80 }).addTargets(`${id}T`, { port: 80, targets: [group] });
  }
  return group;
}

describe('ResilienceChecks on a plain aws-cdk-lib app', () => {
  test('has at least 20 rules with stable, unique ids, an explanation and a level', () => {
    expect(RESILIENCE_RULES.length).toBeGreaterThanOrEqual(20);
    expect(new Set(RESILIENCE_RULES.map((r) => r.id)).size).toBe(RESILIENCE_RULES.length);
    for (const r of RESILIENCE_RULES) {
      expect(r.id).toMatch(/^[A-Z0-9]+(-\d)?$/);
      expect(r.explanation.length).toBeGreaterThan(60);
    }
    expect(Object.keys(CASES).sort()).toEqual(RESILIENCE_RULES.map((r) => r.id).sort());
  });

  test.each(RESILIENCE_RULES.map((r) => r.id))('RES-%s fires on the flaw (noncompliance) and not on the sound resource (compliance)', (id) => {
    const flawed = stack('FlawedStack');
    CASES[id].flawed(flawed);
    expect(findings(flawed).filter((f) => f.startsWith(`RES-${id} `) && / at FlawedStack\/Flawed\b/.test(f))).not.toEqual([]);
    const sound = stack('SoundStack');
    CASES[id].sound(sound);
    expect(findings(sound).filter((f) => f.startsWith(`RES-${id} `))).toEqual([]);
  });

  test('an acknowledgment with a reason silences exactly that finding', () => {
    const s = stack('Acked');
    const q = new sqs.Queue(s, 'Flawed');
    new sqs.Queue(s, 'Other');
    Validations.of(q).acknowledge({ id: 'RES-SQS1', reason: 'an idempotent best-effort queue whose failures are logged' });
    expect(findings(s).filter((f) => f.startsWith('RES-SQS1'))).toEqual(['RES-SQS1 at Acked/Other/Resource']);
  });
});
