import { CfnResource } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { NagMessageLevel, NagRuleCompliance, ResilienceRule, resolved } from './rule';

/** RES-ROUTE1: A failover PRIMARY record has no health check. */
export const RULE_ROUTE1: ResilienceRule = {
  id: 'ROUTE1',
  info: 'A failover PRIMARY record has no health check.',
  explanation:
    'Without a health check (or an alias that evaluates target health), Route 53 never fails over: the record always answers PRIMARY. Give the record a health check.',
  level: NagMessageLevel.ERROR,
  check(node: CfnResource): NagRuleCompliance {
    if (!(node instanceof route53.CfnRecordSet)) return NagRuleCompliance.NOT_APPLICABLE;
    if (resolved(node, node.failover) !== 'PRIMARY') return NagRuleCompliance.NOT_APPLICABLE;
    if (node.healthCheckId !== undefined) return NagRuleCompliance.COMPLIANT;
    const alias = resolved(node, node.aliasTarget) as { evaluateTargetHealth?: boolean; EvaluateTargetHealth?: boolean } | undefined;
    return alias?.evaluateTargetHealth === true || alias?.EvaluateTargetHealth === true ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
