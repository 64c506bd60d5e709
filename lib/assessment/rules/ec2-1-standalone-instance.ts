import { CfnResource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NagMessageLevel, NagRuleCompliance, ResilienceRule } from './rule';

/** RES-EC2-1: An EC2 instance runs outside an Auto Scaling group. */
export const RULE_EC2_1: ResilienceRule = {
  id: 'EC2-1',
  info: 'An EC2 instance runs outside an Auto Scaling group.',
  explanation:
    'A standalone instance is a single point of failure: nothing replaces it when it or its AZ fails. Run it in an Auto Scaling group (at least a group of one, better N+1 across AZs).',
  level: NagMessageLevel.WARN,
  check(node: CfnResource): NagRuleCompliance {
    return node instanceof ec2.CfnInstance ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
  },
};
