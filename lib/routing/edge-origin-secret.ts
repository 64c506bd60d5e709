import { SecretValue, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from '../core/nag';
import { ReplicatedSecretKey } from '../core/replicated-secret-key';
import { Validator } from '../core/validation';

/** Props for {@link EdgeOriginSecret}. */
export interface EdgeOriginSecretProps {
  /** The secret's name, the same in every Region (2-50 letters, digits, `/_+=.@-`). */
  readonly secretName: string;
  /**
   * Regions where a load balancer checks the header (the secret is replicated there, under a
   * customer-managed key); the distribution reads it in this stack's Region.
   * @default - none
   */
  readonly replicaRegions?: string[];
  /**
   * The header CloudFront adds to every origin request and the load balancers require.
   * @default 'x-origin-verify'
   */
  readonly headerName?: string;
}

/**
 * The shared secret that proves a request came through your CloudFront distribution: CloudFront
 * adds it as an origin header (`EdgeOrigin.loadBalancer(..., { originSecret })`), and a web tier
 * built with `WebTierOriginAccess.cloudFrontOnly({ originSecret })` forwards only requests that
 * carry it. Generated (never in a template: both sides read it by dynamic reference) and
 * replicated to the load balancers' Regions.
 */
export class EdgeOriginSecret extends Construct {
  /** The secret. */
  public readonly secret: secretsmanager.Secret;
  /** Its name. */
  public readonly secretName: string;
  /** The header's name. */
  public readonly headerName: string;

  constructor(scope: Construct, id: string, props: EdgeOriginSecretProps) {
    super(scope, id);
    const v = new Validator(this);
    v.check(!/^[A-Za-z0-9/_+=.@-]{2,50}$/.test(props.secretName), { code: 'EDGE_ORIGIN_SECRET', prop: 'secretName', value: props.secretName, message: 'must be 2-50 letters, digits or /_+=.@-', fix: "use a name like 'shop/origin-verify'" });
    const header = props.headerName ?? 'x-origin-verify';
    v.check(!/^[a-z0-9-]{1,40}$/.test(header), { code: 'EDGE_ORIGIN_SECRET', prop: 'headerName', value: header, message: 'must be 1-40 lowercase letters, digits or hyphens', fix: "use e.g. 'x-origin-verify'" });
    v.check(['host', 'authorization', 'x-forwarded-for', 'via'].includes(header), { code: 'EDGE_ORIGIN_SECRET', prop: 'headerName', value: header, message: 'is a header CloudFront or clients set themselves', fix: "use a custom one such as 'x-origin-verify'" });
    v.throwIfAny();
    this.secretName = props.secretName;
    this.headerName = header;
    const regions = (props.replicaRegions ?? []).filter((r) => r !== Stack.of(this).region);
    const key = regions.length > 0 ? new ReplicatedSecretKey(this, 'ReplicaKey', { description: `Replicas of the origin secret ${props.secretName}` }) : undefined;
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      secretName: props.secretName,
      description: 'Proves a request came through the CloudFront distribution (an origin header); read by dynamic reference only',
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'value', passwordLength: 48, excludePunctuation: true },
      replicaRegions: regions.map((region) => ({ region, encryptionKey: key!.keyIn(region) })),
    });
    if (key) this.secret.node.addDependency(...key.dependable(regions));
    acknowledgeNagFinding(
      this.secret,
      'AwsSolutions-SMG4',
      'CloudFront and the load balancers read the value at deploy time: a rotation takes a deploy of both (change the secret, deploy the edge and the web tiers), not a rotation Lambda.',
    );
  }

  /** The value as a dynamic reference, resolved by CloudFormation in the Region of the stack that uses it. */
  public get headerValue(): string {
    return SecretValue.secretsManager(this.secretName, { jsonField: 'value' }).unsafeUnwrap();
  }
}
