import { CfnResource } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NagMessageLevel, NagRuleCompliance, ResilienceRule } from './rule';

/** RES-LAMBDA1: A Lambda function has no explicit timeout. */
export const RULE_LAMBDA1: ResilienceRule = {
  id: 'LAMBDA1',
  info: 'A Lambda function has no explicit timeout.',
  explanation:
    'The default (3 s) is rarely what the function needs, and a function that waits on a slow dependency then fails in bulk. Set timeout to what the work needs, below the timeout of its caller.',
  level: NagMessageLevel.WARN,
  check(node: CfnResource): NagRuleCompliance {
    if (!(node instanceof lambda.CfnFunction)) return NagRuleCompliance.NOT_APPLICABLE;
    return node.timeout !== undefined ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
