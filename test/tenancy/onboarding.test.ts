import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeyCommand,
  GetApiKeysCommand,
  GetUsagePlanKeysCommand,
  UpdateApiKeyCommand,
} from '@aws-sdk/client-api-gateway';
import { AttributeValue, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, GetSecretValueCommand, RemoveRegionsFromReplicationCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import * as authorizer from '../../lambda/tenant-authorizer';
import { handler, OperatorResponse, resetSigningKey, timing } from '../../lambda/tenant-onboarding';
import { respond } from '../../lambda/tenant-onboarding/registrar';
import { credentialOf } from '../../lambda/shared/tenant';
import { LocalDynamo } from '../helpers/dynalite';

const REGIONS = ['us-east-1', 'us-west-2'];
const TABLE = 'orders-tenant-registry';
const SIGNING = 'signing-key-of-orders-0123456789';
const OPERATOR = 'arn:aws:sts::111111111111:assumed-role/ref-tenants-operator/alice';
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:111111111111:abc123/prod/GET/orders';

interface Key {
  id: string;
  name: string;
  value: string;
  enabled: boolean;
  tags: Record<string, string>;
}

const dynamo = new LocalDynamo();
const realClock = { authorizer: authorizer.clock.now, onboarding: timing.now };
const apigw = mockClient(APIGatewayClient);
const sm = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);
let secrets: Record<string, { value: string; tags: Record<string, string>; deleted?: boolean; primary?: string }>;
let keys: Record<string, Key[]>;
let planKeys: Record<string, string[]>;
let now: number;

/** The Region of the client a mocked call was made on (aws-sdk-client-mock passes a getter). */
const regionOf = async (c: unknown): Promise<string> => {
  const client = typeof c === 'function' ? (c as () => { config: { region: () => Promise<string> } })() : (c as { config: { region: () => Promise<string> } });
  return client.config.region();
};
const sample = <T>(tenant: string, extra: T): T & { tenantId: string } => ({ tenantId: tenant, ...extra });
const registry = async (): Promise<Record<string, Record<string, AttributeValue>>> => Object.fromEntries((await dynamo.items(TABLE)).map((i) => [i.tenantId.S!, i]));
const ok = (r: unknown): Extract<OperatorResponse, { accepted: true }> => {
  expect(r).toMatchObject({ accepted: true });
  return r as Extract<OperatorResponse, { accepted: true }>;
};
const refused = (r: unknown, code: string): Extract<OperatorResponse, { accepted: false }> => {
  expect(r).toMatchObject({ accepted: false, error: { code } });
  return r as Extract<OperatorResponse, { accepted: false }>;
};

/** Ask the real authorizer whether a credential opens the API now: the usage key, or why not. */
async function opens(credential: string | undefined): Promise<string> {
  try {
    const out = await authorizer.handler({ type: 'REQUEST', methodArn: METHOD_ARN, headers: credential ? { Authorization: `Bearer ${credential}` } : {} });
    if (out.policyDocument.Statement[0].Effect !== 'Allow') return 'denied';
    const key = Object.values(keys['us-east-1']).find((k) => k.value === out.usageIdentifierKey);
    return key && key.enabled ? `open:${out.context.tenantId}` : 'key disabled';
  } catch (e) {
    return (e as Error).message;
  }
}

beforeAll(() => dynamo.start([TABLE]));
afterAll(async () => {
  await dynamo.stop();
  for (const m of [apigw, sm, ssm]) m.restore();
});

beforeEach(async () => {
  process.env.API_NAME = 'orders';
  process.env.REGISTRY_TABLE = TABLE;
  process.env.REGIONS = JSON.stringify(REGIONS);
  process.env.TIERS = JSON.stringify({ basic: { maxTenants: 3 }, premium: { maxTenants: 1 } });
  process.env.PLANS_PARAMETER = '/cdk-resilience/tenant-api/orders/tier-plans';
  process.env.IDENTITY = 'authorizer';
  process.env.SIGNING_SECRET = 'tenant-api-signing/orders';
  process.env.KEY_SECRET_PREFIX = 'tenant-api/orders/';
  process.env.AWS_REGION = 'us-east-1';
  process.env.HOME_REGION = 'us-east-1';
  process.env.AUTHORIZER_CACHE_SECONDS = '0';
  delete process.env.REGISTRAR;
  await dynamo.clear(TABLE);
  dynamo.route();
  dynamo.calls.length = 0;
  resetSigningKey();
  authorizer.reset();
  now = Date.parse('2026-12-08T03:00:00Z');
  timing.now = () => now;
  authorizer.clock.now = () => now;
  timing.sleep = async () => undefined;
  secrets = { 'tenant-api-signing/orders': { value: JSON.stringify({ key: SIGNING }), tags: {} } };
  keys = { 'us-east-1': [], 'us-west-2': [] };
  planKeys = {};
  for (const m of [apigw, sm, ssm]) m.reset();
  sm.on(GetSecretValueCommand).callsFake((i) => {
    const s = secrets[i.SecretId!];
    if (!s || s.deleted) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
    return { SecretString: s.value };
  });
  sm.on(CreateSecretCommand).callsFake(async (i, c) => {
    if (secrets[i.Name!]) throw Object.assign(new Error('exists'), { name: 'ResourceExistsException' });
    secrets[i.Name!] = { value: i.SecretString!, tags: Object.fromEntries((i.Tags ?? []).map((t: { Key?: string; Value?: string }) => [t.Key!, t.Value!])), primary: await regionOf(c) };
    return {};
  });
  sm.on(DescribeSecretCommand).callsFake(async (i) => {
    const s = secrets[i.SecretId!];
    if (!s) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
    return { Name: i.SecretId, PrimaryRegion: s.primary };
  });
  sm.on(RemoveRegionsFromReplicationCommand).resolves({});
  sm.on(DeleteSecretCommand).callsFake(async (i) => {
    secrets[i.SecretId!].deleted = true;
    return {};
  });
  ssm.on(GetParameterCommand).callsFake(async (_i, c) => ({ Parameter: { Value: JSON.stringify({ basic: `plan-basic-${await regionOf(c)}`, premium: `plan-premium-${await regionOf(c)}` }) } }));
  const find = async (c: unknown, id: string | undefined): Promise<Key> => {
    const k = keys[await regionOf(c)].find((x) => x.id === id);
    if (!k) throw Object.assign(new Error('no key'), { name: 'NotFoundException' });
    return k;
  };
  apigw.on(GetApiKeysCommand).callsFake(async (i, c) => ({ items: keys[await regionOf(c)].filter((k) => k.name.startsWith(i.nameQuery ?? '')).map((k) => ({ ...k, value: i.includeValues ? k.value : undefined })) }));
  apigw.on(GetApiKeyCommand).callsFake(async (i, c) => {
    const k = await find(c, i.apiKey);
    return { ...k, value: i.includeValue ? k.value : undefined };
  });
  apigw.on(CreateApiKeyCommand).callsFake(async (i, c) => {
    const region = await regionOf(c);
    const key: Key = { id: `key-${region}-${keys[region].length}`, name: i.name!, value: i.value!, enabled: i.enabled ?? false, tags: i.tags ?? {} };
    keys[region].push(key);
    return { id: key.id };
  });
  apigw.on(UpdateApiKeyCommand).callsFake(async (i, c) => {
    const k = await find(c, i.apiKey);
    k.enabled = i.patchOperations![0].value === 'true';
    return {};
  });
  apigw.on(DeleteApiKeyCommand).callsFake(async (i, c) => {
    const region = await regionOf(c);
    await find(c, i.apiKey);
    keys[region] = keys[region].filter((k) => k.id !== i.apiKey);
    return {};
  });
  apigw.on(GetUsagePlanKeysCommand).callsFake((i) => ({ items: (planKeys[i.usagePlanId!] ?? []).map((id) => ({ id })) }));
  apigw.on(CreateUsagePlanKeyCommand).callsFake((i) => {
    (planKeys[i.usagePlanId!] ??= []).push(i.keyId!);
    return {};
  });
  apigw.on(DeleteUsagePlanKeyCommand).callsFake((i) => {
    planKeys[i.usagePlanId!] = (planKeys[i.usagePlanId!] ?? []).filter((k) => k !== i.keyId);
    return {};
  });
});

describe('onboarding', () => {
  test('registers the tenant against its budget, generates its key secret, and puts a tagged key with that value on the tier plan in every Region', async () => {
    const out = ok(await handler(sample('acme', { tier: 'basic' })));
    expect(out.failedRegions).toEqual({});
    expect(out).toMatchObject({ action: 'onboard', changed: true, secretName: 'tenant-api/orders/acme', failedRegions: {}, tenant: { tenantId: 'acme', tier: 'basic', status: 'active', source: 'runtime', credentialVersion: 1 } });
    expect(sm).toHaveReceivedCommandWith(CreateSecretCommand, { Name: 'tenant-api/orders/acme', AddReplicaRegions: [{ Region: 'us-west-2', KmsKeyId: undefined }] });
    const value = (JSON.parse(secrets['tenant-api/orders/acme'].value) as { key: string }).key;
    for (const region of REGIONS) {
      expect(keys[region]).toEqual([expect.objectContaining({ value, enabled: true, tags: expect.objectContaining({ 'cdk-resilience:tenant-api': 'orders', 'cdk-resilience:tenant': 'acme' }) })]);
      expect(planKeys[`plan-basic-${region}`]).toEqual([keys[region][0].id]);
    }
    const items = await registry();
    expect(items['#tier#basic'].tenants).toEqual({ N: '1' });
    expect(items.acme.leaseUntil).toBeUndefined();
    expect(out.credential).toBe(credentialOf(SIGNING, 'orders', 'acme', 1));
    expect(await opens(out.credential)).toBe('open:acme');
  });

  test('is idempotent: a second onboarding changes nothing and answers the same state and credential', async () => {
    const first = ok(await handler(sample('acme', { tier: 'basic' })));
    apigw.resetHistory();
    sm.resetHistory();
    const again = ok(await handler(sample('acme', { tier: 'basic' })));
    expect(again).toMatchObject({ changed: false, credential: first.credential, tenant: { apiKeyIds: first.tenant.apiKeyIds } });
    expect(apigw).not.toHaveReceivedCommand(CreateApiKeyCommand);
    expect(sm).not.toHaveReceivedCommand(CreateSecretCommand);
    expect((await registry())['#tier#basic'].tenants).toEqual({ N: '1' });
  });

  test("never adopts another API's or another tenant's key, even with the same name ('orders' + 'eu-acme' = 'orders-eu' + 'acme')", async () => {
    const foreign: Key = { id: 'foreign', name: 'orders-eu-acme', value: 'value-of-orders-eu-acme', enabled: true, tags: { 'cdk-resilience:tenant-api': 'orders-eu', 'cdk-resilience:tenant': 'acme' } };
    const untagged: Key = { id: 'untagged', name: 'orders-eu-acme', value: 'someone-elses', enabled: true, tags: {} };
    keys['us-east-1'].push(foreign, untagged);
    ok(await handler(sample('eu-acme', { tier: 'premium' })));
    expect(Object.values(planKeys).flat()).not.toContain('foreign');
    expect(Object.values(planKeys).flat()).not.toContain('untagged');
    expect(apigw).not.toHaveReceivedCommandWith(GetApiKeyCommand, { apiKey: 'foreign' });
    const mine = keys['us-east-1'].find((k) => k.tags['cdk-resilience:tenant'] === 'eu-acme')!;
    expect(planKeys['plan-premium-us-east-1']).toEqual([mine.id]);
    expect(mine.value).not.toBe(foreign.value);
  });

  test('a key tagged as the tenant but holding another value is a conflict in that Region: reported, never linked', async () => {
    secrets['tenant-api/orders/acme'] = { value: JSON.stringify({ tenantId: 'acme', key: 'the-real-value' }), tags: {} };
    keys['us-west-2'].push({ id: 'planted', name: 'orders-acme', value: 'planted-value', enabled: true, tags: { 'cdk-resilience:tenant-api': 'orders', 'cdk-resilience:tenant': 'acme' } });
    const out = ok(await handler(sample('acme', { tier: 'basic' })));
    expect(out.failedRegions['us-west-2']).toMatch(/^KeyConflict: .*holds another value/);
    expect(out.tenant.status).toBe('partial');
    expect(planKeys['plan-basic-us-west-2']).toBeUndefined();
  });

  test("a secret under the tenant's name that is not its key secret is never adopted", async () => {
    secrets['tenant-api/orders/acme'] = { value: JSON.stringify({ tenantId: 'someone-else', key: 'x' }), tags: {} };
    await expect(handler(sample('acme', { tier: 'basic' }))).rejects.toThrow(/is not this tenant's key secret/);
    expect(apigw).not.toHaveReceivedCommand(CreateApiKeyCommand);
  });

  test("a tier at its budget refuses the next tenant with nothing changed; offboarding one frees its place", async () => {
    ok(await handler(sample('first', { tier: 'premium' })));
    const before = { registry: await registry(), secrets: Object.keys(secrets), keys: JSON.stringify(keys) };
    apigw.resetHistory();
    const out = refused(await handler(sample('second', { tier: 'premium' })), 'TierFull');
    expect(out.error.message).toMatch(/tier premium holds its budget of 1 tenants; nothing was changed/);
    expect(await registry()).toEqual(before.registry);
    expect(Object.keys(secrets)).toEqual(before.secrets);
    expect(JSON.stringify(keys)).toBe(before.keys);
    expect(apigw.calls()).toHaveLength(0);
    ok(await handler({ action: 'offboard', tenantId: 'first', reason: 'left' }));
    ok(await handler(sample('second', { tier: 'premium' })));
  });

  test('a budget of 0 is full from the start', async () => {
    process.env.TIERS = JSON.stringify({ basic: { maxTenants: 0 } });
    refused(await handler(sample('acme', { tier: 'basic' })), 'TierFull');
    expect(await registry()).toEqual({});
  });

  test('two concurrent onboardings of the same tenant end in one state: one key per Region, counted once', async () => {
    const [a, b] = await Promise.all([handler(sample('acme', { tier: 'basic' })), handler(sample('acme', { tier: 'basic' }))]);
    const answers = [ok(a), ok(b)];
    expect(answers.filter((x) => x.changed)).toHaveLength(1);
    const loser = answers.find((x) => !x.changed)!;
    expect(loser.inProgress || loser.tenant.status === 'active').toBe(true);
    for (const region of REGIONS) expect(keys[region]).toHaveLength(1);
    expect((await registry())['#tier#basic'].tenants).toEqual({ N: '1' });
    expect((await registry()).acme.status).toEqual({ S: 'active' });
  });

  test("two concurrent onboardings under different tiers: the loser re-reads and answers with the winner's tier; only the winner's tier counts it", async () => {
    const [a, b] = await Promise.all([handler(sample('acme', { tier: 'basic' })), handler(sample('acme', { tier: 'premium' }))]);
    const winner = [a, b].find((x) => (x as { accepted: boolean }).accepted) as Extract<OperatorResponse, { accepted: true }>;
    const loser = refused([a, b].find((x) => x !== winner), 'TenantExists');
    expect(loser.tenant?.tier).toBe(winner.tenant.tier);
    const items = await registry();
    const other = winner.tenant.tier === 'basic' ? 'premium' : 'basic';
    expect(items[`#tier#${winner.tenant.tier}`].tenants).toEqual({ N: '1' });
    expect(items[`#tier#${other}`]).toBeUndefined();
  });

  test('an onboarding that crashed holding the lease is taken over once the lease runs out, and repaired', async () => {
    apigw.on(CreateApiKeyCommand).rejects(Object.assign(new Error('gone'), { name: 'Crash' }));
    // The crash: the function died after registering (the first call throws past the key loop).
    sm.on(CreateSecretCommand).rejectsOnce(Object.assign(new Error('boom'), { name: 'InternalServiceError' }));
    await expect(handler(sample('acme', { tier: 'basic' }))).rejects.toThrow('boom');
    expect((await registry()).acme.status).toEqual({ S: 'provisioning' });
    const during = ok(await handler(sample('acme', { tier: 'basic' })));
    expect(during).toMatchObject({ changed: false, inProgress: true });
    now += 181_000;
    apigw.on(CreateApiKeyCommand).callsFake(async (i, c) => {
      const region = await regionOf(c);
      keys[region].push({ id: `k-${region}`, name: i.name!, value: i.value!, enabled: true, tags: i.tags ?? {} });
      return { id: `k-${region}` };
    });
    const after = ok(await handler(sample('acme', { tier: 'basic' })));
    expect(after).toMatchObject({ changed: true, tenant: { status: 'active', apiKeyIds: { 'us-east-1': 'k-us-east-1', 'us-west-2': 'k-us-west-2' } } });
    expect((await registry())['#tier#basic'].tenants).toEqual({ N: '1' });
  });

  test('a transaction cancelled for a conflict with another (two onboardings into one tier) is retried, and counts once', async () => {
    dynamo.injectedCancellations.push(['None', 'TransactionConflict'], ['TransactionConflict', 'None']);
    ok(await handler(sample('acme', { tier: 'basic' })));
    expect((await registry())['#tier#basic'].tenants).toEqual({ N: '1' });
    expect(dynamo.calls.filter((c) => c === 'TransactWriteItemsCommand')).toHaveLength(3);
  });

  test('a conflict that does not clear after 5 tries is an error, with nothing registered', async () => {
    for (let i = 0; i < 5; i++) dynamo.injectedCancellations.push(['None', 'TransactionConflict']);
    await expect(handler(sample('acme', { tier: 'basic' }))).rejects.toThrow(/Transaction cancelled/);
    expect(await registry()).toEqual({});
    expect(dynamo.injectedCancellations).toEqual([]);
  });

  test('two concurrent offboardings uncount the tenant once', async () => {
    ok(await handler(sample('acme', { tier: 'basic' })));
    const [a, b] = await Promise.all([handler({ action: 'offboard', tenantId: 'acme' }), handler({ action: 'offboard', tenantId: 'acme' })]);
    expect([ok(a).changed, ok(b).changed].sort()).toEqual([false, true]);
    expect((await registry())['#tier#basic'].tenants).toEqual({ N: '0' });
  });

  test('retries throttled API Gateway calls with backoff', async () => {
    apigw.on(CreateApiKeyCommand).rejectsOnce(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' })).callsFake(async (i, c) => {
      const region = await regionOf(c);
      keys[region].push({ id: `k-${region}`, name: i.name!, value: i.value!, enabled: true, tags: i.tags ?? {} });
      return { id: `k-${region}` };
    });
    expect(ok(await handler(sample('acme', { tier: 'basic' }))).failedRegions).toEqual({});
  });

  test.each<[string, Record<string, unknown>, RegExp | undefined]>([
    ['a grace of 0 s', { action: 'rotate', tenantId: 'acme', fromVersion: 1, graceSeconds: 0 }, undefined],
    ['a grace of 30 days', { action: 'rotate', tenantId: 'acme', fromVersion: 1, graceSeconds: 2_592_000 }, undefined],
    ['a grace of -1 s', { action: 'rotate', tenantId: 'acme', fromVersion: 1, graceSeconds: -1 }, /graceSeconds: a whole number from 0 to 2592000 \(got: -1\)/],
    ['a grace of 1.5 s', { action: 'rotate', tenantId: 'acme', fromVersion: 1, graceSeconds: 1.5 }, /graceSeconds/],
    ['a grace as text', { action: 'rotate', tenantId: 'acme', fromVersion: 1, graceSeconds: '60' }, /graceSeconds/],
    ['fromVersion 1', { action: 'rotate', tenantId: 'acme', fromVersion: 1 }, undefined],
    ['fromVersion 0', { action: 'rotate', tenantId: 'acme', fromVersion: 0 }, /fromVersion: the credential version being replaced, a whole number from 1 \(got: 0\)/],
    ['fromVersion 1.5', { action: 'rotate', tenantId: 'acme', fromVersion: 1.5 }, /fromVersion/],
    ['a reason of 500 characters', { action: 'revoke', tenantId: 'acme', reason: 'r'.repeat(500) }, undefined],
    ['a reason of 501 characters', { action: 'revoke', tenantId: 'acme', reason: 'r'.repeat(501) }, /reason: a string of at most 500 characters/],
    ['a reason that is not text', { action: 'revoke', tenantId: 'acme', reason: 5 }, /reason: a string of at most 500 characters/],
    ['homeRegionDown as text', { action: 'revoke', tenantId: 'acme', homeRegionDown: 'yes' }, /homeRegionDown: true or false/],
    ['an array', [] as unknown as Record<string, unknown>, /the request must be a JSON object/],
    ['a tier for an action that takes none', { action: 'describe', tenantId: 'acme', tier: 'gold' }, undefined],
  ])('request limits: %s', async (_n, request, problem) => {
    ok(await handler(sample('acme', { tier: 'basic' })));
    dynamo.calls.length = 0;
    const out = await handler(request);
    if (problem) {
      expect(refused(out, 'InvalidRequest').error.message).toMatch(problem);
      expect(dynamo.calls).toEqual([]);
    } else {
      ok(out);
    }
  });

  test('describe and credential answer the state without changing it; credential gives the current version', async () => {
    const first = ok(await handler(sample('acme', { tier: 'basic' })));
    const d = ok(await handler({ action: 'describe', tenantId: 'acme' }));
    expect(d).toMatchObject({ action: 'describe', changed: false, tenant: first.tenant });
    expect(d.credential).toBeUndefined();
    const c = ok(await handler({ action: 'credential', tenantId: 'acme' }));
    expect(c).toMatchObject({ action: 'credential', changed: false, credential: first.credential });
    ok(await handler({ action: 'offboard', tenantId: 'acme' }));
    expect(refused(await handler({ action: 'credential', tenantId: 'acme' }), 'TenantOffboarded').error.message).toBe('tenant acme is offboarded');
    expect(refused(await handler({ action: 'rotate', tenantId: 'acme', fromVersion: 1 }), 'TenantOffboarded').error.message).toBe('tenant acme was offboarded');
    expect(refused(await handler({ action: 'revoke', tenantId: 'acme' }), 'TenantOffboarded').error.message).toBe('tenant acme was offboarded');
    expect(refused(await handler({ action: 'offboard', tenantId: 'nobody' }), 'NotFound').error.message).toBe('tenant nobody is not in the registry');
  });

  test.each<[string, unknown, RegExp]>([
    ['no tenant id', { tier: 'basic' }, /tenantId: must be 1-64/],
    ['a tenant id with spaces', { tenantId: 'acme corp', tier: 'basic' }, /got: "acme corp"/],
    ['an unknown tier', { tenantId: 'acme', tier: 'gold' }, /tier: must be one of basic, premium \(got: "gold"\)/],
    ['a key value', { tenantId: 'acme', tier: 'basic', apiKey: 'sk_live_1' }, /key values and credentials are generated, never accepted/],
    ['an unknown field', { tenantId: 'acme', tier: 'basic', plan: 'x' }, /unknown field\(s\) plan/],
    ['an unknown action', { action: 'delete', tenantId: 'acme' }, /action: must be one of/],
    ['a rotation without fromVersion', { action: 'rotate', tenantId: 'acme' }, /fromVersion: the credential version being replaced/],
    ['a grace period over 30 days', { action: 'rotate', tenantId: 'acme', fromVersion: 1, graceSeconds: 2_592_001 }, /graceSeconds: a whole number from 0 to 2592000/],
    ['not an object', 'acme', /must be a JSON object/],
  ])('refuses %s and changes nothing', async (_name, request, message) => {
    const out = refused(await handler(request), 'InvalidRequest');
    expect(out.error.message).toMatch(message);
    expect(dynamo.calls).toEqual([]);
    for (const m of [apigw, sm, ssm]) expect(m.calls()).toHaveLength(0);
  });
});

describe('the operator route (API Gateway proxy events)', () => {
  /** The shape of AWS's sample REST API proxy event (API Gateway developer guide), IAM-authorized. */
  const proxyEvent = (body: string | null, isBase64Encoded = false) => ({
    resource: '/admin/tenants',
    path: '/admin/tenants',
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/json', Host: 'abc123.execute-api.us-east-1.amazonaws.com' },
    multiValueHeaders: { 'Content-Type': ['application/json'] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '111111111111',
      apiId: 'abc123',
      httpMethod: 'POST',
      identity: { accountId: '111111111111', caller: 'AROAEXAMPLE:alice', sourceIp: '192.0.2.1', user: 'AROAEXAMPLE:alice', userAgent: 'aws-cli/2', userArn: OPERATOR },
      path: '/prod/admin/tenants',
      protocol: 'HTTP/1.1',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: 1428582896000,
      resourceId: 'roq9wj',
      resourcePath: '/admin/tenants',
      stage: 'prod',
    },
    body,
    isBase64Encoded,
  });

  test('answers a proxy response (status, JSON body) and records the caller in the history', async () => {
    const out = (await handler(proxyEvent(JSON.stringify({ tenantId: 'acme', tier: 'basic' })))) as { statusCode: number; headers: Record<string, string>; body: string };
    expect(out.statusCode).toBe(200);
    expect(out.headers['content-type']).toBe('application/json');
    expect(JSON.parse(out.body)).toMatchObject({ accepted: true, tenant: { tenantId: 'acme', status: 'active' } });
    const item = (await registry()).acme;
    expect(item.createdBy).toEqual({ S: OPERATOR });
    expect(item.history.L!.map((h) => h.M!.by.S)).toEqual([OPERATOR, OPERATOR]);
  });

  test("a caller without a userArn is recorded by its caller id; a proxy answer is never cached", async () => {
    const event = proxyEvent(JSON.stringify({ tenantId: 'acme', tier: 'basic' }));
    const out = (await handler({ ...event, requestContext: { ...event.requestContext, identity: { caller: 'AROAEXAMPLE:bob' } } })) as { headers: Record<string, string> };
    expect(out.headers['cache-control']).toBe('no-store');
    expect((await registry()).acme.createdBy).toEqual({ S: 'AROAEXAMPLE:bob' });
  });

  test('a base64 body is decoded', async () => {
    const out = (await handler(proxyEvent(Buffer.from(JSON.stringify({ tenantId: 'acme', tier: 'basic' })).toString('base64'), true))) as { statusCode: number };
    expect(out.statusCode).toBe(200);
  });

  test.each<[string, number, string | null, string]>([
    ['a body that is not JSON', 400, 'tenantId=acme', 'InvalidRequest'],
    ['no body', 400, null, 'InvalidRequest'],
    ['an unknown tier', 400, JSON.stringify({ tenantId: 'acme', tier: 'gold' }), 'InvalidRequest'],
  ])('%s: %d with the reason, nothing changed', async (_n, status, body, code) => {
    const out = (await handler(proxyEvent(body))) as { statusCode: number; body: string };
    expect(out.statusCode).toBe(status);
    expect(JSON.parse(out.body)).toMatchObject({ accepted: false, error: { code } });
    expect(dynamo.calls).toEqual([]);
  });

  test('a conflict is a 409, and a failure inside is a 500 with its name, never a bare 502', async () => {
    ok(await handler(sample('acme', { tier: 'basic' })));
    const conflict = (await handler(proxyEvent(JSON.stringify({ tenantId: 'acme', tier: 'premium' })))) as { statusCode: number };
    expect(conflict.statusCode).toBe(409);
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error('down'), { name: 'InternalServerError' }));
    sm.on(CreateSecretCommand).rejects(Object.assign(new Error('down'), { name: 'InternalServiceError' }));
    const failed = (await handler(proxyEvent(JSON.stringify({ tenantId: 'other', tier: 'basic' })))) as { statusCode: number; body: string };
    expect(failed.statusCode).toBe(500);
    expect(JSON.parse(failed.body)).toMatchObject({ accepted: false, error: { code: 'InternalServiceError' } });
  });

  test('a direct invocation is recorded as one, with its request id', async () => {
    ok(await handler(sample('acme', { tier: 'basic' }), { awsRequestId: 'req-1' }));
    expect((await registry()).acme.createdBy.S).toMatch(/^direct invocation \(Lambda request req-1/);
  });
});

describe('credentials: rotate, revoke, offboard', () => {
  /** Onboard, then record which credentials open the API at each later state change. */
  async function onboarded(): Promise<string> {
    return ok(await handler(sample('acme', { tier: 'basic' }))).credential!;
  }

  test('rotate: the old credential keeps working through the grace period, the new one at once; never a moment when neither works', async () => {
    const v1 = await onboarded();
    expect(await opens(v1)).toBe('open:acme');
    const rotated = ok(await handler({ action: 'rotate', tenantId: 'acme', fromVersion: 1, graceSeconds: 600 }));
    const v2 = rotated.credential!;
    expect(v2).not.toBe(v1);
    expect(rotated.tenant).toMatchObject({ credentialVersion: 2, previousVersion: 1, previousValidUntil: new Date(now + 600_000).toISOString() });
    // At every step of the grace period, at least one credential opens; both do until it ends.
    const rotatedAt = now;
    for (const t of [0, 300_000, 599_000]) {
      now = rotatedAt + t;
      authorizer.reset();
      expect([await opens(v1), await opens(v2)]).toEqual(['open:acme', 'open:acme']);
    }
    now = rotatedAt + 600_000;
    authorizer.reset();
    expect([await opens(v1), await opens(v2)]).toEqual(['denied', 'open:acme']);
    // The state shows the previous version only while it still works.
    const after = ok(await handler({ action: 'describe', tenantId: 'acme' }));
    expect(after.tenant.previousVersion).toBeUndefined();
    expect(after.tenant.previousValidUntil).toBeUndefined();
  });

  test('rotate is idempotent on fromVersion: the same request again rotates nothing and answers the same credential; a stale one is refused', async () => {
    await onboarded();
    const first = ok(await handler({ action: 'rotate', tenantId: 'acme', fromVersion: 1 }));
    const again = ok(await handler({ action: 'rotate', tenantId: 'acme', fromVersion: 1 }));
    expect(again).toMatchObject({ changed: false, credential: first.credential, tenant: { credentialVersion: 2 } });
    const stale = refused(await handler({ action: 'rotate', tenantId: 'acme', fromVersion: 5 }), 'StaleVersion');
    expect(stale.error.message).toMatch(/the current credential version is 2, not 5/);
  });

  test('two concurrent rotations from the same version rotate once', async () => {
    await onboarded();
    const [a, b] = await Promise.all([handler({ action: 'rotate', tenantId: 'acme', fromVersion: 1 }), handler({ action: 'rotate', tenantId: 'acme', fromVersion: 1 })]);
    expect(ok(a).credential).toBe(ok(b).credential);
    expect((await registry()).acme.credentialVersion).toEqual({ N: '2' });
  });

  test('revoke: no credential opens the API, at once, and the key is disabled in every Region whatever an authorizer cached; rotate reinstates with a new credential only', async () => {
    const v1 = await onboarded();
    const out = ok(await handler({ action: 'revoke', tenantId: 'acme', reason: 'key leaked in a support ticket' }));
    expect(out).toMatchObject({ changed: true, tenant: { status: 'revoked' } });
    expect(out.failedRegions).toEqual({});
    for (const region of REGIONS) expect(keys[region][0].enabled).toBe(false);
    expect(await opens(v1)).toBe('denied');
    expect(ok(await handler({ action: 'revoke', tenantId: 'acme' })).changed).toBe(false);
    refused(await handler({ action: 'credential', tenantId: 'acme' }), 'TenantRevoked');
    refused(await handler(sample('acme', { tier: 'basic' })), 'TenantRevoked');
    const back = ok(await handler({ action: 'rotate', tenantId: 'acme', fromVersion: 1 }));
    expect(back.tenant).toMatchObject({ status: 'active', credentialVersion: 2 });
    expect(back.tenant.previousVersion).toBeUndefined();
    for (const region of REGIONS) expect(keys[region][0].enabled).toBe(true);
    expect([await opens(v1), await opens(back.credential)]).toEqual(['denied', 'open:acme']);
    const history = (await registry()).acme.history.L!.map((h) => h.M!.action.S);
    expect(history).toEqual(['onboard', 'onboarded', 'revoke', 'rotate']);
  });

  test('offboard: keys and plan links deleted in every Region, the secret scheduled for deletion, the tier uncounted, the record kept; again changes nothing', async () => {
    await onboarded();
    const out = ok(await handler({ action: 'offboard', tenantId: 'acme', reason: 'contract ended' }));
    expect(out).toMatchObject({ changed: true, tenant: { status: 'offboarded' } });
    expect(out.failedRegions).toEqual({});
    for (const region of REGIONS) {
      expect(keys[region]).toEqual([]);
      expect(planKeys[`plan-basic-${region}`]).toEqual([]);
    }
    expect(sm).toHaveReceivedCommandWith(RemoveRegionsFromReplicationCommand, { SecretId: 'tenant-api/orders/acme', RemoveReplicaRegions: ['us-west-2'] });
    expect(sm).toHaveReceivedCommandWith(DeleteSecretCommand, { SecretId: 'tenant-api/orders/acme', RecoveryWindowInDays: 7 });
    expect((await registry())['#tier#basic'].tenants).toEqual({ N: '0' });
    const again = ok(await handler({ action: 'offboard', tenantId: 'acme' }));
    expect(again.changed).toBe(false);
    expect((await registry())['#tier#basic'].tenants).toEqual({ N: '0' });
    refused(await handler(sample('acme', { tier: 'basic' })), 'TenantOffboarded');
  });

  test('a deploy-time tenant cannot be offboarded at run time (CloudFormation owns it), but can be revoked and rotated', async () => {
    await dynamo.put(TABLE, { tenantId: { S: 'globex' }, tier: { S: 'basic' }, status: { S: 'active' }, source: { S: 'deploy' }, credentialVersion: { N: '1' }, apiKeyIds: { M: {} } });
    refused(await handler({ action: 'offboard', tenantId: 'globex' }), 'DeployTimeTenant');
    ok(await handler({ action: 'revoke', tenantId: 'globex' }));
    ok(await handler({ action: 'rotate', tenantId: 'globex', fromVersion: 1 }));
  });

  test('with identity api-key there is no credential to rotate or issue', async () => {
    process.env.IDENTITY = 'api-key';
    const out = ok(await handler(sample('acme', { tier: 'basic' })));
    expect(out.credential).toBeUndefined();
    refused(await handler({ action: 'rotate', tenantId: 'acme', fromVersion: 1 }), 'RotateNeedsAuthorizer');
    refused(await handler({ action: 'credential', tenantId: 'acme' }), 'RotateNeedsAuthorizer');
  });

  test('a revoke while an onboarding provisions wins: the onboarding does not re-enable the tenant, and disables the keys it made', async () => {
    let revokedMidway = false;
    apigw.on(CreateApiKeyCommand).callsFake(async (i, c) => {
      const region = await regionOf(c);
      if (!revokedMidway) {
        revokedMidway = true;
        ok(await handler({ action: 'revoke', tenantId: 'acme', reason: 'revoked during onboarding' }));
      }
      keys[region].push({ id: `k-${region}`, name: i.name!, value: i.value!, enabled: true, tags: i.tags ?? {} });
      return { id: `k-${region}` };
    });
    refused(await handler(sample('acme', { tier: 'basic' })), 'TenantRevoked');
    expect((await registry()).acme.status).toEqual({ S: 'revoked' });
    for (const region of REGIONS) expect(keys[region].map((k) => k.enabled)).toEqual([false]);
    expect(await opens(credentialOf(SIGNING, 'orders', 'acme', 1))).toBe('denied');
  });

  test('an offboard while an onboarding provisions wins: the keys it made are deleted and the tier stays uncounted', async () => {
    let offboarded = false;
    apigw.on(CreateApiKeyCommand).callsFake(async (i, c) => {
      const region = await regionOf(c);
      keys[region].push({ id: `k-${region}`, name: i.name!, value: i.value!, enabled: true, tags: i.tags ?? {} });
      if (!offboarded) {
        offboarded = true;
        ok(await handler({ action: 'offboard', tenantId: 'acme' }));
      }
      return { id: `k-${region}` };
    });
    refused(await handler(sample('acme', { tier: 'basic' })), 'TenantOffboarded');
    expect((await registry())['#tier#basic'].tenants).toEqual({ N: '0' });
    for (const region of REGIONS) expect(keys[region]).toEqual([]);
  });

  test('writes go to the home Region: elsewhere onboard, rotate and offboard are refused unless the home Region is down; revoke always runs', async () => {
    process.env.AWS_REGION = 'us-west-2';
    for (const request of [sample('acme', { tier: 'basic' }), { action: 'rotate', tenantId: 'acme', fromVersion: 1 }, { action: 'offboard', tenantId: 'acme' }]) {
      expect(refused(await handler(request), 'NotHomeRegion').error.message).toMatch(/takes \w+ in us-east-1, its home Region.*homeRegionDown: true/);
    }
    expect(dynamo.calls).toEqual([]);
    ok(await handler({ ...sample('acme', { tier: 'basic' }), homeRegionDown: true }));
    ok(await handler({ action: 'revoke', tenantId: 'acme' }));
  });

  test("reinstating a revoked tenant waits out the authorizer's cache, so a cached answer for the old credential cannot open the API again", async () => {
    process.env.AUTHORIZER_CACHE_SECONDS = '300';
    ok(await handler(sample('acme', { tier: 'basic' })));
    ok(await handler({ action: 'revoke', tenantId: 'acme' }));
    now += 299_000;
    const early = refused(await handler({ action: 'rotate', tenantId: 'acme', fromVersion: 1 }), 'TooSoon');
    expect(early.error.message).toContain(new Date(now + 1_000).toISOString());
    for (const region of REGIONS) expect(keys[region][0].enabled).toBe(false);
    now += 1_000;
    ok(await handler({ action: 'rotate', tenantId: 'acme', fromVersion: 1 }));
  });

  test("offboarding deletes the secret in its primary Region (onboarded there), replicas first", async () => {
    await onboarded();
    secrets['tenant-api/orders/acme'].primary = 'us-west-2';
    ok(await handler({ action: 'offboard', tenantId: 'acme' }));
    const regionsCalled = await Promise.all(sm.commandCalls(DeleteSecretCommand).map((c) => (c.thisValue as SecretsManagerClient).config.region()));
    expect(regionsCalled).toEqual(['us-west-2']);
    expect(sm).toHaveReceivedCommandWith(RemoveRegionsFromReplicationCommand, { SecretId: 'tenant-api/orders/acme', RemoveReplicaRegions: ['us-east-1'] });
  });

  test('describe and credential of an unknown tenant: NotFound', async () => {
    refused(await handler({ action: 'describe', tenantId: 'nobody' }), 'NotFound');
    refused(await handler({ action: 'revoke', tenantId: 'nobody' }), 'NotFound');
  });
});

describe('the authorizer', () => {
  test.each<[string, Record<string, string> | undefined]>([
    ['no Authorization header', undefined],
    ['a header without Bearer', { Authorization: credentialOf(SIGNING, 'orders', 'acme', 1) }],
    ['a malformed credential', { Authorization: 'Bearer cr1.acme' }],
    ['a credential forged with another key', { Authorization: `Bearer ${credentialOf('not-the-key', 'orders', 'acme', 1)}` }],
    ["another API's credential", { Authorization: `Bearer ${credentialOf(SIGNING, 'orders-eu', 'acme', 1)}` }],
    ['an API key in the header', { 'x-api-key': 'the-usage-key' }],
  ])('refuses %s with 401 (Unauthorized), reading nothing from the registry', async (_n, headers) => {
    await expect(authorizer.handler({ type: 'REQUEST', methodArn: METHOD_ARN, headers })).rejects.toThrow(/^Unauthorized$/);
    expect(dynamo.calls).toEqual([]);
  });

  test("answers the tenant id, its tier and its usage-plan key, with a policy covering the stage (the answer is cached per credential)", async () => {
    ok(await handler(sample('acme', { tier: 'basic' })));
    const out = await authorizer.handler({ type: 'REQUEST', methodArn: METHOD_ARN, headers: { authorization: `Bearer ${credentialOf(SIGNING, 'orders', 'acme', 1)}` } });
    expect(out).toEqual({
      principalId: 'acme',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:us-east-1:111111111111:abc123/prod/*' }] },
      context: { tenantId: 'acme', tier: 'basic', credentialVersion: 1 },
      usageIdentifierKey: (JSON.parse(secrets['tenant-api/orders/acme'].value) as { key: string }).key,
    });
  });

  test("a valid credential this Region's registry does not know yet (onboarded or rotated in the other Region, replication behind) is an error, never a cached Deny", async () => {
    expect(await opens(credentialOf(SIGNING, 'orders', 'ghost', 1))).toMatch(/does not know credential version 1 of ghost yet/);
    ok(await handler(sample('acme', { tier: 'basic' })));
    expect(await opens(credentialOf(SIGNING, 'orders', 'acme', 2))).toMatch(/does not know credential version 2 of acme yet/);
  });

  test('the clocks are the wall clock unless a test replaces them', () => {
    expect(Math.abs(realClock.authorizer() - Date.now())).toBeLessThan(1_000);
    expect(Math.abs(realClock.onboarding() - Date.now())).toBeLessThan(1_000);
  });

  test.each<[string, Record<string, string>]>([
    ['a credential in another header, a wrong one in Authorization', { 'x-forwarded-credential': `Bearer ${credentialOf(SIGNING, 'orders', 'acme', 1)}`, Authorization: 'Bearer nope' }],
    ['text before Bearer', { Authorization: `xBearer ${credentialOf(SIGNING, 'orders', 'acme', 1)}` }],
    ['text after the credential', { Authorization: `Bearer ${credentialOf(SIGNING, 'orders', 'acme', 1)} extra` }],
  ])('refuses %s (401)', async (_n, headers) => {
    ok(await handler(sample('acme', { tier: 'basic' })));
    await expect(authorizer.handler({ type: 'REQUEST', methodArn: METHOD_ARN, headers })).rejects.toThrow(/^Unauthorized$/);
  });

  test("reads the registry strongly consistent, in the function's own Region", async () => {
    ok(await handler(sample('acme', { tier: 'basic' })));
    dynamo.mock.resetHistory();
    process.env.AWS_REGION = 'us-west-2';
    authorizer.reset();
    expect(await opens(credentialOf(SIGNING, 'orders', 'acme', 1))).toBe('open:acme');
    const reads = dynamo.mock.commandCalls(GetItemCommand);
    expect(reads.map((c) => c.args[0].input)).toEqual([{ TableName: TABLE, Key: { tenantId: { S: 'acme' } }, ConsistentRead: true }]);
    expect(await (reads[0].thisValue as { config: { region: () => Promise<string> } }).config.region()).toBe('us-west-2');
    expect(await (sm.commandCalls(GetSecretValueCommand).at(-1)!.thisValue as SecretsManagerClient).config.region()).toBe('us-west-2');
  });

  test('secrets are read once per 5 minutes per warm function, and again at the 5 minutes', async () => {
    ok(await handler(sample('acme', { tier: 'basic' })));
    authorizer.reset();
    sm.resetHistory();
    const cred = credentialOf(SIGNING, 'orders', 'acme', 1);
    const t0 = now;
    await opens(cred);
    now = t0 + 299_999;
    await opens(cred);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2); // signing key + usage key, once each
    now = t0 + 300_000;
    await opens(cred);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(4);
  });

  test('the Deny names the tenant and why, and covers the stage', async () => {
    ok(await handler(sample('acme', { tier: 'basic' })));
    ok(await handler({ action: 'revoke', tenantId: 'acme' }));
    const out = await authorizer.handler({ type: 'REQUEST', methodArn: METHOD_ARN, headers: { Authorization: `Bearer ${credentialOf(SIGNING, 'orders', 'acme', 1)}` } });
    expect(out).toEqual({
      principalId: 'acme',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: 'arn:aws:execute-api:us-east-1:111111111111:abc123/prod/*' }] },
      context: { tenantId: 'acme', reason: 'credential version 1 is not valid (revoked)' },
    });
  });

  test('a key secret without a key is an error, never an Allow without a usage key', async () => {
    ok(await handler(sample('acme', { tier: 'basic' })));
    secrets['tenant-api/orders/acme'] = { value: JSON.stringify({ tenantId: 'acme' }), tags: {} };
    authorizer.reset();
    expect(await opens(credentialOf(SIGNING, 'orders', 'acme', 1))).toMatch(/the key secret of tenant acme holds no key/);
  });

  test('a version past its grace period is denied (403)', async () => {
    ok(await handler(sample('acme', { tier: 'basic' })));
    ok(await handler({ action: 'rotate', tenantId: 'acme', fromVersion: 1, graceSeconds: 0 }));
    expect(await opens(credentialOf(SIGNING, 'orders', 'acme', 1))).toBe('denied');
    expect(await opens(credentialOf(SIGNING, 'orders', 'acme', 2))).toBe('open:acme');
  });
});

describe('the registrar of deploy-time tenants (a CloudFormation custom resource)', () => {
  const responses: { Status: string; Reason: string }[] = [];
  beforeEach(() => {
    process.env.REGISTRAR = 'true';
    responses.length = 0;
    respond.put = async (_url, body) => {
      responses.push(JSON.parse(body) as { Status: string; Reason: string });
    };
  });
  const cfn = (RequestType: 'Create' | 'Update' | 'Delete', tenants: { id: string; tier: string }[], old?: { id: string; tier: string }[]) => ({
    RequestType,
    ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x',
    StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/s/1',
    RequestId: 'r1',
    LogicalResourceId: 'DeployTimeTenants',
    PhysicalResourceId: RequestType === 'Create' ? undefined : 'DeployTimeTenants-registry',
    ResourceProperties: { Tenants: tenants, ApiKeyIds: Object.fromEntries(tenants.map((t) => [t.id, `cfn-key-${t.id}`])) },
    OldResourceProperties: old ? { Tenants: old } : undefined,
  });

  test('registers the app\'s tenants active at version 1, counted; an update moves a tier and offboards a removed tenant; a re-run changes nothing', async () => {
    await handler(cfn('Create', [{ id: 'acme', tier: 'premium' }, { id: 'globex', tier: 'basic' }]));
    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS' })]);
    let items = await registry();
    expect(items.acme).toMatchObject({ source: { S: 'deploy' }, status: { S: 'active' }, credentialVersion: { N: '1' }, apiKeyIds: { M: { 'us-east-1': { S: 'cfn-key-acme' } } } });
    expect([items['#tier#premium'].tenants, items['#tier#basic'].tenants]).toEqual([{ N: '1' }, { N: '1' }]);
    // CloudFormation made its secret and key: the authorizer opens the API to its credential.
    secrets['tenant-api/orders/acme'] = { value: JSON.stringify({ tenantId: 'acme', key: 'cfn-generated-value' }), tags: {} };
    keys['us-east-1'].push({ id: 'cfn-key-acme', name: 'orders-acme', value: 'cfn-generated-value', enabled: true, tags: {} });
    expect(await opens(credentialOf(SIGNING, 'orders', 'acme', 1))).toBe('open:acme');
    await handler(cfn('Update', [{ id: 'globex', tier: 'premium' }], [{ id: 'acme', tier: 'premium' }, { id: 'globex', tier: 'basic' }]));
    expect(responses[1]).toMatchObject({ Status: 'SUCCESS' });
    items = await registry();
    expect(items.acme.status).toEqual({ S: 'offboarded' });
    expect(items.globex.tier).toEqual({ S: 'premium' });
    expect([items['#tier#premium'].tenants, items['#tier#basic'].tenants]).toEqual([{ N: '1' }, { N: '0' }]);
    await handler(cfn('Update', [{ id: 'globex', tier: 'premium' }], [{ id: 'globex', tier: 'premium' }]));
    expect(await registry()).toEqual(items);
  });

  test('the operator function refuses CloudFormation events (an operator must not retire deploy-time tenants with a forged one); the registrar calls only S3 response URLs', async () => {
    delete process.env.REGISTRAR;
    refused(await handler(cfn('Create', [{ id: 'acme', tier: 'basic' }])), 'InvalidRequest');
    expect(await registry()).toEqual({});
    process.env.REGISTRAR = 'true';
    await expect(handler({ ...cfn('Create', [{ id: 'acme', tier: 'basic' }]), ResponseURL: 'https://attacker.example.com/collect' })).rejects.toThrow(/not a CloudFormation \(S3\) response URL; nothing was done/);
    expect(responses).toEqual([]);
    expect(await registry()).toEqual({});
  });

  test('a tenant removed and declared again gets a new credential version (its old credential stays dead); a tier change keeps a revoked tenant revoked', async () => {
    await handler(cfn('Create', [{ id: 'acme', tier: 'basic' }, { id: 'globex', tier: 'basic' }]));
    await handler(cfn('Update', [{ id: 'globex', tier: 'basic' }], [{ id: 'acme', tier: 'basic' }, { id: 'globex', tier: 'basic' }]));
    await handler(cfn('Update', [{ id: 'acme', tier: 'basic' }, { id: 'globex', tier: 'basic' }], [{ id: 'globex', tier: 'basic' }]));
    expect((await registry()).acme).toMatchObject({ status: { S: 'active' }, credentialVersion: { N: '2' } });
    delete process.env.REGISTRAR;
    ok(await handler({ action: 'revoke', tenantId: 'globex' }));
    process.env.REGISTRAR = 'true';
    await handler(cfn('Update', [{ id: 'acme', tier: 'basic' }, { id: 'globex', tier: 'premium' }], [{ id: 'acme', tier: 'basic' }, { id: 'globex', tier: 'basic' }]));
    expect((await registry()).globex).toMatchObject({ status: { S: 'revoked' }, tier: { S: 'premium' } });
    expect(responses.every((r) => r.Status === 'SUCCESS')).toBe(true);
  });

  test('answers CloudFormation with every field: a stable physical id, the request ids, Reason ok', async () => {
    const raw: string[] = [];
    respond.put = async (_url, body) => {
      raw.push(body);
    };
    await handler(cfn('Create', [{ id: 'acme', tier: 'basic' }]));
    await handler(cfn('Update', [{ id: 'acme', tier: 'basic' }], [{ id: 'acme', tier: 'basic' }]));
    const base = { StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/s/1', RequestId: 'r1', LogicalResourceId: 'DeployTimeTenants' };
    expect(raw.map((b) => JSON.parse(b))).toEqual([
      { Status: 'SUCCESS', Reason: 'ok', PhysicalResourceId: 'DeployTimeTenants-registry', ...base },
      { Status: 'SUCCESS', Reason: 'ok', PhysicalResourceId: 'DeployTimeTenants-registry', ...base },
    ]);
  });

  test("records each tenant's key id in this Region and an audit line for every change", async () => {
    await handler(cfn('Create', [{ id: 'acme', tier: 'basic' }]));
    await handler({ ...cfn('Update', [{ id: 'acme', tier: 'basic' }, { id: 'nokey', tier: 'basic' }], [{ id: 'acme', tier: 'basic' }]), ResourceProperties: { Tenants: [{ id: 'acme', tier: 'basic' }, { id: 'nokey', tier: 'basic' }], ApiKeyIds: { acme: 'cfn-key-acme' } } });
    await handler(cfn('Update', [{ id: 'acme', tier: 'premium' }], [{ id: 'acme', tier: 'basic' }, { id: 'nokey', tier: 'basic' }]));
    await handler(cfn('Update', [], [{ id: 'acme', tier: 'premium' }]));
    await handler(cfn('Update', [{ id: 'acme', tier: 'premium' }], []));
    const items = await registry();
    expect(items.nokey.apiKeyIds).toEqual({ M: {} });
    expect(items.acme.apiKeyIds).toEqual({ M: { 'us-east-1': { S: 'cfn-key-acme' } } });
    expect(items.acme.history.L!.map((h) => [h.M!.action.S, h.M!.by.S, h.M!.detail.S])).toEqual([
      ['declared', 'CloudFormation (deploy-time tenants)', 'tier basic'],
      ['tier changed', 'CloudFormation (deploy-time tenants)', 'basic -> premium'],
      ['removed from the app', 'CloudFormation (deploy-time tenants)', `at ${new Date(now).toISOString()}`],
      ['declared again', 'CloudFormation (deploy-time tenants)', 'tier premium, credential version 2'],
    ]);
    expect(items.acme).toMatchObject({ tier: { S: 'premium' }, status: { S: 'active' }, source: { S: 'deploy' }, credentialVersion: { N: '2' } });
    expect([items['#tier#basic'].tenants, items['#tier#premium'].tenants]).toEqual([{ N: '0' }, { N: '1' }]);
    expect(responses.every((r) => r.Status === 'SUCCESS')).toBe(true);
  });

  test('Delete (the stack goes) offboards every deploy-time tenant and frees its place; run-time tenants are left alone', async () => {
    await handler(cfn('Create', [{ id: 'acme', tier: 'basic' }, { id: 'globex', tier: 'premium' }]));
    delete process.env.REGISTRAR;
    ok(await handler(sample('runtime-one', { tier: 'basic' })));
    process.env.REGISTRAR = 'true';
    await handler({ ...cfn('Delete', [{ id: 'acme', tier: 'basic' }, { id: 'globex', tier: 'premium' }, { id: 'runtime-one', tier: 'basic' }]) });
    const items = await registry();
    expect([items.acme.status, items.globex.status, items['runtime-one'].status]).toEqual([{ S: 'offboarded' }, { S: 'offboarded' }, { S: 'active' }]);
    expect([items['#tier#basic'].tenants, items['#tier#premium'].tenants]).toEqual([{ N: '1' }, { N: '0' }]);
    expect(responses.at(-1)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'DeployTimeTenants-registry' });
  });

  test('an object with a RequestType but no ResponseURL is an operator request, not a CloudFormation event', async () => {
    refused(await handler({ RequestType: 'Create', tenantId: 'acme' }), 'InvalidRequest');
    expect(responses).toEqual([]);
  });

  test('a deploy-time tenant moved into a full tier fails the deploy with TierFull, nothing moved', async () => {
    await handler(cfn('Create', [{ id: 'p1', tier: 'premium' }, { id: 'globex', tier: 'basic' }]));
    const before = await registry();
    await handler(cfn('Update', [{ id: 'p1', tier: 'premium' }, { id: 'globex', tier: 'premium' }], [{ id: 'p1', tier: 'premium' }, { id: 'globex', tier: 'basic' }]));
    expect(responses[1]).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/^TierFull: the tier has no room left/) });
    expect(await registry()).toEqual(before);
  });

  test('fails the deploy, saying why, when a run-time tenant holds the id or the tier is full', async () => {
    delete process.env.REGISTRAR;
    ok(await handler(sample('acme', { tier: 'basic' })));
    process.env.REGISTRAR = 'true';
    await handler(cfn('Create', [{ id: 'acme', tier: 'basic' }]));
    expect(responses[0]).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/tenant acme was onboarded at run time/) });
    delete process.env.REGISTRAR;
    ok(await handler(sample('p1', { tier: 'premium' })));
    process.env.REGISTRAR = 'true';
    await handler(cfn('Create', [{ id: 'p2', tier: 'premium' }]));
    expect(responses[1]).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/tier premium is full/) });
    expect((await registry()).p2).toBeUndefined();
  });
});
