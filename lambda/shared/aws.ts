import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53RecoveryClusterClient } from '@aws-sdk/client-route53-recovery-cluster';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';

/**
 * SDK clients, one per Region and call. The SDK's standard retry (exponential backoff
 * with full jitter on throttling and 5xx) absorbs short blips; longer storms surface as
 * errors that the state machine retries with full-jitter backoff.
 */
const maxAttempts = (): number => Number(process.env.AWS_MAX_ATTEMPTS ?? 3);

export const rds = (region: string): RDSClient => new RDSClient({ region, maxAttempts: maxAttempts() });
export const autoscaling = (region: string): AutoScalingClient => new AutoScalingClient({ region, maxAttempts: maxAttempts() });
export const elbv2 = (region: string): ElasticLoadBalancingV2Client => new ElasticLoadBalancingV2Client({ region, maxAttempts: maxAttempts() });
export const cloudwatch = (region: string): CloudWatchClient => new CloudWatchClient({ region, maxAttempts: maxAttempts() });
export const sns = (region: string): SNSClient => new SNSClient({ region, maxAttempts: maxAttempts() });
export const ssm = (region: string): SSMClient => new SSMClient({ region, maxAttempts: maxAttempts() });
export const sfn = (region: string): SFNClient => new SFNClient({ region, maxAttempts: maxAttempts() });
/** ARC data plane: one client per cluster endpoint. */
export const arcCluster = (region: string, endpoint: string): Route53RecoveryClusterClient =>
  new Route53RecoveryClusterClient({ region, endpoint, maxAttempts: 1 });

/** A bounded call: resolves to the value, or to an Error when the call fails or times out. */
export async function bounded<T>(ms: number, call: (signal: AbortSignal) => Promise<T>): Promise<T | Error> {
  try {
    return await call(AbortSignal.timeout(ms));
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}
