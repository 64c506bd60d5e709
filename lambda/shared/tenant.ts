import { createHmac, timingSafeEqual } from 'crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * What the tenant authorizer, the onboarding function and its registrar share about a tenant:
 * the credential a client presents, the registry item, and the tags that mark an API key as
 * this API's key of this tenant.
 *
 * A credential is `cr1.<tenantId>.<version>.<mac>`: the MAC is an HMAC-SHA256, under the API's
 * signing secret, of `<apiName>:<tenantId>:<version>`. Nothing per tenant is stored to verify
 * it; the registry says which versions are valid. It is not the usage-plan key: that value
 * (readable by anyone with `apigateway:GET`) identifies the tenant to its plan and is useless
 * to a client, because API Gateway takes it only from the authorizer (key source AUTHORIZER).
 */
export const CREDENTIAL_PREFIX = 'cr1';

/** Tags that mark an API key (and a usage plan) as this API's. */
export const TAG_API = 'cdk-resilience:tenant-api';
export const TAG_TENANT = 'cdk-resilience:tenant';

/** Tenant ids: what names the key, the plan and the secret. */
export const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The registry item of a tier's tenant count (a tenant id never starts with `#`). */
export const tierCounterId = (tier: string): string => `#tier#${tier}`;

function mac(signingKey: string, apiName: string, tenantId: string, version: number): string {
  return createHmac('sha256', signingKey).update(`${apiName}:${tenantId}:${version}`).digest('base64url');
}

/** The credential of a tenant at a version. */
export function credentialOf(signingKey: string, apiName: string, tenantId: string, version: number): string {
  return `${CREDENTIAL_PREFIX}.${tenantId}.${version}.${mac(signingKey, apiName, tenantId, version)}`;
}

/** The tenant and version a credential proves, or undefined when it proves nothing. */
export function verifyCredential(signingKey: string, apiName: string, credential: string): { tenantId: string; version: number } | undefined {
  const parts = credential.split('.');
  if (parts.length !== 4 || parts[0] !== CREDENTIAL_PREFIX) return undefined;
  const [, tenantId, v, given] = parts;
  if (!TENANT_ID.test(tenantId) || !/^[1-9][0-9]{0,8}$/.test(v)) return undefined;
  const version = Number(v);
  const expected = Buffer.from(mac(signingKey, apiName, tenantId, version));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
  return { tenantId, version };
}

/** A tenant's registry item, as the functions read it. */
export interface TenantRecord {
  readonly tenantId: string;
  readonly tier: string;
  /** provisioning (a lease is held), active, partial (some Region failed), revoked, offboarded. */
  readonly status: 'provisioning' | 'active' | 'partial' | 'revoked' | 'offboarded';
  /** deploy: declared in the app (CloudFormation owns its key, plan and secret); runtime: onboarded. */
  readonly source: 'deploy' | 'runtime';
  readonly credentialVersion: number;
  readonly previousVersion?: number;
  /** Epoch seconds until which the previous version still works. */
  readonly previousUntil?: number;
  /** Epoch ms until which an onboarding holds the item. */
  readonly leaseUntil?: number;
  /** Which onboarding holds it (random per run). */
  readonly leaseId?: string;
  /** Epoch ms of the last revoke. */
  readonly revokedAt?: number;
  readonly apiKeyIds: Record<string, string>;
}

/** Parse a registry item (undefined when absent). */
export function recordOf(item: Record<string, AttributeValue> | undefined): TenantRecord | undefined {
  if (!item || !item.tenantId?.S) return undefined;
  const n = (a: AttributeValue | undefined): number | undefined => (a?.N !== undefined ? Number(a.N) : undefined);
  const apiKeyIds = item.apiKeyIds?.M ? Object.fromEntries(Object.entries(item.apiKeyIds.M).map(([k, v]) => [k, v.S ?? ''])) : item.apiKeyIds?.S ? (JSON.parse(item.apiKeyIds.S) as Record<string, string>) : {};
  return {
    tenantId: item.tenantId.S,
    tier: item.tier?.S ?? '',
    status: (item.status?.S ?? 'active') as TenantRecord['status'],
    source: (item.source?.S ?? 'runtime') as TenantRecord['source'],
    credentialVersion: n(item.credentialVersion) ?? 1,
    previousVersion: n(item.previousVersion),
    previousUntil: n(item.previousUntil),
    leaseUntil: n(item.leaseUntil),
    leaseId: item.leaseId?.S,
    revokedAt: n(item.revokedAt),
    apiKeyIds,
  };
}

/** Whether a credential version opens the tenant's door now (epoch seconds). */
export function versionValid(record: TenantRecord, version: number, nowSeconds: number): boolean {
  if (record.status !== 'active' && record.status !== 'partial') return false;
  if (version === record.credentialVersion) return true;
  return version === record.previousVersion && record.previousUntil !== undefined && nowSeconds < record.previousUntil;
}
