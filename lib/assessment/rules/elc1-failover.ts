import { CfnResource } from 'aws-cdk-lib';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import { literalBool, NagMessageLevel, NagRuleCompliance, ResilienceRule } from './rule';

/** RES-ELC1: An ElastiCache replication group has no automatic failover or is not Multi-AZ. */
export const RULE_ELC1: ResilienceRule = {
  id: 'ELC1',
  info: 'An ElastiCache replication group has no automatic failover or is not Multi-AZ.',
  explanation:
    'Without both, the loss of the primary node or its AZ is an outage of the cache until an operator acts. Set automaticFailoverEnabled and multiAzEnabled, with a replica in another AZ.',
  level: NagMessageLevel.ERROR,
  check(node: CfnResource): NagRuleCompliance {
    if (!(node instanceof elasticache.CfnReplicationGroup)) return NagRuleCompliance.NOT_APPLICABLE;
    const ok = literalBool(node, node.automaticFailoverEnabled) === true && literalBool(node, node.multiAzEnabled) === true;
    return ok ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
