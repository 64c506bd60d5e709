// One rule per file; this list is the pack, and the rule table in docs/assessment.md is generated from it.
import { RULE_RDS1 } from './rds1-multi-az-instance';
import { RULE_RDS2 } from './rds2-aurora-instances';
import { RULE_RDS3 } from './rds3-deletion-protection';
import { RULE_RDS4 } from './rds4-backup-retention';
import { RULE_ASG1 } from './asg1-multi-az';
import { RULE_ASG2 } from './asg2-elb-health-check';
import { RULE_ASG3 } from './asg3-single-instance';
import { RULE_ELB1 } from './elb1-multi-az';
import { RULE_VPC1 } from './vpc1-nat-per-az';
import { RULE_ROUTE1 } from './route1-primary-health-check';
import { RULE_ROUTE2 } from './route2-failover-ttl';
import { RULE_FIS1 } from './fis1-stop-condition';
import { RULE_LAMBDA1 } from './lambda1-timeout';
import { RULE_LAMBDA2 } from './lambda2-async-failures';
import { RULE_SQS1 } from './sqs1-dlq';
import { RULE_DDB1 } from './ddb1-pitr';
import { RULE_DDB2 } from './ddb2-deletion-protection';
import { RULE_S3_1 } from './s3-1-versioning';
import { RULE_SFN1 } from './sfn1-task-retries';
import { RULE_APIGW1 } from './apigw1-usage-plan-throttle';
import { RULE_ELC1 } from './elc1-failover';
import { RULE_CW1 } from './cw1-alarm-actions';
import { RULE_EC2_1 } from './ec2-1-standalone-instance';
import { ResilienceRule } from './rule';

/** Every rule of the ResilienceChecks pack, in report order. */
export const RESILIENCE_RULES: readonly ResilienceRule[] = [
  RULE_RDS1,
  RULE_RDS2,
  RULE_RDS3,
  RULE_RDS4,
  RULE_ASG1,
  RULE_ASG2,
  RULE_ASG3,
  RULE_ELB1,
  RULE_VPC1,
  RULE_ROUTE1,
  RULE_ROUTE2,
  RULE_FIS1,
  RULE_LAMBDA1,
  RULE_LAMBDA2,
  RULE_SQS1,
  RULE_DDB1,
  RULE_DDB2,
  RULE_S3_1,
  RULE_SFN1,
  RULE_APIGW1,
  RULE_ELC1,
  RULE_CW1,
  RULE_EC2_1,
];

export type { ResilienceRule } from './rule';
