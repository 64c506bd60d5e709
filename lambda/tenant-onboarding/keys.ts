import { randomBytes } from 'crypto';
import {
  APIGatewayClient,
  ApiKey,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeyCommand,
  GetApiKeysCommand,
  GetUsagePlanKeysCommand,
  UpdateApiKeyCommand,
} from '@aws-sdk/client-api-gateway';
import { CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, GetSecretValueCommand, RemoveRegionsFromReplicationCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CLIENT_TIMEOUTS } from '../shared/aws';
import { TAG_API, TAG_TENANT } from '../shared/tenant';
import { Env, named, secretNameOf, withBackoff } from './env';

const apigwOf = (region: string): APIGatewayClient => new APIGatewayClient({ region, maxAttempts: 1, requestHandler: CLIENT_TIMEOUTS });
const smOf = (region: string): SecretsManagerClient => new SecretsManagerClient({ region, requestHandler: CLIENT_TIMEOUTS });

/** The API key name of a tenant (a hint for people: keys are recognised by their tags). */
export const keyNameOf = (e: Env, tenantId: string): string => `${e.apiName}-${tenantId}`;

/** Whether an API key carries this API's tags for this tenant. */
const ours = (e: Env, tenantId: string, key: ApiKey | undefined): boolean => key?.tags?.[TAG_API] === e.apiName && key?.tags?.[TAG_TENANT] === tenantId;

/**
 * The tenant's usage-plan key value, from its secret (created, replicated, when absent).
 * A concurrent creation that won is read back.
 */
export async function ensureSecret(e: Env, region: string, tenantId: string): Promise<string> {
  const sm = smOf(region);
  const name = secretNameOf(e, tenantId);
  const read = async (): Promise<string> => {
    const value = await sm.send(new GetSecretValueCommand({ SecretId: name }));
    const parsed = JSON.parse(value.SecretString ?? '{}') as { key?: string; tenantId?: string };
    if (parsed.tenantId !== tenantId || !parsed.key) throw named('KeyConflict', `secret ${name} exists but is not this tenant's key secret (tenantId ${JSON.stringify(parsed.tenantId)}); nothing was adopted`);
    return parsed.key;
  };
  try {
    return await read();
  } catch (err) {
    if ((err as Error).name !== 'ResourceNotFoundException') throw err;
  }
  const key = randomBytes(30).toString('base64url');
  try {
    await sm.send(
      new CreateSecretCommand({
        Name: name,
        Description: `Usage-plan key of tenant ${tenantId} (${e.apiName})`,
        SecretString: JSON.stringify({ tenantId, key }),
        KmsKeyId: e.secretKeys[region],
        AddReplicaRegions: e.regions.filter((r) => r !== region).map((Region) => ({ Region, KmsKeyId: e.secretKeys[Region] })),
        Tags: [
          { Key: TAG_API, Value: e.apiName },
          { Key: TAG_TENANT, Value: tenantId },
        ],
      }),
    );
    return key;
  } catch (err) {
    if ((err as Error).name !== 'ResourceExistsException') throw err;
    return read();
  }
}

/**
 * The tenant's API key in a Region: the one the registry names, or one found by name that
 * carries this API's and this tenant's tags and holds the tenant's value; otherwise a new one.
 * A key with the name but other tags (another API's, another tenant's) is never adopted; a
 * tagged key with another value is a conflict, refused.
 */
export async function findKey(e: Env, region: string, tenantId: string, knownId?: string): Promise<ApiKey | undefined> {
  const apigw = apigwOf(region);
  if (knownId) {
    try {
      const key = await withBackoff(() => apigw.send(new GetApiKeyCommand({ apiKey: knownId, includeValue: true })));
      if (!ours(e, tenantId, key)) throw named('KeyConflict', `API key ${knownId} in ${region} is not tagged as ${e.apiName}'s key of ${tenantId}`);
      return key;
    } catch (err) {
      if ((err as Error).name !== 'NotFoundException') throw err;
    }
  }
  const name = keyNameOf(e, tenantId);
  const listed = (await withBackoff(() => apigw.send(new GetApiKeysCommand({ nameQuery: name, includeValues: false, limit: 500 })))).items ?? [];
  const mine = listed.find((k) => k.name === name && ours(e, tenantId, k));
  if (!mine?.id) return undefined;
  return withBackoff(() => apigw.send(new GetApiKeyCommand({ apiKey: mine.id, includeValue: true })));
}

export async function ensureKey(e: Env, region: string, tenantId: string, tier: string, value: string, knownId?: string): Promise<string> {
  const plans = JSON.parse((await new SSMClient({ region, requestHandler: CLIENT_TIMEOUTS }).send(new GetParameterCommand({ Name: e.plansParameter }))).Parameter?.Value ?? '{}') as Record<string, string>;
  const planId = plans[tier];
  if (!planId) throw named('TierPlanMissing', `no usage plan for tier ${tier} in ${region}`);
  const apigw = apigwOf(region);
  const found = await findKey(e, region, tenantId, knownId);
  if (found && found.value !== value) throw named('KeyConflict', `API key ${found.id} in ${region} is tagged as ${tenantId}'s but holds another value; resolve it by hand (delete it), then onboard again`);
  const keyId =
    found?.id ??
    (
      await withBackoff(() =>
        apigw.send(new CreateApiKeyCommand({ name: keyNameOf(e, tenantId), value, enabled: true, description: `Tenant ${tenantId}, tier ${tier}`, tags: { [TAG_API]: e.apiName, [TAG_TENANT]: tenantId, tier } })),
      )
    ).id!;
  const linked = (await withBackoff(() => apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: planId, nameQuery: keyNameOf(e, tenantId), limit: 500 })))).items?.some((k) => k.id === keyId);
  if (!linked) await withBackoff(() => apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: planId, keyId, keyType: 'API_KEY' })));
  return keyId;
}

/** Turn a tenant's key on or off in a Region (API Gateway refuses a disabled key at once, whatever an authorizer cached). */
export async function setKeyEnabled(e: Env, region: string, tenantId: string, enabled: boolean, knownId?: string): Promise<string | undefined> {
  const key = await findKey(e, region, tenantId, knownId);
  if (!key?.id) return undefined;
  if (key.enabled !== enabled) {
    await withBackoff(() => apigwOf(region).send(new UpdateApiKeyCommand({ apiKey: key.id, patchOperations: [{ op: 'replace', path: '/enabled', value: String(enabled) }] })));
  }
  return key.id;
}

/** Delete a tenant's key (and its plan link) in a Region; what is already gone is fine. */
export async function deleteKey(e: Env, region: string, tenantId: string, tier: string, knownId?: string): Promise<void> {
  const key = await findKey(e, region, tenantId, knownId);
  if (!key?.id) return;
  const apigw = apigwOf(region);
  const plans = JSON.parse((await new SSMClient({ region, requestHandler: CLIENT_TIMEOUTS }).send(new GetParameterCommand({ Name: e.plansParameter }))).Parameter?.Value ?? '{}') as Record<string, string>;
  const gone = (err: unknown): void => {
    if ((err as Error).name !== 'NotFoundException') throw err;
  };
  if (plans[tier]) await withBackoff(() => apigw.send(new DeleteUsagePlanKeyCommand({ usagePlanId: plans[tier], keyId: key.id }))).catch(gone);
  await withBackoff(() => apigw.send(new DeleteApiKeyCommand({ apiKey: key.id }))).catch(gone);
}

/** Schedule a run-time tenant's key secret for deletion (7 days' recovery window), its replicas first. */
export async function deleteSecret(e: Env, here: string, tenantId: string): Promise<void> {
  const name = secretNameOf(e, tenantId);
  // The secret's primary may be another Region's (onboarded there): replicas are removed and
  // the secret deleted in its primary Region.
  let region = here;
  try {
    region = (await smOf(here).send(new DescribeSecretCommand({ SecretId: name }))).PrimaryRegion ?? here;
  } catch (err) {
    if ((err as Error).name === 'ResourceNotFoundException') return;
    throw err;
  }
  const sm = smOf(region);
  const tolerated = (err: unknown): void => {
    // Gone already, or already scheduled for deletion (a re-run).
    if (!['ResourceNotFoundException', 'InvalidRequestException', 'InvalidParameterException'].includes((err as Error).name)) throw err;
  };
  const others = e.regions.filter((r) => r !== region);
  if (others.length > 0) await sm.send(new RemoveRegionsFromReplicationCommand({ SecretId: name, RemoveReplicaRegions: others })).catch(tolerated);
  await sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 })).catch(tolerated);
}
