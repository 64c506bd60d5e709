import { DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { RunbookConfig } from '../../protocol';
import { bounded, dynamodb } from './aws';
import { now } from './clock';
import { RunbookRefused } from './refused';

/**
 * One runbook of a strategy at a time, whichever its direction: a lease in a DynamoDB global
 * table, written with a condition in the runbook's own Region's replica. It never needs the
 * other Region. What is left: two runbooks started in the two Regions within the table's
 * replication lag (about a second) both take the lease locally; replication keeps the later
 * write, and the other run finds it lost at its next renewal, which every step makes before
 * it changes anything (docs/runbooks.md).
 */

const KEY = { pk: { S: 'lock' } };

/** Who holds the lock. */
export interface LockHolder {
  /** The execution's ARN (the holder's identity). */
  readonly executionArn: string;
  readonly direction: string;
  readonly region: string;
  readonly requestId: string;
  readonly requestedBy?: string;
  readonly leaseUntil: number;
}

const isConditionFailed = (e: unknown): boolean => (e as Error).name === 'ConditionalCheckFailedException';

/** The current holder, read from this Region's replica (strongly consistent there). */
export async function lockHolder(config: RunbookConfig): Promise<LockHolder | undefined> {
  const out = await dynamodb(config.targetRegion).send(new GetItemCommand({ TableName: config.lock.tableName, Key: KEY, ConsistentRead: true }));
  const item = out.Item;
  if (!item?.holder?.S) return undefined;
  return {
    executionArn: item.holder.S,
    direction: item.direction?.S ?? '?',
    region: item.region?.S ?? '?',
    requestId: item.requestId?.S ?? '?',
    requestedBy: item.requestedBy?.S,
    leaseUntil: Number(item.leaseUntil?.N ?? 0),
  };
}

const describe = (h: LockHolder): string =>
  `the ${h.direction} runbook in ${h.region} (request ${h.requestId}${h.requestedBy ? `, by ${h.requestedBy}` : ''}) holds the strategy's lock until ${new Date(h.leaseUntil * 1000).toISOString()} unless it ends first`;

/**
 * Take the lock for an execution, or renew it if the execution holds it already. Refuses
 * (RunbookAlreadyRunning, nothing changed) while another execution's lease runs.
 */
export async function acquireLock(config: RunbookConfig, executionArn: string, requestId: string, requestedBy?: string): Promise<void> {
  const t = Math.floor(now() / 1000);
  try {
    await dynamodb(config.targetRegion).send(
      new PutItemCommand({
        TableName: config.lock.tableName,
        Item: {
          ...KEY,
          holder: { S: executionArn },
          direction: { S: config.direction },
          region: { S: config.targetRegion },
          requestId: { S: requestId },
          ...(requestedBy ? { requestedBy: { S: requestedBy } } : {}),
          acquiredAt: { N: String(t) },
          leaseUntil: { N: String(t + config.lock.leaseSeconds) },
        },
        ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now OR holder = :me',
        ExpressionAttributeValues: { ':now': { N: String(t) }, ':me': { S: executionArn } },
      }),
    );
  } catch (e) {
    if (!isConditionFailed(e)) throw e;
    const holder = await lockHolder(config);
    throw new RunbookRefused('RunbookAlreadyRunning', holder ? `${describe(holder)}; follow it or wait for it to end` : 'another runbook of this strategy holds its lock; retry in a minute');
  }
  // Two runbooks that took the lock in the two Regions within the replication lag each see
  // only their own item. Read the other Region's replica: if another run holds it there, both
  // back off (nothing has changed yet). When the other Region does not answer, no run there
  // can make progress either; the race left is two runs started in the same second while
  // the other Region is unreachable (docs/runbooks.md).
  const peer = await bounded(
    config.sourceCallTimeoutMs,
    (abortSignal) => dynamodb(config.sourceRegion).send(new GetItemCommand({ TableName: config.lock.tableName, Key: KEY, ConsistentRead: true }), { abortSignal }),
    'read the lock table',
    config.sourceRegion,
  );
  if (peer instanceof Error) return;
  const other = peer.Item?.holder?.S;
  if (other && other !== executionArn && Number(peer.Item?.leaseUntil?.N ?? 0) >= t) {
    await releaseLock(config, executionArn);
    throw new RunbookRefused(
      'RunbookAlreadyRunning',
      `the ${peer.Item?.direction?.S ?? 'other'} runbook in ${peer.Item?.region?.S ?? config.sourceRegion} (request ${peer.Item?.requestId?.S ?? '?'}) took the strategy's lock at the same moment; this run backed off before changing anything: retry in a minute`,
    );
  }
}

/**
 * Renew the lease before a step changes anything. Throws LockLost (never retried) when
 * another execution holds the lock: the other direction's runbook won a race in the
 * replication lag, or this run outlived its lease.
 */
export async function renewLock(config: RunbookConfig, executionArn: string): Promise<void> {
  const t = Math.floor(now() / 1000);
  try {
    await dynamodb(config.targetRegion).send(
      new UpdateItemCommand({
        TableName: config.lock.tableName,
        Key: KEY,
        UpdateExpression: 'SET leaseUntil = :until',
        ConditionExpression: 'holder = :me',
        ExpressionAttributeValues: { ':until': { N: String(t + config.lock.leaseSeconds) }, ':me': { S: executionArn } },
      }),
    );
  } catch (e) {
    if (!isConditionFailed(e)) throw e;
    const holder = await lockHolder(config);
    throw new RunbookRefused('LockLost', `this run no longer holds the strategy's lock${holder ? `: ${describe(holder)}` : ''}; it stopped before changing anything more`);
  }
}

/** Release the lock if this execution holds it (best effort: the lease expires anyway). */
export async function releaseLock(config: RunbookConfig, executionArn: string): Promise<boolean> {
  try {
    await dynamodb(config.targetRegion).send(
      new DeleteItemCommand({ TableName: config.lock.tableName, Key: KEY, ConditionExpression: 'holder = :me', ExpressionAttributeValues: { ':me': { S: executionArn } } }),
    );
    return true;
  } catch {
    return false;
  }
}
