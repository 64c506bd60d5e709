import { CfnResource } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { NagMessageLevel, NagRuleCompliance, ResilienceRule, resolved } from './rule';

/** RES-APIGW1: An API Gateway usage plan has no throttle. */
export const RULE_APIGW1: ResilienceRule = {
  id: 'APIGW1',
  info: 'An API Gateway usage plan has no throttle.',
  explanation:
    'A plan without rate and burst limits lets one key use the whole account limit and starve the others. Set throttle: { rateLimit, burstLimit }.',
  level: NagMessageLevel.ERROR,
  check(node: CfnResource): NagRuleCompliance {
    if (!(node instanceof apigw.CfnUsagePlan)) return NagRuleCompliance.NOT_APPLICABLE;
    const t = resolved(node, node.throttle) as Record<string, unknown> | undefined;
    const has = t !== undefined && Object.keys(t).some((k) => /ratelimit|burstlimit/i.test(k));
    return has ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
