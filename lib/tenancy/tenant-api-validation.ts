import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Validator } from '../core/validation';
import type { Tenant, TenantApiProps, TenantApiRoute } from './tenant-api-props';
import type { ResolvedIdentity } from './tenant-identity';

/** What one tier may draw from the stage, at its budget. */
export interface TierCapacity {
  /** The tier. */
  readonly tier: string;
  /** The most tenants it may hold (deploy-time ones included). */
  readonly maxTenants: number;
  /** Deploy-time tenants in it. */
  readonly declared: number;
  /** Requests per second its tenants may draw together, at the budget (overrides counted). */
  readonly rate: number;
}

/** The API's capacity budget: what tiers may draw against what the stage admits. */
export interface TenantCapacity {
  /** The stage's steady-state rate. */
  readonly stageRate: number;
  /** The share of the stage kept free (0.2 = 20 %). */
  readonly headroom: number;
  /** What the tiers may draw at most, together: stageRate x (1 - headroom). */
  readonly budget: number;
  /** Per tier. */
  readonly tiers: TierCapacity[];
  /** The sum of the tiers' rates. */
  readonly total: number;
}

/** The default stage throttle. */
export const DEFAULT_STAGE_THROTTLE = { rateLimit: 1000, burstLimit: 2000 };

/** The capacity budget of an API's props (undefined when a rate is a token). */
export function capacityOf(props: TenantApiProps): TenantCapacity | undefined {
  const stageRate = (props.stageThrottle ?? DEFAULT_STAGE_THROTTLE).rateLimit;
  const headroom = props.capacityHeadroom ?? 0.2;
  const rates = [stageRate, ...props.tiers.map((t) => t.rateLimit), ...(props.tenants ?? []).map((t) => t.overrides?.rateLimit ?? 0)];
  if (rates.some((r) => Token.isUnresolved(r))) return undefined;
  const tiers = props.tiers.map((tier): TierCapacity => {
    const declared: Tenant[] = (props.tenants ?? []).filter((t) => t.tier === tier.name);
    const maxTenants = tier.maxTenants ?? declared.length;
    const declaredRate = declared.reduce((sum, t) => sum + (t.overrides?.rateLimit ?? tier.rateLimit), 0);
    return { tier: tier.name, maxTenants, declared: declared.length, rate: declaredRate + Math.max(0, maxTenants - declared.length) * tier.rateLimit };
  });
  const total = tiers.reduce((sum, t) => sum + t.rate, 0);
  // Rounded to a millionth: 1000 x (1 - 0.9) is 99.99999999999997 in floating point.
  return { stageRate, headroom, budget: Math.round(stageRate * (1 - headroom) * 1e6) / 1e6, tiers, total: Math.round(total * 1e6) / 1e6 };
}

export function validateTenantApi(scope: Construct, props: TenantApiProps, routes: TenantApiRoute[], usagePlans: number, identity: ResolvedIdentity): void {
  const v = new Validator(scope);
  v.check(!/^[a-z][a-z0-9-]{0,39}$/.test(props.apiName), {
    code: 'TENANT_API_NAME',
    prop: 'apiName',
    value: props.apiName,
    message: 'must be 1-40 lowercase letters, digits or hyphens, starting with a letter (it prefixes plans, keys and secrets)',
    fix: "use a name like 'orders-api'",
  });
  const periods = ['DAY', 'WEEK', 'MONTH'];
  const routeKeys = new Set(routes.map((r) => `${r.method.toUpperCase()} ${r.path}`));
  const tierNames = new Set<string>();
  v.check(props.tiers.length === 0, { code: 'TENANT_TIER', prop: 'tiers', value: [], message: 'no tier is declared', fix: 'declare at least one tier' });
  for (const [i, t] of props.tiers.entries()) {
    const p = `tiers[${i}]`;
    v.check(tierNames.has(t.name), { code: 'TENANT_TIER', prop: `${p}.name`, value: t.name, message: 'duplicate tier name', fix: 'give every tier its own name' });
    v.check(!/^[A-Za-z0-9_-]{1,64}$/.test(t.name), { code: 'TENANT_TIER', prop: `${p}.name`, value: t.name, message: 'must be 1-64 letters, digits, hyphens or underscores', fix: "use a name like 'premium'" });
    tierNames.add(t.name);
    checkLimits(v, p, t.rateLimit, t.burstLimit);
    if (t.maxTenants !== undefined) v.integer(`${p}.maxTenants`, t.maxTenants, { code: 'TENANT_TIER_BUDGET', min: 0, max: 100_000 });
    if (t.quota) {
      v.check(!periods.includes(t.quota.period), {
        code: 'TENANT_QUOTA_PERIOD',
        prop: `${p}.quota.period`,
        value: t.quota.period,
        message: 'is not a quota period API Gateway knows',
        fix: 'use DAY, WEEK or MONTH',
      });
      v.integer(`${p}.quota.limit`, t.quota.limit, { code: 'TENANT_LIMITS', min: 1 });
    }
    for (const [j, m] of (t.methodThrottles ?? []).entries()) {
      v.check(!routeKeys.has(m.route), {
        code: 'TENANT_METHOD_THROTTLE',
        prop: `${p}.methodThrottles[${j}].route`,
        value: m.route,
        message: `is not a route of the API (${[...routeKeys].join(', ')})`,
        fix: "use '<METHOD> <path>' of a declared route",
      });
      checkLimits(v, `${p}.methodThrottles[${j}]`, m.rateLimit, m.burstLimit);
    }
  }
  const ids = new Set<string>();
  for (const [i, t] of (props.tenants ?? []).entries()) {
    const p = `tenants[${i}]`;
    v.check(!/^[A-Za-z0-9_-]{1,64}$/.test(t.id), {
      code: 'TENANT_ID',
      prop: `${p}.id`,
      value: t.id,
      message: 'must be 1-64 letters, digits, hyphens or underscores: it names the key, the plan and the secret',
      fix: "use an id like 'acme-corp'",
    });
    v.check(ids.has(t.id), { code: 'TENANT_DUPLICATE', prop: `${p}.id`, value: t.id, message: 'duplicate tenant id', fix: 'give every tenant its own id' });
    ids.add(t.id);
    v.check(!tierNames.has(t.tier), {
      code: 'TENANT_UNKNOWN_TIER',
      prop: `${p}.tier`,
      value: t.tier,
      message: `is not a declared tier (${[...tierNames].join(', ')})`,
      fix: 'use a declared tier, or declare it',
    });
    v.check(t.keyValue !== undefined, {
      code: 'TENANT_KEY_IN_TEMPLATE',
      prop: `${p}.keyValue`,
      value: '(redacted)',
      message: 'a key value given in plain text would be written into the CloudFormation template',
      fix: 'drop keyValue: the construct generates each key into a Secrets Manager secret and references it dynamically',
    });
    v.check(t.sharedPlan === true && t.overrides !== undefined, {
      code: 'TENANT_OVERRIDES',
      prop: `${p}.overrides`,
      value: t.overrides,
      message: "a tenant on its tier's shared plan has the tier's limits",
      fix: 'drop overrides, or give the tenant its own plan (sharedPlan: false)',
    });
    if (t.overrides) checkLimits(v, `${p}.overrides`, t.overrides.rateLimit, t.overrides.burstLimit);
  }
  const quota = props.usagePlanQuota ?? 300;
  v.check(usagePlans > quota, {
    code: 'TENANT_PLAN_QUOTA',
    prop: 'tenants',
    value: `${usagePlans} usage plans`,
    message: `exceeds the account's usage plan quota in this Region (${quota})`,
    fix: 'put tenants on shared tier plans (sharedPlan: true), onboard them at run time, or raise the quota with AWS and set usagePlanQuota',
  });
  if (props.stageThrottle) checkLimits(v, 'stageThrottle', props.stageThrottle.rateLimit, props.stageThrottle.burstLimit);
  if (props.capacityHeadroom !== undefined) {
    v.check(!(props.capacityHeadroom >= 0 && props.capacityHeadroom <= 0.9), {
      code: 'TENANT_CAPACITY',
      prop: 'capacityHeadroom',
      value: props.capacityHeadroom,
      message: 'must be a share of the stage from 0 to 0.9',
      fix: 'use e.g. 0.2 (a fifth of the stage kept free)',
    });
  }
  checkCapacity(v, props);
  if (props.wafRateLimit !== undefined && props.wafRateLimit !== false) {
    v.integer('wafRateLimit', props.wafRateLimit, { code: 'TENANT_WAF', min: 10, max: 2_000_000_000 });
  }
  if (props.wafKeyRateLimit !== undefined && props.wafKeyRateLimit !== false) {
    v.integer('wafKeyRateLimit', props.wafKeyRateLimit, { code: 'TENANT_WAF', min: 10, max: 2_000_000_000 });
    v.check(props.wafRateLimit === false, {
      code: 'TENANT_WAF',
      prop: 'wafKeyRateLimit',
      value: props.wafKeyRateLimit,
      message: 'needs the web ACL, which wafRateLimit: false turns off',
      fix: 'drop wafKeyRateLimit, or keep the web ACL',
    });
  }
  if (identity.kind === 'api-key') {
    v.check(!identity.reason || identity.reason.trim().length < 10, {
      code: 'TENANT_IDENTITY',
      prop: 'identity',
      value: identity.reason,
      message: 'running without a tenant identity needs a reason (at least 10 characters): a leaked API key impersonates its tenant',
      fix: "give TenantIdentity.apiKeyOnly({ reason: '...' }) a real reason, or use the default TenantIdentity.authorizer()",
    });
  }
  if (identity.cacheTtl !== undefined) {
    v.integer('identity.cacheTtl', identity.cacheTtl.toSeconds(), { code: 'TENANT_IDENTITY', min: 0, max: 3600 });
  }
  v.check(props.keysFrom !== undefined && (props.keyReplicaRegions ?? []).length > 0, {
    code: 'TENANT_KEYS_FROM',
    prop: 'keyReplicaRegions',
    value: props.keyReplicaRegions,
    message: 'this API reads replicated keys (keysFrom); it creates no secrets to replicate',
    fix: 'drop keyReplicaRegions',
  });
  v.throwIfAny();
}

/**
 * Isolation by construction: each tier's deploy-time tenants fit its budget, and what all
 * tiers may draw at their budgets stays within the stage's rate, less the headroom.
 */
function checkCapacity(v: Validator, props: TenantApiProps): void {
  const capacity = capacityOf(props);
  if (!capacity) return;
  for (const [i, t] of capacity.tiers.entries()) {
    v.check(t.declared > t.maxTenants, {
      code: 'TENANT_TIER_BUDGET',
      prop: `tiers[${i}].maxTenants`,
      value: t.maxTenants,
      message: `tier ${t.tier} declares ${t.declared} deploy-time tenants, more than its budget`,
      fix: `set maxTenants to at least ${t.declared}`,
    });
  }
  const table = capacity.tiers.map((t) => `${t.tier} ${t.maxTenants} x = ${t.rate} rps`).join(', ');
  v.check(capacity.total > capacity.budget, {
    code: 'TENANT_CAPACITY',
    prop: 'tiers',
    value: `${capacity.total} rps (${table})`,
    message: `what the tiers may draw at their budgets exceeds the stage's ${capacity.stageRate} rps less ${Math.round(capacity.headroom * 100)} % headroom (${capacity.budget} rps): busy tenants would push the others into stage-level 429s`,
    fix: 'lower maxTenants or tier rates, or raise stageThrottle.rateLimit (within the account\'s Regional limit, 10,000 rps by default)',
  });
}

function checkLimits(v: Validator, prop: string, rate: number | undefined, burst: number | undefined): void {
  if (rate !== undefined && !Token.isUnresolved(rate)) {
    v.check(!(rate > 0), { code: 'TENANT_LIMITS', prop: `${prop}.rateLimit`, value: rate, message: 'must be above 0', fix: 'use a positive rate, e.g. 10' });
  }
  if (burst !== undefined && !Token.isUnresolved(burst)) {
    v.check(!Number.isInteger(burst) || burst < 1, { code: 'TENANT_LIMITS', prop: `${prop}.burstLimit`, value: burst, message: 'must be a whole number of at least 1', fix: 'use e.g. 20' });
    if (rate !== undefined && rate > 0) {
      v.check(burst < rate, {
        code: 'TENANT_LIMITS',
        prop: `${prop}.burstLimit`,
        value: burst,
        message: `is lower than the rate ${rate}: the bucket could never hold a second's worth`,
        fix: `set burstLimit to at least ${Math.ceil(rate)}`,
      });
    }
  }
}

/** WAF's rate-based rules count over 5 minutes (the default evaluation window). */
const WAF_WINDOW_SECONDS = 300;

/**
 * The per-tenant WAF limit: the one given, or twice what the fastest tier or override may draw
 * over the window (WAF's floor and ceiling applied); none without a web ACL.
 */
export function wafKeyRateLimitOf(props: TenantApiProps): number | undefined {
  if (props.wafRateLimit === false || props.wafKeyRateLimit === false) return undefined;
  if (props.wafKeyRateLimit !== undefined) return props.wafKeyRateLimit;
  const rates = [...props.tiers.map((t) => t.rateLimit), ...(props.tenants ?? []).map((t) => t.overrides?.rateLimit ?? 0)].filter((r) => Number.isFinite(r));
  const fastest = Math.max(1, ...rates);
  return Math.min(2_000_000_000, Math.max(10, Math.ceil(2 * fastest * WAF_WINDOW_SECONDS)));
}
