/**
 * The automatic-failover detector (lambda/auto-failover-detector), with aws-sdk-client-mock for
 * CloudWatch and DynamoDB and an installed resolver for the zone's name servers: it writes 1
 * only when every look sees the primary withdrawn while its fence is open and no runbook holds
 * the strategy's lock; 0 when any look sees it serving or fenced, or a runbook runs; nothing
 * when a look has no answer (missing data never starts a failover). `{ confirm: true }` looks
 * and writes nothing.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambda/auto-failover-detector';
import { installClock } from '../../lambda/shared/clock';
import { installResolver } from '../../lambda/shared/dns';
import type { AutoFailoverDetectorConfig } from '../../protocol';

const cw = mockClient(CloudWatchClient);
const ddb = mockClient(DynamoDBClient);
const STATUS = '_status.us-east-1.shop.example.com';
const FENCE = '_fence.us-east-1.shop.example.com';
const CONFIG: AutoFailoverDetectorConfig = {
  strategy: 'shop',
  watchedRegion: 'us-east-1',
  dns: { nameServers: ['ns-1.awsdns-01.org'], statusRecords: { 'us-east-1': STATUS }, fenceRecords: { 'us-east-1': FENCE }, ttlSeconds: 60 },
  namespace: 'CdkResilience/AutoFailover',
  metricName: 'UnfencedOutage',
  looks: 3,
  lookIntervalMs: 0,
  lock: { tableName: 'shop-runbook-lock', leaseSeconds: 300 },
};
const NOW = Date.parse('2026-12-07T03:00:00Z');

type Answer = string | 'down' | undefined;
/** Per look, the status and fence answers: a value, undefined (no record), or 'down' (no name server answers). */
function world(looks: [Answer, Answer][]): void {
  const asked: Record<string, number> = {};
  installResolver({
    async resolveTxt(name, nameServers) {
      expect(nameServers).toEqual(CONFIG.dns.nameServers);
      const i = (asked[name] = (asked[name] ?? -1) + 1);
      const look = looks[Math.min(i, looks.length - 1)];
      const a = name === STATUS ? look[0] : name === FENCE ? look[1] : undefined;
      if (a === 'down') throw Object.assign(new Error('no name server answered'), { name: 'DnsUnavailable' });
      return a === undefined ? [] : [a];
    },
  });
}
const same = (status: Answer, fence: Answer): [Answer, Answer][] => [[status, fence], [status, fence], [status, fence]];

beforeEach(() => {
  cw.reset();
  ddb.reset();
  cw.on(PutMetricDataCommand).resolves({});
  ddb.on(GetItemCommand).resolves({});
  installClock({ now: () => NOW });
  process.env.DETECTOR_CONFIG = JSON.stringify(CONFIG);
  process.env.AWS_REGION = 'us-west-2';
});
afterEach(() => {
  installResolver(undefined);
  installClock(undefined);
});

/** The datapoints written, as their values (a call without one shows as 'none': toEqual would let an undefined item pass for none). */
const written = (): unknown[] => cw.commandCalls(PutMetricDataCommand).map((c) => (c.args[0].input.MetricData ?? [])[0]?.Value ?? 'none');

test('every look withdrawn with the fence open, no runbook: 1, in the detector\'s Region, with the strategy and the watched Region', async () => {
  world(same('withdrawn', 'open'));
  const r = await handler();
  expect(r).toMatchObject({ value: 1, outage: true, runbookRunning: false });
  expect(r.looks).toHaveLength(3);
  expect(cw.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input)).toEqual([
    { Namespace: 'CdkResilience/AutoFailover', MetricData: [{ MetricName: 'UnfencedOutage', Dimensions: [{ Name: 'Strategy', Value: 'shop' }, { Name: 'Region', Value: 'us-east-1' }], Value: 1, Unit: 'Count' }] },
  ]);
  expect(await cw.call(0).thisValue.config.region()).toBe('us-west-2');
  // The lock, read in this Region's replica.
  expect(ddb.commandCalls(GetItemCommand)[0].args[0].input).toMatchObject({ TableName: 'shop-runbook-lock', ConsistentRead: true });
  expect(await ddb.call(0).thisValue.config.region()).toBe('us-west-2');
});

test.each([
  ['serving', same('serving', 'open')],
  ['withdrawn, fence closed: a failover or a drill fenced it', same('withdrawn', 'closed')],
  ['fence closed, status unanswered: fenced all the same', same('down', 'closed')],
  ['flapping: one look of three sees it serving', [['withdrawn', 'open'], ['serving', 'open'], ['withdrawn', 'open']] as [Answer, Answer][]],
  ['the last look sees the fence closed', [['withdrawn', 'open'], ['withdrawn', 'open'], ['withdrawn', 'closed']] as [Answer, Answer][]],
])('%s: 0', async (_name, looks) => {
  world(looks);
  expect((await handler()).value).toBe(0);
  expect(written()).toEqual([0]);
});

test.each([
  ['withdrawn, fence unanswered', same('withdrawn', 'down')],
  ['withdrawn, no fence record', same('withdrawn', undefined)],
  ['no name server answers', same('down', 'down')],
  ['one look of three unanswered', [['withdrawn', 'open'], ['down', 'open'], ['withdrawn', 'open']] as [Answer, Answer][]],
])('%s: nothing written (the blind alarm pages instead)', async (_name, looks) => {
  world(looks);
  expect((await handler()).value).toBeUndefined();
  expect(written()).toEqual([]);
});

test('a runbook holding the lock (a drill, a switchover, a failback): 0 even while Route 53 withdraws the primary', async () => {
  world(same('withdrawn', 'open'));
  ddb.on(GetItemCommand).resolves({ Item: { pk: { S: 'lock' }, holder: { S: 'arn:aws:states:us-west-2:1:execution:shop-failover:drill-1' }, direction: { S: 'failover' }, region: { S: 'us-west-2' }, requestId: { S: 'drill-1' }, leaseUntil: { N: String(NOW / 1000 + 60) } } });
  expect(await handler()).toMatchObject({ value: 0, runbookRunning: true, outage: false });
  // A lease that ran out is no runbook.
  ddb.on(GetItemCommand).resolves({ Item: { pk: { S: 'lock' }, holder: { S: 'arn:x' }, leaseUntil: { N: String(NOW / 1000 - 1) } } });
  expect(await handler()).toMatchObject({ value: 1, runbookRunning: false });
});

test('the confirmation look ({ confirm: true }) answers and writes nothing', async () => {
  world(same('withdrawn', 'open'));
  expect(await handler({ confirm: true })).toMatchObject({ outage: true });
  world(same('serving', 'open'));
  expect(await handler({ confirm: true })).toMatchObject({ outage: false });
  expect(written()).toEqual([]);
});

test('the first look is at once, the next ones lookIntervalMs apart, and nothing waits after the last', async () => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  try {
    let statusLooks = 0;
    installResolver({
      async resolveTxt(name) {
        if (name === STATUS) statusLooks++;
        return [name === STATUS ? 'withdrawn' : 'open'];
      },
    });
    process.env.DETECTOR_CONFIG = JSON.stringify({ ...CONFIG, lookIntervalMs: 10_000 });
    let done = false;
    const run = handler().then((r) => ((done = true), r));
    await jest.advanceTimersByTimeAsync(0);
    expect(statusLooks).toBe(1);
    await jest.advanceTimersByTimeAsync(9_999);
    expect(statusLooks).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(statusLooks).toBe(2);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(statusLooks).toBe(3);
    // The third look is the last: the run ends without another wait.
    await jest.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
    expect((await run).value).toBe(1);
  } finally {
    jest.useRealTimers();
  }
});

test('a lease that ends this very second is over: no runbook holds the lock', async () => {
  world(same('withdrawn', 'open'));
  ddb.on(GetItemCommand).resolves({ Item: { pk: { S: 'lock' }, holder: { S: 'arn:x' }, leaseUntil: { N: String(NOW / 1000) } } });
  expect(await handler()).toMatchObject({ value: 1, runbookRunning: false });
});

test('without its configuration the detector fails, saying what is missing', async () => {
  delete process.env.DETECTOR_CONFIG;
  await expect(handler()).rejects.toThrow('DETECTOR_CONFIG is not set');
});

test('a CloudWatch or lock error fails the run (the next minute looks again; a confirmation that fails is no confirmation)', async () => {
  world(same('withdrawn', 'open'));
  cw.on(PutMetricDataCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
  await expect(handler()).rejects.toThrow('throttled');
  ddb.on(GetItemCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
  await expect(handler({ confirm: true })).rejects.toThrow('denied');
});
