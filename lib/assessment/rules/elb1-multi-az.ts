import { CfnResource } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { literalLength, NagMessageLevel, NagRuleCompliance, ResilienceRule } from './rule';

/** RES-ELB1: A load balancer spans fewer than 2 AZs. */
export const RULE_ELB1: ResilienceRule = {
  id: 'ELB1',
  info: 'A load balancer spans fewer than 2 AZs.',
  explanation:
    'A load balancer node in one AZ goes down with it. Give it subnets in at least two AZs.',
  level: NagMessageLevel.ERROR,
  check(node: CfnResource): NagRuleCompliance {
    if (!(node instanceof elbv2.CfnLoadBalancer)) return NagRuleCompliance.NOT_APPLICABLE;
    const n = literalLength(node, node.subnets) ?? literalLength(node, node.subnetMappings);
    return n === undefined || n >= 2 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
