import { CfnResource } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagMessageLevel, NagRuleCompliance, refersTo, ResilienceRule, resolved, siblings } from './rule';

/** RES-SQS1: An SQS queue has no dead-letter queue. */
export const RULE_SQS1: ResilienceRule = {
  id: 'SQS1',
  info: 'An SQS queue has no dead-letter queue.',
  explanation:
    'A message that always fails is retried until it expires, blocking or slowing the queue, and then lost. Set deadLetterQueue with a maxReceiveCount.',
  level: NagMessageLevel.ERROR,
  check(node: CfnResource): NagRuleCompliance {
    if (!(node instanceof sqs.CfnQueue)) return NagRuleCompliance.NOT_APPLICABLE;
    if (node.redrivePolicy !== undefined) return NagRuleCompliance.COMPLIANT;
    // A queue that is itself another queue's dead-letter queue needs none.
    const isDlq = siblings(node, 'AWS::SQS::Queue').some((q) => q !== node && refersTo(resolved(q, (q as sqs.CfnQueue).redrivePolicy), node));
    return isDlq ? NagRuleCompliance.NOT_APPLICABLE : NagRuleCompliance.NON_COMPLIANT;
  },
};
