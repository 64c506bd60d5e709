import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from '../core/nag';
import { confusedDeputySafePrincipal } from '../core/service-principal';
import { Validator } from '../core/validation';

/**
 * Building blocks shared by Database, the global-database secondary and the
 * cross-Region replica, so every Region's database gets the same hardening.
 */

/** A customer-managed key for one Region's database storage, secrets and Performance Insights. */
export function createDatabaseKey(scope: Construct, description: string): kms.Key {
  return new kms.Key(scope, 'Key', {
    description,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/** The enhanced-monitoring role, with its one acknowledged managed policy. */
export function createMonitoringRole(scope: Construct): iam.Role {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, 'MonitoringRole', {
    // Only this account's databases in this Region ("Protecting against the confused deputy
    // problem", Enhanced Monitoring: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html#USER_Monitoring.OS.confused-deputy).
    assumedBy: confusedDeputySafePrincipal(stack, 'monitoring.rds.amazonaws.com', `arn:${stack.partition}:rds:${stack.region}:${stack.account}:*`),
    description: 'RDS enhanced monitoring: publishes OS metrics to CloudWatch Logs',
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
  });
  acknowledgeNagFinding(
    role,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
    'AmazonRDSEnhancedMonitoringRole is the AWS-maintained policy RDS requires for enhanced monitoring; it only writes to the RDSOSMetrics log group.',
  );
  return role;
}

/** A security group that admits nobody until the caller allows a peer. */
export function createDatabaseSecurityGroup(scope: Construct, vpc: ec2.IVpc): ec2.SecurityGroup {
  return new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc,
    description: 'Database: admits only the callers the owner allows',
    allowAllOutbound: false,
  });
}

/** A subnet group of the VPC's isolated subnets. */
export function createIsolatedSubnetGroup(scope: Construct, vpc: ec2.IVpc): rds.SubnetGroup {
  return new rds.SubnetGroup(scope, 'SubnetGroup', {
    vpc,
    description: 'Database subnets: isolated, one per AZ',
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  });
}

/**
 * The AZs of the VPC's isolated subnets, or undefined when the VPC has none.
 * Token AZs (imported VPCs) come back as they are.
 */
export function isolatedAzs(vpc: ec2.IVpc): string[] | undefined {
  try {
    const azs = vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).availabilityZones;
    return azs.length > 0 ? [...new Set(azs)] : undefined;
  } catch {
    return undefined;
  }
}

/** Validate that the VPC offers isolated subnets in enough distinct AZs. */
export function validateIsolatedSubnets(v: Validator, vpc: ec2.IVpc, minAzs: number, code: string, why: string): string[] {
  const azs = isolatedAzs(vpc);
  if (azs === undefined) {
    v.add({
      code,
      prop: 'vpc',
      value: 'no isolated subnets',
      message: 'the database runs in isolated subnets only, and the VPC has none',
      fix: 'use a VPC with PRIVATE_ISOLATED subnets in each AZ (MultiAzVpc builds them)',
    });
    return [];
  }
  v.check(azs.length < minAzs, {
    code,
    prop: 'vpc',
    value: azs,
    message: `${why}: it needs isolated subnets in at least ${minAzs} AZs`,
    fix: `use a VPC with an isolated subnet in each of ${Math.max(minAzs, 3)} AZs`,
  });
  return azs;
}

/** Backup retention must be 1-35 days (AWS's limits for automated backups). */
export function validateBackupRetention(v: Validator, prop: string, retention: Duration | undefined, code: string): void {
  v.duration(prop, retention, {
    code,
    minSeconds: Duration.days(1).toSeconds(),
    maxSeconds: Duration.days(35).toSeconds(),
    fix: `set ${prop} between Duration.days(1) and Duration.days(35); use AWS Backup (ResilientBackup) for longer retention`,
  });
}

/**
 * A DB identifier: lowercase letters, digits or hyphens, starting with a letter, no '--',
 * not ending in '-', at most `maxLength` (63; 52 for Multi-AZ DB clusters). RDS stores
 * identifiers in lowercase, so an uppercase one would make every ARN, alarm dimension and
 * runbook lookup built from it miss.
 */
export function validateIdentifier(v: Validator, prop: string, value: string | undefined, code: string, maxLength = 63): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  v.check(!/^[a-z](?!.*--)[a-z0-9-]*$/.test(value) || value.endsWith('-') || value.length > maxLength, {
    code,
    prop,
    value,
    message: `must be 1-${maxLength} lowercase letters, digits or hyphens, start with a letter, and contain no "--" nor end with "-" (RDS stores identifiers in lowercase)`,
    fix: "use an identifier like 'shop-orders'",
  });
}

/** Acknowledge cdk-nag's default-port finding (RDS11) on one database resource, with the reason. */
export function acknowledgeDefaultPort(scope: Construct): void {
  acknowledgeNagFinding(
    scope,
    'AwsSolutions-RDS11',
    'A non-default port is obscurity, not a control: the security group admits only the callers the owner allows, and IAM authentication is on.',
  );
}

/**
 * AZs for the writer and readers: the writer in the first AZ, each reader in the next,
 * wrapping around. Undefined (let RDS choose) when the AZs are tokens.
 */
export function auroraInstanceAzs(azs: string[], readers: number): (string | undefined)[] {
  if (azs.length === 0 || azs.some((az) => Token.isUnresolved(az))) return Array.from({ length: readers + 1 }, () => undefined);
  return Array.from({ length: readers + 1 }, (_, i) => azs[i % azs.length]);
}

