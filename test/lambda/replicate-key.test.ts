import { AlreadyExistsException, CreateAliasCommand, DescribeKeyCommand, KMSClient, ReplicateKeyCommand, UpdateAliasCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler, ReplicaKeyProps, respond, timing } from '../../lambda/replicate-key';
import type { CustomResourceEvent, CustomResourceResponse } from '../../lambda/shared/custom-resource';

const KEY = 'arn:aws:kms:us-east-1:111111111111:key/mrk-1234abcd';
const REPLICA = 'arn:aws:kms:us-west-2:111111111111:key/mrk-1234abcd';
const kms = mockClient(KMSClient);
const realTiming = { ...timing };
const answers: CustomResourceResponse[] = [];
let clock = 0;
const sleeps: number[] = [];

const event = (RequestType: 'Create' | 'Update' | 'Delete', extra: Partial<ReplicaKeyProps> = {}): CustomResourceEvent<ReplicaKeyProps> => ({
  RequestType,
  ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x?sig',
  StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/s/1',
  RequestId: 'r',
  LogicalResourceId: 'Replica',
  PhysicalResourceId: RequestType === 'Create' ? undefined : REPLICA,
  ResourceProperties: { KeyArn: KEY, ReplicaRegion: 'us-west-2', Policy: '{"Version":"2012-10-17","Statement":[]}', Description: 'replica', ...extra },
});

beforeEach(() => {
  kms.reset();
  answers.length = 0;
  sleeps.length = 0;
  clock = 0;
  timing.now = () => clock;
  timing.sleep = async (ms) => {
    sleeps.push(ms);
    clock += ms;
  };
  respond.put = async (_url, body) => {
    answers.push(body);
  };
});
afterAll(() => kms.restore());

describe('replicate-key', () => {
  test('replicates from the primary Region, waits until the replica is Enabled, then points the alias at it; answers only then', async () => {
    kms.on(ReplicateKeyCommand).resolves({});
    kms.on(DescribeKeyCommand).resolvesOnce({ KeyMetadata: { KeyId: 'mrk-1234abcd', KeyState: 'Creating' } }).resolvesOnce({ KeyMetadata: { KeyId: 'mrk-1234abcd', KeyState: 'Creating' } }).resolves({ KeyMetadata: { KeyId: 'mrk-1234abcd', KeyState: 'Enabled' } });
    kms.on(CreateAliasCommand).resolves({});
    await handler(event('Create', { Alias: 'alias/cdk-resilience/x' }));
    expect(kms).toHaveReceivedCommandWith(ReplicateKeyCommand, { KeyId: KEY, ReplicaRegion: 'us-west-2', Policy: '{"Version":"2012-10-17","Statement":[]}' });
    const regions = await Promise.all(kms.calls().map((c) => (c.thisValue as KMSClient).config.region()));
    expect(regions).toEqual(['us-east-1', 'us-west-2', 'us-west-2', 'us-west-2', 'us-west-2']);
    expect(kms).toHaveReceivedCommandTimes(DescribeKeyCommand, 3);
    expect(sleeps).toEqual([1_000, 2_000]);
    expect(kms).toHaveReceivedCommandWith(CreateAliasCommand, { AliasName: 'alias/cdk-resilience/x', TargetKeyId: 'mrk-1234abcd' });
    expect(answers).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: REPLICA, Reason: 'replicated to us-west-2, Enabled, alias alias/cdk-resilience/x' })]);
    expect(kms).toHaveReceivedCommandWith(DescribeKeyCommand, { KeyId: REPLICA });
  });

  test('without an alias, none is made; a replica Updating is waited for too', async () => {
    kms.on(ReplicateKeyCommand).resolves({});
    kms.on(DescribeKeyCommand).resolvesOnce({ KeyMetadata: { KeyId: 'mrk-1234abcd', KeyState: 'Updating' } }).resolves({ KeyMetadata: { KeyId: 'mrk-1234abcd', KeyState: 'Enabled' } });
    await handler(event('Create'));
    expect(kms).not.toHaveReceivedCommand(CreateAliasCommand);
    expect(answers[0]).toMatchObject({ Status: 'SUCCESS', Reason: 'replicated to us-west-2, Enabled' });
  });

  test('an AlreadyExists error recognised by its name too (another SDK build), and any other error fails the deploy with its name', async () => {
    kms.on(ReplicateKeyCommand).rejects(Object.assign(new Error('exists'), { name: 'AlreadyExistsException' }));
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'mrk-1234abcd', KeyState: 'Enabled' } });
    kms.on(CreateAliasCommand).rejects(Object.assign(new Error('exists'), { name: 'AlreadyExistsException' }));
    kms.on(UpdateAliasCommand).resolves({});
    await handler(event('Update', { Alias: 'alias/a' }));
    expect(answers[0]).toMatchObject({ Status: 'SUCCESS', Reason: 'already replicated to us-west-2, Enabled, alias alias/a' });
    kms.on(ReplicateKeyCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
    await handler(event('Create'));
    expect(answers[1]).toMatchObject({ Status: 'FAILED', Reason: 'AccessDeniedException: no' });
    kms.on(ReplicateKeyCommand).resolves({});
    kms.on(CreateAliasCommand).rejects(Object.assign(new Error('bad alias'), { name: 'InvalidAliasNameException' }));
    await handler(event('Create', { Alias: 'alias/b' }));
    expect(answers[2]).toMatchObject({ Status: 'FAILED', Reason: 'InvalidAliasNameException: bad alias' });
  });

  test("an update answers the replica's ARN (a new key: a new physical id); a reason is cut at 1000 characters", async () => {
    kms.on(ReplicateKeyCommand).rejects(Object.assign(new Error('x'.repeat(2000)), { name: 'LimitExceededException' }));
    await handler({ ...event('Update'), PhysicalResourceId: 'arn:aws:kms:us-west-2:111111111111:key/mrk-old' });
    expect(answers[0].PhysicalResourceId).toBe(REPLICA);
    expect(answers[0].Reason).toHaveLength(1000);
  });

  test('the real clock and sleep', async () => {
    expect(Math.abs(realTiming.now() - Date.now())).toBeLessThan(1_000);
    const started = Date.now();
    await realTiming.sleep(20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });

  test('a replica that exists is kept (a re-run, an update); an alias that exists is moved to it', async () => {
    kms.on(ReplicateKeyCommand).rejects(new AlreadyExistsException({ message: 'exists', $metadata: {} }));
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'mrk-1234abcd', KeyState: 'Enabled' } });
    kms.on(CreateAliasCommand).rejects(new AlreadyExistsException({ message: 'exists', $metadata: {} }));
    kms.on(UpdateAliasCommand).resolves({});
    await handler(event('Update', { Alias: 'alias/a' }));
    expect(kms).toHaveReceivedCommandWith(UpdateAliasCommand, { AliasName: 'alias/a', TargetKeyId: 'mrk-1234abcd' });
    expect(answers[0]).toMatchObject({ Status: 'SUCCESS', Reason: expect.stringContaining('already replicated') });
  });

  test('a replica that never becomes Enabled fails the deploy, saying so, before the timeout', async () => {
    kms.on(ReplicateKeyCommand).resolves({});
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'mrk-1234abcd', KeyState: 'Creating' } });
    await handler(event('Create'), { getRemainingTimeInMillis: () => 60_000 });
    expect(answers[0]).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/is still Creating: retry the deploy/) });
    expect(clock).toBeLessThanOrEqual(45_000);
  });

  test('a replica in another state (PendingDeletion) fails at once', async () => {
    kms.on(ReplicateKeyCommand).rejects(new AlreadyExistsException({ message: 'exists', $metadata: {} }));
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'mrk-1234abcd', KeyState: 'PendingDeletion' } });
    await handler(event('Update'));
    expect(answers[0]).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/is PendingDeletion, not Enabled/) });
  });

  test('Delete keeps the replica (it may encrypt retained secrets) and answers with the physical id it was given', async () => {
    await handler({ ...event('Delete'), PhysicalResourceId: 'arn:aws:kms:us-west-2:111111111111:key/mrk-given' });
    expect(kms.calls()).toHaveLength(0);
    expect(answers[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'arn:aws:kms:us-west-2:111111111111:key/mrk-given', Reason: 'Delete: nothing to do' });
  });

  test('an event whose ResponseURL is not CloudFormation S3 is refused, with nothing called', async () => {
    await expect(handler({ ...event('Create'), ResponseURL: 'https://example.com/collect' })).rejects.toThrow(/not a CloudFormation \(S3\) response URL/);
    expect(kms.calls()).toHaveLength(0);
    expect(answers).toEqual([]);
  });
});
