import { AddressInfo } from 'net';
import {
  AttributeValue,
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  TransactWriteItemsCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
// dynalite: an implementation of the DynamoDB API (expressions, conditions, errors) in memory.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (o: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => import('http').Server;

/**
 * A DynamoDB for handler tests: every DynamoDBClient call goes to dynalite (the real expression
 * and condition engine), serialized, so concurrent handler runs interleave only between calls as
 * they would against DynamoDB. dynalite has no TransactWriteItems; it is applied here as DynamoDB
 * does: every condition holds and all writes happen, or none does
 * (TransactionCanceledException with a reason per item).
 */
export class LocalDynamo {
  public readonly mock = mockClient(DynamoDBClient);
  public readonly calls: string[] = [];
  private server?: import('http').Server;
  private client?: DynamoDBClient;
  private readonly send: DynamoDBClient['send'];
  private queue: Promise<unknown> = Promise.resolve();

  constructor() {
    // The real send, kept before the mock replaces it on the prototype.
    this.send = (this.mock as unknown as { send: { wrappedMethod?: DynamoDBClient['send'] } }).send.wrappedMethod!;
  }

  public async start(tables: string[]): Promise<void> {
    this.server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    const port = (this.server.address() as AddressInfo).port;
    this.client = new DynamoDBClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    for (const name of tables) {
      await this.real(new CreateTableCommand({ TableName: name, KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'tenantId', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    }
    this.route();
  }

  /** Route the mocked client's commands to dynalite (after a mock reset too). */
  public route(): void {
    this.mock.reset();
    for (const Command of [GetItemCommand, PutItemCommand, UpdateItemCommand, DeleteItemCommand, ScanCommand] as const) {
      const make = Command as unknown as new (i: unknown) => unknown;
      (this.mock as unknown as { on: (c: unknown) => { callsFake: (f: (input: unknown) => unknown) => void } }).on(Command).callsFake((input) => this.serial(Command.name, () => this.real(new make(input))));
    }
    this.mock.on(TransactWriteItemsCommand).callsFake((input: TransactWriteItemsCommandInput) => this.serial('TransactWriteItemsCommand', () => this.transact(input)));
  }

  public async stop(): Promise<void> {
    this.mock.restore();
    this.client?.destroy();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  /** Every item of a table. */
  public async items(table: string): Promise<Record<string, AttributeValue>[]> {
    return ((await this.real(new ScanCommand({ TableName: table, ConsistentRead: true }))) as { Items?: Record<string, AttributeValue>[] }).Items ?? [];
  }

  public async clear(table: string): Promise<void> {
    for (const item of await this.items(table)) await this.real(new DeleteItemCommand({ TableName: table, Key: { tenantId: item.tenantId } }));
  }

  public async put(table: string, item: Record<string, AttributeValue>): Promise<void> {
    await this.real(new PutItemCommand({ TableName: table, Item: item }));
  }

  private real(command: unknown): Promise<unknown> {
    return (this.send as unknown as (this: DynamoDBClient, c: unknown) => Promise<unknown>).call(this.client!, command);
  }

  private serial<T>(name: string, run: () => Promise<T>): Promise<T> {
    this.calls.push(name);
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Cancellation codes the next transactions fail with before anything is applied (as DynamoDB's TransactionConflict does). */
  public readonly injectedCancellations: string[][] = [];

  private async transact(input: TransactWriteItemsCommandInput): Promise<unknown> {
    const items = input.TransactItems ?? [];
    const injected = this.injectedCancellations.shift();
    if (injected) {
      throw Object.assign(new Error(`Transaction cancelled, please refer cancellation reasons for specific reasons [${injected.join(', ')}]`), {
        name: 'TransactionCanceledException',
        CancellationReasons: injected.map((Code) => ({ Code })),
      });
    }
    const before: { table: string; key: Record<string, AttributeValue>; item?: Record<string, AttributeValue> }[] = [];
    const codes: string[] = items.map(() => 'None');
    for (const [i, t] of items.entries()) {
      const table = (t.Put?.TableName ?? t.Update?.TableName ?? t.Delete?.TableName ?? t.ConditionCheck?.TableName)!;
      const key = t.Put ? { tenantId: t.Put.Item!.tenantId } : (t.Update?.Key ?? t.Delete?.Key ?? t.ConditionCheck?.Key)!;
      const prior = ((await this.real(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))) as { Item?: Record<string, AttributeValue> }).Item;
      try {
        if (t.Put) await this.real(new PutItemCommand(t.Put));
        else if (t.Update) await this.real(new UpdateItemCommand(t.Update));
        else if (t.Delete) await this.real(new DeleteItemCommand(t.Delete));
        else throw new Error('ConditionCheck is not used here');
        before.push({ table, key, item: prior });
      } catch (err) {
        if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
        codes[i] = 'ConditionalCheckFailed';
        for (const b of before.reverse()) {
          if (b.item) await this.real(new PutItemCommand({ TableName: b.table, Item: b.item }));
          else await this.real(new DeleteItemCommand({ TableName: b.table, Key: b.key }));
        }
        throw Object.assign(new Error(`Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`), {
          name: 'TransactionCanceledException',
          CancellationReasons: codes.map((Code) => ({ Code })),
        });
      }
    }
    return {};
  }
}
