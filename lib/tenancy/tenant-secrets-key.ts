import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeCustomResourceProvider, acknowledgeNagFinding } from '../core/nag';

/** The alias of an API's secrets key, the same name in every Region. */
export const tenantSecretsKeyAlias = (apiName: string): string => `alias/cdk-resilience/tenant-api/${apiName}`;

/**
 * The customer-managed key of an API's secrets (its signing secret and its tenants' key
 * secrets): a multi-Region KMS key whose replicas this stack makes in the Regions the secrets
 * are replicated to, before the secrets, so every replica of a secret stays under a key of the
 * account, not the AWS-managed key. The replica of a multi-Region key keeps the primary's key
 * id, so its ARN is known here; the alias `alias/cdk-resilience/tenant-api/<api>` names the key
 * in every Region (what a recovery-Region function uses, without a cross-Region reference).
 * @internal
 */
export class TenantSecretsKey extends Construct {
  /** The primary key. */
  public readonly key: kms.Key;
  private readonly replicas = new Map<string, cr.AwsCustomResource[]>();
  private readonly apiName: string;

  constructor(scope: Construct, id: string, apiName: string) {
    super(scope, id);
    this.apiName = apiName;
    this.key = new kms.Key(this, 'Key', {
      description: `Secrets of the tenant API ${apiName} (signing secret, tenant key secrets), replicated with them`,
      enableKeyRotation: true,
      multiRegion: true,
    });
    this.key.addAlias(tenantSecretsKeyAlias(apiName));
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
    const alias = tenantSecretsKeyAlias(this.apiName);
    const aliasArn = `arn:${s.partition}:kms:${region}:${s.account}:${alias}`;
    const resource = new cr.AwsCustomResource(this, `ReplicaIn-${region}`, {
      onCreate: {
        service: 'KMS',
        action: 'ReplicateKey',
        parameters: { KeyId: this.key.keyArn, ReplicaRegion: region, Description: `Replica of the secrets key of the tenant API ${this.apiName}` },
        physicalResourceId: cr.PhysicalResourceId.of(replicaArn),
      },
      // The replica stays when the custom resource goes: the replicated secrets may still be
      // encrypted under it. It is scheduled for deletion with the secrets (see docs/tenant-api.md).
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['kms:ReplicateKey', 'kms:DescribeKey'], resources: [this.key.keyArn] }),
        // ReplicateKey creates the replica in the other Region: KMS authorizes kms:CreateKey
        // there, an action with no resource to name (it makes one): '*' is what KMS accepts.
        new iam.PolicyStatement({ actions: ['kms:CreateKey'], resources: ['*'], conditions: { StringEquals: { 'aws:RequestedRegion': region } } }),
      ]),
    });
    resource.node.addDependency(this.key);
    const aliasResource = new cr.AwsCustomResource(this, `AliasIn-${region}`, {
      onCreate: { service: 'KMS', action: 'CreateAlias', region, parameters: { AliasName: alias, TargetKeyId: replicaArn }, physicalResourceId: cr.PhysicalResourceId.of(aliasArn) },
      onDelete: { service: 'KMS', action: 'DeleteAlias', region, parameters: { AliasName: alias }, ignoreErrorCodesMatching: 'NotFoundException' },
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['kms:CreateAlias', 'kms:DeleteAlias'], resources: [replicaArn, aliasArn] })]),
    });
    aliasResource.node.addDependency(resource);
    acknowledgeCustomResourceProvider(s);
    const policy = resource.node.tryFindChild('CustomResourcePolicy');
    if (policy) acknowledgeNagFinding(policy, 'AwsSolutions-IAM5[Resource::*]', `kms:CreateKey, which ReplicateKey needs in ${region}, has no resource to name; it is limited to that Region.`);
    return [resource, aliasResource];
  }
}
