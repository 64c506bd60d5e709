import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Validator } from '../core/validation';
import { ExperimentTarget, FisResourceType } from './targets';

/** FIS bounds every action duration to between 1 minute and 12 hours. */
export const FIS_MIN_DURATION = Duration.minutes(1);
/** FIS bounds every action duration to between 1 minute and 12 hours. */
export const FIS_MAX_DURATION = Duration.hours(12);

/** Options every action takes. */
export interface FisActionOptions {
  /**
   * Names of the actions (in the same experiment) this one starts after.
   * @default - starts with the experiment
   */
  readonly startAfter?: string[];
  /**
   * Description of the action.
   * @default - none
   */
  readonly description?: string;
}

/**
 * One FIS action, typed: its subclass fixes the action id, the target key and the target's
 * resource type, and renders its typed parameters. It also knows the IAM permissions it
 * needs, so the experiment role holds exactly those.
 */
export abstract class FisAction {
  /** The FIS action id, e.g. `aws:ec2:terminate-instances`. */
  public abstract readonly actionId: string;
  /** The target key the action takes (`Instances`, `Subnets`, ...), if it takes a target. */
  public readonly targetKey?: string;
  /** The resource type its target must have. */
  public readonly resourceType?: FisResourceType;

  protected constructor(
    /** The target, if the action takes one. */
    public readonly target: ExperimentTarget | undefined,
    /** Common options. */
    public readonly options: FisActionOptions,
    spec?: { targetKey: string; resourceType: FisResourceType },
  ) {
    this.targetKey = spec?.targetKey;
    this.resourceType = spec?.resourceType;
  }

  /** The action's names it starts after. */
  public get startAfter(): string[] {
    return this.options.startAfter ?? [];
  }

  /** The rendered parameters. */
  public abstract parameters(): Record<string, string>;

  /** The IAM statements the experiment role needs for this action. */
  public abstract permissions(stack: Stack): iam.PolicyStatement[];

  /**
   * AWS managed policies (names under `service-role/`) the action relies on instead of
   * inline statements: only where the permission set is large and AWS maintains it.
   */
  public managedPolicies(): string[] {
    return [];
  }

  /** Checks of the action's props; `prop` is its path in the experiment's props. */
  public validate(v: Validator, prop: string): void {
    if (this.target && this.resourceType) {
      v.check(this.target.resourceType !== this.resourceType, {
        code: 'FIS_TARGET_TYPE',
        prop: `${prop}.target`,
        value: this.target.resourceType,
        message: `${this.actionId} acts on ${this.resourceType} (target key ${this.targetKey}), not on ${this.target.resourceType}`,
        fix: `target ${this.resourceType} resources`,
      });
      this.target._validate(v, `${prop}.target`);
    }
  }

  /** Check a FIS duration parameter: 1 minute to 12 hours. */
  protected checkDuration(v: Validator, prop: string, value: Duration | undefined): void {
    v.duration(prop, value, {
      code: 'FIS_DURATION',
      minSeconds: FIS_MIN_DURATION.toSeconds(),
      maxSeconds: FIS_MAX_DURATION.toSeconds(),
      fix: 'FIS accepts a duration from 1 minute to 12 hours',
    });
  }

  /** Check a percentage parameter: an integer from 1 to 100. */
  protected checkPercentage(v: Validator, prop: string, value: number | undefined): void {
    if (value === undefined) return;
    v.check(!Number.isInteger(value) || value < 1 || value > 100, {
      code: 'FIS_PERCENT',
      prop,
      value,
      message: 'a percentage must be an integer from 1 to 100',
      fix: 'use 1 to 100',
    });
  }

  /**
   * The resources a mutating statement may touch: the target's ARNs when it is chosen by
   * ARN; otherwise every resource of `arnPattern`, limited by the target's tags.
   */
  protected scoped(actions: string[], arnPattern: string): iam.PolicyStatement {
    const t = this.target!;
    if (t.arns && t.arns.length > 0) return new iam.PolicyStatement({ actions, resources: t.arns });
    const conditions = { StringEquals: Object.fromEntries(Object.entries(t.tags ?? {}).map(([k, val]) => [`aws:ResourceTag/${k}`, val])) };
    return because(
      `${actions.join(', ')}: the target is chosen by tag, so its ARNs are not known at deploy time; the statement is limited to resources with the target's tags.`,
      new iam.PolicyStatement({ actions, resources: [arnPattern], conditions }),
    );
  }
}

/**
 * Why a statement's resource needs a wildcard: the experiment role acknowledges the
 * cdk-nag finding of each such resource with this reason.
 */
export const WILDCARD_REASONS = new WeakMap<iam.PolicyStatement, string>();

/** Record why a statement needs a wildcard resource, and return it. */
export function because(reason: string, statement: iam.PolicyStatement): iam.PolicyStatement {
  WILDCARD_REASONS.set(statement, reason);
  return statement;
}

/** A statement for read-only calls FIS makes to resolve targets. */
function describe(actions: string[]): iam.PolicyStatement {
  // Describe* and tag:GetResources calls support no resource-level permissions: `*` is required.
  return because(`${actions.join(', ')}: read-only calls FIS makes to resolve targets; they support no resource-level permissions.`, new iam.PolicyStatement({ actions, resources: ['*'] })); // '*': Describe* and tag:GetResources have no resource types
}

function iso(d: Duration): string {
  return d.toIsoString();
}

/** `aws:ec2:terminate-instances`: terminate the target instances. */
export class TerminateInstances extends FisAction {
  public readonly actionId = 'aws:ec2:terminate-instances';
  constructor(target: ExperimentTarget, options: FisActionOptions = {}) {
    super(target, options, { targetKey: 'Instances', resourceType: FisResourceType.EC2_INSTANCE });
  }
  public parameters(): Record<string, string> {
    return {};
  }
  public permissions(stack: Stack): iam.PolicyStatement[] {
    return [this.scoped(['ec2:TerminateInstances'], `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:instance/*`), describe(['ec2:DescribeInstances'])];
  }
}

/** Options of {@link StopInstances}. */
export interface StopInstancesOptions extends FisActionOptions {
  /**
   * Start the instances again after this long (1 minute to 12 hours).
   * @default - they stay stopped (an Auto Scaling group replaces them)
   */
  readonly startInstancesAfter?: Duration;
  /**
   * Complete, rather than fail, when an instance is terminated while stopped (as an Auto
   * Scaling group does with an unhealthy instance). Only with `startInstancesAfter` (FIS
   * ignores it otherwise; FIS's own default is false).
   * @default true, when startInstancesAfter is set
   */
  readonly completeIfInstancesTerminated?: boolean;
}

/** `aws:ec2:stop-instances`: stop the target instances, optionally starting them again. */
export class StopInstances extends FisAction {
  public readonly actionId = 'aws:ec2:stop-instances';
  constructor(
    target: ExperimentTarget,
    private readonly props: StopInstancesOptions = {},
  ) {
    super(target, props, { targetKey: 'Instances', resourceType: FisResourceType.EC2_INSTANCE });
  }
  public parameters(): Record<string, string> {
    if (!this.props.startInstancesAfter) return {};
    return {
      startInstancesAfterDuration: iso(this.props.startInstancesAfter),
      completeIfInstancesTerminated: String(this.props.completeIfInstancesTerminated ?? true),
    };
  }
  public validate(v: Validator, prop: string): void {
    super.validate(v, prop);
    this.checkDuration(v, `${prop}.startInstancesAfter`, this.props.startInstancesAfter);
  }
  public permissions(stack: Stack): iam.PolicyStatement[] {
    const instances = `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:instance/*`;
    return [
      this.scoped(['ec2:StopInstances', 'ec2:StartInstances'], instances),
      describe(['ec2:DescribeInstances']),
      // Starting an instance with encrypted volumes creates a grant on their key, for EC2 only.
      because('Instances may use any customer-managed key for their volumes; the grant is limited to EC2 (kms:ViaService) and to AWS resources.', new iam.PolicyStatement({
        actions: ['kms:CreateGrant'],
        resources: [`arn:${stack.partition}:kms:${stack.region}:${stack.account}:key/*`],
        conditions: { StringEquals: { 'kms:ViaService': `ec2.${stack.region}.amazonaws.com` }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      })),
    ];
  }
}

/** `ec2:InjectApiError`, limited to one FIS action (and to its targets, when known by ARN). */
function injectApiError(actionId: string, targetArns?: string[]): iam.PolicyStatement {
  // ec2:InjectApiError has no resource type: `*`, limited by the FIS action id condition.
  return because(
    'ec2:InjectApiError has no resource type; the statement is limited to this FIS action by the ec2:FisActionId condition.',
    new iam.PolicyStatement({
      actions: ['ec2:InjectApiError'],
      resources: ['*'], // '*': ec2:InjectApiError has no resource type; limited by ec2:FisActionId
      conditions: {
        'ForAnyValue:StringEquals': { 'ec2:FisActionId': [actionId] },
        ...(targetArns?.length ? { 'ForAllValues:StringEquals': { 'ec2:FisTargetArns': targetArns } } : {}),
      },
    }),
  );
}

/** Options of {@link AsgInsufficientCapacityError}. */
export interface AsgInsufficientCapacityErrorOptions extends FisActionOptions {
  /** The AZs (names or ids) where launches fail. */
  readonly availabilityZones: string[];
  /** How long launches fail (1 minute to 12 hours). */
  readonly duration: Duration;
  /**
   * Percentage of launch requests that fail (1–100).
   * @default 100
   */
  readonly percentage?: number;
}

/**
 * `aws:ec2:asg-insufficient-instance-capacity-error`: launches by the target Auto Scaling
 * groups in the given AZs fail with InsufficientInstanceCapacity.
 */
export class AsgInsufficientCapacityError extends FisAction {
  public readonly actionId = 'aws:ec2:asg-insufficient-instance-capacity-error';
  constructor(
    target: ExperimentTarget,
    private readonly props: AsgInsufficientCapacityErrorOptions,
  ) {
    super(target, props, { targetKey: 'AutoScalingGroups', resourceType: FisResourceType.AUTOSCALING_GROUP });
  }
  public parameters(): Record<string, string> {
    return {
      availabilityZoneIdentifiers: this.props.availabilityZones.join(','),
      duration: iso(this.props.duration),
      percentage: String(this.props.percentage ?? 100),
    };
  }
  public validate(v: Validator, prop: string): void {
    super.validate(v, prop);
    this.checkDuration(v, `${prop}.duration`, this.props.duration);
    this.checkPercentage(v, `${prop}.percentage`, this.props.percentage);
    v.check(this.props.availabilityZones.length === 0, {
      code: 'FIS_AZS',
      prop: `${prop}.availabilityZones`,
      value: this.props.availabilityZones,
      message: 'no Availability Zone given',
      fix: "name at least one AZ, e.g. ['us-east-1a']",
    });
  }
  public permissions(): iam.PolicyStatement[] {
    return [injectApiError(this.actionId, this.target!.arns), describe(['autoscaling:DescribeAutoScalingGroups'])];
  }
}

/** Where {@link DisruptConnectivity} cuts traffic. */
export enum ConnectivityScope {
  /** All traffic in and out of the subnets. */
  ALL = 'all',
  /** Traffic to and from the other Availability Zones. */
  AVAILABILITY_ZONE = 'availability-zone',
  /** Traffic to DynamoDB in the Region. */
  DYNAMODB = 'dynamodb',
  /** Traffic to S3 in the Region. */
  S3 = 's3',
  /** Traffic to S3 Express One Zone in the Region. */
  S3_EXPRESS = 's3express',
  /** Traffic within the VPC. */
  VPC = 'vpc',
}

/** Options of {@link DisruptConnectivity}. */
export interface DisruptConnectivityOptions extends FisActionOptions {
  /** How long (1 minute to 12 hours). */
  readonly duration: Duration;
  /**
   * What traffic to cut.
   * @default ConnectivityScope.ALL
   */
  readonly scope?: ConnectivityScope;
}

/**
 * `aws:network:disrupt-connectivity`: FIS swaps the subnets' network ACL for a copy that
 * denies the scope's traffic, then restores it.
 */
export class DisruptConnectivity extends FisAction {
  public readonly actionId = 'aws:network:disrupt-connectivity';
  constructor(
    target: ExperimentTarget,
    private readonly props: DisruptConnectivityOptions,
  ) {
    super(target, props, { targetKey: 'Subnets', resourceType: FisResourceType.SUBNET });
  }
  public parameters(): Record<string, string> {
    return { duration: iso(this.props.duration), scope: this.props.scope ?? ConnectivityScope.ALL };
  }
  public validate(v: Validator, prop: string): void {
    super.validate(v, prop);
    this.checkDuration(v, `${prop}.duration`, this.props.duration);
  }
  public permissions(stack: Stack): iam.PolicyStatement[] {
    return networkAclPermissions(stack, this);
  }
}

/** The network ACL swap FIS performs for disrupt-connectivity, limited to ACLs it tags. */
function networkAclPermissions(stack: Stack, action: FisAction): iam.PolicyStatement[] {
  const acl = `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:network-acl/*`;
  const vpc = `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:vpc/*`;
  const subnet = `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:subnet/*`;
  const why = 'FIS creates the replacement network ACL at run time, so its id is not known at deploy time; creation requires the managedByFIS tag and changes are limited to ACLs that carry it.';
  const subnets = action.target!.arns?.length ? action.target!.arns : [subnet];
  return [
    because(why, new iam.PolicyStatement({ actions: ['ec2:CreateNetworkAcl'], resources: [acl], conditions: { StringEquals: { 'aws:RequestTag/managedByFIS': 'true' } } })),
    because('The ACL is created in the VPC of the target subnets, found at run time.', new iam.PolicyStatement({ actions: ['ec2:CreateNetworkAcl'], resources: [vpc] })),
    because(why, new iam.PolicyStatement({ actions: ['ec2:CreateTags'], resources: [acl], conditions: { StringEquals: { 'ec2:CreateAction': 'CreateNetworkAcl' } } })),
    because(why, new iam.PolicyStatement({ actions: ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAcl'], resources: [acl], conditions: { StringEquals: { 'ec2:ResourceTag/managedByFIS': 'true' } } })),
    because(
      'ReplaceNetworkAclAssociation names the association, the new ACL (created at run time) and the original ACL of each subnet; the subnets are scoped to the target.',
      new iam.PolicyStatement({ actions: ['ec2:ReplaceNetworkAclAssociation'], resources: [acl, ...subnets] }),
    ),
    describe(['ec2:DescribeNetworkAcls', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'ec2:DescribeManagedPrefixLists', 'ec2:GetManagedPrefixListEntries']),
  ];
}

/** Options of {@link DisruptCrossRegionConnectivity}. */
export interface DisruptCrossRegionConnectivityOptions extends FisActionOptions {
  /** The Region the subnets lose connectivity to, e.g. `us-west-2`. */
  readonly region: string;
  /** How long (1 minute to 12 hours). */
  readonly duration: Duration;
}

/**
 * `aws:network:route-table-disrupt-cross-region-connectivity`: FIS gives the subnets a
 * route table that drops traffic to the other Region's public IP ranges (and its
 * peering and endpoints), then restores the original. The VPC quota "routes per route
 * table" must be raised first (to 250 plus existing routes; 350 for us-east-1).
 */
export class DisruptCrossRegionConnectivity extends FisAction {
  public readonly actionId = 'aws:network:route-table-disrupt-cross-region-connectivity';
  constructor(
    target: ExperimentTarget,
    private readonly props: DisruptCrossRegionConnectivityOptions,
  ) {
    super(target, props, { targetKey: 'Subnets', resourceType: FisResourceType.SUBNET });
  }
  public parameters(): Record<string, string> {
    return { region: this.props.region, duration: iso(this.props.duration) };
  }
  public validate(v: Validator, prop: string): void {
    super.validate(v, prop);
    this.checkDuration(v, `${prop}.duration`, this.props.duration);
    v.check(!/^[a-z]{2}(-[a-z]+)+-\d$/.test(this.props.region), {
      code: 'FIS_REGION',
      prop: `${prop}.region`,
      value: this.props.region,
      message: 'is not a Region code',
      fix: "use a Region code such as 'us-west-2'",
    });
  }
  public permissions(): iam.PolicyStatement[] {
    return [];
  }
  public managedPolicies(): string[] {
    // About twenty EC2 route-table, prefix-list and ENI permissions, most limited by AWS to
    // resources tagged managedByFIS; AWS keeps this policy in step with the action.
    return ['AWSFaultInjectionSimulatorNetworkAccess'];
  }
}

/** `aws:rds:failover-db-cluster`: fail over the target Aurora or Multi-AZ DB clusters. */
export class FailoverDbCluster extends FisAction {
  public readonly actionId = 'aws:rds:failover-db-cluster';
  constructor(target: ExperimentTarget, options: FisActionOptions = {}) {
    super(target, options, { targetKey: 'Clusters', resourceType: FisResourceType.RDS_CLUSTER });
  }
  public parameters(): Record<string, string> {
    return {};
  }
  public permissions(stack: Stack): iam.PolicyStatement[] {
    return [this.scoped(['rds:FailoverDBCluster'], `arn:${stack.partition}:rds:${stack.region}:${stack.account}:cluster:*`), describe(['rds:DescribeDBClusters', 'tag:GetResources'])];
  }
}

/** Options of {@link RebootDbInstances}. */
export interface RebootDbInstancesOptions extends FisActionOptions {
  /**
   * Reboot with failover to the Multi-AZ standby.
   * @default true
   */
  readonly forceFailover?: boolean;
}

/** `aws:rds:reboot-db-instances`: reboot the target DB instances, by default with failover. */
export class RebootDbInstances extends FisAction {
  public readonly actionId = 'aws:rds:reboot-db-instances';
  constructor(
    target: ExperimentTarget,
    private readonly props: RebootDbInstancesOptions = {},
  ) {
    super(target, props, { targetKey: 'DBInstances', resourceType: FisResourceType.RDS_INSTANCE });
  }
  public parameters(): Record<string, string> {
    return { forceFailover: String(this.props.forceFailover ?? true) };
  }
  public permissions(stack: Stack): iam.PolicyStatement[] {
    return [this.scoped(['rds:RebootDBInstance'], `arn:${stack.partition}:rds:${stack.region}:${stack.account}:db:*`), describe(['rds:DescribeDBInstances', 'tag:GetResources'])];
  }
}

/** The kind of API error {@link InjectApiError} injects. */
export enum ApiErrorKind {
  /** `aws:fis:inject-api-throttle-error`: throttling errors. */
  THROTTLE = 'throttle',
  /** `aws:fis:inject-api-unavailable-error`: service-unavailable errors. */
  UNAVAILABLE = 'unavailable',
  /** `aws:fis:inject-api-internal-error`: internal errors. */
  INTERNAL = 'internal',
}

/** The API namespaces FIS can inject errors into. */
export enum ApiErrorService {
  /** Amazon EC2. */
  EC2 = 'ec2',
  /** Amazon Kinesis Data Streams. */
  KINESIS = 'kinesis',
}

/** Options of {@link InjectApiError}. */
export interface InjectApiErrorOptions extends FisActionOptions {
  /** The error to inject. */
  readonly kind: ApiErrorKind;
  /**
   * The API namespace; FIS supports `ec2` and `kinesis` only.
   * @default ApiErrorService.EC2
   */
  readonly service?: ApiErrorService;
  /** The API operations to fail, e.g. `DescribeInstances`. */
  readonly operations: string[];
  /** Percentage of calls that fail (1–100). */
  readonly percentage: number;
  /** How long (1 minute to 12 hours). */
  readonly duration: Duration;
}

const API_ERROR_PERMISSION: Record<ApiErrorKind, string> = {
  [ApiErrorKind.THROTTLE]: 'fis:InjectApiThrottleError',
  [ApiErrorKind.UNAVAILABLE]: 'fis:InjectApiUnavailableError',
  [ApiErrorKind.INTERNAL]: 'fis:InjectApiInternalError',
};

/**
 * `aws:fis:inject-api-{throttle,unavailable,internal}-error`: calls of the given EC2 or
 * Kinesis operations made by the target IAM roles fail, for a percentage of calls.
 */
export class InjectApiError extends FisAction {
  public readonly actionId: string;
  constructor(
    target: ExperimentTarget,
    private readonly props: InjectApiErrorOptions,
  ) {
    super(target, props, { targetKey: 'Roles', resourceType: FisResourceType.IAM_ROLE });
    this.actionId = `aws:fis:inject-api-${props.kind}-error`;
  }
  public parameters(): Record<string, string> {
    return { service: this.props.service ?? ApiErrorService.EC2, operations: this.props.operations.join(','), percentage: String(this.props.percentage), duration: iso(this.props.duration) };
  }
  public validate(v: Validator, prop: string): void {
    super.validate(v, prop);
    this.checkDuration(v, `${prop}.duration`, this.props.duration);
    this.checkPercentage(v, `${prop}.percentage`, this.props.percentage);
    v.check(this.props.operations.length === 0, {
      code: 'FIS_OPERATIONS',
      prop: `${prop}.operations`,
      value: this.props.operations,
      message: 'no API operation given',
      fix: "name the operations to fail, e.g. ['DescribeInstances']",
    });
  }
  public permissions(stack: Stack): iam.PolicyStatement[] {
    return [
      because(
        'The permission is checked against the running experiment, whose id is known only at run time; limited to FIS experiments of this account and Region.',
        new iam.PolicyStatement({ actions: [API_ERROR_PERMISSION[this.props.kind]], resources: [`arn:${stack.partition}:fis:${stack.region}:${stack.account}:experiment/*`] }),
      ),
    ];
  }
}

/** `aws:fis:wait`: wait, to space actions apart. */
export class Wait extends FisAction {
  public readonly actionId = 'aws:fis:wait';
  constructor(
    private readonly duration: Duration,
    options: FisActionOptions = {},
  ) {
    super(undefined, options);
  }
  public parameters(): Record<string, string> {
    return { duration: iso(this.duration) };
  }
  public validate(v: Validator, prop: string): void {
    this.checkDuration(v, `${prop}.duration`, this.duration);
  }
  public permissions(): iam.PolicyStatement[] {
    return [];
  }
}
