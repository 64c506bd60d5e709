import { Duration, NestedStack, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from '../core/nag';
import { Validator } from '../core/validation';
import { addStackDependency } from '../core/stack-dependency';
import { addWarning, WarningId } from '../core/warnings';
import { capacityOf, DEFAULT_STAGE_THROTTLE, TenantCapacity, validateTenantApi, wafKeyRateLimitOf } from './tenant-api-validation';
import { ResolvedIdentity, TenantIdentity } from './tenant-identity';
import { denyOutsideAccount, signingSecret, tenantAuthorizer, TenantRegistry } from './tenant-registry';
import { ReplicatedSecretKey } from '../core/replicated-secret-key';
import type { ITenantKeySource, Tenant, TenantApiProps, TenantTier } from './tenant-api-props';

export * from './tenant-api-props';

/** The alias of an API's secrets key, the same name in every Region. @internal */
export const tenantSecretsKeyAlias = (apiName: string): string => `alias/cdk-resilience/tenant-api/${apiName}`;

/** Tags that mark API keys and usage plans as this API's (onboarding adopts nothing else). */
export const TENANT_TAG_API = 'cdk-resilience:tenant-api';
export const TENANT_TAG_TENANT = 'cdk-resilience:tenant';

/** What one tenant got. */
export interface TenantResources {
  readonly tenant: Tenant;
  readonly apiKey: apigw.IApiKey;
  readonly secretName: string;
  readonly usagePlan: apigw.IUsagePlan;
  readonly throttledAlarm?: cloudwatch.Alarm;
  readonly serverErrorAlarm?: cloudwatch.Alarm;
}

/** CloudFormation resources per tenant: secret and its resource policy, key, plan, plan key, 2 alarms. */
const RESOURCES_PER_TENANT = 7;

/**
 * A multi-tenant REST API (Regional endpoint) where no tenant can starve the others:
 * named tiers, a usage plan per tenant (or a shared tier plan with its own key), keys
 * whose values live in Secrets Manager (replicated to the recovery Region, never in a
 * template), stage-level throttling, an optional WAF rate rule, access logs with the key
 * id, and per-tenant 429/5xx alarms. Tenants beyond one stack's worth of resources are
 * sharded into nested stacks.
 */
export class TenantApi extends Construct implements ITenantKeySource {
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
  /** The tenant registry (this Region's table or replica). */
  public readonly registry: TenantRegistry;
  /** How callers are identified. */
  public readonly identityKind: 'authorizer' | 'custom' | 'api-key';
  /** The API's signing secret (default identity only). */
  public readonly signingSecret?: secretsmanager.ISecret;
  /** The authorizer (default or custom identity). */
  public readonly authorizer?: apigw.IAuthorizer;
  /** The customer-managed key of the secrets (multi-Region; none with `keysFrom`). @internal */
  public readonly secretsKey?: ReplicatedSecretKey;
  /** The Region whose registry replica takes onboarding's writes (the registry's own). */
  public readonly homeRegion: string;
  /** Seconds the authorizer's answers are cached (0 without the default identity). */
  public readonly authorizerCacheSeconds: number;
  /** The capacity budget synth checked (undefined when a rate is a token). */
  public readonly capacity?: TenantCapacity;

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
    const identity = (props.identity ?? TenantIdentity.authorizer()) as unknown as ResolvedIdentity;
    validateTenantApi(this, props, routes, this.usagePlanCount, identity);
    this.identityKind = identity.kind;
    this.homeRegion = Stack.of(props.keysFrom ?? this).region;
    this.authorizerCacheSeconds = identity.kind === 'authorizer' ? (identity.cacheTtl ?? Duration.seconds(60)).toSeconds() : 300;
    this.capacity = capacityOf(props);
    this.tierByName = Object.fromEntries(props.tiers.map((t) => [t.name, t]));
    this.registry = new TenantRegistry(this, 'Registry', { apiName: props.apiName, replicaOf: props.keysFrom?.registry });
    // The secrets' key: made where the secrets are made; a keysFrom API reads replicas.
    if (!props.keysFrom) {
      this.secretsKey = new ReplicatedSecretKey(this, 'SecretsKey', {
        description: `Secrets of the tenant API ${props.apiName} (signing secret, tenant key secrets), replicated with them`,
        alias: tenantSecretsKeyAlias(props.apiName),
      });
    }
    if (identity.kind === 'authorizer') {
      this.signingSecret = signingSecret(this, props.apiName, props.keyReplicaRegions ?? [], this.secretsKey);
      this.authorizer = tenantAuthorizer(this, props.apiName, this.registry, `tenant-api-signing/${props.apiName}`, identity.cacheTtl ?? Duration.seconds(60));
    } else if (identity.kind === 'custom') {
      this.authorizer = identity.authorizer;
    } else {
      addWarning(
        this,
        WarningId.TENANT_IDENTITY_API_KEY_ONLY,
        `${props.apiName}: tenants are known only by their API key (${identity.reason}). A leaked key impersonates its tenant, and anyone with apigateway:GET reads every key; use TenantIdentity.authorizer().`,
      );
    }

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    const throttle = props.stageThrottle ?? DEFAULT_STAGE_THROTTLE;
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: props.apiName,
      description: `Multi-tenant API ${props.apiName}`,
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      apiKeySourceType: identity.kind === 'api-key' ? apigw.ApiKeySourceType.HEADER : apigw.ApiKeySourceType.AUTHORIZER,
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
            tier: '$context.authorizer.tier',
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
      const method = resource.addMethod(r.method.toUpperCase(), r.integration ?? integration, {
        apiKeyRequired: true,
        authorizer: this.authorizer,
        authorizationType: this.authorizer ? apigw.AuthorizationType.CUSTOM : apigw.AuthorizationType.NONE,
        requestValidator,
        methodResponses: [{ statusCode: '200' }],
      });
      if (this.authorizer) passTenantId(method);
      this.methods[`${r.method.toUpperCase()} ${r.path}`] = method;
    }
    this.acknowledge(props, identity);

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
                  name: identity.kind === 'api-key' ? 'RatePerApiKey' : 'RatePerCredential',
                  priority: 1,
                  action: { block: {} },
                  statement: {
                    rateBasedStatement: {
                      limit: keyRateLimit,
                      aggregateKeyType: 'CUSTOM_KEYS',
                      customKeys: [{ header: { name: identity.kind === 'api-key' ? 'x-api-key' : 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } }],
                    },
                  },
                  visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `${props.apiName}-rate-per-key`, sampledRequestsEnabled: true },
                },
              ]
            : []),
        ],
      });
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: this.webAcl.attrArn });
    }

    // Per-tenant metrics from the access logs: by tenant id (the authorizer's), else by key id.
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
          dimensions: identity.kind === 'api-key' ? { ApiKeyId: '$.apiKeyId' } : { TenantId: '$.tenantId' },
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
    } else {
      for (const region of props.keyReplicaRegions ?? []) this.registry.replicateTo(region);
      this.registry.registerDeployTimeTenants(
        props.apiName,
        [Stack.of(this).region, ...(props.keyReplicaRegions ?? [])],
        this.tierBudgets(),
        Object.values(this.tenants).map((t) => ({ id: t.tenant.id, tier: t.tenant.tier, keyId: t.apiKey.keyId })),
      );
    }
  }

  /** Each tier's budget, as onboarding and the registrar enforce it. */
  public tierBudgets(): Record<string, { maxTenants: number }> {
    const declared = (tier: string): number => (this.props.tenants ?? []).filter((t) => t.tier === tier).length;
    return Object.fromEntries(this.props.tiers.map((t) => [t.name, { maxTenants: t.maxTenants ?? declared(t.name) }]));
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

  /** Replicate every tenant key secret, the signing secret and the registry to a Region (a no-op for the own Region). */
  public replicateKeysTo(region: string): void {
    if (region === Stack.of(this).region || this.replicatedTo.has(region)) return;
    this.replicatedTo.add(region);
    const key = this.secretsKey?.keyIn(region);
    const secrets = [...Object.values(this.secrets), ...(this.signingSecret instanceof secretsmanager.Secret ? [this.signingSecret] : [])];
    for (const s of secrets) {
      s.addReplicaRegion(region, key);
      if (this.secretsKey) s.node.addDependency(...this.secretsKey.dependable([region]));
    }
    this.registry.replicateTo(region);
  }

  private readonly replicatedTo = new Set<string>();

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
        encryptionKey: this.secretsKey?.key,
        replicaRegions: (this.props.keyReplicaRegions ?? []).map((region) => ({ region, encryptionKey: this.secretsKey?.keyIn(region) })),
      });
      if (this.secretsKey) secret.node.addDependency(...this.secretsKey.dependable(this.props.keyReplicaRegions ?? []));
      denyOutsideAccount(secret);
      acknowledgeNagFinding(
        secret,
        'AwsSolutions-SMG4',
        'An API key is rotated by issuing the tenant a new key (a new ApiKey on the plan), not by Secrets Manager rotation, which would break the live key.',
      );
      this.secrets[t.id] = secret;
      value = secret.secretValueFromJson('key').unsafeUnwrap();
    }
    const apiKey = new apigw.ApiKey(group, 'Key', { apiKeyName: `${this.apiName}-${t.id}`, value, enabled: true, description: `Tenant ${t.id}, tier ${t.tier}` });
    Tags.of(apiKey).add(TENANT_TAG_API, this.apiName);
    Tags.of(apiKey).add(TENANT_TAG_TENANT, t.id);
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
            dimensionsMap: this.identityKind === 'api-key' ? { ApiKeyId: apiKey.keyId } : { TenantId: t.id },
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
    const plan = new apigw.UsagePlan(scope, id, {
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
    Tags.of(plan).add(TENANT_TAG_API, this.apiName);
    return plan;
  }

  private acknowledge(props: TenantApiProps, identity: ResolvedIdentity): void {
    const role = this.api.node.tryFindChild('CloudWatchRole');
    if (role) {
      acknowledgeNagFinding(
        role,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        'API Gateway writes its execution and access logs through this account-level role with the AWS-maintained policy.',
      );
    }
    for (const method of Object.values(this.methods)) {
      if (identity.kind === 'api-key') {
        acknowledgeNagFinding(method, 'AwsSolutions-APIG4', `No tenant identity, by choice (TenantIdentity.apiKeyOnly): ${identity.reason}`);
      }
      acknowledgeNagFinding(
        method,
        'AwsSolutions-COG4',
        identity.kind === 'api-key'
          ? `No tenant identity, by choice (TenantIdentity.apiKeyOnly): ${identity.reason}`
          : "Tenants are identified by a Lambda REQUEST authorizer (the registry's credentials, or the app's own authorizer), not a Cognito user pool.",
      );
    }
    if (props.wafRateLimit === false) {
      acknowledgeNagFinding(this.api.deploymentStage, 'AwsSolutions-APIG3', 'WAF was turned off explicitly (wafRateLimit: false); usage plans and the stage throttle still bound each tenant.');
    }
  }
}

/**
 * Tell an HTTP integration who the tenant is: the `x-tenant-id` header, set from the
 * authorizer's context (a value the client sends is overwritten). A Lambda proxy integration
 * reads `event.requestContext.authorizer.tenantId` instead; mock and AWS integrations get nothing.
 */
function passTenantId(method: apigw.Method): void {
  const cfn = method.node.defaultChild as apigw.CfnMethod;
  const type = (Stack.of(method).resolve(cfn.integration) as { type?: string } | undefined)?.type;
  if (type === 'HTTP' || type === 'HTTP_PROXY') {
    cfn.addPropertyOverride('Integration.RequestParameters.integration\\.request\\.header\\.x-tenant-id', 'context.authorizer.tenantId');
  }
}
