/**
 * The strategy lock's calls and words, at a fixed clock (aws-sdk-client-mock): the exact item
 * and expressions DynamoDB evaluates (the simulator evaluates the conditions but not the key,
 * the update expression or the read consistency), the lease compared at its last second, and
 * what each refusal says. Mutation testing (npm run mutation) found these unchecked.
 */
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { installClock } from '../../lambda/shared/clock';
import { acquireLock, lockHolder, releaseLock, renewLock } from '../../lambda/shared/lock';
import { EAST, testConfig, WEST } from '../dr/fixtures';

const ddb = mockClient(DynamoDBClient);
const config = testConfig({});
const me = 'arn:aws:states:us-west-2:111111111111:execution:shop-failover:a';
const T = 1_800_000_000;
const named = (name: string): Error => Object.assign(new Error(name), { name });
const KEY = { pk: { S: 'lock' } };
const holderItem = (leaseUntil: number) => ({ holder: { S: 'arn:other' }, direction: { S: 'failback' }, region: { S: EAST }, requestId: { S: 'back-1' }, requestedBy: { S: 'ana' }, leaseUntil: { N: String(leaseUntil) } });

beforeEach(() => {
  ddb.reset();
  installClock({ now: () => T * 1000 + 400 });
  process.env.AWS_MAX_ATTEMPTS = '1';
});
afterAll(() => installClock(undefined));

describe('the holder', () => {
  test('read strongly consistent, by its one key, in the target Region', async () => {
    ddb.on(GetItemCommand).resolves({ Item: holderItem(T + 60) });
    expect(await lockHolder(config)).toEqual({ executionArn: 'arn:other', direction: 'failback', region: EAST, requestId: 'back-1', requestedBy: 'ana', leaseUntil: T + 60 });
    expect(ddb.commandCalls(GetItemCommand)[0].args[0].input).toEqual({ TableName: 'shop-runbook-lock', Key: KEY, ConsistentRead: true });
    expect(await ddb.commandCalls(GetItemCommand)[0].thisValue.config.region()).toBe(WEST);
  });

  test('an item without a holder is no holder; missing fields read as unknown', async () => {
    ddb.on(GetItemCommand).resolves({ Item: { pk: { S: 'lock' } } });
    expect(await lockHolder(config)).toBeUndefined();
    ddb.on(GetItemCommand).resolves({ Item: { holder: { S: 'arn:x' } } });
    expect(await lockHolder(config)).toEqual({ executionArn: 'arn:x', direction: '?', region: '?', requestId: '?', requestedBy: undefined, leaseUntil: 0 });
  });
});

describe('taking it', () => {
  test('the item, its lease and its condition, at this second', async () => {
    ddb.on(PutItemCommand).resolves({});
    ddb.on(GetItemCommand).resolves({});
    await acquireLock(config, me, 'a');
    expect(ddb.commandCalls(PutItemCommand)[0].args[0].input).toEqual({
      TableName: 'shop-runbook-lock',
      Item: { ...KEY, holder: { S: me }, direction: { S: 'failover' }, region: { S: WEST }, requestId: { S: 'a' }, acquiredAt: { N: String(T) }, leaseUntil: { N: String(T + 300) } },
      ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now OR holder = :me',
      ExpressionAttributeValues: { ':now': { N: String(T) }, ':me': { S: me } },
    });
    expect(ddb.commandCalls(GetItemCommand)[0].args[0].input).toEqual({ TableName: 'shop-runbook-lock', Key: KEY, ConsistentRead: true });
  });

  test('refused while held: the holder named, with who asked and until when; without a holder read, say to retry', async () => {
    ddb.on(PutItemCommand).rejects(named('ConditionalCheckFailedException'));
    ddb.on(GetItemCommand).resolves({ Item: holderItem(T + 60) });
    await expect(acquireLock(config, me, 'a')).rejects.toMatchObject({
      code: 'RunbookAlreadyRunning',
      detail: `the failback runbook in us-east-1 (request back-1, by ana) holds the strategy's lock until ${new Date((T + 60) * 1000).toISOString()} unless it ends first; follow it or wait for it to end`,
    });
    ddb.on(GetItemCommand).resolves({});
    await expect(acquireLock(config, me, 'a')).rejects.toMatchObject({ detail: 'another runbook of this strategy holds its lock; retry in a minute' });
  });

  test("the other Region's replica held by another run whose lease ends this very second: back off", async () => {
    ddb.on(PutItemCommand).resolves({});
    ddb.on(DeleteItemCommand).resolves({});
    ddb.on(GetItemCommand).resolves({ Item: holderItem(T) });
    await expect(acquireLock(config, me, 'a')).rejects.toMatchObject({
      code: 'RunbookAlreadyRunning',
      detail: "the failback runbook in us-east-1 (request back-1) took the strategy's lock at the same moment; this run backed off before changing anything: retry in a minute",
    });
    expect(ddb).toHaveReceivedCommandTimes(DeleteItemCommand, 1);
    // A lease that ended a second ago is no holder.
    ddb.on(GetItemCommand).resolves({ Item: holderItem(T - 1) });
    await expect(acquireLock(config, me, 'a')).resolves.toBeUndefined();
    // The peer's own fields missing: said as unknown.
    ddb.on(GetItemCommand).resolves({ Item: { holder: { S: 'arn:other' }, leaseUntil: { N: String(T + 5) } } });
    await expect(acquireLock(config, me, 'a')).rejects.toMatchObject({ detail: expect.stringMatching(/^the other runbook in us-east-1 \(request \?\) took/) });
    // This run's own item, replicated: no race.
    ddb.on(GetItemCommand).resolves({ Item: { holder: { S: me }, leaseUntil: { N: String(T + 300) } } });
    await expect(acquireLock(config, me, 'a')).resolves.toBeUndefined();
  });

  test("the other Region's replica is read in that Region, bounded (the call gets an abort signal); an item there without a holder or a lease is no race", async () => {
    ddb.on(PutItemCommand).resolves({});
    ddb.on(GetItemCommand).resolves({ Item: { pk: { S: 'lock' }, leaseUntil: { N: String(T + 60) } } });
    await expect(acquireLock(config, me, 'a')).resolves.toBeUndefined();
    const [peerRead] = ddb.commandCalls(GetItemCommand);
    expect(await peerRead.thisValue.config.region()).toBe(EAST);
    expect((peerRead.args as unknown[])[1]).toEqual({ abortSignal: expect.any(AbortSignal) });
    // A holder without a lease: its lease reads as 0, long past.
    ddb.on(GetItemCommand).resolves({ Item: { holder: { S: 'arn:other' } } });
    await expect(acquireLock(config, me, 'a')).resolves.toBeUndefined();
    expect(ddb).toHaveReceivedCommandTimes(DeleteItemCommand, 0);
  });

  test("the role may not read the other Region's lock table: the run stops, naming the call", async () => {
    ddb.on(PutItemCommand).resolves({});
    ddb.on(GetItemCommand).rejects(named('AccessDeniedException'));
    await expect(acquireLock(config, me, 'a')).rejects.toThrow("the runbook's role may not read the lock table in us-east-1");
  });
});

describe('renewing and releasing it', () => {
  test('a renewal sets only the lease, on condition of holding it', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    await renewLock(config, me);
    expect(ddb.commandCalls(UpdateItemCommand)[0].args[0].input).toEqual({
      TableName: 'shop-runbook-lock',
      Key: KEY,
      UpdateExpression: 'SET leaseUntil = :until',
      ConditionExpression: 'holder = :me',
      ExpressionAttributeValues: { ':until': { N: String(T + 300) }, ':me': { S: me } },
    });
  });

  test('a renewal of a lost lock says who holds it now, or only that it was lost', async () => {
    ddb.on(UpdateItemCommand).rejects(named('ConditionalCheckFailedException'));
    ddb.on(GetItemCommand).resolves({ Item: holderItem(T + 60) });
    await expect(renewLock(config, me)).rejects.toMatchObject({
      code: 'LockLost',
      detail: `this run no longer holds the strategy's lock: the failback runbook in us-east-1 (request back-1, by ana) holds the strategy's lock until ${new Date((T + 60) * 1000).toISOString()} unless it ends first; it stopped before changing anything more`,
    });
    ddb.on(GetItemCommand).resolves({});
    await expect(renewLock(config, me)).rejects.toMatchObject({ detail: "this run no longer holds the strategy's lock; it stopped before changing anything more" });
    ddb.on(UpdateItemCommand).rejects(named('ServiceUnavailable'));
    await expect(renewLock(config, me)).rejects.toMatchObject({ name: 'ServiceUnavailable' });
  });

  test('a release by the holder says it released; by anyone else, that it did not', async () => {
    ddb.on(DeleteItemCommand).resolves({});
    expect(await releaseLock(config, me)).toBe(true);
    expect(ddb.commandCalls(DeleteItemCommand)[0].args[0].input).toEqual({ TableName: 'shop-runbook-lock', Key: KEY, ConditionExpression: 'holder = :me', ExpressionAttributeValues: { ':me': { S: me } } });
    ddb.on(DeleteItemCommand).rejects(named('ConditionalCheckFailedException'));
    expect(await releaseLock(config, me)).toBe(false);
  });
});
