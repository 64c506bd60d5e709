import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ResilienceError, Tenant, TenantApi, TenantApiProps, TenantIdentity, TenantTier } from '../../lib';
import { errorOf, nagFindings, newStack, resourcesOfType, twoRegions } from '../helpers/app';

const TIERS: TenantTier[] = [
  { name: 'basic', rateLimit: 10, burstLimit: 20, quota: { limit: 10_000, period: 'DAY' } },
  { name: 'standard', rateLimit: 50, burstLimit: 100, quota: { limit: 100_000, period: 'DAY' }, methodThrottles: [{ route: 'ANY /{proxy+}', rateLimit: 40, burstLimit: 80 }] },
  { name: 'premium', rateLimit: 200, burstLimit: 400 },
];

function build(props: Partial<TenantApiProps> = {}): { stack: Stack; api: TenantApi; t: Template } {
  const stack = newStack();
  const api = new TenantApi(stack, 'Api', {
    apiName: 'orders',
    tiers: TIERS,
    tenants: [
      { id: 'acme', tier: 'premium' },
      { id: 'globex', tier: 'standard', overrides: { rateLimit: 60, burstLimit: 120 } },
      { id: 'initech', tier: 'basic', sharedPlan: true },
      { id: 'umbrella', tier: 'basic', sharedPlan: true },
    ],
    ...props,
  });
  return { stack, api, t: Template.fromStack(stack) };
}

describe('TenantApi per-tenant alarms and their topic', () => {
  test('with alarmTopic: every tenant\'s 429 and 5xx alarm notifies it; without: none notifies anything', () => {
    const withTopic = (() => {
      const stack = newStack();
      const topic = new sns.Topic(stack, 'Ops');
      new TenantApi(stack, 'Api', { apiName: 'orders', tiers: TIERS, tenants: [{ id: 'acme', tier: 'premium' }, { id: 'initech', tier: 'basic', sharedPlan: true }], alarmTopic: topic });
      return { t: Template.fromStack(stack), topicId: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) };
    })();
    const tenantAlarms = (t: Template) => resourcesOfType(t, 'AWS::CloudWatch::Alarm').filter(([, a]) => String(a.Properties.AlarmDescription).startsWith('Tenant '));
    const alarms = tenantAlarms(withTopic.t);
    expect(alarms.map(([, a]) => a.Properties.AlarmDescription).sort()).toEqual([
      'Tenant acme of orders: server errors (5xx)',
      'Tenant acme of orders: throttled (429)',
      'Tenant initech of orders: server errors (5xx)',
      'Tenant initech of orders: throttled (429)',
    ]);
    for (const [, a] of alarms) expect(a.Properties.AlarmActions).toEqual([{ Ref: withTopic.topicId }]);
    const bare = tenantAlarms(build().t);
    expect(bare.length).toBeGreaterThan(0);
    for (const [, a] of bare) expect(a.Properties.AlarmActions).toBeUndefined();
  });
});

describe('TenantApi', () => {
  const { stack, api, t } = build();

  test('a Regional REST API whose every method needs the tenant authorizer, which also supplies the usage-plan key', () => {
    t.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'orders', ApiKeySourceType: 'AUTHORIZER', EndpointConfiguration: { Types: ['REGIONAL'] } });
    const authorizers = resourcesOfType(t, 'AWS::ApiGateway::Authorizer');
    expect(authorizers).toHaveLength(1);
    expect(authorizers[0][1].Properties).toMatchObject({ Type: 'REQUEST', IdentitySource: 'method.request.header.Authorization', AuthorizerResultTtlInSeconds: 60, Name: 'orders-tenant' });
    const methods = resourcesOfType(t, 'AWS::ApiGateway::Method');
    expect(methods.length).toBe(2);
    for (const [, m] of methods) {
      expect(m.Properties.ApiKeyRequired).toBe(true);
      expect(m.Properties.AuthorizationType).toBe('CUSTOM');
      expect(m.Properties.AuthorizerId).toEqual({ Ref: authorizers[0][0] });
      expect(m.Properties.RequestValidatorId).toBeDefined();
    }
  });

  test("the authorizer function reads this Region's registry item and the API's secrets, nothing else", () => {
    const fn = resourcesOfType(t, 'AWS::Lambda::Function').find(([, f]) => f.Properties.Description === 'Tenant identity of orders')!;
    expect((fn[1].Properties.Environment as { Variables: unknown }).Variables).toEqual({ API_NAME: 'orders', REGISTRY_TABLE: 'orders-tenant-registry', SIGNING_SECRET: 'tenant-api-signing/orders', KEY_SECRET_PREFIX: 'tenant-api/orders/' });
    const roleId = (fn[1].Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    const policy = resourcesOfType(t, 'AWS::IAM::Policy').find(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId))!;
    const statements = stack.resolve((policy[1].Properties.PolicyDocument as { Statement: unknown }).Statement) as { Action: string | string[]; Resource: unknown }[];
    const actions = statements.flatMap((x) => [x.Action].flat()).filter((a) => !a.startsWith('logs:'));
    expect(actions.sort()).toEqual(['dynamodb:GetItem', 'kms:Decrypt', 'secretsmanager:GetSecretValue']);
    // The secrets key: only through Secrets Manager, only for this API's secrets.
    const kms = statements.find((x) => x.Action === 'kms:Decrypt') as { Condition: unknown } | undefined;
    expect(kms?.Condition).toEqual({
      StringLike: {
        'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com'],
        'kms:EncryptionContext:SecretARN': ['arn:aws:secretsmanager:us-east-1:111111111111:secret:tenant-api-signing/orders-??????', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:tenant-api/orders/*'],
      },
    });
    expect(JSON.stringify(statements)).toContain(':table/orders-tenant-registry"');
    expect(JSON.stringify(statements)).toContain(':secret:tenant-api-signing/orders-??????"');
  });

  test('a signing secret per API, generated, never in the template', () => {
    t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'tenant-api-signing/orders', GenerateSecretString: Match.objectLike({ GenerateStringKey: 'key', PasswordLength: 64 }) });
  });

  test("deploy-time tenants are registered at every deploy: a custom resource with each tenant's tier and this Region's key id", () => {
    const registrar = resourcesOfType(t, 'Custom::TenantRegistry');
    expect(registrar).toHaveLength(1);
    const p = stack.resolve(registrar[0][1].Properties) as { Tenants: unknown; ApiKeyIds: Record<string, unknown>; Tiers: unknown };
    expect(p.Tenants).toEqual([{ id: 'acme', tier: 'premium' }, { id: 'globex', tier: 'standard' }, { id: 'initech', tier: 'basic' }, { id: 'umbrella', tier: 'basic' }]);
    expect(p.ApiKeyIds.acme).toEqual(stack.resolve(api.tenants.acme.apiKey.keyId));
    expect(p.Tiers).toEqual({ basic: { maxTenants: 2 }, standard: { maxTenants: 1 }, premium: { maxTenants: 1 } });
  });

  test("API keys are tagged with the API and the tenant (onboarding adopts nothing else)", () => {
    t.hasResourceProperties('AWS::ApiGateway::ApiKey', { Name: 'orders-acme', Tags: Match.arrayWith([{ Key: 'cdk-resilience:tenant', Value: 'acme' }, { Key: 'cdk-resilience:tenant-api', Value: 'orders' }]) });
  });

  test('each own-plan tenant has its own usage plan with its tier limits, or its overrides', () => {
    t.hasResourceProperties('AWS::ApiGateway::UsagePlan', { UsagePlanName: 'orders-acme', Throttle: { RateLimit: 200, BurstLimit: 400 } });
    t.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      UsagePlanName: 'orders-globex',
      Throttle: { RateLimit: 60, BurstLimit: 120 },
      Quota: { Limit: 100000, Period: 'DAY' },
      ApiStages: [Match.objectLike({ Throttle: { '/{proxy+}/ANY': { RateLimit: 40, BurstLimit: 80 } } })],
    });
    expect(api.usagePlanCount).toBe(3);
  });

  test("shared-plan tenants get their own keys on the tier's one plan", () => {
    const plans = resourcesOfType(t, 'AWS::ApiGateway::UsagePlan').filter(([, p]) => p.Properties.UsagePlanName === 'orders-basic');
    expect(plans).toHaveLength(1);
    const planRef = { Ref: plans[0][0] };
    const keysOnPlan = resourcesOfType(t, 'AWS::ApiGateway::UsagePlanKey').filter(([, k]) => JSON.stringify(k.Properties.UsagePlanId) === JSON.stringify(planRef));
    expect(keysOnPlan).toHaveLength(2);
    t.resourceCountIs('AWS::ApiGateway::UsagePlan', 3);
    t.resourceCountIs('AWS::ApiGateway::ApiKey', 4);
  });

  test('key values come from generated secrets by dynamic reference, never in the template', () => {
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'tenant-api/orders/acme',
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'key', PasswordLength: 40, ExcludePunctuation: true }),
    });
    for (const [, k] of resourcesOfType(t, 'AWS::ApiGateway::ApiKey')) {
      expect(JSON.stringify(k.Properties.Value)).toMatch(/resolve:secretsmanager:.*:SecretString:key::/);
    }
  });

  test('stage throttling, access logs with the tenant id, execution logging, tracing', () => {
    t.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000, LoggingLevel: 'ERROR' })],
      AccessLogSetting: Match.objectLike({ Format: Match.stringLikeRegexp('\\$context.authorizer.tenantId') }),
    });
  });

  test('a WAF web ACL on the stage: a per-IP rate rule, and a per-credential backstop at twice what the fastest tier may draw in 5 minutes', () => {
    t.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: [
        Match.objectLike({ Name: 'RatePerIp', Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } } }),
        // premium: 200 requests a second, 60,000 in 5 minutes: the backstop blocks at 120,000.
        Match.objectLike({
          Name: 'RatePerCredential',
          Action: { Block: {} },
          Statement: { RateBasedStatement: { Limit: 120_000, AggregateKeyType: 'CUSTOM_KEYS', CustomKeys: [{ Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }] } },
        }),
      ],
    });
    t.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  test('per-tenant 429 and 5xx alarms from access-log metric filters, by the tenant id the authorizer answered', () => {
    t.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '{ $.status = 429 }', MetricTransformations: [Match.objectLike({ MetricName: 'Throttled', Dimensions: [{ Key: 'TenantId', Value: '$.tenantId' }] })] });
    t.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '{ $.status >= 500 }' });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Throttled', Threshold: 100, Dimensions: [{ Name: 'TenantId', Value: 'acme' }] });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ServerErrors', Threshold: 10, Dimensions: [{ Name: 'TenantId', Value: 'acme' }] });
  });

  test('cdk-nag clean', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('TenantApi options', () => {
  test('a custom authorizer: CUSTOM methods, key source AUTHORIZER, no function or signing secret of ours', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Auth', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>({})') });
    const authorizer = new apigw.RequestAuthorizer(stack, 'Authorizer', { handler: fn, identitySources: [apigw.IdentitySource.header('Authorization')] });
    const api = new TenantApi(stack, 'Api', { apiName: 'orders', tiers: TIERS, identity: TenantIdentity.custom(authorizer) });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
    t.hasResourceProperties('AWS::ApiGateway::Method', { AuthorizationType: 'CUSTOM' });
    expect(api.authorizer).toBe(authorizer);
    t.resourcePropertiesCountIs('AWS::SecretsManager::Secret', { Name: 'tenant-api-signing/orders' }, 0);
  });

  test('apiKeyOnly: the header key, no authorizer, a warning that says what a leaked key can do, and the per-key WAF rule', () => {
    const { t, stack } = build({ identity: TenantIdentity.apiKeyOnly({ reason: 'internal API behind a VPN, migrating by March' }) });
    t.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'HEADER' });
    for (const [, m] of resourcesOfType(t, 'AWS::ApiGateway::Method')) expect(m.Properties.AuthorizationType).toBe('NONE');
    t.resourceCountIs('AWS::ApiGateway::Authorizer', 0);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('tenants are known only by their API key \\(internal API behind a VPN.*anyone with apigateway:GET reads every key'));
    t.hasResourceProperties('AWS::WAFv2::WebACL', { Rules: Match.arrayWith([Match.objectLike({ Name: 'RatePerApiKey', Statement: { RateBasedStatement: Match.objectLike({ CustomKeys: [{ Header: { Name: 'x-api-key', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }] }) } })]) });
    t.hasResourceProperties('AWS::Logs::MetricFilter', { MetricTransformations: [Match.objectLike({ Dimensions: [{ Key: 'ApiKeyId', Value: '$.apiKeyId' }] })] });
    expect(nagFindings(stack)).toEqual([]);
  });

  test('the default identity emits no warning', () => {
    const { stack } = build();
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('known only by their API key'));
  });

  test('the per-tenant WAF rule: an override faster than every tier raises it; a given limit is used; false turns it off', () => {
    const rule = (t: Template) => (Object.values(t.findResources('AWS::WAFv2::WebACL'))[0]?.Properties.Rules as Array<{ Name: string; Statement: { RateBasedStatement: { Limit: number } } }> | undefined)?.find((r) => r.Name === 'RatePerCredential');
    expect(rule(build({ tenants: [{ id: 'fast', tier: 'premium', overrides: { rateLimit: 500, burstLimit: 1000 } }] }).t)?.Statement.RateBasedStatement.Limit).toBe(300_000);
    expect(rule(build({ wafKeyRateLimit: 10 }).t)?.Statement.RateBasedStatement.Limit).toBe(10);
    expect(rule(build({ wafKeyRateLimit: 2_000_000_000 }).t)?.Statement.RateBasedStatement.Limit).toBe(2_000_000_000);
    const off = build({ wafKeyRateLimit: false }).t;
    expect(rule(off)).toBeUndefined();
    expect((Object.values(off.findResources('AWS::WAFv2::WebACL'))[0].Properties.Rules as unknown[]).length).toBe(1);
  });

  test("the caller's integration, per route or as the default; a mock answering 200 when none is given", () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Backend', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>({})') });
    new TenantApi(stack, 'Api', {
      apiName: 'orders',
      tiers: [{ name: 'basic', rateLimit: 10, burstLimit: 20 }],
      defaultIntegration: new apigw.LambdaIntegration(fn),
      routes: [
        { path: '/orders', method: 'GET' },
        { path: '/status', method: 'GET', integration: new apigw.HttpIntegration('https://status.example.com/') },
      ],
    });
    const t = Template.fromStack(stack);
    const methods = resourcesOfType(t, 'AWS::ApiGateway::Method').map(([, m]) => m.Properties.Integration as { Type: string; Uri?: string });
    expect(methods.map((i) => i.Type).sort()).toEqual(['AWS_PROXY', 'HTTP_PROXY']);
    expect(methods.find((i) => i.Type === 'HTTP_PROXY')?.Uri).toBe('https://status.example.com/');
    // The HTTP integration is told who the tenant is, from the authorizer (a client's header is overwritten).
    expect((methods.find((i) => i.Type === 'HTTP_PROXY') as { RequestParameters?: Record<string, string> }).RequestParameters).toEqual({ 'integration.request.header.x-tenant-id': 'context.authorizer.tenantId' });
    expect((methods.find((i) => i.Type === 'AWS_PROXY') as { RequestParameters?: unknown }).RequestParameters).toBeUndefined();
    // The default mock, when nothing is given:
    const { t: plain } = build();
    for (const [, m] of resourcesOfType(plain, 'AWS::ApiGateway::Method')) {
      expect(m.Properties.Integration).toMatchObject({ Type: 'MOCK', IntegrationResponses: [{ StatusCode: '200', ResponseTemplates: { 'application/json': '{"ok":true}' } }] });
    }
  });

  test('access logs carry the API key id and the tenant id from the authorizer context', () => {
    const { t } = build();
    const stage = resourcesOfType(t, 'AWS::ApiGateway::Stage')[0][1];
    const format = JSON.parse((stage.Properties.AccessLogSetting as { Format: string }).Format);
    expect(format).toMatchObject({ apiKeyId: '$context.identity.apiKeyId', tenantId: '$context.authorizer.tenantId', tier: '$context.authorizer.tier', status: '$context.status' });
  });

  test('without WAF, the stage finding is acknowledged with the reason', () => {
    const { t, stack } = build({ wafRateLimit: false });
    t.resourceCountIs('AWS::WAFv2::WebACL', 0);
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('keys that survive a Region failover', () => {
  test('the same secret-backed key value reaches both Regions', () => {
    const { primary, recovery } = twoRegions();
    const tenants: Tenant[] = [{ id: 'acme', tier: 'premium' }];
    const east = new TenantApi(primary, 'Api', { apiName: 'orders', tiers: TIERS, tenants });
    new TenantApi(recovery, 'Api', { apiName: 'orders', tiers: TIERS, tenants, keysFrom: east });
    const pt = Template.fromStack(primary);
    const rt = Template.fromStack(recovery);
    pt.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'tenant-api/orders/acme', ReplicaRegions: [{ Region: 'us-west-2' }] });
    rt.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const eastValue = JSON.stringify(resourcesOfType(pt, 'AWS::ApiGateway::ApiKey')[0][1].Properties.Value);
    const westValue = JSON.stringify(resourcesOfType(rt, 'AWS::ApiGateway::ApiKey')[0][1].Properties.Value);
    // The same secret (by name in the recovery Region: its replica) and the same JSON key.
    expect(westValue).toContain('resolve:secretsmanager:arn:');
    expect(westValue).toContain('secret:tenant-api/orders/acme');
    expect(westValue).toContain(':SecretString:key::');
    expect(eastValue).toContain(':SecretString:key::');
    expect(JSON.stringify(rt.toJSON())).not.toMatch(/Fn::ImportValue/);
    expect(recovery.dependencies.map((s) => s.stackName)).toEqual(['Primary']);
  });

  test("every secret and its replica stay under a customer-managed key: a multi-Region key, replicated to the recovery Region before the secrets", () => {
    const { primary, recovery } = twoRegions();
    const tenants: Tenant[] = [{ id: 'acme', tier: 'premium' }];
    const east = new TenantApi(primary, 'Api', { apiName: 'orders', tiers: TIERS, tenants });
    new TenantApi(recovery, 'Api', { apiName: 'orders', tiers: TIERS, tenants, keysFrom: east });
    const pt = Template.fromStack(primary);
    const keys = resourcesOfType(pt, 'AWS::KMS::Key');
    expect(keys).toHaveLength(1);
    expect(keys[0][1].Properties).toMatchObject({ MultiRegion: true, EnableKeyRotation: true });
    const keyRef = { Ref: keys[0][0] };
    pt.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/cdk-resilience/tenant-api/orders' });
    const replicas = resourcesOfType(pt, 'Custom::MultiRegionKeyReplica');
    expect(replicas).toHaveLength(1);
    const replicate = replicas[0];
    expect(primary.resolve(replicate[1].Properties)).toMatchObject({ KeyArn: { 'Fn::GetAtt': [keys[0][0], 'Arn'] }, ReplicaRegion: 'us-west-2', Alias: 'alias/cdk-resilience/tenant-api/orders' });
    const secrets = Object.entries(pt.findResources('AWS::SecretsManager::Secret'));
    expect(secrets.map(([, x]) => x.Properties.Name).sort()).toEqual(['tenant-api-signing/orders', 'tenant-api/orders/acme']);
    for (const [, secret] of secrets) {
      expect(secret.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keys[0][0], 'Arn'] });
      expect(secret.Properties.ReplicaRegions).toEqual([{ Region: 'us-west-2', KmsKeyId: { 'Fn::Join': ['', ['arn:aws:kms:us-west-2:111111111111:key/', keyRef]] } }]);
      // Created after the replica key and its alias exist there.
      expect(secret.DependsOn).toEqual(expect.arrayContaining([replicate[0]]));
    }
    // Each refuses principals of other accounts.
    const policies = resourcesOfType(pt, 'AWS::SecretsManager::ResourcePolicy');
    expect(policies).toHaveLength(2);
    for (const [, p] of policies) {
      expect((p.Properties.ResourcePolicy as { Statement: unknown[] }).Statement).toContainEqual({
        Sid: 'DenyOutsideTheAccount',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'secretsmanager:*',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:PrincipalAccount': '111111111111' } },
      });
    }
    Template.fromStack(recovery).resourceCountIs('AWS::KMS::Key', 0);
    expect(nagFindings(primary)).toEqual([]);
    expect(nagFindings(recovery)).toEqual([]);
  });
});

describe('sharding', () => {
  // Small rates, so 500 tenants fit the stage's capacity budget.
  const SMALL: TenantTier[] = ['basic', 'standard', 'premium'].map((name) => ({ name, rateLimit: 1, burstLimit: 1 }));
  function manyTenants(n: number, shared: boolean): Tenant[] {
    return Array.from({ length: n }, (_, i) => ({ id: `tenant-${i}`, tier: SMALL[i % 3].name, sharedPlan: shared }));
  }

  test('500 tenants with their own plans (quota raised): every stack stays at 500 resources or fewer', () => {
    const stack = newStack();
    const api = new TenantApi(stack, 'Api', { apiName: 'orders', tiers: SMALL, tenants: manyTenants(500, false), usagePlanQuota: 1000 });
    expect(api.shards.length).toBeGreaterThan(1);
    const counts = [stack, ...api.shards].map((s) => Object.keys(Template.fromStack(s).toJSON().Resources).length);
    for (const c of counts) expect(c).toBeLessThanOrEqual(500);
    const keys = api.shards.reduce((n, s) => n + resourcesOfType(Template.fromStack(s), 'AWS::ApiGateway::ApiKey').length, 0);
    expect(keys).toBe(500);
  });

  test('500 tenants on shared tier plans fit the default quota', () => {
    const stack = newStack();
    const api = new TenantApi(stack, 'Api', { apiName: 'orders', tiers: SMALL, tenants: manyTenants(500, true) });
    expect(api.usagePlanCount).toBe(3);
    for (const s of [stack, ...api.shards]) expect(Object.keys(Template.fromStack(s).toJSON().Resources).length).toBeLessThanOrEqual(500);
  });

  test('a few tenants need no shard', () => {
    const { api } = build();
    expect(api.shards).toEqual([]);
  });
});

describe('TenantApi rejects invalid props', () => {
  test.each<[string, Partial<TenantApiProps>, string, RegExp]>([
    ['a duplicate tenant id', { tenants: [{ id: 'a', tier: 'basic' }, { id: 'a', tier: 'premium' }] }, 'TENANT_DUPLICATE', /tenants\[1\].id: duplicate tenant id \(got: "a"\)/],
    ['an unknown tier', { tenants: [{ id: 'a', tier: 'gold' }] }, 'TENANT_UNKNOWN_TIER', /is not a declared tier \(basic, standard, premium\) \(got: "gold"\)/],
    ['burst lower than rate', { tiers: [{ name: 'basic', rateLimit: 50, burstLimit: 10 }] }, 'TENANT_LIMITS', /burstLimit: is lower than the rate 50/],
    ['a zero rate', { tiers: [{ name: 'basic', rateLimit: 0, burstLimit: 10 }] }, 'TENANT_LIMITS', /rateLimit: must be above 0 \(got: 0\)/],
    ['a negative rate', { tiers: [{ name: 'basic', rateLimit: -5, burstLimit: 10 }] }, 'TENANT_LIMITS', /got: -5/],
    ['a quota period that does not exist', { tiers: [{ name: 'basic', rateLimit: 5, burstLimit: 10, quota: { limit: 10, period: 'YEAR' as never } }] }, 'TENANT_QUOTA_PERIOD', /use DAY, WEEK or MONTH/],
    ['usage plans over the quota', { tenants: Array.from({ length: 301 }, (_, i) => ({ id: `t${i}`, tier: 'basic' })) }, 'TENANT_PLAN_QUOTA', /exceeds the account's usage plan quota in this Region \(300\) \(got: "301 usage plans"\)/],
    ['an invalid tenant id', { tenants: [{ id: 'acme corp!', tier: 'basic' }] }, 'TENANT_ID', /it names the key, the plan and the secret/],
    ['a key value in plain text', { tenants: [{ id: 'a', tier: 'basic', keyValue: 'sk_live_123' }] }, 'TENANT_KEY_IN_TEMPLATE', /would be written into the CloudFormation template.*\(got: "\(redacted\)"\)/],
    ['a per-method throttle on no route', { tiers: [{ name: 'basic', rateLimit: 5, burstLimit: 10, methodThrottles: [{ route: 'GET /nope', rateLimit: 1, burstLimit: 1 }] }] }, 'TENANT_METHOD_THROTTLE', /is not a route of the API/],
    ['overrides on a shared plan', { tenants: [{ id: 'a', tier: 'basic', sharedPlan: true, overrides: { rateLimit: 1 } }] }, 'TENANT_OVERRIDES', /shared plan has the tier's limits/],
    ['no identity without a reason', { identity: TenantIdentity.apiKeyOnly({ reason: 'because' }) }, 'TENANT_IDENTITY', /running without a tenant identity needs a reason/],
    ['an authorizer cache over an hour', { identity: TenantIdentity.authorizer({ cacheTtl: Duration.seconds(3601) }) }, 'TENANT_IDENTITY', /identity.cacheTtl.*3601/],
    ['a tier budget under its deploy-time tenants', { tiers: [{ name: 'basic', rateLimit: 1, burstLimit: 1, maxTenants: 1 }], tenants: [{ id: 'a', tier: 'basic' }, { id: 'b', tier: 'basic' }] }, 'TENANT_TIER_BUDGET', /tier basic declares 2 deploy-time tenants, more than its budget/],
    ['a negative tier budget', { tiers: [{ name: 'basic', rateLimit: 1, burstLimit: 1, maxTenants: -1 }] }, 'TENANT_TIER_BUDGET', /maxTenants/],
    ['a headroom over 0.9', { capacityHeadroom: 0.91 }, 'TENANT_CAPACITY', /capacityHeadroom: must be a share of the stage from 0 to 0.9/],
    ['a negative headroom', { capacityHeadroom: -0.01 }, 'TENANT_CAPACITY', /capacityHeadroom/],
    ['a bad API name', { apiName: 'Orders API' }, 'TENANT_API_NAME', /got: "Orders API"/],
    ['a per-key WAF limit under 10', { wafKeyRateLimit: 9 }, 'TENANT_WAF', /wafKeyRateLimit/],
    ['a per-key WAF limit over 2,000,000,000', { wafKeyRateLimit: 2_000_000_001 }, 'TENANT_WAF', /wafKeyRateLimit/],
    ['a per-key WAF limit without the web ACL', { wafRateLimit: false, wafKeyRateLimit: 100 }, 'TENANT_WAF', /needs the web ACL, which wafRateLimit: false turns off/],
  ])('%s', (_name, props, code, message) => {
    const err = errorOf(() => build({ tenants: [], ...props }));
    expect(err).toBeInstanceOf(ResilienceError);
    expect(err.codes).toContain(code);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('sk_live_123');
  });
});

describe('isolation by construction: the capacity budget', () => {
  // Stage 1000 rps, 20 % headroom: the tiers may draw 800 together.
  const tiers = (basic: number, premium: number): TenantTier[] => [
    { name: 'basic', rateLimit: 10, burstLimit: 20, maxTenants: basic },
    { name: 'premium', rateLimit: 200, burstLimit: 400, maxTenants: premium },
  ];

  test('at the budget it synthesizes, and says what each tier draws', () => {
    // 20 x 10 + 3 x 200 = 800, exactly the budget.
    const { api } = build({ tiers: tiers(20, 3), tenants: [] });
    expect(api.capacity).toEqual({ stageRate: 1000, headroom: 0.2, budget: 800, total: 800, tiers: [{ tier: 'basic', maxTenants: 20, declared: 0, rate: 200 }, { tier: 'premium', maxTenants: 3, declared: 0, rate: 600 }] });
  });

  test('one more tenant of the slowest tier past the budget fails synth, with the tier table', () => {
    const err = errorOf(() => build({ tiers: tiers(21, 3), tenants: [] }));
    expect(err.codes).toEqual(['TENANT_CAPACITY']);
    expect(err.message).toMatch(/tiers: what the tiers may draw at their budgets exceeds the stage's 1000 rps less 20 % headroom \(800 rps\).*\(got: "810 rps \(basic 21 x = 210 rps, premium 3 x = 600 rps\)"\)/);
  });

  test("deploy-time tenants count at their own rate (an override), the rest of the budget at the tier's", () => {
    const { api } = build({ tiers: tiers(2, 1), tenants: [{ id: 'big', tier: 'basic', overrides: { rateLimit: 500, burstLimit: 500 } }] });
    expect(api.capacity?.tiers[0]).toEqual({ tier: 'basic', maxTenants: 2, declared: 1, rate: 510 });
    expect(errorOf(() => build({ tiers: tiers(2, 2), tenants: [{ id: 'big', tier: 'basic', overrides: { rateLimit: 500, burstLimit: 500 } }] })).codes).toEqual(['TENANT_CAPACITY']);
  });

  test('without maxTenants a tier holds its deploy-time tenants only (run-time onboarding finds it full)', () => {
    const { api } = build({ tiers: [{ name: 'basic', rateLimit: 10, burstLimit: 20 }], tenants: [{ id: 'a', tier: 'basic' }] });
    expect(api.tierBudgets()).toEqual({ basic: { maxTenants: 1 } });
  });

  test('the headroom and the stage rate move the budget; a headroom of 0 and of 0.9 are accepted', () => {
    expect(build({ tiers: tiers(20, 4), tenants: [], capacityHeadroom: 0 }).api.capacity?.budget).toBe(1000);
    expect(errorOf(() => build({ tiers: tiers(21, 4), tenants: [], capacityHeadroom: 0 })).codes).toEqual(['TENANT_CAPACITY']);
    expect(build({ tiers: tiers(10, 0), tenants: [], capacityHeadroom: 0.9 }).api.capacity?.budget).toBeCloseTo(100);
    expect(build({ tiers: tiers(20, 14), tenants: [], stageThrottle: { rateLimit: 4000, burstLimit: 8000 } }).api.capacity?.total).toBe(3000);
  });

  test('the budget of a tier is 0 to 100,000 tenants', () => {
    expect(build({ tiers: tiers(0, 0), tenants: [] }).api.tierBudgets()).toEqual({ basic: { maxTenants: 0 }, premium: { maxTenants: 0 } });
    expect(errorOf(() => build({ tiers: [{ name: 'basic', rateLimit: 0.001, burstLimit: 1, maxTenants: 100_001 }], tenants: [] })).codes).toEqual(['TENANT_TIER_BUDGET']);
    expect(build({ tiers: [{ name: 'basic', rateLimit: 0.001, burstLimit: 1, maxTenants: 100_000 }], tenants: [] }).api.tierBudgets().basic.maxTenants).toBe(100_000);
  });
});
