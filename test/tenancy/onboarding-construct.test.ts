import { APIGatewayClient, CreateApiKeyCommand, CreateUsagePlanKeyCommand, GetApiKeysCommand, GetUsagePlanKeysCommand } from '@aws-sdk/client-api-gateway';
import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler, timing } from '../../lambda/tenant-onboarding';
import { ResilienceError, TenantApi, TenantOnboarding } from '../../lib';
import { errorOf, nagFindings, newStack, twoRegions } from '../helpers/app';

const REGIONS = ['us-east-1', 'us-west-2'];

describe('onboarding function', () => {
  const apigw = mockClient(APIGatewayClient);
  const ddb = mockClient(DynamoDBClient);
  const sm = mockClient(SecretsManagerClient);
  const ssm = mockClient(SSMClient);
  const sleeps: number[] = [];
  let registry: Record<string, { tier: string }>;
  let secrets: Record<string, string>;
  let keys: Record<string, { id: string; name: string; value: string }[]>;
  let planKeys: Record<string, string[]>;

  const regionOf = async (c: unknown): Promise<string> => {
    const client = typeof c === 'function' ? (c as () => { config: { region: () => Promise<string> } })() : (c as { config: { region: () => Promise<string> } });
    return client.config.region();
  };

  beforeEach(() => {
    process.env.API_NAME = 'orders';
    process.env.REGISTRY_TABLE = 'orders-tenants';
    process.env.REGIONS = JSON.stringify(REGIONS);
    process.env.TIERS = JSON.stringify(['basic', 'premium']);
    process.env.PLANS_PARAMETER = '/cdk-resilience/tenant-api/orders/tier-plans';
    process.env.AWS_REGION = 'us-east-1';
    registry = {};
    secrets = {};
    keys = { 'us-east-1': [], 'us-west-2': [] };
    planKeys = {};
    sleeps.length = 0;
    timing.sleep = async (ms: number) => {
      sleeps.push(ms);
    };
    timing.random = () => 0.5;
    for (const m of [apigw, ddb, sm, ssm]) m.reset();
    ddb.on(GetItemCommand).callsFake((i) => {
      const t = registry[i.Key!.tenantId.S!];
      return { Item: t ? { tenantId: { S: i.Key!.tenantId.S }, tier: { S: t.tier } } : undefined };
    });
    ddb.on(PutItemCommand).callsFake((i) => {
      const id = i.Item!.tenantId.S!;
      if (registry[id]) throw Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' });
      registry[id] = { tier: i.Item!.tier.S! };
      return {};
    });
    ddb.on(UpdateItemCommand).resolves({});
    sm.on(GetSecretValueCommand).callsFake((i) => {
      if (!secrets[i.SecretId!]) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
      return { SecretString: secrets[i.SecretId!] };
    });
    sm.on(CreateSecretCommand).callsFake((i) => {
      secrets[i.Name!] = i.SecretString!;
      return {};
    });
    ssm.on(GetParameterCommand).callsFake(async (_i, c) => ({ Parameter: { Value: JSON.stringify({ basic: `plan-basic-${await regionOf(c)}`, premium: `plan-premium-${await regionOf(c)}` }) } }));
    apigw.on(GetApiKeysCommand).callsFake(async (i, c) => ({ items: keys[await regionOf(c)].filter((k) => k.name === i.nameQuery) }));
    apigw.on(CreateApiKeyCommand).callsFake(async (i, c) => {
      const region = await regionOf(c);
      const key = { id: `key-${region}-${keys[region].length}`, name: i.name!, value: i.value! };
      keys[region].push(key);
      return { id: key.id };
    });
    apigw.on(GetUsagePlanKeysCommand).callsFake((i) => ({ items: (planKeys[i.usagePlanId!] ?? []).map((id) => ({ id })) }));
    apigw.on(CreateUsagePlanKeyCommand).callsFake((i) => {
      (planKeys[i.usagePlanId!] ??= []).push(i.keyId!);
      return {};
    });
  });

  afterAll(() => {
    for (const m of [apigw, ddb, sm, ssm]) m.restore();
  });

  test('onboards a tenant: registry, replicated secret, the same key value on the tier plan in every Region', async () => {
    const out = await handler({ tenantId: 'acme', tier: 'basic' });
    expect(out).toMatchObject({ accepted: true, created: true, tenantId: 'acme', secretName: 'tenant-api/orders/acme', failedRegions: {} });
    expect(sm).toHaveReceivedCommandWith(CreateSecretCommand, { Name: 'tenant-api/orders/acme', AddReplicaRegions: [{ Region: 'us-west-2' }] });
    const value = (JSON.parse(secrets['tenant-api/orders/acme']) as { key: string }).key;
    expect(value).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(keys['us-east-1'][0].value).toBe(value);
    expect(keys['us-west-2'][0].value).toBe(value);
    expect(planKeys['plan-basic-us-east-1']).toEqual(['key-us-east-1-0']);
    expect(planKeys['plan-basic-us-west-2']).toEqual(['key-us-west-2-0']);
    expect(ddb).toHaveReceivedCommandWith(UpdateItemCommand, { ExpressionAttributeValues: expect.objectContaining({ ':s': { S: 'active' } }) });
  });

  test('is idempotent on the tenant id: a second call creates nothing', async () => {
    await handler({ tenantId: 'acme', tier: 'basic' });
    apigw.resetHistory();
    sm.resetHistory();
    const again = await handler({ tenantId: 'acme', tier: 'basic' });
    expect(again).toMatchObject({ accepted: true, created: false, apiKeyIds: { 'us-east-1': 'key-us-east-1-0', 'us-west-2': 'key-us-west-2-0' } });
    expect(apigw).not.toHaveReceivedCommand(CreateApiKeyCommand);
    expect(apigw).not.toHaveReceivedCommand(CreateUsagePlanKeyCommand);
    expect(sm).not.toHaveReceivedCommand(CreateSecretCommand);
  });

  test('a re-run repairs a Region that was missing its key', async () => {
    await handler({ tenantId: 'acme', tier: 'basic' });
    keys['us-west-2'] = [];
    planKeys['plan-basic-us-west-2'] = [];
    const out = await handler({ tenantId: 'acme', tier: 'basic' });
    expect(out.accepted && out.apiKeyIds['us-west-2']).toBe('key-us-west-2-0');
    expect(keys['us-west-2'][0].value).toBe(keys['us-east-1'][0].value);
  });

  test('retries throttled API Gateway calls with full-jitter backoff', async () => {
    apigw.on(CreateApiKeyCommand).rejectsOnce(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' })).rejectsOnce(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' })).callsFake(async (i, c) => {
      const region = await regionOf(c);
      keys[region].push({ id: `key-${region}`, name: i.name!, value: i.value! });
      return { id: `key-${region}` };
    });
    const out = await handler({ tenantId: 'acme', tier: 'basic' });
    expect(out).toMatchObject({ accepted: true, failedRegions: {} });
    expect(sleeps).toEqual([125, 250]);
  });

  test('a Region that keeps failing is reported, not hidden, and the tenant is marked partial', async () => {
    apigw.on(CreateApiKeyCommand).callsFake(async (i, c) => {
      const region = await regionOf(c);
      if (region === 'us-west-2') throw Object.assign(new Error('unavailable'), { name: 'ServiceUnavailableException' });
      keys[region].push({ id: 'k', name: i.name!, value: i.value! });
      return { id: 'k' };
    });
    const out = await handler({ tenantId: 'acme', tier: 'basic' });
    expect(out.accepted && out.failedRegions).toEqual({ 'us-west-2': 'ServiceUnavailableException: unavailable' });
    expect(ddb).toHaveReceivedCommandWith(UpdateItemCommand, { ExpressionAttributeValues: expect.objectContaining({ ':s': { S: 'partial' } }) });
  });

  test.each<[string, unknown, RegExp]>([
    ['no tenant id', { tier: 'basic' }, /tenantId: must be 1-64/],
    ['a tenant id with spaces', { tenantId: 'acme corp', tier: 'basic' }, /got: "acme corp"/],
    ['an unknown tier', { tenantId: 'acme', tier: 'gold' }, /tier: must be one of basic, premium \(got: "gold"\)/],
    ['a key value', { tenantId: 'acme', tier: 'basic', apiKey: 'sk_live_1' }, /key values are generated, never accepted/],
    ['not an object', 'acme', /must be a JSON object/],
  ])('rejects %s and changes nothing', async (_name, request, message) => {
    const out = await handler(request);
    expect(out).toMatchObject({ accepted: false, error: { code: 'InvalidRequest' } });
    expect(!out.accepted && out.error.message).toMatch(message);
    for (const m of [apigw, ddb, sm, ssm]) expect(m.calls()).toHaveLength(0);
  });

  test('refuses a tenant that exists under another tier, changing nothing', async () => {
    registry.acme = { tier: 'premium' };
    const out = await handler({ tenantId: 'acme', tier: 'basic' });
    expect(out).toMatchObject({ accepted: false, error: { code: 'TenantExists' } });
    expect(ddb).not.toHaveReceivedCommand(PutItemCommand);
    expect(apigw.calls()).toHaveLength(0);
  });
});

describe('TenantOnboarding construct', () => {
  const { primary, recovery } = twoRegions();
  const tiers = [
    { name: 'basic', rateLimit: 10, burstLimit: 20 },
    { name: 'premium', rateLimit: 100, burstLimit: 200 },
  ];
  const east = new TenantApi(primary, 'Api', { apiName: 'orders', tiers });
  const west = new TenantApi(recovery, 'Api', { apiName: 'orders', tiers, keysFrom: east });
  const ob = new TenantOnboarding(primary, 'Onboarding', { api: east, regions: REGIONS });
  new TenantOnboarding(recovery, 'Onboarding', { api: west, regions: REGIONS, registryFrom: ob });
  const pt = Template.fromStack(primary);
  const rt = Template.fromStack(recovery);

  test('a registry global table with a replica in the recovery Region, PITR and deletion protection', () => {
    pt.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'orders-tenants',
      Replicas: Match.arrayWith([Match.objectLike({ Region: 'us-west-2' }), Match.objectLike({ Region: 'us-east-1', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true })]),
    });
    rt.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
  });

  test('a shared usage plan per tier, published for the function in each Region', () => {
    for (const t of [pt, rt]) {
      t.hasResourceProperties('AWS::ApiGateway::UsagePlan', { UsagePlanName: 'orders-basic' });
      t.hasResourceProperties('AWS::ApiGateway::UsagePlan', { UsagePlanName: 'orders-premium' });
      t.hasResourceProperties('AWS::SSM::Parameter', { Name: '/cdk-resilience/tenant-api/orders/tier-plans' });
    }
  });

  test('an IAM-authorized operator route invokes the function', () => {
    pt.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'AWS_IAM', ApiKeyRequired: false });
    pt.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ REGIONS: JSON.stringify(REGIONS), TIERS: '["basic","premium"]' }) } });
  });

  test('the operator route is throttled below the API Gateway control-plane limit, keeping the stage defaults', () => {
    for (const t of [pt, rt]) {
      t.hasResourceProperties('AWS::ApiGateway::Stage', {
        MethodSettings: Match.arrayWith([
          Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 1000 }),
          Match.objectLike({ HttpMethod: 'POST', ResourcePath: '/~1admin~1tenants', ThrottlingRateLimit: 1, ThrottlingBurstLimit: 2, LoggingLevel: 'ERROR' }),
        ]),
      });
    }
  });

  test.each([0, -1, 6])('an operator rate of %d is refused', (rate) => {
    const stack = newStack();
    const api = new TenantApi(stack, 'Api', { apiName: 'orders', tiers });
    const err = errorOf(() => new TenantOnboarding(stack, 'Onboarding', { api, operatorRateLimit: rate }));
    expect(err).toBeInstanceOf(ResilienceError);
    expect(err.codes).toContain('TENANT_ONBOARDING_RATE');
    expect(err.message).toContain(`operatorRateLimit: must be above 0 and at most 5`);
    expect(err.message).toContain(`(got: ${rate})`);
  });

  test('cdk-nag clean in both Regions', () => {
    expect(nagFindings(primary)).toEqual([]);
    expect(nagFindings(recovery)).toEqual([]);
  });
});
