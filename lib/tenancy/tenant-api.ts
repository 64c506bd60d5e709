import { Duration, NestedStack, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from '../core/nag';
import { Validator } from '../core/validation';
import { addStackDependency } from '../core/stack-dependency';

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
   * Where API Gateway reads the API key: the `x-api-key` header, or a Lambda authorizer's
   * `usageIdentifierKey`.
   * @default apigw.ApiKeySourceType.HEADER
   */
  readonly apiKeySource?: apigw.ApiKeySourceType;
  /**
   * The Lambda authorizer (with AUTHORIZER key source).
   * @default - none
   */
  readonly authorizer?: apigw.IAuthorizer;
  /**
   * Stage-level default throttle: the ceiling for the whole API, whatever the plans.
   * @default 1000 requests per second, burst 2000
   */
  readonly stageThrottle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * A WAF web ACL with a per-IP rate-based rule (requests per 5 minutes); `false` for none.
   * @default 2000
   */
  readonly wafRateLimit?: number | false;
  /**
   * A second rate-based rule in the web ACL, per API key (the `x-api-key` header): requests per
   * 5 minutes one key may send before WAF blocks it. A backstop for usage-plan throttles, which
   * AWS documents as best effort; set it above what the highest tier may draw. Only with keys in
   * the header (`apiKeySource` HEADER) and a web ACL; `false` for none.
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
   * API reads the replicated secrets by name, and its stack deploys after that one.
   * @default - this API creates the secrets
   */
  readonly keysFrom?: TenantApi;
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

/** What one tenant got. */
export interface TenantResources {
  readonly tenant: Tenant;
  readonly apiKey: apigw.IApiKey;
  readonly secretName: string;
  readonly usagePlan: apigw.IUsagePlan;
  readonly throttledAlarm?: cloudwatch.Alarm;
  readonly serverErrorAlarm?: cloudwatch.Alarm;
}

/** Estimated CloudFormation resources per tenant: secret, key, plan, plan key, 2 alarms. */
const RESOURCES_PER_TENANT = 6;

/**
 * A multi-tenant REST API (Regional endpoint) where no tenant can starve the others:
 * named tiers, a usage plan per tenant (or a shared tier plan with its own key), keys
 * whose values live in Secrets Manager (replicated to the recovery Region, never in a
 * template), stage-level throttling, an optional WAF rate rule, access logs with the key
 * id, and per-tenant 429/5xx alarms. Tenants beyond one stack's worth of resources are
 * sharded into nested stacks.
 */
export class TenantApi extends Construct {
  /** The REST API. */
  public readonly api: apigw.RestApi;
  /** The access log group. */
  public readonly accessLogs: logs.LogGroup;
  /** The web ACL, when on. */
  public readonly webAcl?: wafv2.CfnWebACL;
  /** Usage plans per tier that tenants share. */
  public readonly tierPlans: Record<string, apigw.UsagePlan> = {};
  /** Every static tenant's resources, by id. */
  public readonly tenants: Record<string, TenantResources> = {};
  /** The secrets created here (not with `keysFrom`). */
  public readonly secrets: Record<string, secretsmanager.Secret> = {};
  /** Nested stacks the tenants were sharded into (empty when they fit). */
  public readonly shards: NestedStack[] = [];
  /** The tiers, by name. */
  public readonly tierByName: Record<string, TenantTier>;
  /** Usage plans this API declares (per-tenant + shared tier plans). */
  public readonly usagePlanCount: number;
  /** The API name. */
  public readonly apiName: string;

  private readonly props: TenantApiProps;
  private readonly methods: Record<string, apigw.Method> = {};

  constructor(scope: Construct, id: string, props: TenantApiProps) {
    super(scope, id);
    this.props = props;
    this.apiName = props.apiName;
    const tenants = props.tenants ?? [];
    const routes = props.routes ?? [
      { path: '/', method: 'ANY' },
      { path: '/{proxy+}', method: 'ANY' },
    ];
    const ownPlans = tenants.filter((t) => !t.sharedPlan).length;
    const sharedTiers = new Set(tenants.filter((t) => t.sharedPlan).map((t) => t.tier));
    this.usagePlanCount = ownPlans + sharedTiers.size;
    validate(this, props, routes, this.usagePlanCount);
    this.tierByName = Object.fromEntries(props.tiers.map((t) => [t.name, t]));

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    const throttle = props.stageThrottle ?? { rateLimit: 1000, burstLimit: 2000 };
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: props.apiName,
      description: `Multi-tenant API ${props.apiName}`,
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      apiKeySourceType: props.apiKeySource ?? apigw.ApiKeySourceType.HEADER,
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: 'prod',
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        tracingEnabled: true,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            apiKeyId: '$context.identity.apiKeyId',
            tenantId: '$context.authorizer.tenantId',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            path: '$context.resourcePath',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            errorType: '$context.error.responseType',
          }),
        ),
      },
    });
    const requestValidator = this.api.addRequestValidator('Validator', { validateRequestBody: true, validateRequestParameters: true });
    const integration =
      props.defaultIntegration ??
      new apigw.MockIntegration({
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
        integrationResponses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"ok":true}' } }],
      });
    for (const r of routes) {
      const resource = r.path === '/' ? this.api.root : this.api.root.resourceForPath(r.path);
      this.methods[`${r.method.toUpperCase()} ${r.path}`] = resource.addMethod(r.method.toUpperCase(), r.integration ?? integration, {
        apiKeyRequired: true,
        authorizer: props.authorizer,
        requestValidator,
        methodResponses: [{ statusCode: '200' }],
      });
    }
    this.acknowledge(props);

    const keyRateLimit = wafKeyRateLimitOf(props);
    if (props.wafRateLimit !== false) {
      this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
        scope: 'REGIONAL',
        defaultAction: { allow: {} },
        visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `${props.apiName}-waf`, sampledRequestsEnabled: true },
        rules: [
          {
            name: 'RatePerIp',
            priority: 0,
            action: { block: {} },
            statement: { rateBasedStatement: { limit: props.wafRateLimit ?? 2000, aggregateKeyType: 'IP' } },
            visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `${props.apiName}-rate-per-ip`, sampledRequestsEnabled: true },
          },
          ...(keyRateLimit !== undefined
            ? [
                {
                  // Requests without the header are not counted by this rule (WAF skips a
                  // request that lacks a custom key); the per-IP rule still sees them.
                  name: 'RatePerApiKey',
                  priority: 1,
                  action: { block: {} },
                  statement: { rateBasedStatement: { limit: keyRateLimit, aggregateKeyType: 'CUSTOM_KEYS', customKeys: [{ header: { name: 'x-api-key', textTransformations: [{ priority: 0, type: 'NONE' }] } }] } },
                  visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `${props.apiName}-rate-per-key`, sampledRequestsEnabled: true },
                },
              ]
            : []),
        ],
      });
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: this.webAcl.attrArn });
    }

    // Per-tenant metrics from the access logs, with the key id as dimension.
    if (props.tenantAlarms !== false) {
      for (const [name, pattern] of [
        ['Throttled', '{ $.status = 429 }'],
        ['ServerErrors', '{ $.status >= 500 }'],
      ] as const) {
        new logs.MetricFilter(this, `${name}Filter`, {
          logGroup: this.accessLogs,
          filterPattern: logs.FilterPattern.literal(pattern),
          metricNamespace: `CdkResilience/TenantApi/${props.apiName}`,
          metricName: name,
          metricValue: '1',
          dimensions: { ApiKeyId: '$.apiKeyId' },
        });
      }
    }

    // Shared tier plans live with the API; per-tenant resources go in shards when needed.
    for (const tier of sharedTiers) this.tierPlans[tier] = this.usagePlan(this, `Tier-${tier}`, this.tierByName[tier], undefined, `${props.apiName}-${tier}`);
    const budget = Math.max(1, Math.floor((props.maxResourcesPerStack ?? 450) / RESOURCES_PER_TENANT));
    const baseResources = 40 + this.usagePlanCount;
    const fitsHere = Math.max(0, Math.floor(((props.maxResourcesPerStack ?? 450) - baseResources) / RESOURCES_PER_TENANT));
    let rest = [...tenants];
    if (rest.length > fitsHere) {
      for (let i = 0; rest.length > 0; i++) {
        const shard = new NestedStack(this, `TenantShard${i}`, { description: `Tenants of ${props.apiName}, shard ${i}` });
        this.shards.push(shard);
        for (const t of rest.slice(0, budget)) this.addTenant(shard, t);
        rest = rest.slice(budget);
      }
    } else {
      for (const t of rest) this.addTenant(this, t);
    }
    if (props.keysFrom) {
      addStackDependency(Stack.of(this), Stack.of(props.keysFrom), `tenant keys of ${props.apiName} are replicated from there`);
      props.keysFrom.replicateKeysTo(Stack.of(this).region);
    }
  }

  /**
   * Make sure every tier has a shared usage plan (run-time tenants join them) and publish
   * the plan ids in this Region's SSM parameter `plansParameterName`, where onboarding reads
   * them. Returns the parameter name.
   */
  public ensureTierPlans(): string {
    for (const tier of this.props.tiers) {
      if (!this.tierPlans[tier.name]) this.tierPlans[tier.name] = this.usagePlan(this, `Tier-${tier.name}`, tier, undefined, `${this.apiName}-${tier.name}`);
    }
    const quota = this.props.usagePlanQuota ?? 300;
    const plans = (this.props.tenants ?? []).filter((t) => !t.sharedPlan).length + Object.keys(this.tierPlans).length;
    if (plans > quota) {
      const v = new Validator(this);
      v.add({
        code: 'TENANT_PLAN_QUOTA',
        prop: 'tenants',
        value: `${plans} usage plans`,
        message: `with a shared plan per tier for onboarding, exceeds the account's usage plan quota in this Region (${quota})`,
        fix: 'put tenants on shared tier plans (sharedPlan: true), or raise the quota with AWS and set usagePlanQuota',
      });
      v.throwIfAny();
    }
    if (!this.plansParameter) {
      this.plansParameter = new ssm.StringParameter(this, 'TierPlans', {
        parameterName: this.plansParameterName,
        description: `Usage plan id of each tier of ${this.apiName}, for run-time onboarding`,
        stringValue: Stack.of(this).toJsonString(Object.fromEntries(Object.entries(this.tierPlans).map(([k, p]) => [k, p.usagePlanId]))),
      });
    }
    return this.plansParameterName;
  }

  /** SSM parameter (in this Region) with each tier's usage plan id. */
  public get plansParameterName(): string {
    return `/cdk-resilience/tenant-api/${this.apiName}/tier-plans`;
  }

  private plansParameter?: ssm.StringParameter;

  /** Replicate every tenant key secret to a Region (a no-op for the own Region). */
  public replicateKeysTo(region: string): void {
    if (region === Stack.of(this).region) return;
    for (const s of Object.values(this.secrets)) s.addReplicaRegion(region);
  }

  /** The secret name of a tenant's key: the same in every Region. */
  public secretName(tenantId: string): string {
    return `tenant-api/${this.apiName}/${tenantId}`;
  }

  private addTenant(scope: Construct, t: Tenant): void {
    const group = new Construct(scope, `Tenant-${t.id}`);
    const secretName = this.secretName(t.id);
    let value: string;
    if (this.props.keysFrom) {
      // The replica in this Region, by name: a dynamic reference, resolved by CloudFormation.
      value = secretsmanager.Secret.fromSecretNameV2(group, 'KeySecret', secretName).secretValueFromJson('key').unsafeUnwrap();
    } else {
      const secret = new secretsmanager.Secret(group, 'KeySecret', {
        secretName,
        description: `API key of tenant ${t.id} (${this.apiName})`,
        generateSecretString: { secretStringTemplate: JSON.stringify({ tenantId: t.id }), generateStringKey: 'key', passwordLength: 40, excludePunctuation: true },
        replicaRegions: (this.props.keyReplicaRegions ?? []).map((region) => ({ region })),
      });
      acknowledgeNagFinding(
        secret,
        'AwsSolutions-SMG4',
        'An API key is rotated by issuing the tenant a new key (a new ApiKey on the plan), not by Secrets Manager rotation, which would break the live key.',
      );
      this.secrets[t.id] = secret;
      value = secret.secretValueFromJson('key').unsafeUnwrap();
    }
    const apiKey = new apigw.ApiKey(group, 'Key', { apiKeyName: `${this.apiName}-${t.id}`, value, enabled: true, description: `Tenant ${t.id}, tier ${t.tier}` });
    const plan = t.sharedPlan ? this.tierPlans[t.tier] : this.usagePlan(group, 'Plan', this.tierByName[t.tier], t.overrides, `${this.apiName}-${t.id}`);
    // The plan-key link lives with the tenant (in its shard), not with a shared tier plan,
    // so a shard holds everything one tenant adds.
    new apigw.CfnUsagePlanKey(group, 'PlanKey', { keyId: apiKey.keyId, keyType: 'API_KEY', usagePlanId: plan.usagePlanId });
    const resources: TenantResources & { throttledAlarm?: cloudwatch.Alarm; serverErrorAlarm?: cloudwatch.Alarm } = { tenant: t, apiKey, secretName, usagePlan: plan };
    if (this.props.tenantAlarms !== false) {
      const alarms = this.props.tenantAlarms ?? {};
      const make = (name: 'Throttled' | 'ServerErrors', threshold: number): cloudwatch.Alarm => {
        const alarm = new cloudwatch.Alarm(group, `${name}Alarm`, {
          alarmDescription: `Tenant ${t.id} of ${this.apiName}: ${name === 'Throttled' ? 'throttled (429)' : 'server errors (5xx)'}`,
          metric: new cloudwatch.Metric({
            namespace: `CdkResilience/TenantApi/${this.apiName}`,
            metricName: name,
            dimensionsMap: { ApiKeyId: apiKey.keyId },
            statistic: cloudwatch.Stats.SUM,
            period: Duration.minutes(5),
          }),
          threshold,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
        if (this.props.alarmTopic) alarm.addAlarmAction(new cwActions.SnsAction(this.props.alarmTopic));
        return alarm;
      };
      resources.throttledAlarm = make('Throttled', alarms.throttled ?? 100);
      resources.serverErrorAlarm = make('ServerErrors', alarms.serverErrors ?? 10);
    }
    this.tenants[t.id] = resources;
  }

  private usagePlan(scope: Construct, id: string, tier: TenantTier, overrides: Tenant['overrides'], name: string): apigw.UsagePlan {
    return new apigw.UsagePlan(scope, id, {
      name,
      description: `Tier ${tier.name}`,
      throttle: { rateLimit: overrides?.rateLimit ?? tier.rateLimit, burstLimit: overrides?.burstLimit ?? tier.burstLimit },
      quota: tier.quota ? { limit: overrides?.quotaLimit ?? tier.quota.limit, period: apigw.Period[tier.quota.period] } : undefined,
      apiStages: [
        {
          api: this.api,
          stage: this.api.deploymentStage,
          throttle: (tier.methodThrottles ?? []).map((m) => ({ method: this.methods[m.route], throttle: { rateLimit: m.rateLimit, burstLimit: m.burstLimit } })),
        },
      ],
    });
  }

  private acknowledge(props: TenantApiProps): void {
    const role = this.api.node.tryFindChild('CloudWatchRole');
    if (role) {
      acknowledgeNagFinding(
        role,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        'API Gateway writes its execution and access logs through this account-level role with the AWS-maintained policy.',
      );
    }
    for (const method of Object.values(this.methods)) {
      if (!props.authorizer) {
        acknowledgeNagFinding(
          method,
          'AwsSolutions-APIG4',
          'Tenants are identified by their API key (apiKeyRequired) for usage plans; authentication of end users is the integration\'s, or pass an authorizer.',
        );
      }
      acknowledgeNagFinding(
        method,
        'AwsSolutions-COG4',
        'Tenant identity is the API key (and optionally a Lambda authorizer), not a Cognito user pool.',
      );
    }
    if (props.wafRateLimit === false) {
      acknowledgeNagFinding(this.api.deploymentStage, 'AwsSolutions-APIG3', 'WAF was turned off explicitly (wafRateLimit: false); usage plans and the stage throttle still bound each tenant.');
    }
  }
}

function validate(scope: Construct, props: TenantApiProps, routes: TenantApiRoute[], usagePlans: number): void {
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
    tierNames.add(t.name);
    checkLimits(v, p, t.rateLimit, t.burstLimit);
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
  if (props.wafRateLimit !== undefined && props.wafRateLimit !== false) {
    v.integer('wafRateLimit', props.wafRateLimit, { code: 'TENANT_WAF', min: 10, max: 2_000_000_000 });
  }
  if (props.wafKeyRateLimit !== undefined && props.wafKeyRateLimit !== false) {
    v.integer('wafKeyRateLimit', props.wafKeyRateLimit, { code: 'TENANT_WAF', min: 10, max: 2_000_000_000 });
    v.check(props.wafRateLimit === false || (props.apiKeySource !== undefined && props.apiKeySource !== apigw.ApiKeySourceType.HEADER), {
      code: 'TENANT_WAF',
      prop: 'wafKeyRateLimit',
      value: props.wafKeyRateLimit,
      message: props.wafRateLimit === false ? 'needs the web ACL, which wafRateLimit: false turns off' : 'counts the x-api-key header, which clients do not send when the authorizer supplies the key',
      fix: 'drop wafKeyRateLimit, or keep the web ACL and keys in the header',
    });
  }
  v.check(props.apiKeySource === apigw.ApiKeySourceType.AUTHORIZER && props.authorizer === undefined, {
    code: 'TENANT_KEY_SOURCE',
    prop: 'apiKeySource',
    value: 'AUTHORIZER',
    message: "the key comes from a Lambda authorizer's usageIdentifierKey, and no authorizer was given",
    fix: 'pass authorizer, or use the HEADER key source',
  });
  v.check(props.keysFrom !== undefined && (props.keyReplicaRegions ?? []).length > 0, {
    code: 'TENANT_KEYS_FROM',
    prop: 'keyReplicaRegions',
    value: props.keyReplicaRegions,
    message: 'this API reads replicated keys (keysFrom); it creates no secrets to replicate',
    fix: 'drop keyReplicaRegions',
  });
  v.throwIfAny();
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
 * The per-key WAF limit: the one given, or twice what the fastest tier or override may draw
 * over the window (WAF's floor and ceiling applied); none without keys in the header or a web ACL.
 */
function wafKeyRateLimitOf(props: TenantApiProps): number | undefined {
  if (props.wafRateLimit === false || props.wafKeyRateLimit === false) return undefined;
  if (props.apiKeySource !== undefined && props.apiKeySource !== apigw.ApiKeySourceType.HEADER) return undefined;
  if (props.wafKeyRateLimit !== undefined) return props.wafKeyRateLimit;
  const rates = [...props.tiers.map((t) => t.rateLimit), ...(props.tenants ?? []).map((t) => t.overrides?.rateLimit ?? 0)].filter((r) => Number.isFinite(r));
  const fastest = Math.max(1, ...rates);
  return Math.min(2_000_000_000, Math.max(10, Math.ceil(2 * fastest * WAF_WINDOW_SECONDS)));
}
