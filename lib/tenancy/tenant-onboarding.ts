import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundledLambdaCode } from '../core/lambda-code';
import { acknowledgeNagFinding } from '../core/nag';
import { Validator } from '../core/validation';
import { TenantApi } from './tenant-api';
import { addStackDependency } from '../core/stack-dependency';

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
   * The onboarding of the Region that owns the registry (a DynamoDB global table): this
   * one uses its replica, and its stack deploys after that one.
   * @default - this onboarding creates the registry
   */
  readonly registryFrom?: TenantOnboarding;
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
 * Run-time tenant onboarding: an operator calls `POST /admin/tenants` (IAM-signed) on the
 * API, or invokes the function, with `{ tenantId, tier }`. The function registers the
 * tenant in a DynamoDB global table (so the recovery Region knows it), generates its key
 * into a replicated Secrets Manager secret, and in every Region creates the API key with
 * that value on the tier's shared usage plan. Idempotent on the tenant id; throttled
 * API Gateway calls back off with full jitter.
 */
export class TenantOnboarding extends Construct {
  /** The onboarding function. */
  public readonly function: lambda.Function;
  /** The tenant registry (a global table, or its replica). */
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
    this.registryTableName = `${props.api.apiName}-tenants`;
    if (props.registryFrom) {
      this.registry = dynamodb.TableV2.fromTableName(this, 'Registry', this.registryTableName);
      addStackDependency(stack, Stack.of(props.registryFrom), 'the tenant registry replica is created there');
    } else {
      this.registry = new dynamodb.TableV2(this, 'Registry', {
        tableName: this.registryTableName,
        partitionKey: { name: 'tenantId', type: dynamodb.AttributeType.STRING },
        billing: dynamodb.Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
        replicas: regions.filter((r) => r !== stack.region).map((region) => ({ region })),
      });
    }

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: `Onboards tenants of ${props.api.apiName}` });
    logGroup.grantWrite(role);
    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: bundledLambdaCode('tenant-onboarding'),
      role,
      logGroup,
      timeout: Duration.minutes(2),
      memorySize: 256,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        API_NAME: props.api.apiName,
        REGISTRY_TABLE: this.registryTableName,
        REGIONS: JSON.stringify(regions),
        TIERS: JSON.stringify(Object.keys(props.api.tierByName)),
        PLANS_PARAMETER: plansParameter,
      },
    });

    const p = stack.partition;
    const a = stack.account;
    const secretArn = (region: string): string => `arn:${p}:secretsmanager:${region}:${a}:secret:tenant-api/${props.api.apiName}/*`;
    role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [`arn:${p}:dynamodb:${stack.region}:${a}:table/${this.registryTableName}`] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:CreateSecret', 'secretsmanager:ReplicateSecretToRegions'], resources: regions.map(secretArn) }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: regions.map((r) => `arn:${p}:ssm:${r}:${a}:parameter${plansParameter}`) }));
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['apigateway:GET', 'apigateway:POST'],
        resources: regions.flatMap((r) => [`arn:${p}:apigateway:${r}::/apikeys`, `arn:${p}:apigateway:${r}::/apikeys/*`, `arn:${p}:apigateway:${r}::/usageplans/*/keys`, `arn:${p}:apigateway:${r}::/tags/*`]),
      }),
    );

    const admin = props.api.api.root.addResource('admin').addResource('tenants');
    const method = admin.addMethod('POST', new apigw.LambdaIntegration(this.function), { authorizationType: apigw.AuthorizationType.IAM, apiKeyRequired: false });
    acknowledgeNagFinding(method, 'AwsSolutions-COG4', 'Operators call the onboarding route with IAM (SigV4) credentials, not Cognito tokens.');
    this.throttleOperatorRoute(props.api, operatorRate);
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      // cdk-nag names findings by the rendered ARN: pseudo parameters appear as <AWS::...>.
      const P = Token.isUnresolved(p) ? '<AWS::Partition>' : p;
      const A = Token.isUnresolved(a) ? '<AWS::AccountId>' : a;
      for (const r of regions) {
        acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::arn:${P}:secretsmanager:${r}:${A}:secret:tenant-api/${props.api.apiName}/*]`, "Tenants' key secrets are created at run time under this API's prefix; their ARNs end in a random suffix.");
        for (const path of ['/apikeys/*', '/usageplans/*/keys', '/tags/*']) {
          acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::arn:${P}:apigateway:${r}::${path}]`, 'API keys and their plan links are created at run time; their ids are not known at deploy time.');
        }
      }
      acknowledgeNagFinding(policy, 'AwsSolutions-IAM5[Resource::*]', "X-Ray's PutTraceSegments and PutTelemetryRecords (active tracing) support no resource-level permissions.");
    }
  }

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
