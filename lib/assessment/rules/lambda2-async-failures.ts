import { CfnResource } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NagMessageLevel, NagRuleCompliance, refersTo, ResilienceRule, resolved, siblings } from './rule';

/** RES-LAMBDA2: A Lambda function has no dead-letter queue and no async invoke configuration. */
export const RULE_LAMBDA2: ResilienceRule = {
  id: 'LAMBDA2',
  info: 'A Lambda function has no dead-letter queue and no async invoke configuration.',
  explanation:
    'Asynchronous invocations that fail after the two retries are dropped silently. Set deadLetterQueue, or an onFailure destination and retryAttempts (EventInvokeConfig). Functions only invoked synchronously can acknowledge this.',
  level: NagMessageLevel.WARN,
  check(node: CfnResource): NagRuleCompliance {
    if (!(node instanceof lambda.CfnFunction)) return NagRuleCompliance.NOT_APPLICABLE;
    if (node.deadLetterConfig !== undefined) return NagRuleCompliance.COMPLIANT;
    const configs = siblings(node, 'AWS::Lambda::EventInvokeConfig').filter((c) => refersTo(resolved(c, (c as lambda.CfnEventInvokeConfig).functionName), node));
    return configs.length > 0 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
