import { CfnResource } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { literalBool, NagMessageLevel, NagRuleCompliance, ResilienceRule, resolved } from './rule';

/** RES-RDS1: An RDS DB instance is not Multi-AZ. */
export const RULE_RDS1: ResilienceRule = {
  id: 'RDS1',
  info: 'An RDS DB instance is not Multi-AZ.',
  explanation:
    'A single-AZ DB instance is lost with its AZ, and its host failure means a restore. Set multiAz: true (a synchronous standby in another AZ; failover 60-120 s), or use a Multi-AZ DB cluster or Aurora.',
  level: NagMessageLevel.ERROR,
  check(node: CfnResource): NagRuleCompliance {
    if (!(node instanceof rds.CfnDBInstance)) return NagRuleCompliance.NOT_APPLICABLE;
    // Aurora instances and read replicas take their availability from their cluster or source.
    const engine = String(resolved(node, node.engine) ?? '');
    if (node.dbClusterIdentifier !== undefined || engine.startsWith('aurora') || node.sourceDbInstanceIdentifier !== undefined) return NagRuleCompliance.NOT_APPLICABLE;
    return literalBool(node, node.multiAz) === true ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
