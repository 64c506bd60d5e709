/**
 * The automatic-failover detector (lambda/auto-failover-detector), with aws-sdk-client-mock for
 * CloudWatch and an installed resolver for the zone's name servers: it writes 1 only for a
 * primary that Route 53 withdraws while its fence is open, 0 while it serves or is fenced, and
 * nothing when a record gives no answer (missing data never starts a failover).
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambda/auto-failover-detector';
import { installResolver } from '../../lambda/shared/dns';
import type { AutoFailoverDetectorConfig } from '../../protocol';

const cw = mockClient(CloudWatchClient);
const CONFIG: AutoFailoverDetectorConfig = {
  strategy: 'shop',
  watchedRegion: 'us-east-1',
  dns: { nameServers: ['ns-1.awsdns-01.org'], statusRecords: { 'us-east-1': '_status.us-east-1.shop.example.com' }, fenceRecords: { 'us-east-1': '_fence.us-east-1.shop.example.com' }, ttlSeconds: 60 },
  namespace: 'CdkResilience/AutoFailover',
  metricName: 'UnfencedOutage',
};

/** Answers per record name: a value, [] (no answer), or 'down' (no name server answers). */
function world(status: string | 'down' | undefined, fence: string | 'down' | undefined): void {
  const answers: Record<string, string | undefined> = { [CONFIG.dns.statusRecords['us-east-1']]: status, [CONFIG.dns.fenceRecords!['us-east-1']]: fence };
  installResolver({
    async resolveTxt(name, nameServers) {
      expect(nameServers).toEqual(CONFIG.dns.nameServers);
      const a = answers[name];
      if (a === 'down') throw Object.assign(new Error('no name server answered'), { name: 'DnsUnavailable' });
      return a === undefined ? [] : [a];
    },
  });
}

beforeEach(() => {
  cw.reset();
  cw.on(PutMetricDataCommand).resolves({});
  process.env.DETECTOR_CONFIG = JSON.stringify(CONFIG);
  process.env.AWS_REGION = 'us-west-2';
});
afterEach(() => installResolver(undefined));

const written = (): unknown[] => cw.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input);

test.each([
  ['withdrawn, fence open: an outage no runbook made', 'withdrawn', 'open', 1],
  ['serving', 'serving', 'open', 0],
  ['withdrawn, fence closed: a failover or a drill fenced it', 'withdrawn', 'closed', 0],
  ['fence closed, status unanswered: fenced all the same', 'down', 'closed', 0],
  ['serving, fence unanswered', 'serving', 'down', 0],
])('%s: writes %s', async (_name, status, fence, value) => {
  world(status, fence);
  expect(await handler()).toEqual({ status: status === 'down' ? 'unknown' : status, fence: fence === 'down' ? 'unknown' : fence, value });
  expect(written()).toEqual([
    {
      Namespace: 'CdkResilience/AutoFailover',
      MetricData: [{ MetricName: 'UnfencedOutage', Dimensions: [{ Name: 'Strategy', Value: 'shop' }, { Name: 'Region', Value: 'us-east-1' }], Value: value, Unit: 'Count' }],
    },
  ]);
  // Written in the detector's own Region (the recovery Region), never the watched one.
  expect(await cw.call(0).thisValue.config.region()).toBe('us-west-2');
});

test.each([
  ['withdrawn, fence unanswered', 'withdrawn', 'down'],
  ['withdrawn, no fence record', 'withdrawn', undefined],
  ['no name server answers', 'down', 'down'],
  ['status unanswered, fence open', 'down', 'open'],
])('%s: writes nothing (the blind alarm pages instead)', async (_name, status, fence) => {
  world(status, fence);
  expect((await handler()).value).toBeUndefined();
  expect(written()).toEqual([]);
});

test('a CloudWatch error fails the look (the next minute looks again)', async () => {
  world('withdrawn', 'open');
  cw.on(PutMetricDataCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
  await expect(handler()).rejects.toThrow('throttled');
});
