import { CfnResource } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import { NagMessageLevel, NagRuleCompliance, ResilienceRule, resolved } from './rule';

/** RES-ASG2: An Auto Scaling group behind a load balancer uses EC2 health checks only. */
export const RULE_ASG2: ResilienceRule = {
  id: 'ASG2',
  info: 'An Auto Scaling group behind a load balancer uses EC2 health checks only.',
  explanation:
    'With EC2 checks, an instance whose application is broken but whose VM runs is never replaced. Set healthCheck: HealthCheck.elb({ grace }) (HealthCheckType ELB).',
  level: NagMessageLevel.ERROR,
  check(node: CfnResource): NagRuleCompliance {
    if (!(node instanceof autoscaling.CfnAutoScalingGroup)) return NagRuleCompliance.NOT_APPLICABLE;
    const behindLb = node.targetGroupArns !== undefined || node.loadBalancerNames !== undefined;
    if (!behindLb) return NagRuleCompliance.NOT_APPLICABLE;
    return resolved(node, node.healthCheckType) === 'ELB' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
