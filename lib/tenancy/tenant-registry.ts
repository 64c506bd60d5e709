import { CustomResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { bundledFunction } from '../core/lambda-code';
import { acknowledgeNagFinding } from '../core/nag';
import type { ReplicatedSecretKey } from '../core/replicated-secret-key';

/**
 * A secret of the tenant API refuses every principal outside its account, whatever a key or
 * IAM policy there says. Narrower (only the API's functions) it cannot be: CloudFormation
 * resolves the keys' dynamic references with the deployer's credentials. @internal
 */
export function denyOutsideAccount(secret: secretsmanager.Secret): void {
  secret.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyOutsideTheAccount',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['secretsmanager:*'],
      resources: ['*'], // in a secret's resource policy, '*' means this secret
      conditions: { StringNotEquals: { 'aws:PrincipalAccount': Stack.of(secret).account } },
    }),
  );
}

/**
 * Decrypt (and, for onboarding, encrypt) with the API's secrets key in any of its Regions, only
 * through Secrets Manager and only for this API's secrets (the encryption context Secrets Manager
 * sends names the secret). The key's id is another stack's in the recovery Region, so the
 * resource is any key of the account; the conditions do the scoping. @internal
 */
export function secretsKeyStatement(stack: Stack, regions: string[], secretNamePatterns: string[], actions: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions,
    resources: regions.map((r) => `arn:${stack.partition}:kms:${r}:${stack.account}:key/*`),
    conditions: {
      StringLike: {
        'kms:ViaService': regions.map((r) => `secretsmanager.${r}.amazonaws.com`),
        'kms:EncryptionContext:SecretARN': regions.flatMap((r) => secretNamePatterns.map((n) => `arn:${stack.partition}:secretsmanager:${r}:${stack.account}:secret:${n}`)),
      },
    },
  });
}

/** Props for {@link TenantRegistry}. */
export interface TenantRegistryProps {
  /** The API's name (the table is `<apiName>-tenant-registry`). */
  readonly apiName: string;
  /**
   * Use the replica of another Region's registry (a DynamoDB global table) instead of creating one.
   * @default - this registry creates the table
   */
  readonly replicaOf?: TenantRegistry;
}

/**
 * The tenants of an API, as its authorizer and TenantOnboarding see them: a DynamoDB global
 * table (one item per tenant: tier, status, credential versions, key ids, history; one counter
 * per tier), point-in-time recovery, deletion-protected and retained.
 */
export class TenantRegistry extends Construct {
  /** The table (or this Region's replica). */
  public readonly table: dynamodb.ITableV2;
  /** Its name, the same in every Region. */
  public readonly tableName: string;
  private readonly owned?: dynamodb.TableV2;
  private readonly replicaRegions = new Set<string>();

  constructor(scope: Construct, id: string, props: TenantRegistryProps) {
    super(scope, id);
    this.tableName = `${props.apiName}-tenant-registry`;
    if (props.replicaOf) {
      this.table = dynamodb.TableV2.fromTableName(this, 'Table', this.tableName);
    } else {
      this.owned = new dynamodb.TableV2(this, 'Table', {
        tableName: this.tableName,
        partitionKey: { name: 'tenantId', type: dynamodb.AttributeType.STRING },
        billing: dynamodb.Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      this.table = this.owned;
    }
  }

  /** This Region's table ARN (for a replica: the same name, here). */
  public get tableArn(): string {
    const s = Stack.of(this);
    return `arn:${s.partition}:dynamodb:${s.region}:${s.account}:table/${this.tableName}`;
  }

  /** Add a replica in a Region (a no-op for a replica registry and the own Region). */
  public replicateTo(region: string): void {
    if (!this.owned || region === Stack.of(this).region) return;
    if (this.replicaRegions.has(region)) return;
    this.replicaRegions.add(region);
    this.owned.addReplica({ region });
  }

  /**
   * Keep the registry's deploy-time tenants equal to the app's, at every deploy: a custom
   * resource served by the onboarding bundle's registrar.
   */
  public registerDeployTimeTenants(apiName: string, regions: string[], tiers: Record<string, { maxTenants: number }>, tenants: { id: string; tier: string; keyId: string }[]): void {
    const fn = bundledFunction(this, 'Registrar', 'tenant-onboarding', `Registers the deploy-time tenants of ${apiName}`, {
      API_NAME: apiName,
      REGISTRY_TABLE: this.tableName,
      REGIONS: JSON.stringify(regions),
      TIERS: JSON.stringify(tiers),
      PLANS_PARAMETER: '',
      REGISTRAR: 'true',
    });
    // TransactWriteItems is authorized as the Put/Update it holds.
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [this.tableArn] }));
    const resource = new CustomResource(this, 'DeployTimeTenants', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::TenantRegistry',
      properties: {
        Tenants: tenants.map((t) => ({ id: t.id, tier: t.tier })),
        ApiKeyIds: Object.fromEntries(tenants.map((t) => [t.id, t.keyId])),
        // Budgets change what the registrar may admit: a change re-runs it.
        Tiers: tiers,
      },
    });
    if (this.owned) resource.node.addDependency(this.owned);
    resource.node.addDependency(fn.role!);
  }
}

/**
 * The default tenant authorizer of an API: a REQUEST authorizer on the `Authorization` header,
 * whose function reads this Region's registry and the API's secrets. @internal
 */
export function tenantAuthorizer(scope: Construct, apiName: string, registry: TenantRegistry, signingSecretName: string, cacheTtl: Duration): apigw.RequestAuthorizer {
  const s = Stack.of(scope);
  const fn = bundledFunction(scope, 'AuthorizerFunction', 'tenant-authorizer', `Tenant identity of ${apiName}`, {
    API_NAME: apiName,
    REGISTRY_TABLE: registry.tableName,
    SIGNING_SECRET: signingSecretName,
    KEY_SECRET_PREFIX: `tenant-api/${apiName}/`,
  }, Duration.seconds(10));
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [registry.tableArn] }));
  const secretArn = (name: string): string => `arn:${s.partition}:secretsmanager:${s.region}:${s.account}:secret:${name}`;
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArn(`${signingSecretName}-??????`), secretArn(`tenant-api/${apiName}/*`)] }));
  fn.addToRolePolicy(secretsKeyStatement(s, [s.region], [`${signingSecretName}-??????`, `tenant-api/${apiName}/*`], ['kms:Decrypt']));
  const policy = fn.role!.node.tryFindChild('DefaultPolicy');
  if (policy) {
    const P = Token.isUnresolved(s.partition) ? '<AWS::Partition>' : s.partition;
    const A = Token.isUnresolved(s.account) ? '<AWS::AccountId>' : s.account;
    const R = Token.isUnresolved(s.region) ? '<AWS::Region>' : s.region;
    acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::arn:${P}:secretsmanager:${R}:${A}:secret:${signingSecretName}-??????]`, 'Secrets Manager appends six random characters to a secret\'s ARN; the name is fixed.');
    acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::arn:${P}:secretsmanager:${R}:${A}:secret:tenant-api/${apiName}/*]`, "Tenants' usage-plan key secrets live under this API's prefix; run-time tenants' are created after deploy.");
    acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::arn:${P}:kms:${R}:${A}:key/*]`, "The secrets key's id is the primary stack's; decryption is limited to Secrets Manager (kms:ViaService) and to this API's secrets (kms:EncryptionContext:SecretARN).");
  }
  return new apigw.RequestAuthorizer(scope, 'Authorizer', {
    handler: fn,
    identitySources: [apigw.IdentitySource.header('Authorization')],
    resultsCacheTtl: cacheTtl,
    authorizerName: `${apiName}-tenant`,
  });
}

/** The API's signing secret (authorizer identity), generated here or read by name from a replica. @internal */
export function signingSecret(scope: Construct, apiName: string, replicaRegions: string[], key: ReplicatedSecretKey | undefined): secretsmanager.ISecret {
  const name = `tenant-api-signing/${apiName}`;
  if (!key) return secretsmanager.Secret.fromSecretNameV2(scope, 'SigningSecret', name);
  const secret = new secretsmanager.Secret(scope, 'SigningSecret', {
    secretName: name,
    description: `Signs the tenant credentials of ${apiName}; whoever reads it can mint any tenant's credential`,
    generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'key', passwordLength: 64, excludePunctuation: true },
    encryptionKey: key.key,
    replicaRegions: replicaRegions.map((region) => ({ region, encryptionKey: key.keyIn(region) })),
  });
  secret.node.addDependency(...key.dependable(replicaRegions));
  denyOutsideAccount(secret);
  acknowledgeNagFinding(
    secret,
    'AwsSolutions-SMG4',
    "Rotating the signing secret would invalidate every tenant's credential at once; credentials are rotated per tenant instead (TenantOnboarding's rotate, with a grace period).",
  );
  return secret;
}
