import { randomBytes } from 'crypto';
import { APIGatewayClient, CreateApiKeyCommand, CreateUsagePlanKeyCommand, GetApiKeysCommand, GetUsagePlanKeysCommand } from '@aws-sdk/client-api-gateway';
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

/** What an operator sends. */
export interface OnboardRequest {
  readonly tenantId: string;
  readonly tier: string;
}

/** What the function answers. */
export type OnboardResponse =
  | { readonly accepted: true; readonly tenantId: string; readonly tier: string; readonly created: boolean; readonly secretName: string; readonly apiKeyIds: Record<string, string>; readonly failedRegions: Record<string, string> }
  | { readonly accepted: false; readonly error: { readonly code: string; readonly message: string } };

interface Env {
  readonly apiName: string;
  readonly table: string;
  readonly regions: string[];
  readonly tiers: string[];
  readonly plansParameter: string;
}

function env(): Env {
  return {
    apiName: process.env.API_NAME!,
    table: process.env.REGISTRY_TABLE!,
    regions: JSON.parse(process.env.REGIONS ?? '[]') as string[],
    tiers: JSON.parse(process.env.TIERS ?? '[]') as string[],
    plansParameter: process.env.PLANS_PARAMETER!,
  };
}

const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const THROTTLED = ['TooManyRequestsException', 'ThrottlingException', 'Throttling', 'LimitExceededException'];

/** Sleep hook (replaced in tests). */
export const timing = { sleep: (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms)), random: Math.random };

/**
 * Retry an API Gateway control-plane call while it is throttled (CreateApiKey allows about
 * 5 requests per second per account): exponential backoff with full jitter, up to 8 tries.
 */
export async function withBackoff<T>(call: () => Promise<T>, attempts = 8): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await call();
    } catch (e) {
      if (!THROTTLED.includes((e as Error).name) || i + 1 >= attempts) throw e;
      await timing.sleep(timing.random() * Math.min(20_000, 250 * 2 ** i));
    }
  }
}

/**
 * Onboard a tenant at run time, idempotently on its id: registry entry (DynamoDB global
 * table), key secret (replicated to the other Regions), and in every Region an API key
 * with that value on the tier's shared usage plan. Invalid requests change nothing; a
 * tenant that exists under another tier is refused; a re-run repairs what is missing.
 */
export async function handler(event: unknown): Promise<OnboardResponse> {
  const e = env();
  const problem = validate(event, e);
  if (problem) return { accepted: false, error: { code: 'InvalidRequest', message: problem } };
  const { tenantId, tier } = event as OnboardRequest;
  const here = process.env.AWS_REGION ?? e.regions[0];
  const ddb = new DynamoDBClient({ region: here });
  const secretName = `tenant-api/${e.apiName}/${tenantId}`;

  const existing = (await ddb.send(new GetItemCommand({ TableName: e.table, Key: { tenantId: { S: tenantId } }, ConsistentRead: true }))).Item;
  if (existing && existing.tier?.S !== tier) {
    return { accepted: false, error: { code: 'TenantExists', message: `tenant ${tenantId} exists in tier ${existing.tier?.S}; changing tiers is not onboarding` } };
  }
  let created = false;
  if (!existing) {
    try {
      await ddb.send(
        new PutItemCommand({
          TableName: e.table,
          Item: { tenantId: { S: tenantId }, tier: { S: tier }, status: { S: 'provisioning' }, secretName: { S: secretName } },
          ConditionExpression: 'attribute_not_exists(tenantId)',
        }),
      );
      created = true;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException) && (err as Error).name !== 'ConditionalCheckFailedException') throw err;
      // A concurrent request for the same tenant won the race: continue idempotently.
    }
  }

  const key = await ensureSecret(here, secretName, tenantId, e.regions.filter((r) => r !== here));
  const apiKeyIds: Record<string, string> = {};
  const failedRegions: Record<string, string> = {};
  for (const region of e.regions) {
    try {
      apiKeyIds[region] = await ensureKey(region, e, tenantId, tier, key);
    } catch (err) {
      failedRegions[region] = `${(err as Error).name}: ${(err as Error).message}`;
    }
  }
  await ddb.send(
    new UpdateItemCommand({
      TableName: e.table,
      Key: { tenantId: { S: tenantId } },
      UpdateExpression: 'SET #s = :s, apiKeyIds = :k',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': { S: Object.keys(failedRegions).length === 0 ? 'active' : 'partial' }, ':k': { S: JSON.stringify(apiKeyIds) } },
    }),
  );
  return { accepted: true, tenantId, tier, created, secretName, apiKeyIds, failedRegions };
}

function validate(event: unknown, e: Env): string | undefined {
  if (typeof event !== 'object' || event === null) return 'the request must be a JSON object { tenantId, tier }';
  const r = event as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof r.tenantId !== 'string' || !TENANT_ID.test(r.tenantId)) problems.push(`tenantId: must be 1-64 letters, digits, hyphens or underscores (got: ${JSON.stringify(r.tenantId)})`);
  if (typeof r.tier !== 'string' || !e.tiers.includes(r.tier)) problems.push(`tier: must be one of ${e.tiers.join(', ')} (got: ${JSON.stringify(r.tier)})`);
  const extra = Object.keys(r).filter((k) => !['tenantId', 'tier'].includes(k));
  if (extra.includes('key') || extra.includes('apiKey') || extra.includes('keyValue')) problems.push('key values are generated, never accepted');
  return problems.length > 0 ? problems.join('; ') : undefined;
}

async function ensureSecret(region: string, name: string, tenantId: string, replicaRegions: string[]): Promise<string> {
  const sm = new SecretsManagerClient({ region });
  try {
    const value = await sm.send(new GetSecretValueCommand({ SecretId: name }));
    return (JSON.parse(value.SecretString ?? '{}') as { key: string }).key;
  } catch (err) {
    if ((err as Error).name !== 'ResourceNotFoundException') throw err;
  }
  const key = randomBytes(30).toString('base64url');
  try {
    await sm.send(
      new CreateSecretCommand({
        Name: name,
        Description: `API key of tenant ${tenantId}`,
        SecretString: JSON.stringify({ tenantId, key }),
        AddReplicaRegions: replicaRegions.map((Region) => ({ Region })),
      }),
    );
    return key;
  } catch (err) {
    if ((err as Error).name !== 'ResourceExistsException') throw err;
    const value = await sm.send(new GetSecretValueCommand({ SecretId: name }));
    return (JSON.parse(value.SecretString ?? '{}') as { key: string }).key;
  }
}

async function ensureKey(region: string, e: Env, tenantId: string, tier: string, value: string): Promise<string> {
  const plans = JSON.parse((await new SSMClient({ region }).send(new GetParameterCommand({ Name: e.plansParameter }))).Parameter?.Value ?? '{}') as Record<string, string>;
  const planId = plans[tier];
  if (!planId) throw Object.assign(new Error(`no usage plan for tier ${tier} in ${region}`), { name: 'TierPlanMissing' });
  const apigw = new APIGatewayClient({ region, maxAttempts: 1 });
  const name = `${e.apiName}-${tenantId}`;
  const found = (await withBackoff(() => apigw.send(new GetApiKeysCommand({ nameQuery: name, includeValues: false })))).items?.find((k) => k.name === name);
  const keyId =
    found?.id ??
    (await withBackoff(() => apigw.send(new CreateApiKeyCommand({ name, value, enabled: true, description: `Tenant ${tenantId}, tier ${tier}`, tags: { tenantId, tier } })))).id!;
  const linked = (await withBackoff(() => apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: planId, nameQuery: name })))).items?.some((k) => k.id === keyId);
  if (!linked) await withBackoff(() => apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: planId, keyId, keyType: 'API_KEY' })));
  return keyId;
}
