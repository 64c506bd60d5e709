import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import type { TenantIdentity } from './tenant-identity';
import type { TenantRegistry } from './tenant-registry';

/** What a recovery-Region TenantApi reads from the primary's (`keysFrom`): a TenantApi. */
export interface ITenantKeySource extends IConstruct {
  /** The API name. */
  readonly apiName: string;
  /** The registry, replicated to the recovery Region. */
  readonly registry: TenantRegistry;
  /** Replicate the key secrets, the signing secret and the registry to a Region. */
  replicateKeysTo(region: string): void;
}

/** A per-method throttle within a tier, e.g. `'POST /orders'`. */
export interface MethodThrottle {
  /** Route key: `'<METHOD> <path>'`, one of the API's routes. */
  readonly route: string;
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Burst. */
  readonly burstLimit: number;
}

/** A tier of service: what every tenant of the tier may use. */
export interface TenantTier {
  /** Tier name, e.g. `basic`. */
  readonly name: string;
  /** Steady-state requests per second, per tenant. */
  readonly rateLimit: number;
  /** Burst (bucket size), at least the rate. */
  readonly burstLimit: number;
  /**
   * Requests per period, per tenant.
   * @default - no quota
   */
  readonly quota?: { readonly limit: number; readonly period: 'DAY' | 'WEEK' | 'MONTH' };
  /**
   * Per-method throttles.
   * @default - none
   */
  readonly methodThrottles?: MethodThrottle[];
  /**
   * The most tenants the tier may hold, deploy-time ones included: its capacity budget. Synth
   * checks that every tier at its budget stays within the stage's rate (less
   * `capacityHeadroom`); run-time onboarding refuses a tenant past it.
   * @default - the tier's deploy-time tenants (no room for run-time onboarding)
   */
  readonly maxTenants?: number;
}

/** A tenant declared at deploy time. */
export interface Tenant {
  /** Tenant id: 1-64 letters, digits, hyphens or underscores (it names keys, plans, secrets). */
  readonly id: string;
  /** Name of the tenant's tier. */
  readonly tier: string;
  /**
   * Share the tier's usage plan (its own key, the tier's limits counted per key) instead of
   * a plan of its own: for large tenant counts, within the usage plan quota.
   * @default false
   */
  readonly sharedPlan?: boolean;
  /**
   * The tenant's own limits, over the tier's (own plan only).
   * @default - the tier's
   */
  readonly overrides?: { readonly rateLimit?: number; readonly burstLimit?: number; readonly quotaLimit?: number };
  /**
   * Never set: key values must not appear in templates. Present only so that passing one
   * fails loudly; the key comes from a generated, replicated Secrets Manager secret.
   * @default - none, and it must stay so
   */
  readonly keyValue?: string;
}

/** A route of the API. */
export interface TenantApiRoute {
  /** Path, e.g. `/orders` or `/{proxy+}`. */
  readonly path: string;
  /** HTTP method or `ANY`. */
  readonly method: string;
  /**
   * Integration.
   * @default - the API's default integration
   */
  readonly integration?: apigw.Integration;
}

/** Props for {@link TenantApi}. */
export interface TenantApiProps {
  /** Name of the API; also the prefix of the tenants' secret names (`tenant-api/<apiName>/<tenantId>`). */
  readonly apiName: string;
  /** The tiers. */
  readonly tiers: TenantTier[];
  /**
   * Tenants declared at deploy time.
   * @default - none (tenants onboarded at run time)
   */
  readonly tenants?: Tenant[];
  /**
   * Routes; each requires an API key.
   * @default - `ANY /` and `ANY /{proxy+}`
   */
  readonly routes?: TenantApiRoute[];
  /**
   * Integration of routes that name none.
   * @default - a mock integration answering 200 `{"ok":true}`
   */
  readonly defaultIntegration?: apigw.Integration;
  /**
   * Who a caller is. The default Lambda authorizer verifies each tenant's credential against
   * the registry and hands API Gateway the tenant's usage-plan key (`apiKeySource:
   * AUTHORIZER`); `TenantIdentity.custom` takes your authorizer; `TenantIdentity.apiKeyOnly`
   * (with a reason, and a synth warning) leaves the `x-api-key` header as the only identity.
   * @default TenantIdentity.authorizer()
   */
  readonly identity?: TenantIdentity;
  /**
   * Stage-level default throttle: the ceiling for the whole API, whatever the plans.
   * @default 1000 requests per second, burst 2000
   */
  readonly stageThrottle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * The share of the stage's rate kept free of every tier's budget (0 to 0.9): synth fails when
   * the tiers at their `maxTenants` could draw more than the rest.
   * @default 0.2
   */
  readonly capacityHeadroom?: number;
  /**
   * A WAF web ACL with a per-IP rate-based rule (requests per 5 minutes); `false` for none.
   * @default 2000
   */
  readonly wafRateLimit?: number | false;
  /**
   * A second rate-based rule in the web ACL, per tenant: requests per 5 minutes one credential
   * (the `Authorization` header; with `TenantIdentity.apiKeyOnly`, the `x-api-key` header) may
   * send before WAF blocks it. A backstop for usage-plan throttles, which AWS documents as best
   * effort; set it above what the highest tier may draw. Only with the web ACL; `false` for none.
   * @default - twice the highest tier's (or override's) rate limit over the 5-minute window
   */
  readonly wafKeyRateLimit?: number | false;
  /**
   * Regions the tenants' key secrets are replicated to (the recovery Region), so the same
   * keys work there after a failover. A TenantApi built with `keysFrom` adds its Region.
   * @default - none
   */
  readonly keyReplicaRegions?: string[];
  /**
   * Take the tenants' keys from another Region's TenantApi (same tiers and tenants): this
   * API reads the replicated secrets and registry by name, and its stack deploys after that one.
   * @default - this API creates the secrets
   */
  readonly keysFrom?: ITenantKeySource;
  /**
   * The account's usage plan quota in this Region (300 by default; it can be raised).
   * @default 300
   */
  readonly usagePlanQuota?: number;
  /**
   * Resources per stack before tenants are sharded into nested stacks (CloudFormation
   * allows 500 per stack).
   * @default 450
   */
  readonly maxResourcesPerStack?: number;
  /**
   * Topic for the per-tenant 429 and 5xx alarms.
   * @default - no action
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Per-tenant alarm thresholds, per 5 minutes.
   * @default - 100 throttled (429) and 10 server errors (5xx)
   */
  readonly tenantAlarms?: { readonly throttled?: number; readonly serverErrors?: number } | false;
}

