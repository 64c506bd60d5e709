import { CfnResource } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { NagMessageLevel, NagRuleCompliance, refersTo, ResilienceRule, resolved, siblings } from './rule';

/** RES-RDS2: An Aurora cluster has fewer than 2 instances. */
export const RULE_RDS2: ResilienceRule = {
  id: 'RDS2',
  info: 'An Aurora cluster has fewer than 2 instances.',
  explanation:
    'With one instance, an instance or AZ failure leaves Aurora to create a new writer (about 10 minutes) instead of promoting a reader (about 30 s). Add a reader in another AZ. A headless secondary of a global database is exempt (it has no instance on purpose).',
  level: NagMessageLevel.ERROR,
  check(node: CfnResource): NagRuleCompliance {
    if (!(node instanceof rds.CfnDBCluster)) return NagRuleCompliance.NOT_APPLICABLE;
    const engine = String(resolved(node, node.engine) ?? '');
    if (!engine.startsWith('aurora') || resolved(node, node.engineMode) === 'serverless') return NagRuleCompliance.NOT_APPLICABLE;
    const instances = siblings(node, 'AWS::RDS::DBInstance').filter((i) => refersTo(resolved(i, (i as rds.CfnDBInstance).dbClusterIdentifier), node));
    // A headless global secondary: no instance at all, joined to a global cluster.
    if (instances.length === 0 && node.globalClusterIdentifier !== undefined) return NagRuleCompliance.NOT_APPLICABLE;
    return instances.length >= 2 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
