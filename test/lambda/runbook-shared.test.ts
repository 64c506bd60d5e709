/**
 * The handlers' shared pieces with aws-sdk-client-mock: the SDK clients' bounds, permission
 * errors, the strategy lock, the traffic gates and the DNS observation (against a real DNS
 * server on localhost).
 */
import * as dgram from 'dgram';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import DNS from 'dns2';
import { autoscaling, bounded, CLIENT_TIMEOUTS, rds } from '../../lambda/shared/aws';
import { fenceStatus, installResolver, nodeResolver, regionStatus } from '../../lambda/shared/dns';
import { moveGates } from '../../lambda/shared/gates';
import { acquireLock, releaseLock, renewLock } from '../../lambda/shared/lock';
import { EAST, testConfig, WEST } from '../dr/fixtures';

const named = (name: string, message = name): Error => Object.assign(new Error(message), { name });

describe('SDK clients', () => {
  test('every client bounds a connection at 3 s and a request at 10 s, and throws on a request timeout', async () => {
    for (const client of [rds(WEST), autoscaling(EAST)]) {
      const handler = await (client.config.requestHandler as unknown as { configProvider?: Promise<Record<string, unknown>> }).configProvider;
      expect(handler).toMatchObject({ connectionTimeout: 3000, requestTimeout: 10000, throwOnRequestTimeout: true });
    }
    expect(CLIENT_TIMEOUTS).toEqual({ connectionTimeout: 3000, requestTimeout: 10000, throwOnRequestTimeout: true });
  });

  test('a bounded call gives back a timeout or a 5xx as a value, but throws a permission error at once', async () => {
    expect(await bounded(5, () => new Promise((_r, reject) => setTimeout(() => reject(named('TimeoutError')), 1)))).toMatchObject({ name: 'TimeoutError' });
    await expect(bounded(1000, () => Promise.reject(named('AccessDeniedException', 'no')), 'describe the group', EAST)).rejects.toMatchObject({
      name: 'RunbookPermissionDenied',
      message: expect.stringMatching(/^the runbook's role may not describe the group in us-east-1 \(AccessDeniedException: no\); this is a deployment problem/),
    });
  });
});

describe('the strategy lock', () => {
  const config = testConfig({});
  const ddb = mockClient(DynamoDBClient);
  const me = 'arn:aws:states:us-west-2:111111111111:execution:shop-failover:a';
  beforeEach(() => ddb.reset());
  afterAll(() => ddb.restore());

  test('is taken with a condition in this Region\'s replica, then checked in the other Region\'s', async () => {
    ddb.on(PutItemCommand).resolves({});
    ddb.on(GetItemCommand).resolves({});
    await acquireLock(config, me, 'a', 'arn:aws:iam::111111111111:user/ana');
    const put = ddb.commandCalls(PutItemCommand)[0].args[0].input;
    expect(put).toMatchObject({ TableName: 'shop-runbook-lock', ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now OR holder = :me' });
    expect(put.Item).toMatchObject({ holder: { S: me }, direction: { S: 'failover' }, region: { S: WEST }, requestedBy: { S: 'arn:aws:iam::111111111111:user/ana' } });
    expect(Number(put.Item!.leaseUntil.N) - Number(put.Item!.acquiredAt.N)).toBe(300);
    expect(await ddb.commandCalls(PutItemCommand)[0].thisValue.config.region()).toBe(WEST);
    const peer = ddb.commandCalls(GetItemCommand)[0];
    expect(await peer.thisValue.config.region()).toBe(EAST);
    expect(peer.args[0].input).toMatchObject({ ConsistentRead: true });
  });

  test('refuses, naming the holder, while another execution\'s lease runs', async () => {
    ddb.on(PutItemCommand).rejects(named('ConditionalCheckFailedException'));
    ddb.on(GetItemCommand).resolves({ Item: { holder: { S: 'x' }, direction: { S: 'failback' }, region: { S: EAST }, requestId: { S: 'back-1' }, leaseUntil: { N: String(Math.floor(Date.now() / 1000) + 200) } } });
    await expect(acquireLock(config, me, 'a')).rejects.toMatchObject({ name: 'RunbookRefused', code: 'RunbookAlreadyRunning', detail: expect.stringMatching(/^the failback runbook in us-east-1 \(request back-1\) holds the strategy's lock until/) });
  });

  test('backs off when the other Region\'s replica shows another holder (a race within the replication lag)', async () => {
    ddb.on(PutItemCommand).resolves({});
    ddb.on(GetItemCommand).resolves({ Item: { holder: { S: 'other' }, direction: { S: 'failback' }, region: { S: EAST }, requestId: { S: 'b' }, leaseUntil: { N: String(Math.floor(Date.now() / 1000) + 300) } } });
    ddb.on(DeleteItemCommand).resolves({});
    await expect(acquireLock(config, me, 'a')).rejects.toMatchObject({ code: 'RunbookAlreadyRunning', detail: expect.stringMatching(/took the strategy's lock at the same moment; this run backed off/) });
    expect(ddb.commandCalls(DeleteItemCommand)[0].args[0].input).toMatchObject({ ConditionExpression: 'holder = :me', ExpressionAttributeValues: { ':me': { S: me } } });
  });

  test('goes on when the other Region does not answer (no run there can progress either)', async () => {
    ddb.on(PutItemCommand).resolves({});
    ddb.on(GetItemCommand).rejects(named('TimeoutError'));
    await expect(acquireLock(config, me, 'a')).resolves.toBeUndefined();
  });

  test('a renewal by a run that lost the lock fails with LockLost; a release by a non-holder changes nothing', async () => {
    ddb.on(UpdateItemCommand).rejects(named('ConditionalCheckFailedException'));
    ddb.on(GetItemCommand).resolves({});
    await expect(renewLock(config, me)).rejects.toMatchObject({ code: 'LockLost' });
    expect(ddb.commandCalls(UpdateItemCommand)[0].args[0].input).toMatchObject({ ConditionExpression: 'holder = :me' });
    ddb.on(DeleteItemCommand).rejects(named('ConditionalCheckFailedException'));
    expect(await releaseLock(config, me)).toBe(false);
  });
});

describe('the traffic gates', () => {
  const config = testConfig({});
  const cw = mockClient(CloudWatchClient);
  beforeEach(() => cw.reset());
  afterAll(() => cw.restore());

  /** Alarm states by `gated@holding`; a Region in `down` does not answer. */
  function world(states: Record<string, string>, down: string[] = []): void {
    cw.on(DescribeAlarmsCommand).callsFake(async (i: { AlarmNames: string[] }, getClient: () => CloudWatchClient) => {
      const region = await getClient().config.region();
      if (down.includes(region)) throw named('TimeoutError');
      const [, gated, holding] = /^shop-gate-(.+)-in-(.+)$/.exec(i.AlarmNames[0])!;
      return { MetricAlarms: [{ AlarmName: i.AlarmNames[0], StateValue: states[`${gated}@${holding}`] ?? 'INSUFFICIENT_DATA' }] };
    });
    cw.on(PutMetricDataCommand).callsFake(async (_i: unknown, getClient: () => CloudWatchClient) => {
      if (down.includes(await getClient().config.region())) throw named('TimeoutError');
      return {};
    });
  }
  const writes = async (): Promise<string[]> =>
    Promise.all(
      cw.commandCalls(PutMetricDataCommand).map(async (c) => {
        const m = c.args[0].input.MetricData![0];
        return `${m.Dimensions!.find((d) => d.Name === 'Region')!.Value}@${await c.thisValue.config.region()}=${m.Value}`;
      }),
    );

  test('the source answers: the target opens at home, the source closes at home (canonical)', async () => {
    world({ [`${EAST}@${EAST}`]: 'OK', [`${EAST}@${WEST}`]: 'OK', [`${WEST}@${EAST}`]: 'OK' });
    const move = await moveGates(config);
    // The target's gate in the source already reads open: written again all the same (a re-run is the remedy for a write Route 53 missed).
    expect(await writes()).toEqual([`${WEST}@${WEST}=0`, `${WEST}@${EAST}=0`, `${EAST}@${EAST}=1`]);
    expect(move).toMatchObject({ sourceClosedIn: EAST, changed: true });
    expect(cw.commandCalls(PutMetricDataCommand)[0].args[0].input).toMatchObject({ Namespace: 'CdkResilience/TrafficGates/shop', MetricData: [{ MetricName: 'Closed', Dimensions: [{ Name: 'Strategy', Value: 'shop' }, { Name: 'Region', Value: WEST }] }] });
  });

  test('the source does not answer: its closure is held in the target, durably', async () => {
    world({ [`${EAST}@${WEST}`]: 'OK' }, [EAST]);
    const move = await moveGates(config);
    // Attempts, in order: the two writes to us-east-1 time out; the closure lands in us-west-2.
    expect(await writes()).toEqual([`${WEST}@${WEST}=0`, `${WEST}@${EAST}=0`, `${EAST}@${EAST}=1`, `${EAST}@${WEST}=1`]);
    expect(move.sourceClosedIn).toBe(WEST);
    expect(move.actions.join('\n')).toMatch(/closed the gate of us-east-1 in us-west-2 \(us-east-1 did not answer: TimeoutError\); it holds when us-east-1 recovers/);
  });

  test('everything already in place: nothing changes and there is nothing to wait for, but every gate is written again with the value it has', async () => {
    world({ [`${WEST}@${WEST}`]: 'OK', [`${WEST}@${EAST}`]: 'OK', [`${EAST}@${EAST}`]: 'ALARM', [`${EAST}@${WEST}`]: 'OK' });
    expect(await moveGates(config)).toMatchObject({ changed: false, actions: [] });
    expect(await writes()).toEqual([`${WEST}@${WEST}=0`, `${WEST}@${EAST}=0`, `${EAST}@${EAST}=1`]);
  });

  test('a gate never written (INSUFFICIENT_DATA) reads open, as Route 53 reads a new check with no data', async () => {
    world({});
    const move = await moveGates(config);
    // Target gates read open (never written): re-asserted, not "opened"; the source is closed at home.
    expect(move.actions).toEqual([`closed the gate of ${EAST} in ${EAST}`]);
  });

  test('a closure an earlier run held in the target stays there: nothing reopens it but a run that opens the source', async () => {
    world({ [`${WEST}@${WEST}`]: 'OK', [`${WEST}@${EAST}`]: 'OK', [`${EAST}@${EAST}`]: 'ALARM', [`${EAST}@${WEST}`]: 'ALARM' });
    const move = await moveGates(config);
    expect((await writes()).filter((w) => w.startsWith(`${EAST}@${WEST}`))).toEqual([]);
    expect(move.actions).toEqual([]);
  });

  test('the target\'s own gate held closed in a source that does not answer: the move says the target stays withdrawn', async () => {
    cw.on(DescribeAlarmsCommand).callsFake(async (i: { AlarmNames: string[] }, getClient: () => CloudWatchClient) => {
      const region = await getClient().config.region();
      return { MetricAlarms: [{ AlarmName: i.AlarmNames[0], StateValue: region === EAST ? 'ALARM' : 'OK' }] };
    });
    cw.on(PutMetricDataCommand).callsFake(async (_i: unknown, getClient: () => CloudWatchClient) => {
      if ((await getClient().config.region()) === EAST) throw named('TimeoutError');
      return {};
    });
    const move = await moveGates(config);
    expect(move.blocked).toMatch(/the gate of us-west-2 held in us-east-1 reads closed and us-east-1 does not answer/);
  });
});

describe('DNS observation', () => {
  let server: DNS.DnsServer;
  let port: number;
  const answers: Record<string, string> = { '_status.us-west-2.shop.example.com': 'serving', '_status.us-east-1.shop.example.com': 'withdrawn' };

  beforeAll(async () => {
    server = DNS.createServer({
      udp: true,
      handle: (request, send) => {
        const response = DNS.Packet.createResponseFromRequest(request);
        const [q] = request.questions;
        const value = answers[q.name];
        if (q.name === 'chunked.shop.example.com') {
          // One TXT record of two character-strings (RFC 1035 3.3.14).
          response.answers.push({ name: q.name, type: DNS.Packet.TYPE.TXT, class: DNS.Packet.CLASS.IN, ttl: 10, data: ['serv', 'ing'] } as never);
        } else if (q.name === 'nodata.shop.example.com') {
          // NOERROR with no TXT record: Node's client says ENODATA.
        } else if (value === undefined) response.header.rcode = 3; // NXDOMAIN
        else response.answers.push({ name: q.name, type: DNS.Packet.TYPE.TXT, class: DNS.Packet.CLASS.IN, ttl: 10, data: value } as never);
        send(response);
      },
    });
    const listening = (await server.listen({ udp: { port: 0, address: '127.0.0.1' } })) as unknown as { udp: { port: number } };
    port = listening.udp.port;
  });
  afterAll(() => server.close());
  afterEach(() => installResolver(undefined));

  const dns = () => ({ nameServers: [`127.0.0.1:${port}`], statusRecords: { [WEST]: '_status.us-west-2.shop.example.com', [EAST]: '_status.us-east-1.shop.example.com', 'eu-west-1': '_status.eu-west-1.shop.example.com' }, ttlSeconds: 60 });

  test('asks the zone\'s name servers with Node\'s DNS client: serving, withdrawn, or unknown', async () => {
    expect(await regionStatus(dns(), WEST)).toBe('serving');
    expect(await regionStatus(dns(), EAST)).toBe('withdrawn');
    expect(await regionStatus(dns(), 'eu-west-1')).toBe('unknown');
    expect(await nodeResolver.resolveTxt('_status.us-west-2.shop.example.com', [`127.0.0.1:${port}`], 1000)).toEqual(['serving']);
    // A record of several character-strings is one value, its strings joined as they are.
    expect(await nodeResolver.resolveTxt('chunked.shop.example.com', [`127.0.0.1:${port}`], 1000)).toEqual(['serving']);
  });

  test('a name server that does not answer: the next one is asked; none answering reads unknown', async () => {
    const servers = ['127.0.0.1:9', `127.0.0.1:${port}`];
    expect(await nodeResolver.resolveTxt('_status.us-west-2.shop.example.com', servers, 300)).toEqual(['serving']);
    expect(await regionStatus({ ...dns(), nameServers: ['127.0.0.1:9'] }, WEST, 300)).toBe('unknown');
  });

  test('NXDOMAIN and NODATA are answers (no record), not a name server failing: no other server is asked', async () => {
    expect(await nodeResolver.resolveTxt('_status.eu-west-1.shop.example.com', [`127.0.0.1:${port}`], 1000)).toEqual([]);
    expect(await nodeResolver.resolveTxt('nodata.shop.example.com', [`127.0.0.1:${port}`], 1000)).toEqual([]);
  });

  test('no name server answering: one error naming the record and each server', async () => {
    await expect(nodeResolver.resolveTxt('_status.us-west-2.shop.example.com', ['127.0.0.1:9'], 300)).rejects.toMatchObject({
      name: 'DnsUnavailable',
      message: expect.stringMatching(/^no name server of the zone answered for _status\.us-west-2\.shop\.example\.com \(127\.0\.0\.1:9: E[A-Z]+\)$/),
    });
  });

  test('a black-holed name server is asked once, for timeoutMs: one try, no retries, then the error names the timeout', async () => {
    const hole = dgram.createSocket('udp4');
    let queries = 0;
    hole.on('message', () => queries++);
    await new Promise<void>((resolve) => hole.bind(0, '127.0.0.1', resolve));
    try {
      const server = `127.0.0.1:${hole.address().port}`;
      await expect(nodeResolver.resolveTxt('_status.us-west-2.shop.example.com', ['127.0.0.1:9', server], 200)).rejects.toMatchObject({
        message: `no name server of the zone answered for _status.us-west-2.shop.example.com (127.0.0.1:9: ECONNREFUSED, ${server}: ETIMEOUT)`,
      });
      expect(queries).toBe(1);
    } finally {
      hole.close();
    }
  });

  test('only an address literal is used as one: a host name ending or starting in digits is looked up', async () => {
    for (const host of ['ns-1.awsdns.invalid1', '127.0.0.1.awsdns.invalid']) {
      await expect(nodeResolver.resolveTxt('_status.us-west-2.shop.example.com', [host], 300)).rejects.toMatchObject({ message: expect.stringMatching(new RegExp(`\\(${host.replace(/\./g, '\\.')}: address not found \\(E[A-Z_]+\\)\\)$`)) });
    }
  });

  test('no fence records configured: the fence reads unknown', async () => {
    expect(await fenceStatus(dns(), WEST)).toBe('unknown');
  });

  test('a name server whose address cannot be found is skipped (its lookup bounded like the query), not read as an empty answer', async () => {
    expect(await nodeResolver.resolveTxt('_status.us-west-2.shop.example.com', ['ns-1.awsdns.invalid', `127.0.0.1:${port}`], 300)).toEqual(['serving']);
    await expect(nodeResolver.resolveTxt('_status.us-west-2.shop.example.com', ['ns-1.awsdns.invalid'], 300)).rejects.toMatchObject({ name: 'DnsUnavailable', message: expect.stringMatching(/ns-1\.awsdns\.invalid: address not found/) });
  });
});
