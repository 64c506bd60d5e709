import { Arn, ArnFormat, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from '../core/nag';
import { Validator } from '../core/validation';
import { EdgeOrigin, EdgeOriginKind } from './edge-origin';

/** The status codes CloudFront can fail over on (the only ones an origin group accepts). */
export const CLOUDFRONT_FAILOVER_STATUS_CODES: readonly number[] = [400, 403, 404, 416, 500, 502, 503, 504];

/** The default failover criteria: the primary's server-side errors. */
export const DEFAULT_FAILOVER_STATUS_CODES: readonly number[] = [500, 502, 503, 504];

/** CloudFront's Region: its certificates and CLOUDFRONT-scope web ACLs live there. */
export const CLOUDFRONT_CONTROL_REGION = 'us-east-1';

/** Viewer security policies older than TLS 1.2, refused by the construct. */
const OUTDATED_VIEWER_POLICIES: string[] = [
  cloudfront.SecurityPolicyProtocol.SSL_V3,
  cloudfront.SecurityPolicyProtocol.TLS_V1,
  cloudfront.SecurityPolicyProtocol.TLS_V1_2016,
  cloudfront.SecurityPolicyProtocol.TLS_V1_1_2016,
];

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const HOSTNAME_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const WAF_ARN_PATTERN = /^arn:aws[a-z-]*:wafv2:([a-z0-9-]*):\d{12}:(global|regional)\/webacl\/[^/]+\/[^/]+$/;

/** Options of the web ACL the construct builds. */
export interface EdgeManagedWebAclOptions {
  /**
   * Requests from one IP address per 5 minutes before WAF blocks it (at least 10, the WAF
   * minimum); `false` for no rate-based rule.
   * @default 2000
   */
  readonly rateLimit?: number | false;
}

/** The WAF web ACL in front of the distribution (CLOUDFRONT scope, us-east-1). */
export class EdgeWebAcl {
  /**
   * An existing web ACL of CLOUDFRONT scope, by ARN
   * (`arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>`), for distributions in
   * stacks outside us-east-1 or a web ACL managed elsewhere.
   */
  public static fromArn(webAclArn: string): EdgeWebAcl {
    return new EdgeWebAcl(webAclArn, undefined);
  }

  /**
   * A web ACL built in this stack (which must be in us-east-1): the AWS managed rule groups
   * Amazon IP reputation list, core rule set and known bad inputs, plus a per-IP rate-based
   * rule. Review the rule groups in Count mode before relying on them for a busy app.
   */
  public static managedRules(options: EdgeManagedWebAclOptions = {}): EdgeWebAcl {
    return new EdgeWebAcl(undefined, options);
  }

  private constructor(
    /** The ARN of an existing web ACL. */
    public readonly arn: string | undefined,
    /** The options of the web ACL to build. */
    public readonly managed: EdgeManagedWebAclOptions | undefined,
  ) {}
}

/**
 * Paths for requests that change state (POST, PUT, PATCH, DELETE). CloudFront does not
 * accept those methods on a cache behavior whose origin is an origin group, so they get
 * their own behaviors, with all methods allowed, to a single origin.
 */
export interface EdgeWriteRoutes {
  /** Path patterns, e.g. `['/api/*', '/checkout/*']`. */
  readonly pathPatterns: string[];
  /**
   * The origin writes go to: a load balancer, typically by the name of a Route 53 failover
   * record (e.g. `origin.shop.example.com`), so writes follow DNS failover and the runbook.
   */
  readonly origin: EdgeOrigin;
}

/** What a failing primary costs each request before CloudFront tries the secondary. */
export interface EdgeFailoverDelay {
  /** A primary that refuses or drops connections: connection attempts x connection timeout. */
  readonly unreachablePrimary: Duration;
  /** A primary that accepts connections but does not answer: attempts x read timeout. */
  readonly unresponsivePrimary: Duration;
}

/** Props for {@link EdgeFailover}. */
export interface EdgeFailoverProps {
  /** The primary Region's origin: every request tries it first. */
  readonly primary: EdgeOrigin;
  /** The recovery Region's origin: a request goes there when the primary fails it. */
  readonly secondary: EdgeOrigin;
  /**
   * Primary response codes that make CloudFront retry the request on the secondary. Only
   * 400, 403, 404, 416, 500, 502, 503 and 504 are possible. 4xx codes are left out by
   * default: they usually describe the request, not the origin, and failing them over
   * doubles the origin traffic of bad requests and hides app errors. Add 403/404 for
   * bucket origins whose replication may lag (S3 answers 403 for a missing object when
   * CloudFront may not list the bucket).
   * @default [500, 502, 503, 504]
   */
  readonly failoverStatusCodes?: number[];
  /**
   * Times CloudFront tries to connect to the primary before failing over, 1-3. One
   * attempt: a primary that cannot be reached costs each request one connection timeout,
   * and a transient connection failure is simply served by the secondary.
   * @default 1
   */
  readonly connectionAttempts?: number;
  /**
   * Times CloudFront tries to connect to an origin with nothing behind it (the secondary,
   * the write origin), 1-3: retries there are the last chance to serve the request.
   * @default 3
   */
  readonly secondaryConnectionAttempts?: number;
  /**
   * How long CloudFront waits to establish a connection to an origin, 1-10 s, whole
   * seconds. 2 s is several times the connection time from any edge location to an AWS
   * Region, so only an unreachable origin times out.
   * @default Duration.seconds(2)
   */
  readonly connectionTimeout?: Duration;
  /**
   * How long CloudFront waits for a response (and between packets) before the request
   * counts as failed and fails over, whole seconds: 1-180 s for load balancers, 1-120 s
   * when an origin is a bucket. Keep it short: a hung primary costs each request this long
   * (times the connection attempts).
   * @default Duration.seconds(10)
   */
  readonly readTimeout?: Duration;
  /**
   * Alternate domain names (CNAMEs) of the distribution. Require `certificate`.
   * @default - the distribution answers on its `*.cloudfront.net` name only
   */
  readonly domainNames?: string[];
  /**
   * ACM certificate in us-east-1 covering `domainNames`.
   * @default - the CloudFront default certificate (`*.cloudfront.net`), on which CloudFront
   * allows TLSv1 whatever the security policy says
   */
  readonly certificate?: acm.ICertificate;
  /**
   * Minimum TLS version and ciphers for viewers (needs `certificate`). TLS 1.2 or later.
   * @default cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021
   */
  readonly minimumProtocolVersion?: cloudfront.SecurityPolicyProtocol;
  /**
   * The WAF web ACL, or `false` for none.
   * @default EdgeWebAcl.managedRules() - built in this stack, which must be in us-east-1
   */
  readonly webAcl?: EdgeWebAcl | false;
  /**
   * Standard logging (legacy) of every viewer request to S3.
   * @default true
   */
  readonly accessLogs?: boolean;
  /**
   * Bucket for the access logs. CloudFront writes them through the bucket ACL, so its
   * Object Ownership must not be "bucket owner enforced".
   * @default - a new bucket: ACLs enabled (bucket owner preferred), SSE-S3, TLS only,
   * public access blocked, versioned, logs expire after 365 days, retained on deletion
   */
  readonly accessLogBucket?: s3.IBucket;
  /**
   * Prefix of the log file names.
   * @default - none
   */
  readonly accessLogPrefix?: string;
  /**
   * Cache policy of the default behavior.
   * @default - CachingDisabled when an origin is a load balancer (a dynamic app),
   * CachingOptimized when both are buckets
   */
  readonly cachePolicy?: cloudfront.ICachePolicy;
  /**
   * Origin request policy of the default behavior; `false` for none.
   * @default - AllViewerExceptHostHeader when an origin is a load balancer (CloudFront sends
   * the origin's domain name as Host, matching its certificate), none for buckets
   */
  readonly originRequestPolicy?: cloudfront.IOriginRequestPolicy | false;
  /**
   * Paths whose requests may write (all methods), sent to one origin without failover.
   * @default - none: the distribution allows GET, HEAD and OPTIONS only
   */
  readonly writeRoutes?: EdgeWriteRoutes;
  /**
   * Countries allowed or denied.
   * @default - no restriction
   */
  readonly geoRestriction?: cloudfront.GeoRestriction;
  /**
   * Edge locations used.
   * @default cloudfront.PriceClass.PRICE_CLASS_ALL
   */
  readonly priceClass?: cloudfront.PriceClass;
  /**
   * Comment on the distribution (at most 128 characters).
   * @default - "Origin failover for <construct path>"
   */
  readonly comment?: string;
}

/**
 * A CloudFront distribution whose default behavior serves an origin group: the primary
 * Region's origin, and the recovery Region's origin when the primary fails a request
 * (connection failure, timeout, or one of the failover status codes). Origins are
 * reached over HTTPS (TLS 1.2) or with Origin Access Control; viewers are redirected to
 * HTTPS; a WAF web ACL and access logs are on by default.
 *
 * Failover is per request and only for GET, HEAD and OPTIONS; it complements DNS failover
 * (`FailoverRecords`), it does not replace it.
 */
export class EdgeFailover extends Construct {
  /** The distribution. */
  public readonly distribution: cloudfront.Distribution;
  /** The distribution's domain name, e.g. `d111111abcdef8.cloudfront.net`. */
  public readonly distributionDomainName: string;
  /** The distribution's id. */
  public readonly distributionId: string;
  /** The origin group of the default behavior. */
  public readonly originGroup: origins.OriginGroup;
  /** The primary origin. */
  public readonly primaryOrigin: cloudfront.IOrigin;
  /** The secondary origin. */
  public readonly secondaryOrigin: cloudfront.IOrigin;
  /** The origin of the write routes, when any. */
  public readonly writeOrigin?: cloudfront.IOrigin;
  /** The status codes that fail a request over. */
  public readonly failoverStatusCodes: number[];
  /** What a failing primary costs each request. */
  public readonly failoverDelay: EdgeFailoverDelay;
  /** The web ACL built by the construct, when it built one. */
  public readonly webAcl?: wafv2.CfnWebACL;
  /** The ARN of the web ACL in front of the distribution, when any. */
  public readonly webAclArn?: string;
  /** The access log bucket, when logging is on. */
  public readonly accessLogBucket?: s3.IBucket;
  /** The Origin Access Control shared by the bucket origins, when any. */
  public readonly originAccessControl?: cloudfront.S3OriginAccessControl;

  private readonly connectionTimeout: Duration;
  private readonly readTimeout: Duration;

  constructor(scope: Construct, id: string, props: EdgeFailoverProps) {
    super(scope, id);
    validate(this, props);

    this.failoverStatusCodes = [...(props.failoverStatusCodes ?? DEFAULT_FAILOVER_STATUS_CODES)];
    this.connectionTimeout = props.connectionTimeout ?? Duration.seconds(2);
    this.readTimeout = props.readTimeout ?? Duration.seconds(10);
    const attempts = props.connectionAttempts ?? 1;
    const lastResortAttempts = props.secondaryConnectionAttempts ?? 3;
    this.failoverDelay = {
      unreachablePrimary: Duration.seconds(attempts * this.connectionTimeout.toSeconds()),
      unresponsivePrimary: Duration.seconds(attempts * this.readTimeout.toSeconds()),
    };

    const all = [props.primary, props.secondary, ...(props.writeRoutes ? [props.writeRoutes.origin] : [])];
    if (all.some((o) => o.kind === EdgeOriginKind.BUCKET)) {
      this.originAccessControl = new cloudfront.S3OriginAccessControl(this, 'OriginAccessControl', {
        description: `Origin access control of ${this.node.path}`.slice(0, 256),
        signing: cloudfront.Signing.SIGV4_ALWAYS,
      });
    }
    this.primaryOrigin = this.origin('Primary', props.primary, attempts);
    this.secondaryOrigin = this.origin('Secondary', props.secondary, lastResortAttempts);
    this.originGroup = new origins.OriginGroup({
      primaryOrigin: this.primaryOrigin,
      fallbackOrigin: this.secondaryOrigin,
      fallbackStatusCodes: this.failoverStatusCodes,
    });

    if (props.webAcl !== false) {
      const webAcl = props.webAcl ?? EdgeWebAcl.managedRules();
      if (webAcl.arn !== undefined) {
        this.webAclArn = webAcl.arn;
      } else {
        this.webAcl = this.createWebAcl(webAcl.managed ?? {});
        this.webAclArn = this.webAcl.attrArn;
      }
    }

    if (props.accessLogs ?? true) this.accessLogBucket = props.accessLogBucket ?? this.createAccessLogBucket();

    const dynamic = [props.primary, props.secondary].some((o) => o.kind === EdgeOriginKind.LOAD_BALANCER);
    const originRequestPolicy =
      props.originRequestPolicy === false ? undefined : (props.originRequestPolicy ?? (dynamic ? cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER : undefined));

    const additionalBehaviors: Record<string, cloudfront.BehaviorOptions> = {};
    if (props.writeRoutes) {
      const writeOrigin = this.origin('Write', props.writeRoutes.origin, lastResortAttempts);
      this.writeOrigin = writeOrigin;
      for (const pattern of props.writeRoutes.pathPatterns) {
        additionalBehaviors[pattern] = {
          origin: writeOrigin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        };
      }
    }

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: props.comment ?? `Origin failover for ${this.node.path}`.slice(0, 128),
      defaultBehavior: {
        origin: this.originGroup,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        // CloudFront refuses POST, PUT, PATCH and DELETE on a behavior served by an origin
        // group, and fails over GET, HEAD and OPTIONS only.
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
        cachePolicy: props.cachePolicy ?? (dynamic ? cloudfront.CachePolicy.CACHING_DISABLED : cloudfront.CachePolicy.CACHING_OPTIMIZED),
        originRequestPolicy,
        compress: true,
      },
      additionalBehaviors,
      domainNames: props.domainNames,
      certificate: props.certificate,
      minimumProtocolVersion: props.minimumProtocolVersion ?? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      sslSupportMethod: cloudfront.SSLMethod.SNI,
      webAclId: this.webAclArn,
      enableLogging: this.accessLogBucket !== undefined,
      logBucket: this.accessLogBucket,
      logFilePrefix: this.accessLogBucket ? props.accessLogPrefix : undefined,
      geoRestriction: props.geoRestriction,
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_ALL,
      enableIpv6: true,
    });
    this.distributionDomainName = this.distribution.distributionDomainName;
    this.distributionId = this.distribution.distributionId;

    this.acknowledgeChoices(props);
  }

  /** A CloudFront origin for an {@link EdgeOrigin}, with the failover-tuned timeouts. */
  private origin(role: string, o: EdgeOrigin, connectionAttempts: number): cloudfront.IOrigin {
    const common = { connectionAttempts, connectionTimeout: this.connectionTimeout };
    if (o.kind === EdgeOriginKind.LOAD_BALANCER) {
      return new origins.HttpOrigin(o.domainName!, {
        ...common,
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
        httpsPort: o.httpsPort ?? 443,
        readTimeout: this.readTimeout,
        customHeaders: o.customHeaders,
      });
    }
    const bucket = o.bucketObject ?? s3.Bucket.fromBucketAttributes(this, `${role}Bucket`, { bucketName: o.bucketName!, region: o.region! });
    const oac = origins.S3BucketOrigin.withOriginAccessControl(bucket, { ...common, originAccessControl: this.originAccessControl });
    return new S3ReadTimeoutOrigin(oac, this.readTimeout.toSeconds());
  }

  private createWebAcl(options: EdgeManagedWebAclOptions): wafv2.CfnWebACL {
    const prefix = Names.uniqueResourceName(this, { maxLength: 96, separator: '-' });
    const visibility = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${prefix}-${name}`,
    });
    const rules: wafv2.CfnWebACL.RuleProperty[] = [
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
    ].map((name, priority) => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    }));
    if (options.rateLimit !== false) {
      rules.push({
        name: 'RatePerIp',
        priority: rules.length,
        action: { block: {} },
        statement: { rateBasedStatement: { limit: options.rateLimit ?? 2000, aggregateKeyType: 'IP' } },
        visibilityConfig: visibility('rate-per-ip'),
      });
    }
    return new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      description: `Web ACL of ${this.node.path}`.slice(0, 256),
      visibilityConfig: visibility('web-acl'),
      rules,
    });
  }

  private createAccessLogBucket(): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AccessLogs', {
      // CloudFront standard logging (legacy) writes through the bucket ACL: ACLs must be
      // enabled, so not "bucket owner enforced". SSE-S3, not SSE-KMS.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNagFinding(
      bucket,
      'AwsSolutions-S1',
      'This bucket is itself the access-log destination of the distribution; logging its own access would need another log bucket and loop.',
    );
    return bucket;
  }

  private acknowledgeChoices(props: EdgeFailoverProps): void {
    if (!props.geoRestriction) {
      acknowledgeNagFinding(
        this.distribution,
        'AwsSolutions-CFR1',
        'Which countries may reach the app is a business decision; no geoRestriction was given, so the distribution serves every country.',
      );
    }
    if (props.webAcl === false) {
      acknowledgeNagFinding(
        this.distribution,
        'AwsSolutions-CFR2',
        'The WAF web ACL was turned off explicitly (webAcl: false); the origins must protect themselves.',
      );
    }
    if (props.accessLogs === false) {
      acknowledgeNagFinding(
        this.distribution,
        'AwsSolutions-CFR3',
        'Access logs were turned off explicitly (accessLogs: false); CloudFront metrics still count requests and errors.',
      );
    }
    if (!props.certificate) {
      acknowledgeNagFinding(
        this.distribution,
        'AwsSolutions-CFR4',
        'No certificate was given: on its *.cloudfront.net name CloudFront sets the TLSv1 policy whatever MinimumProtocolVersion says. Give domainNames and a us-east-1 certificate to enforce TLSv1.2_2021.',
      );
    }
  }
}

/**
 * An S3 origin with a read (response) timeout: the aws-cdk-lib S3 origins do not take
 * one, while `S3OriginConfig.OriginReadTimeout` exists in CloudFormation.
 */
class S3ReadTimeoutOrigin implements cloudfront.IOrigin {
  constructor(
    private readonly inner: cloudfront.IOrigin,
    private readonly readTimeoutSeconds: number,
  ) {}

  public bind(scope: Construct, options: cloudfront.OriginBindOptions): cloudfront.OriginBindConfig {
    const config = this.inner.bind(scope, options);
    const origin = config.originProperty;
    if (!origin) return config;
    const s3Config = (origin.s3OriginConfig ?? {}) as cloudfront.CfnDistribution.S3OriginConfigProperty;
    return { ...config, originProperty: { ...origin, s3OriginConfig: { ...s3Config, originReadTimeout: this.readTimeoutSeconds } } };
  }
}

function validate(scope: Construct, props: EdgeFailoverProps): void {
  const v = new Validator(scope);
  const stack = Stack.of(scope);

  validateOrigin(v, scope, 'primary', props.primary);
  if (props.secondary === undefined) {
    v.add({
      code: 'EDGE_NO_SECONDARY_ORIGIN',
      prop: 'secondary',
      value: undefined,
      message: 'origin failover needs a secondary origin: without one, a request the primary fails has nowhere to go',
      fix: "pass the recovery Region's origin, e.g. EdgeOrigin.loadBalancer('us-west-2.shop.example.com')",
    });
  } else {
    validateOrigin(v, scope, 'secondary', props.secondary);
    if (props.primary) {
      v.check(props.primary.identity === props.secondary.identity, {
        code: 'EDGE_NO_SECONDARY_ORIGIN',
        prop: 'secondary',
        value: props.secondary.identity.replace(/^[a-z]+:/, ''),
        message: 'the secondary is the primary origin again, so a failed request would be retried on the origin that failed it',
        fix: "pass the recovery Region's origin as secondary",
      });
      const [a, b] = [props.primary.region, props.secondary.region];
      v.check(a !== undefined && b !== undefined && !Token.isUnresolved(a) && a === b, {
        code: 'EDGE_SAME_REGION',
        prop: 'secondary',
        value: b,
        message: 'both origins are in the same Region, so the loss of that Region takes both',
        fix: "use the recovery Region's origin as secondary (or pass the true Region in the load balancer options)",
      });
    }
  }

  const codes = props.failoverStatusCodes;
  if (codes !== undefined && !codes.some((c) => Token.isUnresolved(c))) {
    v.check(codes.length === 0, {
      code: 'EDGE_FAILOVER_STATUS_CODES',
      prop: 'failoverStatusCodes',
      value: codes,
      message: 'an origin group needs at least one status code to fail over on',
      fix: 'omit failoverStatusCodes for [500, 502, 503, 504]',
    });
    const outside = codes.filter((c) => !Number.isInteger(c) || c < 400 || c > 599);
    v.check(outside.length > 0, {
      code: 'EDGE_FAILOVER_STATUS_CODES',
      prop: 'failoverStatusCodes',
      value: outside,
      message: 'are not 4xx or 5xx error codes; CloudFront fails over only on errors',
      fix: `use codes among ${CLOUDFRONT_FAILOVER_STATUS_CODES.join(', ')}`,
    });
    const unsupported = codes.filter((c) => Number.isInteger(c) && c >= 400 && c <= 599 && !CLOUDFRONT_FAILOVER_STATUS_CODES.includes(c));
    v.check(unsupported.length > 0, {
      code: 'EDGE_FAILOVER_STATUS_CODES',
      prop: 'failoverStatusCodes',
      value: unsupported,
      message: `are errors CloudFront cannot fail over on; it accepts ${CLOUDFRONT_FAILOVER_STATUS_CODES.join(', ')}`,
      fix: 'drop them',
    });
    v.check(new Set(codes).size !== codes.length, {
      code: 'EDGE_FAILOVER_STATUS_CODES',
      prop: 'failoverStatusCodes',
      value: codes,
      message: 'lists a code twice',
      fix: 'list each code once',
    });
  }

  for (const prop of ['connectionAttempts', 'secondaryConnectionAttempts'] as const) {
    v.integer(prop, props[prop], {
      code: 'EDGE_CONNECTION_ATTEMPTS',
      min: 1,
      max: 3,
      fix: `set ${prop} to 1, 2 or 3 (CloudFront's range)`,
    });
  }
  wholeSeconds(v, 'connectionTimeout', props.connectionTimeout, 'EDGE_CONNECTION_TIMEOUT', 10);
  const anyBucket = [props.primary, props.secondary].some((o) => o?.kind === EdgeOriginKind.BUCKET);
  wholeSeconds(v, 'readTimeout', props.readTimeout, 'EDGE_READ_TIMEOUT', anyBucket ? 120 : 180);

  const domainNames = props.domainNames ?? [];
  v.check(domainNames.length > 0 && props.certificate === undefined, {
    code: 'EDGE_DOMAIN_NAMES_WITHOUT_CERTIFICATE',
    prop: 'domainNames',
    value: domainNames,
    message: 'CloudFront serves alternate domain names only with a certificate that covers them',
    fix: 'pass certificate: an ACM certificate in us-east-1 for these names (acm.Certificate.fromCertificateArn)',
  });
  if (props.certificate) {
    const region = certificateRegion(props.certificate);
    v.check(!Token.isUnresolved(region) && region !== CLOUDFRONT_CONTROL_REGION, {
      code: 'EDGE_CERTIFICATE_REGION',
      prop: 'certificate',
      value: props.certificate.certificateArn,
      message: `the certificate is in ${region}; CloudFront uses ACM certificates in ${CLOUDFRONT_CONTROL_REGION} only`,
      fix: 'request or import the certificate in us-east-1 and pass its ARN',
    });
  }
  if (props.minimumProtocolVersion !== undefined) {
    v.check(OUTDATED_VIEWER_POLICIES.includes(props.minimumProtocolVersion), {
      code: 'EDGE_TLS_POLICY',
      prop: 'minimumProtocolVersion',
      value: props.minimumProtocolVersion,
      message: 'allows TLS versions older than 1.2',
      fix: 'omit it for TLSv1.2_2021, or use a TLSv1.2 or TLSv1.3 policy',
    });
    v.check(props.certificate === undefined, {
      code: 'EDGE_TLS_POLICY',
      prop: 'minimumProtocolVersion',
      value: props.minimumProtocolVersion,
      message: 'has no effect without a certificate: on the *.cloudfront.net name CloudFront sets the TLSv1 policy',
      fix: 'pass domainNames and a us-east-1 certificate, or drop minimumProtocolVersion',
    });
  }

  if (props.webAcl !== false) {
    const webAcl = props.webAcl ?? EdgeWebAcl.managedRules();
    if (webAcl.arn !== undefined) {
      if (!Token.isUnresolved(webAcl.arn)) {
        const m = WAF_ARN_PATTERN.exec(webAcl.arn);
        v.check(!m || m[1] !== CLOUDFRONT_CONTROL_REGION || m[2] !== 'global', {
          code: 'EDGE_WAF_ARN',
          prop: 'webAcl',
          value: webAcl.arn,
          message: 'is not the ARN of a CLOUDFRONT-scope web ACL: those are WAFv2 web ACLs in us-east-1 (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>)',
          fix: 'create the web ACL with scope CLOUDFRONT in us-east-1 and pass its ARN',
        });
      }
    } else {
      v.check(Token.isUnresolved(stack.region) || stack.region !== CLOUDFRONT_CONTROL_REGION, {
        code: 'EDGE_WAF_REGION',
        prop: 'webAcl',
        value: stack.region,
        message: `a CLOUDFRONT-scope web ACL can only be created in ${CLOUDFRONT_CONTROL_REGION}, and this stack is ${Token.isUnresolved(stack.region) ? 'not pinned to a Region' : `in ${stack.region}`}`,
        fix: 'deploy this stack to us-east-1, or pass webAcl: EdgeWebAcl.fromArn(<ARN of a us-east-1 CLOUDFRONT web ACL>), or webAcl: false',
      });
      const rate = webAcl.managed?.rateLimit;
      if (rate !== undefined && rate !== false) {
        v.integer('webAcl.rateLimit', rate, { code: 'EDGE_WAF_RATE_LIMIT', min: 10, max: 2_000_000_000 });
      }
    }
  }

  v.check(props.accessLogs === false && props.accessLogBucket !== undefined, {
    code: 'EDGE_ACCESS_LOGS_CONFLICT',
    prop: 'accessLogBucket',
    value: 'accessLogs: false with an accessLogBucket',
    message: 'a log bucket was given while access logs are off',
    fix: 'drop accessLogBucket, or turn accessLogs back on',
  });
  if (props.accessLogBucket && props.accessLogs !== false) {
    const cfn = props.accessLogBucket.node.defaultChild;
    if (cfn instanceof s3.CfnBucket) {
      const controls = Stack.of(cfn).resolve(cfn.ownershipControls) as { rules?: { objectOwnership?: string }[] } | undefined;
      // Without OwnershipControls, S3 creates new buckets with ACLs disabled.
      const ownership = controls?.rules?.[0]?.objectOwnership ?? 'BucketOwnerEnforced';
      v.check(ownership === 'BucketOwnerEnforced', {
        code: 'EDGE_LOG_BUCKET_ACL',
        prop: 'accessLogBucket',
        value: ownership,
        message: 'the bucket has ACLs disabled (Object Ownership "bucket owner enforced"), and CloudFront standard logs are delivered through the bucket ACL',
        fix: 'create the bucket with objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED, or omit accessLogBucket',
      });
    }
  }

  if (props.writeRoutes) {
    const w = props.writeRoutes;
    v.check(w.pathPatterns.length === 0, {
      code: 'EDGE_WRITE_ROUTES',
      prop: 'writeRoutes.pathPatterns',
      value: [],
      message: 'no path pattern was given',
      fix: "list the paths that take writes, e.g. ['/api/*'], or omit writeRoutes",
    });
    const catchAll = w.pathPatterns.filter((p) => p === '*' || p === '/*');
    v.check(catchAll.length > 0, {
      code: 'EDGE_WRITE_ROUTES',
      prop: 'writeRoutes.pathPatterns',
      value: catchAll,
      message: 'a catch-all pattern would take every request away from the origin group, so nothing would fail over',
      fix: "list only the paths that take writes, e.g. ['/api/*']",
    });
    v.check(new Set(w.pathPatterns).size !== w.pathPatterns.length, {
      code: 'EDGE_WRITE_ROUTES',
      prop: 'writeRoutes.pathPatterns',
      value: w.pathPatterns,
      message: 'lists a pattern twice',
      fix: 'list each pattern once',
    });
    v.check(w.origin.kind !== EdgeOriginKind.LOAD_BALANCER, {
      code: 'EDGE_WRITE_ROUTES',
      prop: 'writeRoutes.origin',
      value: w.origin.kind,
      message: 'writes must go to the application (a load balancer), not to a bucket',
      fix: 'use EdgeOrigin.loadBalancer with the name of a Route 53 failover record',
    });
    validateOrigin(v, scope, 'writeRoutes.origin', w.origin);
  }

  v.throwIfAny();
}

function validateOrigin(v: Validator, scope: Construct, prop: string, o: EdgeOrigin | undefined): void {
  if (o === undefined) {
    v.add({
      code: 'EDGE_ORIGIN_DOMAIN',
      prop,
      value: undefined,
      message: 'no origin was given',
      fix: `pass ${prop}: EdgeOrigin.loadBalancer(...) or EdgeOrigin.bucket(...)`,
    });
    return;
  }
  if (o.region !== undefined && !Token.isUnresolved(o.region)) {
    v.check(!REGION_PATTERN.test(o.region), {
      code: 'EDGE_ORIGIN_REGION',
      prop: `${prop}.region`,
      value: o.region,
      message: 'is not an AWS Region code',
      fix: "use a Region code such as 'us-west-2'",
    });
  }
  if (o.kind === EdgeOriginKind.LOAD_BALANCER) {
    if (o.domainName === undefined) {
      v.add({
        code: 'EDGE_ORIGIN_DOMAIN',
        prop: `${prop}.domainName`,
        value: o.loadBalancer?.node.path,
        message:
          "an ALB needs a domain name on its certificate: CloudFront checks the origin certificate against the origin's domain name, and no certificate can cover the ALB's own *.elb.amazonaws.com name",
        fix: "pass options.domainName, e.g. EdgeOrigin.loadBalancer(web.alb, { domainName: record.regionalDomainName })",
      });
    } else if (!Token.isUnresolved(o.domainName)) {
      v.check(!HOSTNAME_PATTERN.test(o.domainName) || /\.elb\.amazonaws\.com$/i.test(o.domainName), {
        code: 'EDGE_ORIGIN_DOMAIN',
        prop: `${prop}.domainName`,
        value: o.domainName,
        message: /\.elb\.amazonaws\.com$/i.test(o.domainName)
          ? "is the ALB's own DNS name, which no certificate can cover; CloudFront checks the origin certificate against the origin's domain name"
          : 'is not a host name (no scheme, port or path)',
        fix: "use a record name on the ALB's certificate, e.g. RegionalRecord.regionalDomainName ('us-west-2.shop.example.com')",
      });
    }
    const cfn = o.loadBalancer?.node.defaultChild;
    v.check(cfn instanceof elbv2.CfnLoadBalancer && cfn.scheme === 'internal', {
      code: 'EDGE_ORIGIN_INTERNAL',
      prop,
      value: o.loadBalancer?.node.path,
      message: 'the load balancer is internal, and CloudFront reaches origins over the internet',
      fix: 'use an internet-facing load balancer',
    });
    v.integer(`${prop}.httpsPort`, o.httpsPort, { code: 'EDGE_ORIGIN_PORT', min: 1, max: 65535 });
  } else if (o.bucketObject) {
    v.check(Stack.of(o.bucketObject) !== Stack.of(scope), {
      code: 'EDGE_BUCKET_STACK',
      prop,
      value: o.bucketObject.node.path,
      message: "the bucket is in another stack: its policy would have to name this distribution, and the two stacks would reference each other",
      fix: "use EdgeOrigin.bucketByName(name, region) here and EdgeOrigin.grantCloudFrontRead(bucket) in the bucket's stack",
    });
  } else {
    v.check(o.bucketName === undefined || (!Token.isUnresolved(o.bucketName) && !BUCKET_NAME_PATTERN.test(o.bucketName)), {
      code: 'EDGE_BUCKET_NAME',
      prop: `${prop}.bucketName`,
      value: o.bucketName,
      message: 'is not an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)',
      fix: "pass the bucket's physical name, set with bucketName in its stack",
    });
    v.check(o.region === undefined || Token.isUnresolved(o.region), {
      code: 'EDGE_ORIGIN_REGION',
      prop: `${prop}.region`,
      value: o.region,
      message: "a bucket referenced by name needs its Region as a literal (its regional endpoint is the origin's domain)",
      fix: "pass the bucket's Region, e.g. 'us-west-2'",
    });
  }
}

function wholeSeconds(v: Validator, prop: string, value: Duration | undefined, code: string, maxSeconds: number): void {
  if (value === undefined || value.isUnresolved()) return;
  const ok = v.duration(prop, value, { code, minSeconds: 1, maxSeconds, fix: `set ${prop} to whole seconds between 1 and ${maxSeconds}` });
  if (ok) {
    const s = value.toMilliseconds() / 1000;
    v.check(!Number.isInteger(s), {
      code,
      prop,
      value: `${s} s`,
      message: 'must be whole seconds',
      fix: `use Duration.seconds(${Math.max(1, Math.round(s))})`,
    });
  }
}

/** The Region of a certificate: from its ARN when literal, else from the stack that defines it. */
function certificateRegion(certificate: acm.ICertificate): string {
  if (!Token.isUnresolved(certificate.certificateArn)) {
    try {
      return Arn.split(certificate.certificateArn, ArnFormat.SLASH_RESOURCE_NAME).region ?? '';
    } catch {
      return 'an unparsable ARN';
    }
  }
  return Stack.of(certificate).region;
}
