import { credentialOf, recordOf, TenantRecord, verifyCredential, versionValid } from '../../lambda/shared/tenant';

const KEY = 'signing-key-0123456789';

describe('tenant credentials', () => {
  test('the format clients send: cr1.<tenant>.<version>.<base64url HMAC-SHA256>', () => {
    expect(credentialOf(KEY, 'orders', 'acme', 12)).toMatch(/^cr1\.acme\.12\.[A-Za-z0-9_-]{43}$/);
  });

  test('a credential verifies under its key and API, and says whose and which version it is', () => {
    expect(verifyCredential(KEY, 'orders', credentialOf(KEY, 'orders', 'acme-1_x', 7))).toEqual({ tenantId: 'acme-1_x', version: 7 });
    expect(verifyCredential(KEY, 'orders', credentialOf(KEY, 'orders', 'a', 999_999_999))).toEqual({ tenantId: 'a', version: 999_999_999 });
  });

  test.each<[string, string]>([
    ['another key', credentialOf('another-key', 'orders', 'acme', 1)],
    ['another API', credentialOf(KEY, 'orders-eu', 'acme', 1)],
    ['another prefix', credentialOf(KEY, 'orders', 'acme', 1).replace(/^cr1/, 'cr2')],
    ['a fifth part', `${credentialOf(KEY, 'orders', 'acme', 1)}.x`],
    ['three parts', credentialOf(KEY, 'orders', 'acme', 1).split('.').slice(1).join('.')],
    ['a tenant id that is not one', `cr1.ac me.1.${credentialOf(KEY, 'orders', 'ac me', 1).split('.')[3]}`],
    ['version 0', credentialOf(KEY, 'orders', 'acme', 0)],
    ['a version with a leading zero', credentialOf(KEY, 'orders', 'acme', 1).replace('.1.', '.01.')],
    ['a version of 10 digits', credentialOf(KEY, 'orders', 'acme', 1_000_000_000)],
    ['a version with letters after its digits', `cr1.acme.1a.${credentialOf(KEY, 'orders', 'acme', 1).split('.')[3]}`],
    ['a version with letters before its digits', `cr1.acme.a1.${credentialOf(KEY, 'orders', 'acme', 1).split('.')[3]}`],
    ['a version of two digits with a letter', `cr1.acme.1b2.${credentialOf(KEY, 'orders', 'acme', 1).split('.')[3]}`],
    ['a truncated MAC', credentialOf(KEY, 'orders', 'acme', 1).slice(0, -1)],
    ['a MAC one character longer', `${credentialOf(KEY, 'orders', 'acme', 1)}A`],
    ['another version with the MAC of version 1', credentialOf(KEY, 'orders', 'acme', 1).replace('.1.', '.2.')],
  ])('proves nothing with %s', (_n, credential) => {
    expect(verifyCredential(KEY, 'orders', credential)).toBeUndefined();
  });
});

describe('registry records', () => {
  test('absent, or without a tenant id: no record', () => {
    expect(recordOf(undefined)).toBeUndefined();
    expect(recordOf({ tier: { S: 'basic' } })).toBeUndefined();
  });

  test('every field, and the defaults of an item written before the lifecycle (apiKeyIds as a JSON string)', () => {
    expect(recordOf({ tenantId: { S: 'acme' }, apiKeyIds: { S: '{"us-east-1":"k1"}' } })).toEqual({
      tenantId: 'acme',
      tier: '',
      status: 'active',
      source: 'runtime',
      credentialVersion: 1,
      previousVersion: undefined,
      previousUntil: undefined,
      leaseUntil: undefined,
      leaseId: undefined,
      revokedAt: undefined,
      apiKeyIds: { 'us-east-1': 'k1' },
    });
    expect(
      recordOf({
        tenantId: { S: 'acme' },
        tier: { S: 'basic' },
        status: { S: 'revoked' },
        source: { S: 'deploy' },
        credentialVersion: { N: '3' },
        previousVersion: { N: '2' },
        previousUntil: { N: '100' },
        leaseUntil: { N: '5' },
        leaseId: { S: 'l' },
        revokedAt: { N: '9' },
        apiKeyIds: { M: { 'us-east-1': { S: 'k1' }, 'us-west-2': { NULL: true } } },
      }),
    ).toEqual({ tenantId: 'acme', tier: 'basic', status: 'revoked', source: 'deploy', credentialVersion: 3, previousVersion: 2, previousUntil: 100, leaseUntil: 5, leaseId: 'l', revokedAt: 9, apiKeyIds: { 'us-east-1': 'k1', 'us-west-2': '' } });
    expect(recordOf({ tenantId: { S: 'acme' } })!.apiKeyIds).toEqual({});
  });
});

describe('which versions open the door', () => {
  const rec = (over: Partial<TenantRecord>): TenantRecord => ({ tenantId: 'acme', tier: 'basic', status: 'active', source: 'runtime', credentialVersion: 3, apiKeyIds: {}, ...over });

  test('the current version while active or partial; never when provisioning, revoked or offboarded', () => {
    expect(versionValid(rec({}), 3, 0)).toBe(true);
    expect(versionValid(rec({ status: 'partial' }), 3, 0)).toBe(true);
    for (const status of ['provisioning', 'revoked', 'offboarded'] as const) expect(versionValid(rec({ status }), 3, 0)).toBe(false);
  });

  test('the previous version until (not at) its end; no other version', () => {
    const r = rec({ previousVersion: 2, previousUntil: 100 });
    expect(versionValid(r, 2, 99)).toBe(true);
    expect(versionValid(r, 2, 100)).toBe(false);
    expect(versionValid(r, 1, 50)).toBe(false);
    expect(versionValid(r, 4, 50)).toBe(false);
    expect(versionValid(rec({ previousVersion: 2 }), 2, 0)).toBe(false);
    expect(versionValid(rec({ previousUntil: 100 }), 2, 0)).toBe(false);
  });
});
