import { CfnResource } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { literalBool, NagMessageLevel, NagRuleCompliance, ResilienceRule } from './rule';

/** RES-RDS3: A database has no deletion protection. */
export const RULE_RDS3: ResilienceRule = {
  id: 'RDS3',
  info: 'A database has no deletion protection.',
  explanation:
    'A stack update, a wrong delete or a compromised principal can delete the database and its automated backups. Set deletionProtection: true on the DB instance or cluster.',
  level: NagMessageLevel.ERROR,
  check(node: CfnResource): NagRuleCompliance {
    if (node instanceof rds.CfnDBCluster) return literalBool(node, node.deletionProtection) === true ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
    if (node instanceof rds.CfnDBInstance) {
      // Instances of a cluster are protected by the cluster.
      if (node.dbClusterIdentifier !== undefined) return NagRuleCompliance.NOT_APPLICABLE;
      return literalBool(node, node.deletionProtection) === true ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
    }
    return NagRuleCompliance.NOT_APPLICABLE;
  },
};
