import { CfnResource } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import { literalNumber, NagMessageLevel, NagRuleCompliance, ResilienceRule } from './rule';

/** RES-ASG3: An Auto Scaling group may run a single instance (MinSize under 2). */
export const RULE_ASG3: ResilienceRule = {
  id: 'ASG3',
  info: 'An Auto Scaling group may run a single instance (MinSize under 2).',
  explanation:
    'One instance is a single point of failure: its loss is an outage until a replacement boots. Run at least one instance per AZ you rely on (N+1 per AZ for static stability).',
  level: NagMessageLevel.WARN,
  check(node: CfnResource): NagRuleCompliance {
    if (!(node instanceof autoscaling.CfnAutoScalingGroup)) return NagRuleCompliance.NOT_APPLICABLE;
    const min = literalNumber(node, node.minSize);
    return min === undefined || min >= 2 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
