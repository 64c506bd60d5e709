import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { withGivenAvailabilityZones } from '../core/availability-zones';
import { confusedDeputySafePrincipal } from '../core/service-principal';
import { cidrsOverlap, Ipv4Cidr, parseCidr } from '../core/cidr';
import { DEFAULT_AZ_COUNT, defaultLogRetention, defaultSubnetMasks, defaultVpcCidr } from '../core/defaults';
import { Validator } from '../core/validation';
import { addWarning, WarningId } from '../core/warnings';

/**
 * Prefix lengths for the three subnet tiers. Each tier gets one subnet per AZ.
 */
export interface SubnetMasks {
  /**
   * Public subnets (ALB, NAT gateways). An ALB needs at least a /27.
   * @default 24
   */
  readonly public?: number;
  /**
   * Private subnets with egress through NAT (compute).
   * @default 20
   */
  readonly private?: number;
  /**
   * Isolated subnets with no route to the internet (databases).
   * @default 24
   */
  readonly isolated?: number;
}

/**
 * VPC flow log settings.
 */
export interface MultiAzVpcFlowLogOptions {
  /**
   * Which traffic to record.
   * @default ec2.FlowLogTrafficType.ALL
   */
  readonly trafficType?: ec2.FlowLogTrafficType;
  /**
   * Retention of the CloudWatch Logs log group the flow logs go to.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly retention?: logs.RetentionDays;
}

/**
 * Props for {@link MultiAzVpc}.
 */
export interface MultiAzVpcProps {
  /**
   * The Availability Zones to span, by name (e.g. `us-east-1a`). Giving names means
   * synth never needs an AZ lookup. At least 2; 3 is what the library is built for.
   * @default - the first 3 AZs of the stack's Region (from `cdk.context.json`); an
   * environment-agnostic stack has no AZ names, so there you must give them.
   */
  readonly availabilityZones?: string[];
  /**
   * IPv4 CIDR of the VPC, /16 to /24.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * CIDRs this VPC must not overlap: the peer Region's VPC, on-premises ranges, a
   * Transit Gateway's other attachments. Overlap is a synth error, because it only
   * shows up the day you try to peer or fail over.
   * @default - no check
   */
  readonly mustNotOverlap?: string[];
  /**
   * Subnet sizes per tier.
   * @default - public /24, private /20, isolated /24
   */
  readonly subnetMasks?: SubnetMasks;
  /**
   * Number of NAT gateways. One per AZ (the default) means losing an AZ never cuts
   * egress for the other AZs. Fewer saves ~USD 32/month per gateway plus data
   * processing, but makes the AZs that route through the shared gateway depend on
   * the AZ that holds it; the construct warns (`cdk-resilience:SharedNatGateway`).
   * @default - one per AZ
   */
  readonly natGateways?: number;
  /**
   * VPC flow logs to CloudWatch Logs. They are always on; these options tune them.
   * @default - ALL traffic, one-year retention
   */
  readonly flowLogs?: MultiAzVpcFlowLogOptions;
  /**
   * Add gateway endpoints for S3 and DynamoDB to every route table, so traffic to
   * them stays in the AWS network, costs no NAT processing and survives a NAT loss.
   * @default true
   */
  readonly gatewayEndpoints?: boolean;
}

/**
 * A VPC spread over (by default) three Availability Zones, built to survive the loss
 * of one AZ: public, private-with-egress and isolated subnets in every AZ, one NAT
 * gateway per AZ, flow logs, and S3/DynamoDB gateway endpoints.
 *
 * Survives: the loss of one AZ (including its NAT gateway), with the default one NAT
 * gateway per AZ. Does not survive: the loss of the Region (see the DR strategies).
 */
export class MultiAzVpc extends Construct {
  /** The underlying aws-cdk-lib VPC. */
  public readonly vpc: ec2.Vpc;
  /** The AZs the VPC spans, in order. */
  public readonly availabilityZones: string[];
  /** Number of NAT gateways provisioned. */
  public readonly natGatewayCount: number;
  /** The flow log. */
  public readonly flowLog: ec2.FlowLog;
  /** The log group receiving the flow logs. */
  public readonly flowLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: MultiAzVpcProps = {}) {
    super(scope, id);

    const azs = props.availabilityZones ?? defaultAzs(this);
    const cidr = props.cidr ?? defaultVpcCidr();
    const masks = { ...defaultSubnetMasks(), ...props.subnetMasks };
    const natGateways = props.natGateways ?? azs.length;

    validate(this, props, azs, cidr, masks, natGateways);

    this.availabilityZones = azs;
    this.natGatewayCount = natGateways;

    if (azs.length === 2) {
      addWarning(
        this,
        WarningId.TWO_AZS_ONLY,
        'The VPC spans only 2 AZs: after losing one, a single AZ carries everything and a second failure is an outage. Use 3 AZs.',
      );
    }
    if (natGateways < azs.length) {
      addWarning(
        this,
        WarningId.SHARED_NAT_GATEWAY,
        `${natGateways} NAT gateway(s) for ${azs.length} AZs: private subnets in AZs without their own NAT gateway lose egress when the AZ holding theirs fails. Set natGateways to ${azs.length} to remove this single point of failure.`,
      );
    }

    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogs?.retention ?? defaultLogRetention(),
    });

    // Given AZ names need no lookup: no credentials, no cdk.context.json (see the helper).
    this.vpc = withGivenAvailabilityZones(this, 'availabilityZones', Stack.of(this), props.availabilityZones ? azs : [], () => new ec2.Vpc(this, 'Vpc', {
      availabilityZones: azs,
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      natGateways,
      natGatewaySubnets: { subnetType: ec2.SubnetType.PUBLIC },
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: masks.public, mapPublicIpOnLaunch: false },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: masks.private },
        { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: masks.isolated },
      ],
      gatewayEndpoints:
        props.gatewayEndpoints === false
          ? undefined
          : {
              S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
              DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
            },
    }));

    // The delivery role, assumable only for this account's flow logs in this Region ("Amazon VPC
    // flow logs: IAM role for publishing flow logs to CloudWatch Logs", confused deputy:
    // https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html).
    const stack = Stack.of(this);
    const flowLogRole = new iam.Role(this, 'FlowLogRole', {
      description: 'VPC flow logs: delivers to the flow log group',
      assumedBy: confusedDeputySafePrincipal(stack, 'vpc-flow-logs.amazonaws.com', `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:vpc-flow-log/*`),
    });
    this.flowLog = this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup, flowLogRole),
      trafficType: props.flowLogs?.trafficType ?? ec2.FlowLogTrafficType.ALL,
    });
  }
}

/** What `stack.availabilityZones` answers while its context lookup is pending. */
const LOOKUP_PLACEHOLDER_AZS = ['dummy1a', 'dummy1b', 'dummy1c'];

function defaultAzs(scope: Construct): string[] {
  return Stack.of(scope).availabilityZones.slice(0, DEFAULT_AZ_COUNT);
}

/**
 * Simulate the aligned, in-order allocation ec2.Vpc performs (public, private, isolated,
 * one subnet per AZ each) and return the addresses it would need.
 */
function addressesNeeded(azCount: number, masks: Required<SubnetMasks>): number {
  let next = 0;
  for (const mask of [masks.public, masks.private, masks.isolated]) {
    const size = 2 ** (32 - mask);
    for (let i = 0; i < azCount; i++) {
      next = Math.ceil(next / size) * size + size;
    }
  }
  return next;
}

function validate(
  scope: Construct,
  props: MultiAzVpcProps,
  azs: string[],
  cidr: string,
  masks: Required<SubnetMasks>,
  natGateways: number,
): void {
  const v = new Validator(scope);
  const region = Stack.of(scope).region;
  const azsKnown = !azs.some((az) => Token.isUnresolved(az));

  if (!props.availabilityZones && !azsKnown) {
    v.add({
      code: 'VPC_AZS_UNKNOWN',
      prop: 'availabilityZones',
      value: 'environment-agnostic stack',
      message: 'the stack has no Region, so its AZ names are unknown and only 2 can be addressed',
      fix: "pass availabilityZones: ['<region>a', '<region>b', '<region>c'] or give the stack an env",
    });
  } else if (azsKnown) {
    v.check(azs.length < 2, {
      code: 'VPC_TOO_FEW_AZS',
      prop: 'availabilityZones',
      value: azs,
      message: 'a multi-AZ VPC needs at least 2 Availability Zones',
      fix: 'list 3 AZs of the Region, e.g. us-east-1a, us-east-1b, us-east-1c',
    });
    v.check(new Set(azs).size !== azs.length, {
      code: 'VPC_DUPLICATE_AZ',
      prop: 'availabilityZones',
      value: azs,
      message: 'an AZ is listed twice, so the VPC spans fewer AZs than it claims',
      fix: 'list each AZ once',
    });
    // A first synth pass before the CLI's lookup answers with placeholders (dummy1a, ...);
    // the CLI fills the context and synthesizes again, so only real names are checked.
    if (!Token.isUnresolved(region) && !(props.availabilityZones === undefined && azs.every((az) => LOOKUP_PLACEHOLDER_AZS.includes(az)))) {
      const foreign = azs.filter((az) => !az.startsWith(region));
      v.check(foreign.length > 0, {
        code: 'VPC_AZ_NOT_IN_REGION',
        prop: 'availabilityZones',
        value: foreign,
        message: `these AZs are not in the stack's Region ${region}`,
        fix: `use AZ names that start with ${region}`,
      });
    }
  }

  let parsed: Ipv4Cidr | undefined;
  if (!Token.isUnresolved(cidr)) {
    parsed = parseCidr(cidr);
    if (
      v.check(parsed === undefined, {
        code: 'VPC_INVALID_CIDR',
        prop: 'cidr',
        value: cidr,
        message: 'is not an IPv4 CIDR block with its host bits zero',
        fix: "use a block like '10.0.0.0/16'",
      })
    ) {
      v.check(parsed!.prefix < 16 || parsed!.prefix > 24, {
        code: 'VPC_CIDR_SIZE',
        prop: 'cidr',
        value: cidr,
        message: 'a VPC CIDR must be between /16 (the largest AWS allows) and /24 (the smallest that fits three subnet tiers in 3 AZs)',
        fix: 'use a prefix length between /16 and /24',
      });
    }
  }

  for (const [tier, mask] of Object.entries(masks) as [keyof SubnetMasks, number][]) {
    const max = tier === 'public' ? 27 : 28;
    v.integer(`subnetMasks.${tier}`, mask, {
      code: 'VPC_SUBNET_MASK',
      min: 16,
      max,
      fix:
        tier === 'public'
          ? 'use a public mask between 16 and 27: an ALB needs at least a /27 with 8 free addresses per subnet'
          : `use a ${tier} mask between 16 and 28 (AWS's smallest subnet is a /28)`,
    });
  }

  if (parsed && azsKnown && azs.length >= 2 && Object.values(masks).every((m) => Number.isInteger(m))) {
    const needed = addressesNeeded(azs.length, masks);
    v.check(needed > parsed.size, {
      code: 'VPC_CIDR_TOO_SMALL',
      prop: 'cidr',
      value: cidr,
      message: `${azs.length} AZs x (public /${masks.public} + private /${masks.private} + isolated /${masks.isolated}) need ${needed} addresses, the block has ${parsed.size}`,
      fix: 'use a larger VPC CIDR (smaller prefix length) or larger subnetMasks numbers (smaller subnets)',
    });
  }

  for (const [i, other] of (props.mustNotOverlap ?? []).entries()) {
    if (Token.isUnresolved(other)) continue;
    const o = parseCidr(other);
    if (
      v.check(o === undefined, {
        code: 'VPC_INVALID_CIDR',
        prop: `mustNotOverlap[${i}]`,
        value: other,
        message: 'is not an IPv4 CIDR block with its host bits zero',
        fix: "use a block like '10.1.0.0/16'",
      }) &&
      parsed
    ) {
      v.check(cidrsOverlap(parsed, o!), {
        code: 'VPC_CIDR_OVERLAP',
        prop: 'cidr',
        value: cidr,
        message: `overlaps ${other}, which this VPC must not overlap (peering, Transit Gateway or the other Region's VPC)`,
        fix: 'choose a VPC CIDR disjoint from every block in mustNotOverlap',
      });
    }
  }

  if (azsKnown) {
    v.integer('natGateways', natGateways, {
      code: 'VPC_NAT_GATEWAYS',
      min: 1,
      max: Math.max(azs.length, 1),
      fix: `use between 1 and ${azs.length} NAT gateways; ${azs.length} (one per AZ) survives an AZ loss`,
    });
  }

  v.throwIfAny();
}
