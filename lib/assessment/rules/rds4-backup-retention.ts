import { CfnResource } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { literalNumber, NagMessageLevel, NagRuleCompliance, ResilienceRule } from './rule';

/** RES-RDS4: A database keeps automated backups for fewer than 7 days. */
export const RULE_RDS4: ResilienceRule = {
  id: 'RDS4',
  info: 'A database keeps automated backups for fewer than 7 days.',
  explanation:
    'Corruption is often found days later; point-in-time restore only reaches back as far as the retention. Set backupRetention to 7 days or more (CloudFormation defaults to 1).',
  level: NagMessageLevel.ERROR,
  check(node: CfnResource): NagRuleCompliance {
    let days: unknown;
    if (node instanceof rds.CfnDBCluster) days = node.backupRetentionPeriod;
    else if (node instanceof rds.CfnDBInstance) {
      if (node.dbClusterIdentifier !== undefined || node.sourceDbInstanceIdentifier !== undefined) return NagRuleCompliance.NOT_APPLICABLE;
      days = node.backupRetentionPeriod;
    } else return NagRuleCompliance.NOT_APPLICABLE;
    if (days === undefined) return NagRuleCompliance.NON_COMPLIANT;
    const n = literalNumber(node, days);
    return n === undefined || n >= 7 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
