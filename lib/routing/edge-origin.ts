import { Stack, Token } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { EdgeOriginSecret } from './edge-origin-secret';

/** What an {@link EdgeOrigin} is. */
export enum EdgeOriginKind {
  /** An Application Load Balancer, reached over HTTPS by a domain name on its certificate. */
  LOAD_BALANCER = 'LOAD_BALANCER',
  /** An S3 bucket (REST endpoint), reached with Origin Access Control. */
  BUCKET = 'BUCKET',
}

/** Options of a load-balancer origin. */
export interface EdgeLoadBalancerOriginOptions {
  /**
   * The domain name CloudFront connects to. It must resolve to the load balancer and be on
   * the load balancer's certificate: CloudFront checks the origin certificate against it
   * (the Host header is not forwarded by default), so the ALB's own `*.elb.amazonaws.com`
   * name cannot work over HTTPS. Required when an ALB object is given; use the Region's
   * `RegionalRecord.regionalDomainName` (e.g. `us-west-2.shop.example.com`).
   * @default - the domain name passed as `target`
   */
  readonly domainName?: string;
  /**
   * HTTPS port of the load balancer's listener.
   * @default 443
   */
  readonly httpsPort?: number;
  /**
   * Region of the load balancer, used to check that the two origins of a failover pair are
   * in different Regions.
   * @default - the ALB's stack Region, or the leading `<region>.` label of a per-Region name
   * such as `us-west-2.shop.example.com`; otherwise unknown (not checked)
   */
  readonly region?: string;
  /**
   * A secret origin header CloudFront adds to every request to this origin, for a load
   * balancer that forwards only requests carrying it (`WebTierOriginAccess.cloudFrontOnly`).
   * @default - none
   */
  readonly originSecret?: EdgeOriginSecret;
}

/** Options of {@link EdgeOrigin.grantCloudFrontRead}. */
export interface EdgeBucketGrantOptions {
  /**
   * The distribution allowed to read, once it exists (`EdgeFailover.distributionId`,
   * copied as a literal after the first deploy). It cannot be referenced across Regions,
   * and it is only known after the distribution is created, so the first deploy allows
   * the account's distributions; pin it afterwards.
   * @default - any CloudFront distribution of the bucket's account
   */
  readonly distributionId?: string;
}

const REGION_LABEL = /^([a-z]{2}(?:-[a-z]+)+-\d+)\./;

/**
 * One origin of an {@link EdgeFailover}: an Application Load Balancer reached over HTTPS by
 * a domain name, or an S3 bucket reached with Origin Access Control (OAC).
 *
 * A stack in another Region is referenced by name only (no cross-Region reference): a
 * per-Region record name for a load balancer, a bucket name and Region for a bucket.
 */
export class EdgeOrigin {
  /**
   * A load balancer, by a domain name that resolves to it and is on its certificate
   * (typically `RegionalRecord.regionalDomainName`), or an ALB object plus that name in
   * `options.domainName`.
   */
  public static loadBalancer(target: string | elbv2.ILoadBalancerV2, options: EdgeLoadBalancerOriginOptions = {}): EdgeOrigin {
    const alb = typeof target === 'string' ? undefined : target;
    const domainName = options.domainName ?? (typeof target === 'string' ? target : undefined);
    let region = options.region;
    if (region === undefined && alb) {
      const r = Stack.of(alb).region;
      if (!Token.isUnresolved(r)) region = r;
    }
    if (region === undefined && domainName && !Token.isUnresolved(domainName)) region = REGION_LABEL.exec(domainName)?.[1];
    return new EdgeOrigin({
      kind: EdgeOriginKind.LOAD_BALANCER,
      domainName,
      region,
      loadBalancer: alb,
      httpsPort: options.httpsPort,
      customHeaders: options.originSecret ? { [options.originSecret.headerName]: options.originSecret.headerValue } : undefined,
      identity: `lb:${(domainName ?? (alb ? alb.node.path : '')).toLowerCase()}`,
    });
  }

  /**
   * A bucket defined in the same stack as the distribution: the construct adds the
   * Origin Access Control and the bucket policy statement that lets only this
   * distribution read it. For a bucket in another stack use {@link bucketByName}.
   */
  public static bucket(bucket: s3.IBucket): EdgeOrigin {
    const r = Stack.of(bucket).region;
    const region = Token.isUnresolved(r) ? undefined : r;
    const name = bucket.bucketName;
    return new EdgeOrigin({
      kind: EdgeOriginKind.BUCKET,
      region,
      bucket,
      bucketName: Token.isUnresolved(name) ? undefined : name,
      identity: `bucket:${Token.isUnresolved(name) ? bucket.node.path : name}`,
    });
  }

  /**
   * A bucket in another stack (typically the other Region's), by its physical name and
   * Region: the origin is its regional REST endpoint `<name>.s3.<region>.amazonaws.com`,
   * signed with Origin Access Control. The bucket's own stack must let CloudFront read it:
   * call {@link grantCloudFrontRead} there.
   */
  public static bucketByName(bucketName: string, region: string): EdgeOrigin {
    return new EdgeOrigin({
      kind: EdgeOriginKind.BUCKET,
      region,
      bucketName,
      identity: `bucket:${bucketName}`,
    });
  }

  /**
   * In the bucket's own stack: let CloudFront (Origin Access Control) read the bucket's
   * objects, for a distribution that references it with {@link bucketByName}. The
   * statement allows the `cloudfront.amazonaws.com` service principal `s3:GetObject` on
   * the objects, only for distributions of the bucket's account (`AWS:SourceArn`), or only
   * for `distributionId` once it is known.
   */
  public static grantCloudFrontRead(bucket: s3.IBucket, options: EdgeBucketGrantOptions = {}): iam.AddToResourcePolicyResult {
    const stack = Stack.of(bucket);
    const distribution = `arn:${stack.partition}:cloudfront::${stack.account}:distribution/`;
    return bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudFrontOriginAccessControlRead',
        effect: iam.Effect.ALLOW,
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects('*')],
        conditions: options.distributionId
          ? { StringEquals: { 'AWS:SourceArn': `${distribution}${options.distributionId}` } }
          : { ArnLike: { 'AWS:SourceArn': `${distribution}*` } },
      }),
    );
  }

  /** Load balancer or bucket. */
  public readonly kind: EdgeOriginKind;
  /** The domain name CloudFront connects to (load balancers). */
  public readonly domainName?: string;
  /** The origin's Region, when known. */
  public readonly region?: string;
  /** The ALB object, when one was given. */
  public readonly loadBalancer?: elbv2.ILoadBalancerV2;
  /** The bucket object, when one was given. */
  public readonly bucketObject?: s3.IBucket;
  /** The bucket's name, when known at synth. */
  public readonly bucketName?: string;
  /** HTTPS port (load balancers). */
  public readonly httpsPort?: number;
  /** Headers CloudFront adds to requests to this origin (a load balancer's origin secret). */
  public readonly customHeaders?: Record<string, string>;
  /** Identifies the origin, to tell two origins apart. */
  public readonly identity: string;

  private constructor(o: {
    kind: EdgeOriginKind;
    domainName?: string;
    region?: string;
    loadBalancer?: elbv2.ILoadBalancerV2;
    bucket?: s3.IBucket;
    bucketName?: string;
    httpsPort?: number;
    customHeaders?: Record<string, string>;
    identity: string;
  }) {
    this.kind = o.kind;
    this.domainName = o.domainName;
    this.region = o.region;
    this.loadBalancer = o.loadBalancer;
    this.bucketObject = o.bucket;
    this.bucketName = o.bucketName;
    this.httpsPort = o.httpsPort;
    this.customHeaders = o.customHeaders;
    this.identity = o.identity;
  }
}
