import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from '../core/nag';
import { Validator } from '../core/validation';
import { TENANT_TAG_API, TenantApi, tenantSecretsKeyAlias } from './tenant-api';
import { bundledFunction } from '../core/lambda-code';
import { secretsKeyStatement } from './tenant-registry';

/** Props for {@link TenantOnboarding}. */
export interface TenantOnboardingProps {
  /** The API tenants are onboarded to (in this stack). */
  readonly api: TenantApi;
  /**
   * Every Region the API runs in (this one included); keys are created in each, the key
   * secret and the registry are replicated to the others.
   * @default - this Region only
   */
  readonly regions?: string[];
  /**
   * The roles that may call the operator route `POST /admin/tenants` (IAM-signed): the API's
   * resource policy denies it to every other principal, whatever their IAM policies allow.
   * Without any, there is no route: operators invoke the function.
   * @default - no operator route
   */
  readonly operators?: iam.IRole[];
  /**
   * Requests per second the operator route (`POST /admin/tenants`) admits; the burst is
   * twice that. Each onboarding makes about two API Gateway writes per Region, and
   * `CreateApiKey` is limited to about 5 requests per second per account, so the route is
   * kept well under it; what still gets throttled is retried with backoff in the function.
   * @default 1
   */
  readonly operatorRateLimit?: number;
}

/**
 * The operators' side of a TenantApi: onboard, describe, issue credentials, rotate, revoke and
 * offboard tenants at run time, through `POST /admin/tenants` (IAM-signed, limited to the
 * `operators` roles by the API's resource policy) or by invoking the function. Onboarding
 * registers the tenant in the API's registry against its tier's budget, generates its
 * usage-plan key into a replicated Secrets Manager secret, and in every Region creates the API
 * key (tagged with the API and the tenant; nothing untagged is ever adopted) on the tier's
 * shared plan. Every action is idempotent and recorded, with the caller, in the tenant's history.
 */
export class TenantOnboarding extends Construct {
  /** The onboarding function. */
  public readonly function: lambda.Function;
  /** The tenant registry (the API's: a global table, or its replica). */
  public readonly registry: dynamodb.ITableV2;
  /** The registry's table name. */
  public readonly registryTableName: string;

  constructor(scope: Construct, id: string, props: TenantOnboardingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const regions = props.regions ?? [stack.region];
    const v = new Validator(this);
    v.check(!regions.includes(stack.region), {
      code: 'TENANT_ONBOARDING_REGIONS',
      prop: 'regions',
      value: regions,
      message: "must include this stack's Region",
      fix: `add ${stack.region}`,
    });
    v.check(Stack.of(props.api) !== stack, {
      code: 'TENANT_ONBOARDING_API',
      prop: 'api',
      value: props.api.node.path,
      message: 'the API is in another stack',
      fix: "create the onboarding in the API's stack",
    });
    const operatorRate = props.operatorRateLimit ?? 1;
    v.check(!(operatorRate > 0) || operatorRate > 5, {
      code: 'TENANT_ONBOARDING_RATE',
      prop: 'operatorRateLimit',
      value: operatorRate,
      message: 'must be above 0 and at most 5 (the CreateApiKey rate limit per account, in requests per second)',
      fix: 'use the default 1, or a value up to 5',
    });
    v.throwIfAny();

    const plansParameter = props.api.ensureTierPlans();
    const api = props.api;
    this.registry = api.registry.table;
    this.registryTableName = api.registry.tableName;
    for (const region of regions) api.replicateKeysTo(region);

    this.function = bundledFunction(
      this,
      'Function',
      'tenant-onboarding',
      `Onboards tenants of ${api.apiName}`,
      {
        API_NAME: api.apiName,
        REGISTRY_TABLE: this.registryTableName,
        REGIONS: JSON.stringify(regions),
        TIERS: JSON.stringify(api.tierBudgets()),
        PLANS_PARAMETER: plansParameter,
        IDENTITY: api.identityKind === 'api-key' ? 'api-key' : 'authorizer',
        SIGNING_SECRET: api.identityKind === 'authorizer' ? `tenant-api-signing/${api.apiName}` : '',
        // The secrets key by its alias, the same name in every Region (a replica's id is the
        // primary stack's): the tenants' key secrets and their replicas are made under it.
        SECRET_KEYS: JSON.stringify(Object.fromEntries(regions.map((r) => [r, tenantSecretsKeyAlias(api.apiName)]))),
        // Writes go to the registry's home Region only (a global table checks conditions per replica).
        HOME_REGION: api.homeRegion,
        AUTHORIZER_CACHE_SECONDS: String(api.authorizerCacheSeconds),
      },
      Duration.minutes(2),
    );
    this.grant(api, regions, stack, plansParameter);
    if (props.operators && props.operators.length > 0) this.operatorRoute(api, props.operators, operatorRate);
  }

  private grant(api: TenantApi, regions: string[], stack: Stack, plansParameter: string): void {
    const role = this.function.role!;
    const p = stack.partition;
    const a = stack.account;
    const name = api.apiName;
    const secretArn = (region: string): string => `arn:${p}:secretsmanager:${region}:${a}:secret:tenant-api/${name}/*`;
    const tagged = (key: 'aws:RequestTag' | 'aws:ResourceTag'): Record<string, Record<string, string>> => ({ StringEquals: { [`${key}/${TENANT_TAG_API}`]: name } });
    const add = (s: iam.PolicyStatementProps): void => {
      role.addToPrincipalPolicy(new iam.PolicyStatement(s));
    };
    // TransactWriteItems is authorized as the Put and Update items it holds.
    add({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [api.registry.tableArn] });
    add({
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:CreateSecret', 'secretsmanager:TagResource', 'secretsmanager:ReplicateSecretToRegions', 'secretsmanager:RemoveRegionsFromReplication', 'secretsmanager:DeleteSecret'],
      resources: regions.map(secretArn),
    });
    if (api.identityKind === 'authorizer') {
      add({ actions: ['secretsmanager:GetSecretValue'], resources: [`arn:${p}:secretsmanager:${stack.region}:${a}:secret:tenant-api-signing/${name}-??????`] });
    }
    // The secrets key: read the signing secret here; make, replicate and read tenants' key secrets everywhere.
    role.addToPrincipalPolicy(secretsKeyStatement(stack, regions, [`tenant-api/${name}/*`, `tenant-api-signing/${name}-??????`], ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt']));
    add({ actions: ['ssm:GetParameter'], resources: regions.map((r) => `arn:${p}:ssm:${r}:${a}:parameter${plansParameter}`) });
    // Listing keys (to find one by name after a crash) cannot be narrowed by tag; the function
    // lists without values and reads a key's value only through the tag-scoped statement below.
    add({ actions: ['apigateway:GET'], resources: regions.map((r) => `arn:${p}:apigateway:${r}::/apikeys`) });
    // CreateApiKey with tags is authorized as POST /apikeys and, for the tags, PUT /tags/{arn}
    // (TagResource), both only with this API's tag in the request.
    add({ actions: ['apigateway:POST'], resources: regions.map((r) => `arn:${p}:apigateway:${r}::/apikeys`), conditions: tagged('aws:RequestTag') });
    add({ actions: ['apigateway:PUT'], resources: regions.map((r) => `arn:${p}:apigateway:${r}::/tags/*`), conditions: tagged('aws:RequestTag') });
    add({ actions: ['apigateway:GET', 'apigateway:PATCH', 'apigateway:DELETE'], resources: regions.map((r) => `arn:${p}:apigateway:${r}::/apikeys/*`), conditions: tagged('aws:ResourceTag') });
    // The tier plans: by id in this Region; in another Region their ids live in that Region's
    // stack, so any plan there, and the function links only the ids that Region's own
    // parameter names.
    const planPaths = (r: string): string[] =>
      r === stack.region
        ? Object.values(api.tierPlans).flatMap((plan) => [`arn:${p}:apigateway:${r}::/usageplans/${plan.usagePlanId}/keys`, `arn:${p}:apigateway:${r}::/usageplans/${plan.usagePlanId}/keys/*`])
        : [`arn:${p}:apigateway:${r}::/usageplans/*/keys`, `arn:${p}:apigateway:${r}::/usageplans/*/keys/*`];
    // A policy of its own: the plans depend on the stage, the stage on the methods, the operator
    // method on the function, and the function on its role's default policy.
    const planLinks = new iam.Policy(this, 'PlanLinks', {
      statements: [new iam.PolicyStatement({ actions: ['apigateway:GET', 'apigateway:POST', 'apigateway:DELETE'], resources: regions.flatMap(planPaths) })],
      roles: [role as iam.IRole],
    });

    const policy = role.node.tryFindChild('DefaultPolicy');
    if (!policy) return;
    // cdk-nag names findings by the rendered ARN: pseudo parameters appear as <AWS::...>.
    const P = Token.isUnresolved(p) ? '<AWS::Partition>' : p;
    const A = Token.isUnresolved(a) ? '<AWS::AccountId>' : a;
    for (const r of regions) {
      acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::arn:${P}:secretsmanager:${r}:${A}:secret:tenant-api/${name}/*]`, "Tenants' key secrets are created at run time under this API's prefix; their ARNs end in a random suffix.");
      acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::arn:${P}:kms:${r}:${A}:key/*]`, "The secrets key's replica id is the primary stack's; use is limited to Secrets Manager (kms:ViaService) and this API's secrets (kms:EncryptionContext:SecretARN).");
      acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::arn:${P}:apigateway:${r}::/apikeys/*]`, "API keys are created at run time; only those tagged as this API's may be read, changed or deleted (aws:ResourceTag).");
      acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::arn:${P}:apigateway:${r}::/tags/*]`, "Tags are set when a key is created, and only with this API's tag (aws:RequestTag).");
      if (r === stack.region) {
        for (const plan of Object.values(api.tierPlans)) {
          acknowledgeNagFinding(planLinks, `AwsSolutions-IAM5[Resource::arn:${P}:apigateway:${r}::/usageplans/<${Stack.of(plan).getLogicalId(plan.node.defaultChild as apigw.CfnUsagePlan)}>/keys/*]`, "A tier plan's key links are made at run time; the plan is named.");
        }
      } else {
        for (const path of ['/usageplans/*/keys', '/usageplans/*/keys/*']) {
          acknowledgeNagFinding(planLinks, `AwsSolutions-IAM5[Resource::arn:${P}:apigateway:${r}::${path}]`, "The tier plans of another Region are that Region's stack's; the function links keys only to the plan ids that Region's own parameter names.");
        }
      }
    }
    if (api.identityKind === 'authorizer') {
      acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::arn:${P}:secretsmanager:${Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region}:${A}:secret:tenant-api-signing/${name}-??????]`, "Secrets Manager appends six random characters to a secret's ARN; the name is fixed.");
    }
  }

  /**
   * `POST /admin/tenants`, IAM-signed, on the API; its resource policy lets every caller reach
   * the tenant routes (their authorizer decides) and only the operator roles this one.
   */
  private operatorRoute(api: TenantApi, operators: iam.IRole[], rate: number): void {
    const admin = api.api.root.addResource('admin').addResource('tenants');
    const method = admin.addMethod('POST', new apigw.LambdaIntegration(this.function), { authorizationType: apigw.AuthorizationType.IAM, apiKeyRequired: false });
    this.route = method;
    acknowledgeNagFinding(method, 'AwsSolutions-COG4', 'Operators call the onboarding route with IAM (SigV4) credentials, limited to named roles by the resource policy, not Cognito tokens.');
    api.api.addToResourcePolicy(new iam.PolicyStatement({ effect: iam.Effect.ALLOW, principals: [new iam.AnyPrincipal()], actions: ['execute-api:Invoke'], resources: ['execute-api:/*'] }));
    api.api.addToResourcePolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*/POST/admin/tenants'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': operators.map((r) => r.roleArn) } },
      }),
    );
    this.throttleOperatorRoute(api, rate);
  }

  /**
   * Let a principal operate tenants: call the operator route (when there is one) and invoke the
   * function. The principal's role must also be one of `operators` for the route.
   */
  public grantOperate(grantee: iam.IGrantable): void {
    // The function itself, not its versions (grantInvoke would add `<arn>:*`).
    iam.Grant.addToPrincipal({ grantee, actions: ['lambda:InvokeFunction'], resourceArns: [this.function.functionArn] });
    if (this.route) {
      iam.Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns: [this.route.methodArn] });
    }
  }

  private route?: apigw.Method;

  /**
   * A method setting on the stage for the operator route: the stage-wide default entry with
   * a low rate, so a bulk onboarding script cannot exceed the API Gateway control plane.
   */
  private throttleOperatorRoute(api: TenantApi, rate: number): void {
    const stage = api.api.deploymentStage.node.defaultChild as apigw.CfnStage;
    const settings = (stage.methodSettings ?? []) as apigw.CfnStage.MethodSettingProperty[];
    const stageDefault = settings.find((m) => m.resourcePath === '/*' && m.httpMethod === '*') ?? {};
    stage.methodSettings = [
      ...settings,
      { ...stageDefault, httpMethod: 'POST', resourcePath: '/~1admin~1tenants', throttlingRateLimit: rate, throttlingBurstLimit: Math.ceil(rate * 2) },
    ];
  }
}
