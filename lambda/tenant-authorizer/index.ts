import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CLIENT_TIMEOUTS } from '../shared/aws';
import { recordOf, verifyCredential, versionValid } from '../shared/tenant';

/** The parts of an API Gateway REQUEST authorizer event this function reads. */
export interface AuthorizerEvent {
  readonly type?: string;
  readonly methodArn: string;
  readonly headers?: Record<string, string | undefined> | null;
}

/** A REQUEST authorizer's answer (an IAM policy, a context and the usage-plan key). */
export interface AuthorizerResult {
  readonly principalId: string;
  readonly policyDocument: { Version: '2012-10-17'; Statement: { Action: 'execute-api:Invoke'; Effect: 'Allow' | 'Deny'; Resource: string }[] };
  readonly context: Record<string, string | number>;
  readonly usageIdentifierKey?: string;
}

/** Seconds a secret read is reused by a warm function (the signing key, tenants' plan keys). */
const SECRET_TTL_MS = 300_000;

/** Clock hook (replaced in tests). */
export const clock = { now: (): number => Date.now() };

const region = (): string => process.env.AWS_REGION ?? 'us-east-1';
let ddb: DynamoDBClient | undefined;
let sm: SecretsManagerClient | undefined;
const secretCache = new Map<string, { value: Record<string, string>; until: number }>();

/** Forget cached clients and secrets (tests). */
export function reset(): void {
  ddb = undefined;
  sm = undefined;
  secretCache.clear();
}

async function secretJson(name: string): Promise<Record<string, string>> {
  const hit = secretCache.get(name);
  if (hit && hit.until > clock.now()) return hit.value;
  sm ??= new SecretsManagerClient({ region: region(), requestHandler: CLIENT_TIMEOUTS });
  const out = await sm.send(new GetSecretValueCommand({ SecretId: name }));
  const value = JSON.parse(out.SecretString ?? '{}') as Record<string, string>;
  secretCache.set(name, { value, until: clock.now() + SECRET_TTL_MS });
  return value;
}

/** API Gateway answers 401 to a request whose authorizer throws exactly this. */
const unauthorized = (): Error => new Error('Unauthorized');

/**
 * Who is calling: the tenant whose credential (`Authorization: Bearer cr1.<tenant>.<version>.<mac>`)
 * verifies under the API's signing secret and whose registry entry is active at that version.
 * The answer carries the tenant id and tier (the integration and the access logs read them as
 * `$context.authorizer.tenantId`) and the tenant's usage-plan key, so clients never hold one.
 * No credential, a malformed one or a forged one: 401. A revoked, offboarded or retired version:
 * 403 (a Deny). The policy covers the whole stage, because API Gateway caches the answer per
 * credential for the authorizer's TTL and reuses it for every route.
 */
export async function handler(event: AuthorizerEvent): Promise<AuthorizerResult> {
  const apiName = process.env.API_NAME!;
  const header = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  const match = /^Bearer ([A-Za-z0-9._-]{1,200})$/.exec(header ?? '');
  if (!match) throw unauthorized();
  const signingKey = (await secretJson(process.env.SIGNING_SECRET!)).key;
  const proven = signingKey ? verifyCredential(signingKey, apiName, match[1]) : undefined;
  if (!proven) throw unauthorized();

  const [arnPrefix, apiPath] = splitMethodArn(event.methodArn);
  const stageArn = `${arnPrefix}:${apiPath}/*`;
  ddb ??= new DynamoDBClient({ region: region(), requestHandler: CLIENT_TIMEOUTS });
  const record = recordOf((await ddb.send(new GetItemCommand({ TableName: process.env.REGISTRY_TABLE!, Key: { tenantId: { S: proven.tenantId } }, ConsistentRead: true }))).Item);
  // A valid MAC with no entry, or with a version newer than this replica knows: the tenant was
  // onboarded or rotated in the other Region and the replica is behind (records are never
  // deleted). A Deny would be cached for the credential; an error is not.
  if (!record || proven.version > record.credentialVersion) throw new Error(`the registry here does not know credential version ${proven.version} of ${proven.tenantId} yet`);
  if (!versionValid(record, proven.version, Math.floor(clock.now() / 1000))) {
    return { principalId: proven.tenantId, policyDocument: policy('Deny', stageArn), context: { tenantId: proven.tenantId, reason: `credential version ${proven.version} is not valid (${record.status})` } };
  }
  const usageKey = (await secretJson(`${process.env.KEY_SECRET_PREFIX!}${proven.tenantId}`)).key;
  if (!usageKey) throw new Error(`the key secret of tenant ${proven.tenantId} holds no key`);
  return {
    principalId: proven.tenantId,
    policyDocument: policy('Allow', stageArn),
    context: { tenantId: proven.tenantId, tier: record.tier, credentialVersion: proven.version },
    usageIdentifierKey: usageKey,
  };
}

/** `arn:aws:execute-api:r:a:api/stage/GET/path` -> [`arn:aws:execute-api:r:a`, `api/stage`]. */
function splitMethodArn(arn: string): [string, string] {
  const parts = arn.split(':');
  const [api, stage] = (parts[5] ?? '').split('/');
  return [parts.slice(0, 5).join(':'), `${api}/${stage}`];
}

function policy(effect: 'Allow' | 'Deny', resource: string): AuthorizerResult['policyDocument'] {
  return { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] };
}
