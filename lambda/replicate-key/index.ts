import { AlreadyExistsException, CreateAliasCommand, DescribeKeyCommand, KMSClient, ReplicateKeyCommand, UpdateAliasCommand } from '@aws-sdk/client-kms';
import { CLIENT_TIMEOUTS } from '../shared/aws';
import { CustomResourceEvent, isCloudFormationResponseUrl, respondToCloudFormation } from '../shared/custom-resource';

/** The custom resource's properties. */
export interface ReplicaKeyProps {
  /** The primary multi-Region key's ARN. */
  readonly KeyArn: string;
  /** Where the replica goes. */
  readonly ReplicaRegion: string;
  /** The replica's key policy (JSON). */
  readonly Policy: string;
  readonly Description: string;
  /** An alias to point at the replica there. */
  readonly Alias?: string;
}

/** Clock and sleep hooks (replaced in tests). */
export const timing = { now: (): number => Date.now(), sleep: (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms)) };

/** How the answer reaches CloudFormation (replaced in tests). */
export const respond = { put: respondToCloudFormation };

/** Time kept back from the function's timeout to answer CloudFormation. */
const ANSWER_RESERVE_MS = 15_000;

const kms = (region: string): KMSClient => new KMSClient({ region, requestHandler: CLIENT_TIMEOUTS });

/**
 * A multi-Region key's replica in another Region, made from the primary's stack before the
 * secrets that use it: ReplicateKey (an existing replica is kept), then, because a new replica
 * is `Creating` and refuses cryptographic operations until it is `Enabled` (KMS ReplicateKey
 * reference), wait for `Enabled`; then point the alias at it. The answer comes only then, so a
 * secret that depends on it never replicates under a key that cannot encrypt yet. On Delete:
 * nothing (the replica may still encrypt retained replicas; schedule its deletion by hand).
 */
export async function handler(event: CustomResourceEvent<ReplicaKeyProps>, context?: { getRemainingTimeInMillis(): number }): Promise<void> {
  if (!isCloudFormationResponseUrl(event.ResponseURL)) throw new Error('the ResponseURL is not a CloudFormation (S3) response URL; nothing was done');
  const p = event.ResourceProperties;
  const keyId = p.KeyArn.split('/').pop()!;
  const replicaArn = p.KeyArn.replace(/^(arn:[^:]+:kms:)[^:]+(:.*)$/, `$1${p.ReplicaRegion}$2`);
  const deadline = timing.now() + (context ? context.getRemainingTimeInMillis() - ANSWER_RESERVE_MS : 60_000);
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = `${event.RequestType}: nothing to do`;
  try {
    if (event.RequestType !== 'Delete') reason = await ensureReplica(p, keyId, replicaArn, deadline);
  } catch (e) {
    status = 'FAILED';
    reason = `${(e as Error).name}: ${(e as Error).message}`;
  }
  await respond.put(event.ResponseURL, {
    Status: status,
    Reason: reason.slice(0, 1000),
    PhysicalResourceId: event.RequestType === 'Delete' ? (event.PhysicalResourceId ?? replicaArn) : replicaArn,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
}

async function ensureReplica(p: ReplicaKeyProps, keyId: string, replicaArn: string, deadline: number): Promise<string> {
  const primaryRegion = p.KeyArn.split(':')[3];
  let made = false;
  try {
    await kms(primaryRegion).send(new ReplicateKeyCommand({ KeyId: p.KeyArn, ReplicaRegion: p.ReplicaRegion, Policy: p.Policy, Description: p.Description }));
    made = true;
  } catch (e) {
    if (!(e instanceof AlreadyExistsException) && (e as Error).name !== 'AlreadyExistsException') throw e;
  }
  const there = kms(p.ReplicaRegion);
  for (let wait = 1_000; ; wait = Math.min(wait * 2, 10_000)) {
    const state = (await there.send(new DescribeKeyCommand({ KeyId: replicaArn }))).KeyMetadata?.KeyState;
    if (state === 'Enabled') break;
    if (state !== 'Creating' && state !== 'Updating') throw new Error(`the replica ${replicaArn} is ${state}, not Enabled: it cannot encrypt the secrets`);
    if (timing.now() + wait > deadline) throw new Error(`the replica ${replicaArn} is still ${state}: retry the deploy`);
    await timing.sleep(wait);
  }
  if (p.Alias) {
    try {
      await there.send(new CreateAliasCommand({ AliasName: p.Alias, TargetKeyId: keyId }));
    } catch (e) {
      if (!(e instanceof AlreadyExistsException) && (e as Error).name !== 'AlreadyExistsException') throw e;
      await there.send(new UpdateAliasCommand({ AliasName: p.Alias, TargetKeyId: keyId }));
    }
  }
  return `${made ? 'replicated' : 'already replicated'} to ${p.ReplicaRegion}, Enabled${p.Alias ? `, alias ${p.Alias}` : ''}`;
}
