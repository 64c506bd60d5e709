/**
 * The first states of ARC routing controls (lambda/routing-control-init), with aws-sdk-client-mock
 * for the cluster endpoints and a local HTTP server for CloudFormation's pre-signed response URL:
 * set once on Create through the first endpoint that answers; never touched on Update or Delete.
 */
import * as http from 'http';
import { Route53RecoveryClusterClient, UpdateRoutingControlStatesCommand } from '@aws-sdk/client-route53-recovery-cluster';
import { mockClient } from 'aws-sdk-client-mock';
import { CustomResourceEvent, handler } from '../../lambda/routing-control-init';

const arc = mockClient(Route53RecoveryClusterClient);
const EAST = 'arn:aws:route53-recovery-control::111111111111:controlpanel/p/routingcontrol/east';
const WEST = 'arn:aws:route53-recovery-control::111111111111:controlpanel/p/routingcontrol/west';
const ENDPOINTS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2', 'ap-northeast-1'].map((r) => ({ Endpoint: `https://host-${r}.example.com/v1`, Region: r }));

let server: http.Server;
let responses: Record<string, string>[];
let url: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      expect([req.method, req.headers['content-type']]).toEqual(['PUT', '']);
      responses.push(JSON.parse(body));
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/cfn-response?signed`;
});
afterAll(() => server.close());
beforeEach(() => {
  arc.reset();
  responses = [];
});

const event = (RequestType: CustomResourceEvent['RequestType'], extra: Partial<CustomResourceEvent> = {}): CustomResourceEvent => ({
  RequestType,
  ResponseURL: url,
  StackId: 'arn:aws:cloudformation:us-west-2:111111111111:stack/ResilienceRef-Recovery/1',
  RequestId: 'r-1',
  LogicalResourceId: 'ArcInitialStates',
  ResourceProperties: { Endpoints: ENDPOINTS, States: [{ RoutingControlArn: EAST, RoutingControlState: 'On' }, { RoutingControlArn: WEST, RoutingControlState: 'On' }] },
  ...extra,
});

test('Create: one atomic call with every first state, through the first endpoint, and SUCCESS', async () => {
  arc.on(UpdateRoutingControlStatesCommand).resolves({});
  await handler(event('Create'));
  expect(arc.commandCalls(UpdateRoutingControlStatesCommand).map((c) => c.args[0].input)).toEqual([
    { UpdateRoutingControlStateEntries: [{ RoutingControlArn: EAST, RoutingControlState: 'On' }, { RoutingControlArn: WEST, RoutingControlState: 'On' }] },
  ]);
  expect(await arc.call(0).thisValue.config.region()).toBe('us-east-1');
  expect(responses).toEqual([{ Status: 'SUCCESS', Reason: 'east On, west On through us-east-1', PhysicalResourceId: 'ArcInitialStates-initial-states', StackId: event('Create').StackId, RequestId: 'r-1', LogicalResourceId: 'ArcInitialStates' }]);
});

test('an endpoint that fails: the next one is tried', async () => {
  arc.on(UpdateRoutingControlStatesCommand).rejectsOnce(Object.assign(new Error('timeout'), { name: 'TimeoutError' })).resolves({});
  await handler(event('Create'));
  expect(arc.commandCalls(UpdateRoutingControlStatesCommand)).toHaveLength(2);
  expect(await arc.call(1).thisValue.config.region()).toBe('us-west-2');
  expect(responses[0]).toMatchObject({ Status: 'SUCCESS', Reason: 'east On, west On through us-west-2' });
});

test('every endpoint failing (or the safety rule refusing), twice: FAILED, each endpoint\'s error named, so the deploy stops and says why', async () => {
  arc.on(UpdateRoutingControlStatesCommand).rejects(Object.assign(new Error('violates ATLEAST 1'), { name: 'ServiceLimitExceededException' }));
  await handler(event('Create'));
  expect(arc.commandCalls(UpdateRoutingControlStatesCommand)).toHaveLength(10); // two passes over the five endpoints
  expect(responses[0].Status).toBe('FAILED');
  expect(responses[0].Reason).toMatch(/^no cluster endpoint set the routing controls \(us-east-1: ServiceLimitExceededException: violates ATLEAST 1; us-west-2: .*ap-northeast-1: .*\)$/);
});

test('a conflict on the first pass: the second pass sets them', async () => {
  const conflict = Object.assign(new Error('try again'), { name: 'ConflictException' });
  arc.on(UpdateRoutingControlStatesCommand).rejectsOnce(conflict).rejectsOnce(conflict).rejectsOnce(conflict).rejectsOnce(conflict).rejectsOnce(conflict).resolves({});
  await handler(event('Create'));
  expect(arc.commandCalls(UpdateRoutingControlStatesCommand)).toHaveLength(6);
  expect(responses[0]).toMatchObject({ Status: 'SUCCESS', Reason: 'east On, west On through us-east-1' });
});

test('endpoints that never answer: each call is cut at its timeout, and CloudFormation is answered before the function\'s time runs out', async () => {
  arc.on(UpdateRoutingControlStatesCommand).callsFake((_input, getClient) => new Promise(() => void getClient));
  const started = Date.now();
  // 20 s left, 15 s kept back to answer: about 5 s to try.
  await handler(event('Create'), { getRemainingTimeInMillis: () => 20_000 });
  expect(Date.now() - started).toBeLessThan(15_000);
  expect(responses[0].Status).toBe('FAILED');
  expect(responses[0].Reason).toMatch(/in time|TimeoutError/);
}, 30_000);

test('Update: only the controls new since the last deploy are set (a replaced control, a Region added: created Off); the others keep their state', async () => {
  arc.on(UpdateRoutingControlStatesCommand).resolves({});
  const NEW_WEST = `${WEST}-2`;
  await handler(
    event('Update', {
      PhysicalResourceId: 'ArcInitialStates-initial-states',
      OldResourceProperties: { Endpoints: ENDPOINTS, States: [{ RoutingControlArn: EAST, RoutingControlState: 'On' }, { RoutingControlArn: WEST, RoutingControlState: 'On' }] },
      ResourceProperties: { Endpoints: ENDPOINTS, States: [{ RoutingControlArn: EAST, RoutingControlState: 'On' }, { RoutingControlArn: NEW_WEST, RoutingControlState: 'On' }] },
    }),
  );
  expect(arc.commandCalls(UpdateRoutingControlStatesCommand).map((c) => c.args[0].input)).toEqual([{ UpdateRoutingControlStateEntries: [{ RoutingControlArn: NEW_WEST, RoutingControlState: 'On' }] }]);
  expect(responses[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'ArcInitialStates-initial-states' });
});

test.each(['Update', 'Delete'] as const)('%s with no new control: no state is touched (a deploy never undoes an operator\'s failover); the physical id is kept', async (type) => {
  await handler(event(type, { PhysicalResourceId: 'ArcInitialStates-initial-states', OldResourceProperties: event('Create').ResourceProperties }));
  expect(arc.commandCalls(UpdateRoutingControlStatesCommand)).toHaveLength(0);
  expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'ArcInitialStates-initial-states', Reason: `${type}: routing control states left as they are` })]);
});
