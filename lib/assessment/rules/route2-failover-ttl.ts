import { CfnResource } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { literalNumber, NagMessageLevel, NagRuleCompliance, ResilienceRule } from './rule';

/** RES-ROUTE2: A failover, latency or weighted record has a TTL over 300 s. */
export const RULE_ROUTE2: ResilienceRule = {
  id: 'ROUTE2',
  info: 'A failover, latency or weighted record has a TTL over 300 s.',
  explanation:
    'Resolvers keep a failed answer for the TTL: the TTL adds directly to the RTO. Use 60 s or less on records that move traffic.',
  level: NagMessageLevel.WARN,
  check(node: CfnResource): NagRuleCompliance {
    if (!(node instanceof route53.CfnRecordSet)) return NagRuleCompliance.NOT_APPLICABLE;
    if (node.setIdentifier === undefined || node.ttl === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    const ttl = literalNumber(node, node.ttl);
    return ttl === undefined || ttl <= 300 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
