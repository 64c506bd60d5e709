import { CfnResource } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { NagMessageLevel, NagRuleCompliance, ResilienceRule, resolved } from './rule';

/** RES-DDB1: A DynamoDB table has no point-in-time recovery. */
export const RULE_DDB1: ResilienceRule = {
  id: 'DDB1',
  info: 'A DynamoDB table has no point-in-time recovery.',
  explanation:
    'Without PITR, a bad write or delete can only be undone from an on-demand backup, if one exists. Enable point-in-time recovery (35 days).',
  level: NagMessageLevel.ERROR,
  check(node: CfnResource): NagRuleCompliance {
    type Pitr = { pointInTimeRecoveryEnabled?: unknown; PointInTimeRecoveryEnabled?: unknown } | undefined;
    const on = (p: Pitr): boolean => (p?.pointInTimeRecoveryEnabled ?? p?.PointInTimeRecoveryEnabled) === true;
    if (node instanceof dynamodb.CfnTable) return on(resolved(node, node.pointInTimeRecoverySpecification) as Pitr) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
    if (node instanceof dynamodb.CfnGlobalTable) {
      const replicas = (resolved(node, node.replicas) as { pointInTimeRecoverySpecification?: Pitr; PointInTimeRecoverySpecification?: Pitr }[] | undefined) ?? [];
      return replicas.length > 0 && replicas.every((r) => on(r.pointInTimeRecoverySpecification ?? r.PointInTimeRecoverySpecification)) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
    }
    return NagRuleCompliance.NOT_APPLICABLE;
  },
};
