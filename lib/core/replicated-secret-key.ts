import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeCustomResourceProvider, acknowledgeNagFinding } from './nag';

/** Options of a {@link ReplicatedSecretKey}. @internal */
export interface ReplicatedSecretKeyOptions {
  /** What the key encrypts. */
  readonly description: string;
  /** An alias, the same name in every Region (a recovery-Region function names the key by it). */
  readonly alias?: string;
}

/**
 * The customer-managed key of secrets replicated to other Regions: a multi-Region KMS key whose
 * replicas this stack makes (KMS ReplicateKey, from here) in those Regions before the secrets,
 * so no replica of a secret falls back to the AWS-managed key. A replica keeps the primary's key
 * id, so its ARN is known here without a cross-Region reference.
 *
 * Like the AWS-managed `aws/secretsmanager` key, its policy (and each replica's) lets every
 * principal of the account use it through Secrets Manager in that Region (`kms:CallerAccount`,
 * `kms:ViaService`): whoever may read a secret may still decrypt it, and nothing else may.
 * @internal
 */
export class ReplicatedSecretKey extends Construct {
  /** The primary key. */
  public readonly key: kms.Key;
  private readonly replicas = new Map<string, cr.AwsCustomResource[]>();
  private readonly options: ReplicatedSecretKeyOptions;

  constructor(scope: Construct, id: string, options: ReplicatedSecretKeyOptions) {
    super(scope, id);
    this.options = options;
    const s = Stack.of(this);
    this.key = new kms.Key(this, 'Key', { description: options.description, enableKeyRotation: true, multiRegion: true });
    this.key.addToResourcePolicy(throughSecretsManager(s.account, s.region));
    if (options.alias) this.key.addAlias(options.alias);
  }

  /** The key's ARN in a Region (the primary's, or its replica's: the same key id). */
  public keyArnIn(region: string): string {
    const s = Stack.of(this);
    return region === s.region ? this.key.keyArn : `arn:${s.partition}:kms:${region}:${s.account}:key/${this.key.keyId}`;
  }

  /** The key in a Region, replicated there first when it is another Region. */
  public keyIn(region: string): kms.IKey {
    if (region === Stack.of(this).region) return this.key;
    let replica = this.replicas.get(region);
    if (!replica) {
      replica = this.replicate(region);
      this.replicas.set(region, replica);
    }
    return kms.Key.fromKeyArn(this, `Replica-${region}`, this.keyArnIn(region));
  }

  /** What must exist before a secret replicated to these Regions is created. */
  public dependable(regions: string[]): Construct[] {
    return regions.flatMap((r) => this.replicas.get(r) ?? []);
  }

  private replicate(region: string): cr.AwsCustomResource[] {
    const s = Stack.of(this);
    const replicaArn = this.keyArnIn(region);
    // The replica's own policy: the account administers it, and its principals use it through
    // Secrets Manager in that Region, as with the primary.
    const replicaPolicy = s.toJsonString({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: `arn:${s.partition}:iam::${s.account}:root` }, Action: 'kms:*', Resource: '*' },
        throughSecretsManager(s.account, region).toStatementJson(),
      ],
    });
    const resource = new cr.AwsCustomResource(this, `ReplicaIn-${region}`, {
      onCreate: {
        service: 'KMS',
        action: 'ReplicateKey',
        parameters: { KeyId: this.key.keyArn, ReplicaRegion: region, Description: `Replica of: ${this.options.description}`, Policy: replicaPolicy },
        physicalResourceId: cr.PhysicalResourceId.of(replicaArn),
      },
      // The replica stays when the custom resource goes: the replicated secrets may still be
      // encrypted under it. It is scheduled for deletion with the secrets (see docs/tenant-api.md).
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['kms:ReplicateKey'], resources: [this.key.keyArn], conditions: { StringEquals: { 'kms:ReplicaRegion': region } } }),
        new iam.PolicyStatement({ actions: ['kms:DescribeKey'], resources: [this.key.keyArn] }),
        // ReplicateKey creates the replica in the other Region, where KMS authorizes
        // kms:CreateKey: an action with no resource to name (it makes one), so '*'.
        new iam.PolicyStatement({ actions: ['kms:CreateKey'], resources: ['*'] }),
      ]),
    });
    resource.node.addDependency(this.key);
    const made: cr.AwsCustomResource[] = [resource];
    if (this.options.alias) {
      const alias = this.options.alias;
      const aliasArn = `arn:${s.partition}:kms:${region}:${s.account}:${alias}`;
      const aliasResource = new cr.AwsCustomResource(this, `AliasIn-${region}`, {
        onCreate: { service: 'KMS', action: 'CreateAlias', region, parameters: { AliasName: alias, TargetKeyId: replicaArn }, physicalResourceId: cr.PhysicalResourceId.of(aliasArn) },
        onDelete: { service: 'KMS', action: 'DeleteAlias', region, parameters: { AliasName: alias }, ignoreErrorCodesMatching: 'NotFoundException' },
        installLatestAwsSdk: false,
        policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['kms:CreateAlias', 'kms:DeleteAlias'], resources: [replicaArn, aliasArn] })]),
      });
      aliasResource.node.addDependency(resource);
      made.push(aliasResource);
    }
    acknowledgeCustomResourceProvider(s);
    const policy = resource.node.tryFindChild('CustomResourcePolicy');
    if (policy) acknowledgeNagFinding(policy, 'AwsSolutions-IAM5[Resource::*]', `kms:CreateKey, which ReplicateKey needs in ${region}, has no resource to name; the custom resource only replicates this key there.`);
    return made;
  }
}

/** Every principal of the account may use the key through Secrets Manager in the Region (what aws/secretsmanager allows). */
function throughSecretsManager(account: string, region: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'UseThroughSecretsManager',
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'],
    resources: ['*'], // in a key policy, '*' means this key
    conditions: { StringEquals: { 'kms:CallerAccount': account, 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
  });
}
