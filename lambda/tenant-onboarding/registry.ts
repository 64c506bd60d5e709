import { AttributeValue, DynamoDBClient, GetItemCommand, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CLIENT_TIMEOUTS } from '../shared/aws';
import { recordOf, tierCounterId, TenantRecord } from '../shared/tenant';
import { Env, named, timing } from './env';

/** How long an onboarding holds a tenant it provisions (longer than the function's 2-minute timeout). */
export const LEASE_MS = 180_000;

let client: DynamoDBClient | undefined;
let clientRegion: string | undefined;
export const ddbOf = (region: string): DynamoDBClient => {
  if (!client || clientRegion !== region) {
    client = new DynamoDBClient({ region, requestHandler: CLIENT_TIMEOUTS });
    clientRegion = region;
  }
  return client;
};

/** One audit line: what happened, who asked, when. */
export const historyEntry = (action: string, by: string, detail: string): AttributeValue => ({
  M: { at: { S: new Date(timing.now()).toISOString() }, action: { S: action }, by: { S: by }, detail: { S: detail } },
});

export async function readTenant(e: Env, region: string, tenantId: string): Promise<TenantRecord | undefined> {
  return recordOf((await ddbOf(region).send(new GetItemCommand({ TableName: e.table, Key: { tenantId: { S: tenantId } }, ConsistentRead: true }))).Item);
}

const isConditionFailed = (err: unknown): boolean => (err as Error).name === 'ConditionalCheckFailedException';

/** The codes of a cancelled transaction, per item (empty when it was not a cancellation). */
export function cancellationCodes(err: unknown): string[] {
  if ((err as Error).name !== 'TransactionCanceledException') return [];
  return ((err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map((r) => r.Code ?? 'None');
}

/** A tier counter's update: one more tenant, only while the tier has room. */
const counterAdd = (e: Env, tier: string, delta: 1 | -1): NonNullable<ConstructorParameters<typeof TransactWriteItemsCommand>[0]['TransactItems']>[number] => ({
  Update: {
    TableName: e.table,
    Key: { tenantId: { S: tierCounterId(tier) } },
    UpdateExpression: 'ADD tenants :d',
    ...(delta > 0 ? { ConditionExpression: 'attribute_not_exists(tenants) OR tenants < :max', ExpressionAttributeValues: { ':d': { N: '1' }, ':max': { N: String(e.tiers[tier]?.maxTenants ?? 0) } } } : { ExpressionAttributeValues: { ':d': { N: '-1' } } }),
  },
});

/**
 * Register a tenant and count it against its tier's budget, in one transaction: either both
 * happen or neither. Answers `registered`, `exists` (someone registered it first) or `full`.
 */
export async function registerTenant(e: Env, region: string, item: Record<string, AttributeValue>, tier: string): Promise<'registered' | 'exists' | 'full'> {
  if ((e.tiers[tier]?.maxTenants ?? 0) < 1) return 'full';
  try {
    await transact(region, { TransactItems: [{ Put: { TableName: e.table, Item: item, ConditionExpression: 'attribute_not_exists(tenantId)' } }, counterAdd(e, tier, 1)] });
    return 'registered';
  } catch (err) {
    const codes = cancellationCodes(err);
    if (codes[0] === 'ConditionalCheckFailed') return 'exists';
    if (codes[1] === 'ConditionalCheckFailed') return 'full';
    throw err;
  }
}

/**
 * A conditional update of a tenant; false when the condition did not hold (someone else moved
 * it first). `counter` moves tier counts in the same transaction.
 */
export async function updateTenant(
  e: Env,
  region: string,
  tenantId: string,
  update: { expression: string; condition?: string; names?: Record<string, string>; values?: Record<string, AttributeValue> },
  counters: { tier: string; delta: 1 | -1 }[] = [],
): Promise<boolean> {
  const body = {
    TableName: e.table,
    Key: { tenantId: { S: tenantId } },
    UpdateExpression: update.expression,
    ConditionExpression: update.condition,
    ExpressionAttributeNames: update.names,
    ExpressionAttributeValues: update.values,
  };
  try {
    if (counters.length === 0) await ddbOf(region).send(new UpdateItemCommand(body));
    else await transact(region, { TransactItems: [{ Update: body }, ...counters.map((c) => counterAdd(e, c.tier, c.delta))] });
    return true;
  } catch (err) {
    if (isConditionFailed(err) || cancellationCodes(err)[0] === 'ConditionalCheckFailed') return false;
    if (cancellationCodes(err).slice(1).includes('ConditionalCheckFailed')) throw named('TierFull', 'the tier has no room left');
    throw err;
  }
}

/**
 * A transaction, retried while DynamoDB cancels it for a conflict with another one on the same
 * items (two onboardings into one tier contend on its counter): backoff with full jitter, 5 tries.
 */
async function transact(region: string, input: ConstructorParameters<typeof TransactWriteItemsCommand>[0]): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await ddbOf(region).send(new TransactWriteItemsCommand(input));
      return;
    } catch (err) {
      const conflict = cancellationCodes(err).includes('TransactionConflict') && !cancellationCodes(err).includes('ConditionalCheckFailed');
      if (!conflict || i >= 4) throw err;
      await timing.sleep(timing.random() * 100 * 2 ** i);
    }
  }
}

/** `SET history = list_append(...)`: the audit trail lives on the tenant's item. */
export const APPEND_HISTORY = 'history = list_append(if_not_exists(history, :empty), :h)';
export const historyValues = (entry: AttributeValue): Record<string, AttributeValue> => ({ ':empty': { L: [] }, ':h': { L: [entry] } });
