import { CfnResource } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagMessageLevel, NagRuleCompliance, ResilienceRule, resolved } from './rule';

/** RES-S3-1: An S3 bucket has no versioning. */
export const RULE_S3_1: ResilienceRule = {
  id: 'S3-1',
  info: 'An S3 bucket has no versioning.',
  explanation:
    'Without versioning, an overwrite or delete loses the object, and cross-Region replication cannot be enabled. Set versioned: true. Buckets that hold no data of their own (for example log buckets) can acknowledge this.',
  level: NagMessageLevel.WARN,
  check(node: CfnResource): NagRuleCompliance {
    if (!(node instanceof s3.CfnBucket)) return NagRuleCompliance.NOT_APPLICABLE;
    const v = resolved(node, node.versioningConfiguration) as { status?: string; Status?: string } | undefined;
    return (v?.status ?? v?.Status) === 'Enabled' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
