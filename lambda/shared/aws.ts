import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53RecoveryClusterClient } from '@aws-sdk/client-route53-recovery-cluster';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { PERMISSION_DENIED, PERMISSION_ERRORS } from '../../protocol';

/**
 * SDK clients, one per Region and call. The SDK's standard retry (exponential backoff
 * with full jitter on throttling and 5xx) absorbs short blips; longer storms surface as
 * errors that the state machine retries with full-jitter backoff.
 *
 * Every client bounds a connection at 3 s and a request at 10 s (`TimeoutError`), so a
 * black-holed endpoint costs a step seconds, not its whole Lambda timeout: with 3 attempts
 * a call gives up within about 40 s, inside the functions' 60 s.
 */
const maxAttempts = (): number => Number(process.env.AWS_MAX_ATTEMPTS ?? 3);

/** Connection and request bounds of every client, in ms. */
export const CLIENT_TIMEOUTS = { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true } as const;

const options = (region: string): { region: string; maxAttempts: number; requestHandler: typeof CLIENT_TIMEOUTS } => ({ region, maxAttempts: maxAttempts(), requestHandler: CLIENT_TIMEOUTS });

export const rds = (region: string): RDSClient => new RDSClient(options(region));
export const autoscaling = (region: string): AutoScalingClient => new AutoScalingClient(options(region));
export const elbv2 = (region: string): ElasticLoadBalancingV2Client => new ElasticLoadBalancingV2Client(options(region));
export const cloudwatch = (region: string): CloudWatchClient => new CloudWatchClient(options(region));
export const dynamodb = (region: string): DynamoDBClient => new DynamoDBClient(options(region));
export const sns = (region: string): SNSClient => new SNSClient(options(region));
export const ssm = (region: string): SSMClient => new SSMClient(options(region));
export const sfn = (region: string): SFNClient => new SFNClient(options(region));
/** ARC data plane: one client per cluster endpoint, one attempt (the caller tries the next endpoint). */
export const arcCluster = (region: string, endpoint: string): Route53RecoveryClusterClient =>
  new Route53RecoveryClusterClient({ region, endpoint, maxAttempts: 1, requestHandler: CLIENT_TIMEOUTS });

/** Whether an error says the caller may not make the call (IAM), which no retry fixes. */
export function isPermissionError(e: unknown): boolean {
  return e instanceof Error && (PERMISSION_ERRORS.includes(e.name) || e.name === PERMISSION_DENIED);
}

/** A permission problem, named so the state machine never retries it. */
export function permissionDenied(what: string, region: string, cause: Error): Error {
  const e = new Error(`the runbook's role may not ${what} in ${region} (${cause.name}: ${cause.message}); this is a deployment problem: check the function's IAM policy`);
  e.name = PERMISSION_DENIED;
  return e;
}

/**
 * A bounded call: resolves to the value, or to an Error when the call fails or times out.
 * A permission error is thrown instead: "did not answer" would hide a deployment problem.
 */
export async function bounded<T>(ms: number, call: (signal: AbortSignal) => Promise<T>, what = 'make this call', region = 'its Region'): Promise<T | Error> {
  try {
    return await call(AbortSignal.timeout(ms));
  } catch (e) {
    if (isPermissionError(e)) throw permissionDenied(what, region, e as Error);
    return e instanceof Error ? e : new Error(String(e));
  }
}
