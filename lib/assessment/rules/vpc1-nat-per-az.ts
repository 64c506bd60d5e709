import { CfnResource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NagMessageLevel, NagRuleCompliance, refersTo, ResilienceRule, resolved, siblings } from './rule';

/** RES-VPC1: A VPC has fewer NAT gateways than AZs. */
export const RULE_VPC1: ResilienceRule = {
  id: 'VPC1',
  info: 'A VPC has fewer NAT gateways than AZs.',
  explanation:
    'Private subnets in an AZ without its own NAT gateway lose egress when the AZ that holds the NAT gateway fails. Use one NAT gateway per AZ (natGateways equal to the number of AZs).',
  level: NagMessageLevel.ERROR,
  check(node: CfnResource): NagRuleCompliance {
    if (!(node instanceof ec2.CfnVPC)) return NagRuleCompliance.NOT_APPLICABLE;
    const subnets = siblings(node, 'AWS::EC2::Subnet').filter((s) => refersTo(resolved(s, (s as ec2.CfnSubnet).vpcId), node)) as ec2.CfnSubnet[];
    const azs = new Set(subnets.map((s) => JSON.stringify(resolved(s, s.availabilityZone))));
    const nats = siblings(node, 'AWS::EC2::NatGateway').filter((n) => subnets.some((s) => refersTo(resolved(n, (n as ec2.CfnNatGateway).subnetId), s)));
    if (nats.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
    return nats.length >= azs.size ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
