import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { CustomResourceEvent, CustomResourceResponse, isCloudFormationResponseUrl, respondToCloudFormation } from '../shared/custom-resource';
import { env, Env, secretNameOf, timing } from './env';
import { APPEND_HISTORY, historyEntry, historyValues, readTenant, registerTenant, updateTenant } from './registry';

/** The custom resource's properties: the deploy-time tenants of this Region's API. */
interface RegistrarProps {
  readonly Tenants?: { readonly id: string; readonly tier: string }[];
  /** This Region's API key id of each deploy-time tenant. */
  readonly ApiKeyIds?: Record<string, string>;
}

/** What CloudFormation sends the registrar. */
export type CloudFormationEvent = CustomResourceEvent<RegistrarProps>;

export const isCloudFormationEvent = (event: unknown): event is CloudFormationEvent =>
  typeof event === 'object' && event !== null && typeof (event as CloudFormationEvent).RequestType === 'string' && typeof (event as CloudFormationEvent).ResponseURL === 'string';

/** How the answer reaches CloudFormation (replaced in tests): a PUT to the pre-signed URL. */
export const respond = {
  put: (url: string, body: string): Promise<void> => respondToCloudFormation(url, JSON.parse(body) as CustomResourceResponse),
};

const BY = 'CloudFormation (deploy-time tenants)';

/**
 * The registrar: keeps the registry's deploy-time tenants equal to the app's. A new one is
 * registered active at credential version 1 and counted against its tier (refused, failing the
 * deploy, when run-time tenants have filled the tier); one that changed tier moves counters; one
 * removed from the app is marked offboarded and uncounted. A tenant onboarded at run time under
 * the same id fails the deploy: its secret would clash with the one CloudFormation creates.
 * Safe to re-run: each step is conditional on the item's state.
 */
export async function register(event: CloudFormationEvent): Promise<void> {
  if (!isCloudFormationResponseUrl(event.ResponseURL)) throw new Error('the ResponseURL is not a CloudFormation (S3) response URL; nothing was done');
  const physicalId = event.PhysicalResourceId ?? `${event.LogicalResourceId}-registry`;
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = '';
  try {
    const e = env();
    const here = process.env.AWS_REGION ?? e.regions[0];
    const now = event.RequestType === 'Delete' ? [] : (event.ResourceProperties.Tenants ?? []);
    const before = event.RequestType === 'Create' ? [] : ((event.RequestType === 'Delete' ? event.ResourceProperties : event.OldResourceProperties)?.Tenants ?? []);
    const keyIds = event.ResourceProperties.ApiKeyIds ?? {};
    // Removed tenants first: their places in a tier are free for the ones that move in.
    for (const gone of before.filter((b) => !now.some((t) => t.id === b.id))) await retire(e, here, gone.id);
    for (const t of now) await registerOne(e, here, t, keyIds[t.id]);
  } catch (err) {
    status = 'FAILED';
    reason = `${(err as Error).name}: ${(err as Error).message}`.slice(0, 1000);
  }
  await respond.put(
    event.ResponseURL,
    JSON.stringify({ Status: status, Reason: reason || 'ok', PhysicalResourceId: physicalId, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId }),
  );
}

async function registerOne(e: Env, here: string, t: { id: string; tier: string }, keyId: string | undefined): Promise<void> {
  const keyIds: Record<string, AttributeValue> = keyId ? { [here]: { S: keyId } } : {};
  const existing = await readTenant(e, here, t.id);
  if (!existing) {
    const outcome = await registerTenant(
      e,
      here,
      {
        tenantId: { S: t.id },
        tier: { S: t.tier },
        status: { S: 'active' },
        source: { S: 'deploy' },
        secretName: { S: secretNameOf(e, t.id) },
        credentialVersion: { N: '1' },
        apiKeyIds: { M: keyIds },
        createdBy: { S: BY },
        history: { L: [historyEntry('declared', BY, `tier ${t.tier}`)] },
      },
      t.tier,
    );
    if (outcome === 'full') throw new Error(`tier ${t.tier} is full (run-time tenants hold its budget of ${e.tiers[t.tier]?.maxTenants}); raise maxTenants or offboard tenants`);
    if (outcome === 'registered') return;
    return registerOne(e, here, t, keyId);
  }
  if (existing.source === 'runtime' && existing.status !== 'offboarded') {
    throw new Error(`tenant ${t.id} was onboarded at run time; declaring it in the app would clash with its key secret. Offboard it first, or leave it out of tenants`);
  }
  const moved = existing.tier !== t.tier;
  const returning = existing.status === 'offboarded';
  if (!moved && !returning) return;
  const counters: { tier: string; delta: 1 | -1 }[] = returning ? [{ tier: t.tier, delta: 1 }] : [{ tier: existing.tier, delta: -1 }, { tier: t.tier, delta: 1 }];
  // A tenant declared again gets a new credential version: what it was issued before its
  // removal stays dead. A tier change keeps the status (a revoked tenant stays revoked).
  const ok = await updateTenant(
    e,
    here,
    t.id,
    {
      expression: returning
        ? `SET tier = :t, #s = :a, #src = :d, apiKeyIds = :k, credentialVersion = credentialVersion + :one, ${APPEND_HISTORY} REMOVE previousVersion, previousUntil`
        : `SET tier = :t, #src = :d, apiKeyIds = :k, ${APPEND_HISTORY}`,
      condition: 'tier = :old AND #s = :was',
      names: { '#s': 'status', '#src': 'source' },
      values: {
        ':t': { S: t.tier },
        ...(returning ? { ':a': { S: 'active' }, ':one': { N: '1' } } : {}),
        ':d': { S: 'deploy' },
        ':k': { M: keyIds },
        ':old': { S: existing.tier },
        ':was': { S: existing.status },
        ...historyValues(historyEntry(returning ? 'declared again' : 'tier changed', BY, returning ? `tier ${t.tier}, credential version ${existing.credentialVersion + 1}` : `${existing.tier} -> ${t.tier}`)),
      },
    },
    counters,
  );
  if (!ok) return registerOne(e, here, t, keyId);
}

async function retire(e: Env, here: string, tenantId: string): Promise<void> {
  const existing = await readTenant(e, here, tenantId);
  if (!existing || existing.source !== 'deploy' || existing.status === 'offboarded') return;
  await updateTenant(
    e,
    here,
    tenantId,
    {
      expression: `SET #s = :off, ${APPEND_HISTORY}`,
      condition: '#s <> :off',
      names: { '#s': 'status' },
      values: { ':off': { S: 'offboarded' }, ...historyValues(historyEntry('removed from the app', BY, `at ${new Date(timing.now()).toISOString()}`)) },
    },
    [{ tier: existing.tier, delta: -1 }],
  );
}
