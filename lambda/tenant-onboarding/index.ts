import { randomUUID } from 'crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { credentialOf, TENANT_ID, TenantRecord } from '../shared/tenant';
import { deleteKey, deleteSecret, ensureKey, ensureSecret, setKeyEnabled } from './keys';
import { env, Env, named, secretNameOf, signingKeyOf, timing } from './env';
import { APPEND_HISTORY, historyEntry, historyValues, LEASE_MS, readTenant, registerTenant, updateTenant } from './registry';
import { isCloudFormationEvent, register } from './registrar';

export { timing, withBackoff, resetSigningKey } from './env';

/** What an operator may ask. */
export type OperatorAction = 'onboard' | 'describe' | 'credential' | 'rotate' | 'revoke' | 'offboard';

/** What an operator sends (the body of `POST /admin/tenants`, or the invocation payload). */
export interface OperatorRequest {
  /** @default 'onboard' */
  readonly action?: OperatorAction;
  readonly tenantId: string;
  /** onboard: the tier. */
  readonly tier?: string;
  /** rotate: the credential version being replaced (idempotency: the same request twice rotates once). */
  readonly fromVersion?: number;
  /** rotate: seconds the replaced version keeps working (default 86400, at most 30 days). */
  readonly graceSeconds?: number;
  /** revoke, offboard: why (kept in the tenant's history). */
  readonly reason?: string;
  /**
   * onboard, rotate, offboard outside the registry's home Region: only when that Region is down.
   * Writes from two Regions at once could exceed a budget or fork a tenant (a global table
   * checks conditions within one replica); revoke needs no such consent.
   */
  readonly homeRegionDown?: boolean;
}

/** @deprecated the request was named so before the lifecycle actions; use OperatorRequest. */
export type OnboardRequest = OperatorRequest;

/** The tenant as an answer shows it (never the usage-plan key). */
export interface TenantState {
  readonly tenantId: string;
  readonly tier: string;
  readonly status: TenantRecord['status'];
  readonly source: TenantRecord['source'];
  readonly credentialVersion: number;
  readonly previousVersion?: number;
  readonly previousValidUntil?: string;
  readonly apiKeyIds: Record<string, string>;
}

/** What the function answers. */
export type OperatorResponse =
  | {
      readonly accepted: true;
      readonly action: OperatorAction;
      /** Whether this request changed anything (false: it was already so, or another request is doing it). */
      readonly changed: boolean;
      /** onboard: another onboarding of this tenant holds it; its outcome is what `tenant` shows. */
      readonly inProgress?: boolean;
      readonly tenant: TenantState;
      readonly secretName: string;
      /** The credential the tenant presents (`Authorization: Bearer ...`), with the authorizer identity. */
      readonly credential?: string;
      readonly failedRegions: Record<string, string>;
    }
  | { readonly accepted: false; readonly error: { readonly code: string; readonly message: string }; readonly tenant?: TenantState };

/** @deprecated see OperatorResponse. */
export type OnboardResponse = OperatorResponse;

const ACTIONS: OperatorAction[] = ['onboard', 'describe', 'credential', 'rotate', 'revoke', 'offboard'];
const MAX_GRACE = 30 * 86_400;

interface ProxyEvent {
  readonly httpMethod: string;
  readonly body: string | null;
  readonly isBase64Encoded?: boolean;
  readonly requestContext: { readonly requestId?: string; readonly identity?: { readonly userArn?: string | null; readonly caller?: string | null; readonly accountId?: string | null } };
}

const isProxyEvent = (event: unknown): event is ProxyEvent =>
  typeof event === 'object' && event !== null && typeof (event as ProxyEvent).requestContext === 'object' && typeof (event as ProxyEvent).httpMethod === 'string';

const STATUS: Record<string, number> = {
  InvalidRequest: 400,
  NotFound: 404,
  TenantExists: 409,
  TierFull: 409,
  TenantRevoked: 409,
  TenantOffboarded: 409,
  StaleVersion: 409,
  DeployTimeTenant: 409,
  KeyConflict: 409,
  RotateNeedsAuthorizer: 400,
  NotHomeRegion: 409,
  TooSoon: 409,
};

/**
 * The operator entry of a TenantApi: onboard, describe, issue a credential, rotate, revoke and
 * offboard tenants. Called three ways: through the IAM-signed route `POST /admin/tenants` (an
 * API Gateway proxy event; it answers a proxy response), by direct invocation (the request
 * itself), and by CloudFormation (the registrar of deploy-time tenants). Every action is
 * idempotent and leaves the tenant's history with who asked; invalid requests change nothing.
 */
export async function handler(event: unknown, context?: { awsRequestId?: string }): Promise<unknown> {
  if (isCloudFormationEvent(event)) {
    // Only the registrar serves CloudFormation; an operator who may invoke this function must
    // not retire or declare deploy-time tenants by sending such an event.
    if (!env().registrar) return refuse('InvalidRequest', 'CloudFormation events are served by the registrar function only');
    return register(event);
  }
  if (!isProxyEvent(event)) return operate(event, `direct invocation (Lambda request ${context?.awsRequestId ?? 'unknown'}; the caller is in CloudTrail's Invoke event)`);
  let body: unknown;
  try {
    const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
    body = JSON.parse(raw);
  } catch {
    body = undefined;
  }
  const caller = event.requestContext.identity?.userArn ?? event.requestContext.identity?.caller ?? 'unknown';
  let answer: OperatorResponse;
  try {
    answer = body === undefined ? refuse('InvalidRequest', 'the body must be JSON: { "action"?, "tenantId", "tier"? }') : await operate(body, caller);
  } catch (err) {
    // A proxy integration turns a thrown error into a bare 502; say what failed instead.
    return proxy(500, { accepted: false, error: { code: (err as Error).name, message: (err as Error).message } });
  }
  return proxy(answer.accepted ? 200 : (STATUS[answer.error.code] ?? 400), answer);
}

function proxy(statusCode: number, body: OperatorResponse): { statusCode: number; headers: Record<string, string>; body: string } {
  return { statusCode, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify(body) };
}

const refuse = (code: string, message: string, record?: TenantRecord): OperatorResponse => ({ accepted: false, error: { code, message }, ...(record ? { tenant: stateOf(record) } : {}) });

function stateOf(r: TenantRecord): TenantState {
  return {
    tenantId: r.tenantId,
    tier: r.tier,
    status: r.status,
    source: r.source,
    credentialVersion: r.credentialVersion,
    ...(r.previousVersion !== undefined && r.previousUntil !== undefined && r.previousUntil * 1000 > timing.now()
      ? { previousVersion: r.previousVersion, previousValidUntil: new Date(r.previousUntil * 1000).toISOString() }
      : {}),
    apiKeyIds: r.apiKeyIds,
  };
}

/** The request, checked: a problem, or what to do. */
function validate(event: unknown, e: Env): string | OperatorRequest & { action: OperatorAction } {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return 'the request must be a JSON object { action?, tenantId, tier? }';
  const r = event as Record<string, unknown>;
  const action = (r.action ?? 'onboard') as OperatorAction;
  const problems: string[] = [];
  if (!ACTIONS.includes(action)) problems.push(`action: must be one of ${ACTIONS.join(', ')} (got: ${JSON.stringify(r.action)})`);
  if (typeof r.tenantId !== 'string' || !TENANT_ID.test(r.tenantId)) problems.push(`tenantId: must be 1-64 letters, digits, hyphens or underscores (got: ${JSON.stringify(r.tenantId)})`);
  if (action === 'onboard' && (typeof r.tier !== 'string' || !(r.tier in e.tiers))) problems.push(`tier: must be one of ${Object.keys(e.tiers).join(', ')} (got: ${JSON.stringify(r.tier)})`);
  if (action === 'rotate' && !(Number.isInteger(r.fromVersion) && (r.fromVersion as number) >= 1)) problems.push(`fromVersion: the credential version being replaced, a whole number from 1 (got: ${JSON.stringify(r.fromVersion)})`);
  if (r.graceSeconds !== undefined && !(Number.isInteger(r.graceSeconds) && (r.graceSeconds as number) >= 0 && (r.graceSeconds as number) <= MAX_GRACE)) {
    problems.push(`graceSeconds: a whole number from 0 to ${MAX_GRACE} (got: ${JSON.stringify(r.graceSeconds)})`);
  }
  if (r.reason !== undefined && (typeof r.reason !== 'string' || r.reason.length > 500)) problems.push('reason: a string of at most 500 characters');
  if (r.homeRegionDown !== undefined && typeof r.homeRegionDown !== 'boolean') problems.push('homeRegionDown: true or false');
  const known = ['action', 'tenantId', 'tier', 'fromVersion', 'graceSeconds', 'reason', 'homeRegionDown'];
  if (Object.keys(r).some((k) => ['key', 'apiKey', 'keyValue', 'value', 'credential'].includes(k))) problems.push('key values and credentials are generated, never accepted');
  else {
    const extra = Object.keys(r).filter((k) => !known.includes(k));
    if (extra.length > 0) problems.push(`unknown field(s) ${extra.join(', ')}`);
  }
  return problems.length > 0 ? problems.join('; ') : ({ ...(r as unknown as OperatorRequest), action });
}

async function operate(event: unknown, caller: string): Promise<OperatorResponse> {
  const e = env();
  const req = validate(event, e);
  if (typeof req === 'string') return refuse('InvalidRequest', req);
  const here = process.env.AWS_REGION ?? e.regions[0];
  if (['onboard', 'rotate', 'offboard'].includes(req.action) && e.homeRegion && here !== e.homeRegion && req.homeRegionDown !== true) {
    return refuse(
      'NotHomeRegion',
      `the registry takes ${req.action} in ${e.homeRegion}, its home Region: call the operator there. Only when ${e.homeRegion} is down, send homeRegionDown: true (and make no writes there until it is back and replicated)`,
    );
  }
  switch (req.action) {
    case 'onboard':
      return onboard(e, here, req.tenantId, req.tier!, caller);
    case 'rotate':
      return rotate(e, here, req, caller);
    case 'revoke':
      return revoke(e, here, req, caller);
    case 'offboard':
      return offboard(e, here, req, caller);
    default: {
      const record = await readTenant(e, here, req.tenantId);
      if (!record) return refuse('NotFound', `tenant ${req.tenantId} is not in the registry`);
      if (req.action === 'describe') return accepted(e, 'describe', record, false);
      if (e.identity !== 'authorizer') return refuse('RotateNeedsAuthorizer', 'with identity api-key the tenant holds its usage-plan key (see its secret); there is no credential to issue', record);
      if (record.status !== 'active' && record.status !== 'partial') return refuse(record.status === 'revoked' ? 'TenantRevoked' : 'TenantOffboarded', `tenant ${req.tenantId} is ${record.status}`, record);
      return accepted(e, 'credential', record, false, {}, await credentialFor(e, here, record));
    }
  }
}

async function credentialFor(e: Env, region: string, record: TenantRecord): Promise<string | undefined> {
  if (e.identity !== 'authorizer') return undefined;
  return credentialOf(await signingKeyOf(e, region), e.apiName, record.tenantId, record.credentialVersion);
}

function accepted(e: Env, action: OperatorAction, record: TenantRecord, changed: boolean, failedRegions: Record<string, string> = {}, credential?: string, inProgress?: boolean): OperatorResponse {
  return { accepted: true, action, changed, ...(inProgress ? { inProgress } : {}), tenant: stateOf(record), secretName: secretNameOf(e, record.tenantId), ...(credential ? { credential } : {}), failedRegions };
}

/**
 * Onboard: register the tenant and count it against its tier's budget (one transaction; a
 * full tier is refused with nothing changed), then, holding a lease on the item, create its
 * key secret and, in every Region, its tagged API key on the tier's plan. A concurrent
 * onboarding that lost the registration re-reads and answers with the winner's state; a run
 * that finds an expired lease (a crash) takes it over and repairs what is missing.
 */
async function onboard(e: Env, here: string, tenantId: string, tier: string, caller: string): Promise<OperatorResponse> {
  let record = await readTenant(e, here, tenantId);
  let created = false;
  const leaseId = randomUUID();
  if (!record) {
    const item: Record<string, AttributeValue> = {
      tenantId: { S: tenantId },
      tier: { S: tier },
      status: { S: 'provisioning' },
      source: { S: 'runtime' },
      secretName: { S: secretNameOf(e, tenantId) },
      credentialVersion: { N: '1' },
      leaseUntil: { N: String(timing.now() + LEASE_MS) },
      leaseId: { S: leaseId },
      apiKeyIds: { M: {} },
      createdBy: { S: caller },
      history: { L: [historyEntry('onboard', caller, `tier ${tier}`)] },
    };
    const outcome = await registerTenant(e, here, item, tier);
    if (outcome === 'full') return refuse('TierFull', `tier ${tier} holds its budget of ${e.tiers[tier].maxTenants} tenants; nothing was changed. Raise the tier's maxTenants in the app (the synth check keeps the sum within the stage's rate), or use another tier`);
    record = await readTenant(e, here, tenantId);
    if (!record) throw named('RegistryUnreadable', `tenant ${tenantId} was just registered but cannot be read back`);
    created = outcome === 'registered';
  }
  if (!created) {
    const ready = await answerExisting(e, here, record, tier);
    if (ready) return ready;
    // An unfinished onboarding whose lease ran out: take it over.
    const took = await updateTenant(e, here, tenantId, {
      expression: 'SET leaseUntil = :l, leaseId = :me',
      condition: '(attribute_not_exists(leaseUntil) OR leaseUntil < :now) AND (#s = :prov OR #s = :partial)',
      names: { '#s': 'status' },
      values: { ':l': { N: String(timing.now() + LEASE_MS) }, ':me': { S: leaseId }, ':now': { N: String(timing.now()) }, ':prov': { S: 'provisioning' }, ':partial': { S: 'partial' } },
    });
    if (!took) return accepted(e, 'onboard', (await readTenant(e, here, tenantId)) ?? record, false, {}, undefined, true);
  }
  const value = await ensureSecret(e, here, tenantId);
  const apiKeyIds: Record<string, string> = { ...record.apiKeyIds };
  const failedRegions: Record<string, string> = {};
  for (const region of e.regions) {
    try {
      apiKeyIds[region] = await ensureKey(e, region, tenantId, tier, value, record.apiKeyIds[region]);
    } catch (err) {
      failedRegions[region] = `${(err as Error).name}: ${(err as Error).message}`;
    }
  }
  const status = Object.keys(failedRegions).length === 0 ? 'active' : 'partial';
  // Finish only while this run still holds the lease and nobody revoked or offboarded the tenant
  // meanwhile: otherwise its keys would come back enabled, or a freed budget place be taken twice.
  const finished = await updateTenant(e, here, tenantId, {
    expression: `SET #s = :s, apiKeyIds = :k, ${APPEND_HISTORY} REMOVE leaseUntil, leaseId`,
    condition: 'leaseId = :me AND (#s = :prov OR #s = :partial)',
    names: { '#s': 'status' },
    values: {
      ':s': { S: status },
      ':k': { M: Object.fromEntries(Object.entries(apiKeyIds).map(([r, id]) => [r, { S: id }])) },
      ':me': { S: leaseId },
      ':prov': { S: 'provisioning' },
      ':partial': { S: 'partial' },
      ...historyValues(historyEntry(created ? 'onboarded' : 'repaired', caller, status === 'active' ? 'keys in every Region' : `failed in ${Object.keys(failedRegions).join(', ')}`)),
    },
  });
  const done = (await readTenant(e, here, tenantId)) ?? record;
  if (!finished) {
    // Revoked or offboarded while this run made keys: undo what it made, and say so.
    for (const [region, keyId] of Object.entries(apiKeyIds)) {
      if (done.status === 'offboarded') await deleteKey(e, region, tenantId, tier, keyId).catch(() => undefined);
      else await setKeyEnabled(e, region, tenantId, false, keyId).catch(() => undefined);
    }
    if (done.status === 'revoked' || done.status === 'offboarded') {
      return refuse(done.status === 'revoked' ? 'TenantRevoked' : 'TenantOffboarded', `tenant ${tenantId} was ${done.status} while it was being onboarded; the keys this run made are ${done.status === 'revoked' ? 'disabled' : 'deleted'}`, done);
    }
    return accepted(e, 'onboard', done, false, failedRegions, undefined, true);
  }
  return accepted(e, 'onboard', done, true, failedRegions, await credentialFor(e, here, done));
}

/**
 * The answer for a tenant that is already registered, or undefined when this request should
 * carry on provisioning it (unfinished, lease expired).
 */
async function answerExisting(e: Env, here: string, record: TenantRecord, tier: string): Promise<OperatorResponse | undefined> {
  if (record.tier !== tier) return refuse('TenantExists', `tenant ${record.tenantId} exists in tier ${record.tier}; changing tiers is not onboarding`, record);
  if (record.status === 'offboarded') return refuse('TenantOffboarded', `tenant ${record.tenantId} was offboarded; onboard it under a new id`, record);
  if (record.status === 'revoked') return refuse('TenantRevoked', `tenant ${record.tenantId} is revoked; rotate its credential to reinstate it`, record);
  if (record.status === 'active' || record.source === 'deploy') return accepted(e, 'onboard', record, false, {}, await credentialFor(e, here, record));
  if (record.leaseUntil !== undefined && record.leaseUntil > timing.now()) return accepted(e, 'onboard', record, false, {}, undefined, true);
  return undefined;
}

/**
 * Rotate: a new credential version; the replaced one keeps working for the grace period, so
 * there is no moment when neither works. Idempotent on `fromVersion`. A revoked tenant is
 * reinstated with the new version only (its old credentials never come back).
 */
async function rotate(e: Env, here: string, req: OperatorRequest, caller: string): Promise<OperatorResponse> {
  if (e.identity !== 'authorizer') return refuse('RotateNeedsAuthorizer', 'with identity api-key the usage-plan key is the credential; offboard and onboard under a new id, or move to the authorizer identity');
  const from = req.fromVersion!;
  const grace = req.graceSeconds ?? 86_400;
  for (let attempt = 0; attempt < 2; attempt++) {
    const record = await readTenant(e, here, req.tenantId);
    if (!record) return refuse('NotFound', `tenant ${req.tenantId} is not in the registry`);
    if (record.status === 'offboarded') return refuse('TenantOffboarded', `tenant ${req.tenantId} was offboarded`, record);
    if (record.credentialVersion === from + 1 && record.status !== 'revoked') return accepted(e, 'rotate', record, false, {}, await credentialFor(e, here, record));
    if (record.credentialVersion !== from) return refuse('StaleVersion', `the current credential version is ${record.credentialVersion}, not ${from}; rotate from ${record.credentialVersion}`, record);
    const reinstate = record.status === 'revoked';
    const openAgainAt = (record.revokedAt ?? 0) + e.authorizerCacheSeconds * 1000;
    if (reinstate && timing.now() < openAgainAt) {
      return refuse('TooSoon', `the authorizer may still hold an answer for a revoked credential of ${req.tenantId} until ${new Date(openAgainAt).toISOString()} (its cache); reinstate after that, or its old credential would open the API again for a while`, record);
    }
    const nowSeconds = Math.floor(timing.now() / 1000);
    const ok = await updateTenant(e, here, req.tenantId, {
      expression: `SET credentialVersion = :next, previousVersion = :from, previousUntil = :until, #s = :s, ${APPEND_HISTORY}`,
      condition: 'credentialVersion = :from AND #s <> :off',
      names: { '#s': 'status' },
      values: {
        ':next': { N: String(from + 1) },
        ':from': { N: String(from) },
        ':until': { N: String(reinstate ? nowSeconds : nowSeconds + grace) },
        ':s': { S: reinstate ? 'active' : record.status },
        ':off': { S: 'offboarded' },
        ...historyValues(historyEntry('rotate', caller, `${from} -> ${from + 1}${reinstate ? ', reinstated' : `, ${from} valid ${grace} s more`}`)),
      },
    });
    if (!ok) continue;
    const failedRegions: Record<string, string> = {};
    if (reinstate) {
      for (const region of e.regions) {
        await setKeyEnabled(e, region, req.tenantId, true, record.apiKeyIds[region]).catch((err: Error) => (failedRegions[region] = `${err.name}: ${err.message}`));
      }
    }
    const done = (await readTenant(e, here, req.tenantId)) ?? record;
    return accepted(e, 'rotate', done, true, failedRegions, await credentialFor(e, here, done));
  }
  return refuse('StaleVersion', 'the tenant changed twice while rotating; read it (describe) and rotate again');
}

/**
 * Revoke: no credential of the tenant works any more, at once: the registry says revoked (the
 * authorizer denies) and the tenant's API key is disabled in every Region (API Gateway refuses
 * it whatever an authorizer cached). Idempotent; a re-run disables what an earlier one missed.
 */
async function revoke(e: Env, here: string, req: OperatorRequest, caller: string): Promise<OperatorResponse> {
  const record = await readTenant(e, here, req.tenantId);
  if (!record) return refuse('NotFound', `tenant ${req.tenantId} is not in the registry`);
  if (record.status === 'offboarded') return refuse('TenantOffboarded', `tenant ${req.tenantId} was offboarded`, record);
  const changed =
    record.status !== 'revoked' &&
    (await updateTenant(e, here, req.tenantId, {
      expression: `SET #s = :r, revokedAt = :now, ${APPEND_HISTORY}`,
      condition: '#s <> :r AND #s <> :off',
      names: { '#s': 'status' },
      values: { ':r': { S: 'revoked' }, ':off': { S: 'offboarded' }, ':now': { N: String(timing.now()) }, ...historyValues(historyEntry('revoke', caller, req.reason ?? 'no reason given')) },
    }));
  const failedRegions: Record<string, string> = {};
  for (const region of e.regions) {
    await setKeyEnabled(e, region, req.tenantId, false, record.apiKeyIds[region]).catch((err: Error) => (failedRegions[region] = `${err.name}: ${err.message}`));
  }
  return accepted(e, 'revoke', (await readTenant(e, here, req.tenantId)) ?? record, changed, failedRegions);
}

/**
 * Offboard a run-time tenant: marked offboarded (kept, with its history) and uncounted from its
 * tier in one transaction; its keys and plan links deleted in every Region; its key secret
 * scheduled for deletion (7 days). A deploy-time tenant is CloudFormation's: remove it from the
 * app (revoke works meanwhile). Idempotent: a re-run deletes what an earlier one left.
 */
async function offboard(e: Env, here: string, req: OperatorRequest, caller: string): Promise<OperatorResponse> {
  const record = await readTenant(e, here, req.tenantId);
  if (!record) return refuse('NotFound', `tenant ${req.tenantId} is not in the registry`);
  if (record.source === 'deploy') return refuse('DeployTimeTenant', `tenant ${req.tenantId} is declared in the app; remove it from TenantApi's tenants and deploy (revoke it meanwhile)`, record);
  const changed =
    record.status !== 'offboarded' &&
    (await updateTenant(
      e,
      here,
      req.tenantId,
      {
        expression: `SET #s = :off, ${APPEND_HISTORY}`,
        condition: '#s <> :off',
        names: { '#s': 'status' },
        values: { ':off': { S: 'offboarded' }, ...historyValues(historyEntry('offboard', caller, req.reason ?? 'no reason given')) },
      },
      [{ tier: record.tier, delta: -1 }],
    ));
  const failedRegions: Record<string, string> = {};
  for (const region of e.regions) {
    await deleteKey(e, region, req.tenantId, record.tier, record.apiKeyIds[region]).catch((err: Error) => (failedRegions[region] = `${err.name}: ${err.message}`));
  }
  await deleteSecret(e, here, req.tenantId).catch((err: Error) => (failedRegions[here] = `${failedRegions[here] ? `${failedRegions[here]}; ` : ''}secret: ${err.name}: ${err.message}`));
  return accepted(e, 'offboard', (await readTenant(e, here, req.tenantId)) ?? record, changed, failedRegions);
}
