import { AlreadyExistsException, CreateAliasCommand, DescribeKeyCommand, KMSClient, ReplicateKeyCommand, UpdateAliasCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler, ReplicaKeyProps, respond, timing } from '../../lambda/replicate-key';
import type { CustomResourceEvent, CustomResourceResponse } from '../../lambda/shared/custom-resource';

const KEY = 'arn:aws:kms:us-east-1:111111111111:key/mrk-1234abcd';
const REPLICA = 'arn:aws:kms:us-west-2:111111111111:key/mrk-1234abcd';
const kms = mockClient(KMSClient);
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
    expect(answers).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: REPLICA, Reason: expect.stringContaining('replicated to us-west-2, Enabled') })]);
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

  test('Delete keeps the replica (it may encrypt retained secrets) and answers', async () => {
    await handler(event('Delete'));
    expect(kms.calls()).toHaveLength(0);
    expect(answers[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: REPLICA });
  });

  test('an event whose ResponseURL is not CloudFormation S3 is refused, with nothing called', async () => {
    await expect(handler({ ...event('Create'), ResponseURL: 'https://example.com/collect' })).rejects.toThrow(/not a CloudFormation \(S3\) response URL/);
    expect(kms.calls()).toHaveLength(0);
    expect(answers).toEqual([]);
  });
});
