import { CfnResource } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { literalBool, NagMessageLevel, NagRuleCompliance, ResilienceRule, resolved } from './rule';

/** RES-DDB2: A DynamoDB table has no deletion protection. */
export const RULE_DDB2: ResilienceRule = {
  id: 'DDB2',
  info: 'A DynamoDB table has no deletion protection.',
  explanation:
    'A wrong delete or stack change removes the table and its PITR history. Set deletionProtection: true.',
  level: NagMessageLevel.WARN,
  check(node: CfnResource): NagRuleCompliance {
    if (node instanceof dynamodb.CfnTable) return literalBool(node, node.deletionProtectionEnabled) === true ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
    if (node instanceof dynamodb.CfnGlobalTable) {
      const replicas = (resolved(node, node.replicas) as { deletionProtectionEnabled?: unknown; DeletionProtectionEnabled?: unknown }[] | undefined) ?? [];
      return replicas.length > 0 && replicas.every((r) => (r.deletionProtectionEnabled ?? r.DeletionProtectionEnabled) === true) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
    }
    return NagRuleCompliance.NOT_APPLICABLE;
  },
};
