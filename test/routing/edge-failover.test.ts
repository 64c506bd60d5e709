import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import {
  CLOUDFRONT_FAILOVER_STATUS_CODES,
  EdgeFailover,
  EdgeFailoverProps,
  EdgeWebAcl,
} from '../../lib/routing/edge-failover';
import { EdgeOrigin } from '../../lib/routing/edge-origin';
import { errorOf, nagFindings, newStack, RECOVERY_ENV, resourcesOfType, TEST_AZS, twoRegions } from '../helpers/app';

const CERT_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/11111111-2222-3333-4444-555555555555';
const EAST = 'us-east-1.shop.example.com';
const WEST = 'us-west-2.shop.example.com';
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

type Props = Partial<EdgeFailoverProps>;

function certificate(stack: Stack, arn = CERT_ARN): acm.ICertificate {
  return acm.Certificate.fromCertificateArn(stack, `Cert${stack.node.children.length}`, arn);
}

/** An EdgeFailover between the two Regions' per-Region names, with a us-east-1 certificate. */
function edge(props: Props = {}, stack = newStack()): { stack: Stack; edge: EdgeFailover; t: Template } {
  const e = new EdgeFailover(stack, 'Edge', {
    primary: EdgeOrigin.loadBalancer(EAST),
    secondary: EdgeOrigin.loadBalancer(WEST),
    domainNames: ['shop.example.com'],
    certificate: certificate(stack),
    ...props,
  });
  return { stack, edge: e, t: Template.fromStack(stack) };
}

interface Cfg {
  Origins: Record<string, any>[];
  OriginGroups: { Items: Record<string, any>[]; Quantity: number };
  DefaultCacheBehavior: Record<string, any>;
  CacheBehaviors?: Record<string, any>[];
  ViewerCertificate?: Record<string, any>;
  WebACLId?: unknown;
  Logging?: Record<string, any>;
  Restrictions?: unknown;
}

function config(t: Template): Cfg {
  const [[, dist]] = resourcesOfType(t, 'AWS::CloudFront::Distribution');
  return dist.Properties.DistributionConfig as Cfg;
}

function originByDomain(cfg: Cfg, domain: unknown): Record<string, any> {
  const o = cfg.Origins.find((x) => JSON.stringify(x.DomainName) === JSON.stringify(domain));
  if (!o) throw new Error(`no origin for ${JSON.stringify(domain)} in ${JSON.stringify(cfg.Origins.map((x) => x.DomainName))}`);
  return o;
}

/** Every acknowledgment under a construct, as `<path relative to it> <rule>`. */
function acknowledgments(root: IConstruct): string[] {
  return root.node.findAll().flatMap((c) => {
    const last = c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).pop();
    return Object.entries((last?.data ?? {}) as Record<string, string>).map(([id, reason]) => {
      expect(reason.length).toBeGreaterThanOrEqual(40);
      return `${c.node.path.slice(root.node.path.length + 1)} ${id.replace(/^annotation::/i, '')}`;
    });
  });
}

describe('EdgeFailover defaults (load balancers by per-Region name)', () => {
  const { stack, edge: e, t } = edge();
  const cfg = config(t);

  test('the default behavior serves one origin group: the primary Region first, the recovery Region as failover', () => {
    expect(cfg.OriginGroups.Quantity).toBe(1);
    const [group] = cfg.OriginGroups.Items;
    expect(cfg.DefaultCacheBehavior.TargetOriginId).toBe(group.Id);
    expect(group.Members).toEqual({
      Quantity: 2,
      Items: [{ OriginId: originByDomain(cfg, EAST).Id }, { OriginId: originByDomain(cfg, WEST).Id }],
    });
    expect(cfg.Origins).toHaveLength(2);
  });

  test('it fails over on the primary\'s 500, 502, 503 and 504, not on 4xx', () => {
    expect(cfg.OriginGroups.Items[0].FailoverCriteria).toEqual({ StatusCodes: { Quantity: 4, Items: [500, 502, 503, 504] } });
    expect(e.failoverStatusCodes).toEqual([500, 502, 503, 504]);
  });

  test('the primary is tried once for 2 s, the secondary (nothing behind it) three times; 10 s read timeout on both', () => {
    const primary = originByDomain(cfg, EAST);
    const secondary = originByDomain(cfg, WEST);
    expect(primary.ConnectionAttempts).toBe(1);
    expect(primary.ConnectionTimeout).toBe(2);
    expect(secondary.ConnectionAttempts).toBe(3);
    expect(secondary.ConnectionTimeout).toBe(2);
    for (const o of [primary, secondary]) expect(o.CustomOriginConfig.OriginReadTimeout).toBe(10);
    expect(e.failoverDelay.unreachablePrimary.toSeconds()).toBe(2);
    expect(e.failoverDelay.unresponsivePrimary.toSeconds()).toBe(10);
  });

  test('origins are reached over HTTPS only, TLS 1.2, port 443', () => {
    for (const o of cfg.Origins) {
      expect(o.CustomOriginConfig).toEqual({
        OriginProtocolPolicy: 'https-only',
        OriginSSLProtocols: ['TLSv1.2'],
        HTTPSPort: 443,
        OriginReadTimeout: 10,
      });
      expect(o.S3OriginConfig).toBeUndefined();
    }
  });

  test('viewers are redirected to HTTPS; only GET, HEAD and OPTIONS are allowed (the methods that fail over)', () => {
    expect(cfg.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS'],
      CachedMethods: ['GET', 'HEAD'],
      Compress: true,
    });
    expect(cfg.CacheBehaviors).toBeUndefined();
  });

  test('a dynamic app: no caching, every viewer header, cookie and query string except Host forwarded', () => {
    expect(cfg.DefaultCacheBehavior.CachePolicyId).toBe(CACHING_DISABLED);
    expect(cfg.DefaultCacheBehavior.OriginRequestPolicyId).toBe(ALL_VIEWER_EXCEPT_HOST_HEADER);
  });

  test('the us-east-1 certificate, SNI, minimum TLSv1.2_2021, the alternate domain names', () => {
    expect(cfg.ViewerCertificate).toEqual({ AcmCertificateArn: CERT_ARN, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
    t.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: Match.objectLike({ Aliases: ['shop.example.com'] }) });
  });

  test('a CLOUDFRONT-scope web ACL with the AWS managed baseline rule groups and a per-IP rate limit', () => {
    const [[aclId, acl]] = resourcesOfType(t, 'AWS::WAFv2::WebACL');
    expect(cfg.WebACLId).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
    expect(acl.Properties.Scope).toBe('CLOUDFRONT');
    expect(acl.Properties.DefaultAction).toEqual({ Allow: {} });
    const rules = acl.Properties.Rules as Record<string, any>[];
    expect(rules.map((r) => [r.Priority, r.Name])).toEqual([
      [0, 'AWSManagedRulesAmazonIpReputationList'],
      [1, 'AWSManagedRulesCommonRuleSet'],
      [2, 'AWSManagedRulesKnownBadInputsRuleSet'],
      [3, 'RatePerIp'],
    ]);
    for (const r of rules.slice(0, 3)) {
      expect(r.Statement).toEqual({ ManagedRuleGroupStatement: { VendorName: 'AWS', Name: r.Name } });
      expect(r.OverrideAction).toEqual({ None: {} });
    }
    expect(rules[3]).toMatchObject({ Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } } });
    expect(stack.resolve(e.webAclArn)).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
  });

  test('access logs go to a hardened bucket with ACLs enabled (CloudFront standard logs need them)', () => {
    const [[bucketId, bucket]] = resourcesOfType(t, 'AWS::S3::Bucket');
    expect(cfg.Logging).toEqual({ Bucket: { 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] } });
    expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] });
    expect(bucket.Properties.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    t.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    expect(e.accessLogBucket).toBeDefined();
  });

  test('no geo restriction, every edge location, IPv6', () => {
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ Restrictions: Match.absent(), PriceClass: 'PriceClass_All', IPV6Enabled: true }),
    });
  });

  test('exposes the distribution, its domain name and the origin group', () => {
    const [[distId]] = resourcesOfType(t, 'AWS::CloudFront::Distribution');
    expect(stack.resolve(e.distributionDomainName)).toEqual({ 'Fn::GetAtt': [distId, 'DomainName'] });
    expect(stack.resolve(e.distributionId)).toEqual({ Ref: distId });
    expect(e.distribution).toBeInstanceOf(cloudfront.Distribution);
    const bound = e.originGroup.bind(new Stack(), { originId: 'x' });
    expect(bound.failoverConfig?.failoverOrigin).toBe(e.secondaryOrigin);
    expect(bound.failoverConfig?.statusCodes).toEqual([500, 502, 503, 504]);
  });
});

describe('EdgeFailover with bucket origins', () => {
  const { app, primary, recovery } = twoRegions();
  const assets = new s3.Bucket(primary, 'Assets', { enforceSSL: true });
  const westAssets = new s3.Bucket(recovery, 'Assets', { bucketName: 'shop-assets-us-west-2', enforceSSL: true });
  EdgeOrigin.grantCloudFrontRead(westAssets);
  const e = new EdgeFailover(primary, 'Edge', {
    primary: EdgeOrigin.bucket(assets),
    secondary: EdgeOrigin.bucketByName('shop-assets-us-west-2', 'us-west-2'),
    domainNames: ['static.example.com'],
    certificate: certificate(primary),
  });
  const t = Template.fromStack(primary);
  const rt = Template.fromStack(recovery);
  const cfg = config(t);
  const [[assetsId]] = resourcesOfType(t, 'AWS::S3::Bucket').filter(([id]) => id.startsWith('Assets'));
  const [[oacId, oac]] = resourcesOfType(t, 'AWS::CloudFront::OriginAccessControl');

  test('one Origin Access Control (SigV4, always signed) for both buckets, no OAI', () => {
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    t.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    for (const o of cfg.Origins) {
      expect(o.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
      expect(o.S3OriginConfig).toEqual({ OriginAccessIdentity: '', OriginReadTimeout: 10 });
      expect(o.CustomOriginConfig).toBeUndefined();
    }
    expect(e.originAccessControl).toBeDefined();
  });

  test('the same-stack bucket by its regional endpoint; the other Region\'s bucket by name, no cross-Region reference', () => {
    originByDomain(cfg, { 'Fn::GetAtt': [assetsId, 'RegionalDomainName'] });
    const west = originByDomain(cfg, 'shop-assets-us-west-2.s3.us-west-2.amazonaws.com');
    expect(cfg.OriginGroups.Items[0].Members.Items[1]).toEqual({ OriginId: west.Id });
    for (const tpl of [t, rt]) expect(JSON.stringify(tpl.toJSON())).not.toMatch(/Fn::ImportValue|ExportsReader|ExportsWriter/);
    expect(app.node.findAll().some((c) => c.node.id === 'ExportsReader')).toBe(false);
  });

  test('the same-stack bucket lets only this distribution read it (bucket policy with AWS:SourceArn)', () => {
    const [[distId]] = resourcesOfType(t, 'AWS::CloudFront::Distribution');
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: assetsId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: {
              StringEquals: {
                'AWS:SourceArn': { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':distribution/$'), { Ref: distId }])] },
              },
            },
          }),
        ]),
      },
    });
  });

  test('the other Region\'s bucket is opened to CloudFront in its own stack, for the account\'s distributions (pin distributionId later)', () => {
    rt.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudFrontOriginAccessControlRead',
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:cloudfront::111111111111:distribution/*' } },
          }),
        ]),
      },
    });
  });

  test('once the distribution exists, the grant can name it', () => {
    const { recovery: stack } = twoRegions();
    const pinned = new s3.Bucket(stack, 'Pinned', { bucketName: 'shop-pinned-us-west-2' });
    EdgeOrigin.grantCloudFrontRead(pinned, { distributionId: 'E2EXAMPLE' });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Condition: { StringEquals: { 'AWS:SourceArn': 'arn:aws:cloudfront::111111111111:distribution/E2EXAMPLE' } } })]),
      },
    });
  });

  test('aws-cdk-lib reminds that the imported bucket\'s policy is set elsewhere', () => {
    Annotations.fromStack(primary).hasWarning('/Primary/Edge/Distribution/Origin2', Match.stringLikeRegexp('Cannot update bucket policy of an imported bucket'));
  });

  test('static content: CachingOptimized, no origin request policy', () => {
    expect(cfg.DefaultCacheBehavior.CachePolicyId).toBe(CACHING_OPTIMIZED);
    expect(cfg.DefaultCacheBehavior.OriginRequestPolicyId).toBeUndefined();
  });
});

describe('EdgeFailover options', () => {
  test('an ALB object with its per-Region name; the recovery Region by name', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: TEST_AZS, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
    const { t } = edge({ primary: EdgeOrigin.loadBalancer(alb, { domainName: EAST, httpsPort: 8443 }) }, stack);
    const o = originByDomain(config(t), EAST);
    expect(o.CustomOriginConfig.HTTPSPort).toBe(8443);
    expect(o.ConnectionAttempts).toBe(1);
  });

  test('the per-Region name gives the origin its Region', () => {
    expect(EdgeOrigin.loadBalancer(WEST).region).toBe('us-west-2');
    expect(EdgeOrigin.loadBalancer('shop.example.com').region).toBeUndefined();
    expect(EdgeOrigin.loadBalancer('shop.example.com', { region: 'eu-west-1' }).region).toBe('eu-west-1');
  });

  test('custom failover codes, attempts and timeouts', () => {
    const { t, edge: e } = edge({
      failoverStatusCodes: [403, 404, 500, 502, 503, 504],
      connectionAttempts: 2,
      secondaryConnectionAttempts: 1,
      connectionTimeout: Duration.seconds(3),
      readTimeout: Duration.seconds(5),
    });
    const cfg = config(t);
    expect(cfg.OriginGroups.Items[0].FailoverCriteria.StatusCodes).toEqual({ Quantity: 6, Items: [403, 404, 500, 502, 503, 504] });
    expect(originByDomain(cfg, EAST)).toMatchObject({ ConnectionAttempts: 2, ConnectionTimeout: 3, CustomOriginConfig: { OriginReadTimeout: 5 } });
    expect(originByDomain(cfg, WEST)).toMatchObject({ ConnectionAttempts: 1, ConnectionTimeout: 3 });
    expect(e.failoverDelay.unreachablePrimary.toSeconds()).toBe(6);
    expect(e.failoverDelay.unresponsivePrimary.toSeconds()).toBe(10);
  });

  test('an existing web ACL by ARN: no web ACL built', () => {
    const arn = 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/shop/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';
    const { t, edge: e } = edge({ webAcl: EdgeWebAcl.fromArn(arn) });
    expect(config(t).WebACLId).toBe(arn);
    t.resourceCountIs('AWS::WAFv2::WebACL', 0);
    expect(e.webAcl).toBeUndefined();
  });

  test('managed rules without the rate rule, or with another limit', () => {
    const noRate = edge({ webAcl: EdgeWebAcl.managedRules({ rateLimit: false }) }).t;
    const [[, acl]] = resourcesOfType(noRate, 'AWS::WAFv2::WebACL');
    expect((acl.Properties.Rules as { Name: string }[]).map((r) => r.Name)).not.toContain('RatePerIp');
    const custom = edge({ webAcl: EdgeWebAcl.managedRules({ rateLimit: 500 }) }).t;
    custom.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([Match.objectLike({ Name: 'RatePerIp', Statement: { RateBasedStatement: { Limit: 500, AggregateKeyType: 'IP' } } })]),
    });
  });

  test('no WAF, no logs, no certificate when asked: each gap acknowledged on the distribution', () => {
    const stack = newStack();
    const e = new EdgeFailover(stack, 'Edge', {
      primary: EdgeOrigin.loadBalancer(EAST),
      secondary: EdgeOrigin.loadBalancer(WEST),
      webAcl: false,
      accessLogs: false,
    });
    const t = Template.fromStack(stack);
    const cfg = config(t);
    expect(cfg.WebACLId).toBeUndefined();
    expect(cfg.Logging).toBeUndefined();
    expect(cfg.ViewerCertificate).toBeUndefined();
    t.resourceCountIs('AWS::WAFv2::WebACL', 0);
    t.resourceCountIs('AWS::S3::Bucket', 0);
    expect(nagFindings(stack)).toEqual([]);
    expect(acknowledgments(e).sort()).toEqual([
      'Distribution AwsSolutions-CFR1',
      'Distribution AwsSolutions-CFR2',
      'Distribution AwsSolutions-CFR3',
      'Distribution AwsSolutions-CFR4',
    ]);
  });

  test('a log bucket of your own, with a prefix', () => {
    const stack = newStack();
    const logs = new s3.Bucket(stack, 'Logs', { objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED });
    const { t } = edge({ accessLogBucket: logs, accessLogPrefix: 'edge/' }, stack);
    const [[logsId]] = resourcesOfType(t, 'AWS::S3::Bucket');
    expect(config(t).Logging).toEqual({ Bucket: { 'Fn::GetAtt': [logsId, 'RegionalDomainName'] }, Prefix: 'edge/' });
    t.resourceCountIs('AWS::S3::Bucket', 1);
  });

  test('write routes: their own behaviors, all methods, no caching, to one origin with three attempts', () => {
    const { t, edge: e } = edge({ writeRoutes: { pathPatterns: ['/api/*', '/checkout/*'], origin: EdgeOrigin.loadBalancer('origin.shop.example.com') } });
    const cfg = config(t);
    const write = originByDomain(cfg, 'origin.shop.example.com');
    expect(write).toMatchObject({ ConnectionAttempts: 3, ConnectionTimeout: 2, CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] } });
    expect(cfg.CacheBehaviors!.map((b) => b.PathPattern)).toEqual(['/api/*', '/checkout/*']);
    for (const b of cfg.CacheBehaviors!) {
      expect(b).toMatchObject({
        TargetOriginId: write.Id,
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
        CachePolicyId: CACHING_DISABLED,
        OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
        ViewerProtocolPolicy: 'redirect-to-https',
      });
    }
    expect(cfg.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(e.writeOrigin).toBeDefined();
  });

  test('a geo restriction replaces the CFR1 acknowledgment', () => {
    const { stack, edge: e, t } = edge({ geoRestriction: cloudfront.GeoRestriction.allowlist('US', 'CA') });
    expect(config(t).Restrictions).toEqual({ GeoRestriction: { RestrictionType: 'whitelist', Locations: ['US', 'CA'] } });
    expect(nagFindings(stack)).toEqual([]);
    expect(acknowledgments(e)).toEqual(['AccessLogs AwsSolutions-S1']);
  });
});

describe('EdgeFailover and cdk-nag', () => {
  test('zero AwsSolutions findings with the defaults', () => {
    const { stack } = edge();
    expect(nagFindings(stack)).toEqual([]);
  });

  test('only what cannot be fixed is acknowledged: geo restriction (a business choice) and the log bucket logging itself', () => {
    const { edge: e } = edge();
    expect(acknowledgments(e).sort()).toEqual(['AccessLogs AwsSolutions-S1', 'Distribution AwsSolutions-CFR1']);
  });

  test('zero findings with bucket origins', () => {
    const stack = newStack();
    new EdgeFailover(stack, 'Edge', {
      primary: EdgeOrigin.bucketByName('shop-assets-us-east-1', 'us-east-1'),
      secondary: EdgeOrigin.bucketByName('shop-assets-us-west-2', 'us-west-2'),
      domainNames: ['static.example.com'],
      certificate: certificate(stack),
    });
    expect(nagFindings(stack)).toEqual([]);
  });

  test('the gate can fail: the same distribution without the construct\'s settings is flagged', () => {
    const stack = newStack();
    new cloudfront.Distribution(stack, 'Raw', { defaultBehavior: { origin: new origins.HttpOrigin(EAST) } });
    const findings = nagFindings(stack).join('\n');
    for (const rule of ['CFR1', 'CFR2', 'CFR3', 'CFR4']) expect(findings).toContain(`AwsSolutions-${rule}`);
  });
});

type Scenario = (stacks: { primary: Stack; recovery: Stack }) => unknown;

function make(stack: Stack, props: Props): EdgeFailover {
  return new EdgeFailover(stack, 'Edge', {
    primary: EdgeOrigin.loadBalancer(EAST),
    secondary: EdgeOrigin.loadBalancer(WEST),
    ...props,
  });
}

describe('EdgeFailover rejects invalid input', () => {
  const arn = (region: string, scope = 'global'): string => `arn:aws:wafv2:${region}:111111111111:${scope}/webacl/shop/a1b2c3d4`;
  test.each<[string, Scenario, string, RegExp]>([
    [
      'origin failover without a secondary origin',
      ({ primary }) => make(primary, { secondary: undefined as unknown as EdgeOrigin }),
      'EDGE_NO_SECONDARY_ORIGIN',
      /secondary: origin failover needs a secondary origin.*Fix: pass the recovery Region's origin/,
    ],
    [
      'the primary again as secondary',
      ({ primary }) => make(primary, { secondary: EdgeOrigin.loadBalancer(EAST.toUpperCase()) }),
      'EDGE_NO_SECONDARY_ORIGIN',
      /the secondary is the primary origin again.*Fix: pass the recovery Region's origin as secondary/,
    ],
    [
      'both origins in one Region',
      ({ primary }) => make(primary, { secondary: EdgeOrigin.loadBalancer('us-east-1.other.example.com') }),
      'EDGE_SAME_REGION',
      /both origins are in the same Region.*got: "us-east-1".*Fix: use the recovery Region's origin/,
    ],
    [
      'failover status codes outside 4xx/5xx',
      ({ primary }) => make(primary, { failoverStatusCodes: [302, 500] }),
      'EDGE_FAILOVER_STATUS_CODES',
      /failoverStatusCodes: are not 4xx or 5xx error codes.*got: \[302\].*Fix: use codes among 400, 403, 404, 416, 500, 502, 503, 504/,
    ],
    ['a 5xx CloudFront cannot fail over on', ({ primary }) => make(primary, { failoverStatusCodes: [429, 501] }), 'EDGE_FAILOVER_STATUS_CODES', /errors CloudFront cannot fail over on.*got: \[429,501\].*Fix: drop them/],
    ['no failover status code', ({ primary }) => make(primary, { failoverStatusCodes: [] }), 'EDGE_FAILOVER_STATUS_CODES', /at least one status code.*Fix: omit failoverStatusCodes/],
    ['a status code twice', ({ primary }) => make(primary, { failoverStatusCodes: [502, 502] }), 'EDGE_FAILOVER_STATUS_CODES', /lists a code twice/],
    [
      'zero connection attempts',
      ({ primary }) => make(primary, { connectionAttempts: 0 }),
      'EDGE_CONNECTION_ATTEMPTS',
      /connectionAttempts: must be an integer between 1 and 3 \(got: 0\)\. Fix: set connectionAttempts to 1, 2 or 3/,
    ],
    ['four connection attempts on the secondary', ({ primary }) => make(primary, { secondaryConnectionAttempts: 4 }), 'EDGE_CONNECTION_ATTEMPTS', /secondaryConnectionAttempts: .*got: 4/],
    ['1.5 connection attempts', ({ primary }) => make(primary, { connectionAttempts: 1.5 }), 'EDGE_CONNECTION_ATTEMPTS', /got: 1\.5/],
    [
      'an 11 s connection timeout',
      ({ primary }) => make(primary, { connectionTimeout: Duration.seconds(11) }),
      'EDGE_CONNECTION_TIMEOUT',
      /connectionTimeout: must be a duration between 1 s and 10 s \(got: "11 s"\)\. Fix: set connectionTimeout to whole seconds between 1 and 10/,
    ],
    ['a 500 ms connection timeout', ({ primary }) => make(primary, { connectionTimeout: Duration.millis(500) }), 'EDGE_CONNECTION_TIMEOUT', /got: "0\.5 s"/],
    ['a 1.5 s connection timeout', ({ primary }) => make(primary, { connectionTimeout: Duration.millis(1500) }), 'EDGE_CONNECTION_TIMEOUT', /must be whole seconds.*Fix: use Duration\.seconds\(2\)/],
    ['a 181 s read timeout', ({ primary }) => make(primary, { readTimeout: Duration.seconds(181) }), 'EDGE_READ_TIMEOUT', /between 1 s and 180 s \(got: "181 s"\)/],
    [
      'a 121 s read timeout with a bucket origin',
      ({ primary }) => make(primary, { secondary: EdgeOrigin.bucketByName('shop-assets-us-west-2', 'us-west-2'), readTimeout: Duration.seconds(121) }),
      'EDGE_READ_TIMEOUT',
      /between 1 s and 120 s \(got: "121 s"\)/,
    ],
    [
      'domain names without a certificate',
      ({ primary }) => make(primary, { domainNames: ['shop.example.com'] }),
      'EDGE_DOMAIN_NAMES_WITHOUT_CERTIFICATE',
      /domainNames: CloudFront serves alternate domain names only with a certificate.*Fix: pass certificate: an ACM certificate in us-east-1/,
    ],
    [
      'a certificate outside us-east-1',
      ({ primary }) => make(primary, { domainNames: ['shop.example.com'], certificate: certificate(primary, CERT_ARN.replace('us-east-1', 'eu-west-1')) }),
      'EDGE_CERTIFICATE_REGION',
      /certificate: the certificate is in eu-west-1; CloudFront uses ACM certificates in us-east-1 only.*Fix: request or import the certificate in us-east-1/,
    ],
    [
      'a viewer policy older than TLS 1.2',
      ({ primary }) => make(primary, { domainNames: ['a.example.com'], certificate: certificate(primary), minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2016 }),
      'EDGE_TLS_POLICY',
      /minimumProtocolVersion: allows TLS versions older than 1\.2 \(got: "TLSv1_2016"\)/,
    ],
    [
      'a viewer policy without a certificate',
      ({ primary }) => make(primary, { minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 }),
      'EDGE_TLS_POLICY',
      /has no effect without a certificate/,
    ],
    [
      'a web ACL to build in a stack outside us-east-1',
      ({ recovery }) => make(recovery, { secondary: EdgeOrigin.loadBalancer('eu-west-1.shop.example.com') }),
      'EDGE_WAF_REGION',
      /webAcl: a CLOUDFRONT-scope web ACL can only be created in us-east-1, and this stack is in us-west-2.*Fix: deploy this stack to us-east-1, or pass webAcl: EdgeWebAcl\.fromArn/,
    ],
    ['a REGIONAL web ACL', ({ primary }) => make(primary, { webAcl: EdgeWebAcl.fromArn(arn('us-east-1', 'regional')) }), 'EDGE_WAF_ARN', /is not the ARN of a CLOUDFRONT-scope web ACL/],
    ['a web ACL outside us-east-1', ({ primary }) => make(primary, { webAcl: EdgeWebAcl.fromArn(arn('eu-west-1')) }), 'EDGE_WAF_ARN', /got: "arn:aws:wafv2:eu-west-1/],
    ['a rate limit under 10', ({ primary }) => make(primary, { webAcl: EdgeWebAcl.managedRules({ rateLimit: 5 }) }), 'EDGE_WAF_RATE_LIMIT', /webAcl\.rateLimit: must be an integer between 10 and 2000000000 \(got: 5\)/],
    [
      'a log bucket while logs are off',
      ({ primary }) => make(primary, { accessLogs: false, accessLogBucket: new s3.Bucket(primary, 'Logs') }),
      'EDGE_ACCESS_LOGS_CONFLICT',
      /a log bucket was given while access logs are off/,
    ],
    [
      'a log bucket with ACLs disabled',
      ({ primary }) => make(primary, { accessLogBucket: new s3.Bucket(primary, 'Logs') }),
      'EDGE_LOG_BUCKET_ACL',
      /accessLogBucket: the bucket has ACLs disabled.*got: "BucketOwnerEnforced".*Fix: create the bucket with objectOwnership: s3\.ObjectOwnership\.BUCKET_OWNER_PREFERRED/,
    ],
    [
      'an ALB without a domain name on its certificate',
      ({ primary }) => {
        const vpc = new ec2.Vpc(primary, 'Vpc', { availabilityZones: TEST_AZS, natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PUBLIC }] });
        return make(primary, { primary: EdgeOrigin.loadBalancer(new elbv2.ApplicationLoadBalancer(primary, 'Alb', { vpc, internetFacing: true })) });
      },
      'EDGE_ORIGIN_DOMAIN',
      /primary\.domainName: an ALB needs a domain name on its certificate.*Fix: pass options\.domainName/,
    ],
    [
      'the ALB\'s own DNS name',
      ({ primary }) => make(primary, { primary: EdgeOrigin.loadBalancer('shop-123.us-east-1.elb.amazonaws.com') }),
      'EDGE_ORIGIN_DOMAIN',
      /is the ALB's own DNS name, which no certificate can cover/,
    ],
    ['a URL instead of a host name', ({ primary }) => make(primary, { primary: EdgeOrigin.loadBalancer('https://us-east-1.shop.example.com/') }), 'EDGE_ORIGIN_DOMAIN', /is not a host name/],
    [
      'an internal load balancer',
      ({ primary }) => {
        const vpc = new ec2.Vpc(primary, 'Vpc', { availabilityZones: TEST_AZS, natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
        const alb = new elbv2.ApplicationLoadBalancer(primary, 'Alb', { vpc, internetFacing: false });
        return make(primary, { primary: EdgeOrigin.loadBalancer(alb, { domainName: EAST }) });
      },
      'EDGE_ORIGIN_INTERNAL',
      /the load balancer is internal.*Fix: use an internet-facing load balancer/,
    ],
    ['HTTPS port 0', ({ primary }) => make(primary, { primary: EdgeOrigin.loadBalancer(EAST, { httpsPort: 0 }) }), 'EDGE_ORIGIN_PORT', /primary\.httpsPort: must be an integer between 1 and 65535/],
    ['a Region that is not one', ({ primary }) => make(primary, { secondary: EdgeOrigin.loadBalancer('shop.example.com', { region: 'oregon' }) }), 'EDGE_ORIGIN_REGION', /secondary\.region: is not an AWS Region code/],
    [
      'a bucket object from another Region\'s stack',
      ({ primary, recovery }) => make(primary, { secondary: EdgeOrigin.bucket(new s3.Bucket(recovery, 'Assets')) }),
      'EDGE_BUCKET_STACK',
      /secondary: the bucket is in another stack.*Fix: use EdgeOrigin\.bucketByName\(name, region\) here and EdgeOrigin\.grantCloudFrontRead\(bucket\) in the bucket's stack/,
    ],
    ['a bucket name S3 would refuse', ({ primary }) => make(primary, { secondary: EdgeOrigin.bucketByName('Shop_Assets', 'us-west-2') }), 'EDGE_BUCKET_NAME', /secondary\.bucketName: is not an S3 bucket name \(.*\) \(got: "Shop_Assets"\)/],
    ['a bucket without a Region', ({ primary }) => make(primary, { secondary: EdgeOrigin.bucketByName('shop-assets', '') }), 'EDGE_ORIGIN_REGION', /secondary\.region: is not an AWS Region code/],
    ['write routes without paths', ({ primary }) => make(primary, { writeRoutes: { pathPatterns: [], origin: EdgeOrigin.loadBalancer('origin.shop.example.com') } }), 'EDGE_WRITE_ROUTES', /no path pattern was given/],
    [
      'a catch-all write route',
      ({ primary }) => make(primary, { writeRoutes: { pathPatterns: ['/*'], origin: EdgeOrigin.loadBalancer('origin.shop.example.com') } }),
      'EDGE_WRITE_ROUTES',
      /would take every request away from the origin group/,
    ],
    [
      'writes to a bucket',
      ({ primary }) => make(primary, { writeRoutes: { pathPatterns: ['/api/*'], origin: EdgeOrigin.bucketByName('shop-assets', 'us-east-1') } }),
      'EDGE_WRITE_ROUTES',
      /writes must go to the application/,
    ],
  ])('%s', (_name, scenario, code, message) => {
    const stacks = twoRegions();
    const err = errorOf(() => scenario(stacks));
    expect(err.codes).toContain(code);
    expect(err.codes.every((c) => c.startsWith('EDGE_'))).toBe(true);
    expect(err.constructPath).toMatch(/^(Primary|Recovery)\/Edge$/);
    expect(err.message).toMatch(/^cdk-resilience: invalid props for (Primary|Recovery)\/Edge /);
    expect(err.message).toMatch(message);
    expect(err.message).toMatch(new RegExp(`\\[${code}\\] .*Fix: `));
  });

  test('every problem is reported at once', () => {
    const { primary } = twoRegions();
    const err = errorOf(() =>
      make(primary, { secondary: EdgeOrigin.loadBalancer(EAST), failoverStatusCodes: [200], connectionAttempts: 9, domainNames: ['x.example.com'] }),
    );
    expect(err.codes).toEqual(['EDGE_NO_SECONDARY_ORIGIN', 'EDGE_SAME_REGION', 'EDGE_FAILOVER_STATUS_CODES', 'EDGE_CONNECTION_ATTEMPTS', 'EDGE_DOMAIN_NAMES_WITHOUT_CERTIFICATE']);
  });

  test('every status code CloudFront accepts for an origin group passes', () => {
    const { primary } = twoRegions();
    expect([...CLOUDFRONT_FAILOVER_STATUS_CODES]).toEqual([400, 403, 404, 416, 500, 502, 503, 504]);
    expect(() => make(primary, { failoverStatusCodes: [...CLOUDFRONT_FAILOVER_STATUS_CODES] })).not.toThrow();
  });

  test('a stack outside us-east-1 works with the ARN of a us-east-1 web ACL', () => {
    const { recovery } = twoRegions();
    expect(() =>
      make(recovery, { secondary: EdgeOrigin.loadBalancer('eu-west-1.shop.example.com'), webAcl: EdgeWebAcl.fromArn('arn:aws:wafv2:us-east-1:111111111111:global/webacl/shop/a1b2c3d4') }),
    ).not.toThrow();
    expect(RECOVERY_ENV.region).toBe('us-west-2');
  });
});
