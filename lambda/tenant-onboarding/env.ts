import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CLIENT_TIMEOUTS } from '../shared/aws';

/** What the function knows from its configuration. */
export interface Env {
  readonly apiName: string;
  readonly table: string;
  readonly regions: string[];
  /** Each tier's tenant budget (the most tenants it may hold, deploy-time ones included). */
  readonly tiers: Record<string, { readonly maxTenants: number }>;
  readonly plansParameter: string;
  /** authorizer: tenants present a credential; api-key: the usage-plan key is the credential. */
  readonly identity: 'authorizer' | 'api-key';
  /** The API's signing secret (authorizer identity). */
  readonly signingSecret?: string;
  /** The customer-managed key of tenants' key secrets, per Region (ARN), when there is one. */
  readonly secretKeys: Record<string, string>;
  /**
   * The Region whose registry replica takes the writes (the registry's own). Conditions and
   * transactions hold only within a replica: writing from two Regions at once could exceed a
   * budget or fork a tenant. Elsewhere only revoke (and reads) run, unless the request says
   * the home Region is down (`homeRegionDown`).
   */
  readonly homeRegion: string;
  /** Seconds the authorizer caches an answer (how long a revoked credential's Allow may live on). */
  readonly authorizerCacheSeconds: number;
  /** Whether this function is the registrar (CloudFormation events); the operator function refuses them. */
  readonly registrar: boolean;
}

export function env(): Env {
  const tiers = JSON.parse(process.env.TIERS ?? '{}') as Env['tiers'] | string[];
  return {
    apiName: process.env.API_NAME!,
    table: process.env.REGISTRY_TABLE!,
    regions: JSON.parse(process.env.REGIONS ?? '[]') as string[],
    tiers: Array.isArray(tiers) ? Object.fromEntries(tiers.map((t) => [t, { maxTenants: Number.MAX_SAFE_INTEGER }])) : tiers,
    plansParameter: process.env.PLANS_PARAMETER!,
    identity: process.env.IDENTITY === 'api-key' ? 'api-key' : 'authorizer',
    signingSecret: process.env.SIGNING_SECRET || undefined,
    secretKeys: JSON.parse(process.env.SECRET_KEYS ?? '{}') as Record<string, string>,
    homeRegion: process.env.HOME_REGION || (process.env.AWS_REGION ?? ''),
    authorizerCacheSeconds: Number(process.env.AUTHORIZER_CACHE_SECONDS ?? 0),
    registrar: process.env.REGISTRAR === 'true',
  };
}

/** Clock and sleep hooks (replaced in tests). */
export const timing = { sleep: (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms)), random: Math.random, now: (): number => Date.now() };

/** The secret name of a tenant's usage-plan key: the same in every Region. */
export const secretNameOf = (e: Env, tenantId: string): string => `tenant-api/${e.apiName}/${tenantId}`;

const THROTTLED = ['TooManyRequestsException', 'ThrottlingException', 'Throttling', 'LimitExceededException'];

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

/** An error with a stable name, for refusals and conflicts. */
export const named = (name: string, message: string): Error => Object.assign(new Error(message), { name });

/** The API's signing key (authorizer identity), read once per warm function. */
let signingKey: string | undefined;
export async function signingKeyOf(e: Env, region: string): Promise<string> {
  if (signingKey !== undefined) return signingKey;
  if (!e.signingSecret) throw named('NoSigningSecret', 'this API has no signing secret (identity api-key)');
  const out = await new SecretsManagerClient({ region, requestHandler: CLIENT_TIMEOUTS }).send(new GetSecretValueCommand({ SecretId: e.signingSecret }));
  const key = (JSON.parse(out.SecretString ?? '{}') as { key?: string }).key;
  if (!key) throw named('NoSigningSecret', `the signing secret ${e.signingSecret} holds no key`);
  signingKey = key;
  return key;
}

/** Forget the cached signing key (tests). */
export function resetSigningKey(): void {
  signingKey = undefined;
}
