import { CfnResource } from 'aws-cdk-lib';
import * as fis from 'aws-cdk-lib/aws-fis';
import { NagMessageLevel, NagRuleCompliance, ResilienceRule, resolved } from './rule';

/** RES-FIS1: A FIS experiment template has no alarm stop condition. */
export const RULE_FIS1: ResilienceRule = {
  id: 'FIS1',
  info: 'A FIS experiment template has no alarm stop condition.',
  explanation:
    'Nothing halts the experiment if it breaks more than planned. Add a CloudWatch alarm stop condition (for example the 5xx rate of the tier it targets).',
  level: NagMessageLevel.ERROR,
  check(node: CfnResource): NagRuleCompliance {
    if (!(node instanceof fis.CfnExperimentTemplate)) return NagRuleCompliance.NOT_APPLICABLE;
    const stops = resolved(node, node.stopConditions) as { source?: string; Source?: string }[] | undefined;
    const hasAlarm = (stops ?? []).some((s) => (s.source ?? s.Source) === 'aws:cloudwatch:alarm');
    return hasAlarm ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
