import { CfnResource } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { NagMessageLevel, NagRuleCompliance, ResilienceRule, resolved } from './rule';

/** RES-CW1: A CloudWatch alarm notifies nobody. */
export const RULE_CW1: ResilienceRule = {
  id: 'CW1',
  info: 'A CloudWatch alarm notifies nobody.',
  explanation:
    'An alarm without actions changes state in silence. Add an alarm action (an SNS topic that pages), unless the alarm only feeds a composite alarm, a health check or a FIS stop condition.',
  level: NagMessageLevel.WARN,
  check(node: CfnResource): NagRuleCompliance {
    if (!(node instanceof cloudwatch.CfnAlarm)) return NagRuleCompliance.NOT_APPLICABLE;
    const actions = resolved(node, node.alarmActions);
    return Array.isArray(actions) && actions.length > 0 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
