import { CfnResource } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import { literalLength, NagMessageLevel, NagRuleCompliance, ResilienceRule } from './rule';

/** RES-ASG1: An Auto Scaling group spans fewer than 2 AZs. */
export const RULE_ASG1: ResilienceRule = {
  id: 'ASG1',
  info: 'An Auto Scaling group spans fewer than 2 AZs.',
  explanation:
    'A group in one AZ goes down with it. Give the group subnets (vpcSubnets) in at least two AZs, better three.',
  level: NagMessageLevel.ERROR,
  check(node: CfnResource): NagRuleCompliance {
    if (!(node instanceof autoscaling.CfnAutoScalingGroup)) return NagRuleCompliance.NOT_APPLICABLE;
    const n = literalLength(node, node.vpcZoneIdentifier) ?? literalLength(node, node.availabilityZones);
    return n === undefined || n >= 2 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
