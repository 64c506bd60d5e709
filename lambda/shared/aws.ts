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
 * SDK clients, one per Region and configuration, made on first use and kept for the life of
 * the execution environment (AWS's guidance: initialize clients outside the handler, so warm
 * invocations reuse them and their connections). The SDK's standard retry (exponential backoff
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

const clients = new Map<string, unknown>();

/** The client of a kind for a Region (and endpoint), made once. */
function cached<T>(kind: string, region: string, make: () => T, endpoint = ''): T {
  const key = `${kind}|${region}|${endpoint}|${maxAttempts()}`;
  let c = clients.get(key) as T | undefined;
  if (c === undefined) {
    c = make();
    clients.set(key, c);
  }
  return c;
}

export const rds = (region: string): RDSClient => cached('rds', region, () => new RDSClient(options(region)));
export const autoscaling = (region: string): AutoScalingClient => cached('autoscaling', region, () => new AutoScalingClient(options(region)));
export const elbv2 = (region: string): ElasticLoadBalancingV2Client => cached('elbv2', region, () => new ElasticLoadBalancingV2Client(options(region)));
export const cloudwatch = (region: string): CloudWatchClient => cached('cloudwatch', region, () => new CloudWatchClient(options(region)));
export const dynamodb = (region: string): DynamoDBClient => cached('dynamodb', region, () => new DynamoDBClient(options(region)));
export const sns = (region: string): SNSClient => cached('sns', region, () => new SNSClient(options(region)));
export const ssm = (region: string): SSMClient => cached('ssm', region, () => new SSMClient(options(region)));
export const sfn = (region: string): SFNClient => cached('sfn', region, () => new SFNClient(options(region)));
/** ARC data plane: one client per cluster endpoint, one attempt (the caller tries the next endpoint). */
export const arcCluster = (region: string, endpoint: string): Route53RecoveryClusterClient =>
  cached('arc', region, () => new Route53RecoveryClusterClient({ region, endpoint, maxAttempts: 1, requestHandler: CLIENT_TIMEOUTS }), endpoint);

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
    return await withTimeout(ms, call);
  } catch (e) {
    if (isPermissionError(e)) throw permissionDenied(what, region, e as Error);
    return e instanceof Error ? e : new Error(String(e));
  }
}

/**
 * Call with a signal that aborts after `ms` (a TimeoutError, as AbortSignal.timeout gives),
 * and whose timer is cleared as soon as the call ends: AbortSignal.timeout keeps its timer
 * until it fires, so a warm function making many short calls would carry one per call.
 */
export async function withTimeout<T>(ms: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`The operation timed out after ${ms} ms`, 'TimeoutError')), ms);
  timer.unref?.();
  try {
    return await call(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}
