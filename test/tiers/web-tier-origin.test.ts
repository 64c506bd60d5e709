import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import {
  ActiveActive,
  AlarmTopic,
  CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST,
  EdgeFailover,
  EdgeOrigin,
  EdgeOriginSecret,
  WebTier,
  WebTierOriginAccess,
  WebTierProps,
} from '../../lib';
import { strategyProps } from '../dr/stacks';
import { errorOf, nagFindings, newApp, resourcesOfType, TEST_AZS, TEST_ENV } from '../helpers/app';

const CERT_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000';

function build(props: Partial<WebTierProps> = {}, withCert = true): { t: Template; web: WebTier; stack: Stack; secret: EdgeOriginSecret } {
  const app = newApp();
  const stack = new Stack(app, 'Web', { env: TEST_ENV });
  const secret = new EdgeOriginSecret(stack, 'OriginSecret', { secretName: 'shop/origin-verify' });
  const web = new WebTier(stack, 'Tier', {
    vpcProps: { availabilityZones: TEST_AZS },
    capacity: { min: 2, max: 4 },
    certificate: withCert ? acm.Certificate.fromCertificateArn(stack, 'Cert', CERT_ARN) : undefined,
    alarms: { topic: new AlarmTopic(stack, 'Alarms').topic },
    originAccess: WebTierOriginAccess.cloudFrontOnly({ headerName: secret.headerName, headerValue: secret.headerValue }),
    ...props,
  });
  return { t: Template.fromStack(stack), web, stack, secret };
}

/** The prefix-list lookup custom resource of a name, and what its security group rule references. */
function lookup(t: Template, stack: Stack, name: string): string {
  const found = resourcesOfType(t, 'Custom::AWS').find(([, r]) => JSON.stringify(stack.resolve(r.Properties.Create)).includes(name));
  expect(found).toBeDefined();
  return found![0];
}

describe('a web tier only CloudFront may reach', () => {
  test("the load balancer's groups admit no CIDR at all: CloudFront's origin-facing prefix list on 443, and Route 53's health checkers in a second group", () => {
    const { t, stack, web } = build();
    const albGroups = ((resourcesOfType(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0][1].Properties.SecurityGroups) as { 'Fn::GetAtt': string[] }[]).map((g) => g['Fn::GetAtt'][0]);
    expect(albGroups).toHaveLength(2);
    // Every ingress rule of the load balancer's groups, inline or standalone.
    const inline = albGroups.flatMap((id) => ((t.toJSON().Resources[id].Properties.SecurityGroupIngress as Record<string, unknown>[] | undefined) ?? []).map((r) => ({ ...r, group: id })));
    const standalone = resourcesOfType(t, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => ({ ...r.Properties, group: (r.Properties.GroupId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] })).filter((r) => albGroups.includes(r.group));
    const ingress: Record<string, unknown>[] = [...inline, ...standalone];
    expect(ingress.filter((r) => r.CidrIp !== undefined || r.CidrIpv6 !== undefined)).toEqual([]);
    expect(ingress).toHaveLength(2);
    const cloudFront = lookup(t, stack, CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST);
    const checkers = lookup(t, stack, 'com.amazonaws.us-east-1.route53-healthchecks');
    const byList = (id: string) => ingress.find((r) => JSON.stringify(r.SourcePrefixListId).includes(id));
    expect(byList(cloudFront)).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
    expect(byList(checkers)).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
    // The CloudFront list weighs 55 rules of a group's 60: the health checkers' (25) have a group of their own.
    expect(byList(cloudFront)!.group).not.toBe(byList(checkers)!.group);
    expect(web.webAcl).toBeUndefined();
  });

  test('the HTTPS listener forwards only requests with the origin header (and the health check path); everything else gets 403', () => {
    const { t, stack, secret } = build();
    const listener = resourcesOfType(t, 'AWS::ElasticLoadBalancingV2::Listener').find(([, l]) => l.Properties.Port === 443)![1];
    expect(listener.Properties.DefaultActions).toEqual([{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '403', ContentType: 'text/plain', MessageBody: 'Forbidden' } }]);
    const rules = resourcesOfType(t, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => stack.resolve(r.Properties) as { Priority: number; Conditions: { Field: string; HttpHeaderConfig?: { HttpHeaderName: string; Values: string[] }; PathPatternConfig?: { Values: string[] } }[]; Actions: { Type: string }[] });
    expect(rules.map((r) => r.Priority).sort()).toEqual([1, 2]);
    const header = rules.find((r) => r.Priority === 1)!;
    expect(header.Conditions).toEqual([{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-origin-verify', Values: ['{{resolve:secretsmanager:shop/origin-verify:SecretString:value::}}'] } }]);
    expect(header.Actions[0].Type).toBe('forward');
    expect(rules.find((r) => r.Priority === 2)!.Conditions).toEqual([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/health'] } }]);
    // The secret is generated: its value is in no template.
    expect(JSON.stringify(t.toJSON())).not.toMatch(/"value":"[A-Za-z0-9]{48}"/);
    expect(secret.headerName).toBe('x-origin-verify');
    expect(nagFindings(stack)).toEqual([]);
  });

  test('without the health checkers: one group, one rule', () => {
    const app = newApp();
    const stack = new Stack(app, 'Web', { env: TEST_ENV });
    new WebTier(stack, 'Tier', {
      vpcProps: { availabilityZones: TEST_AZS },
      capacity: { min: 2, max: 4 },
      certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERT_ARN),
      alarms: { topic: new AlarmTopic(stack, 'Alarms').topic },
      originAccess: WebTierOriginAccess.cloudFrontOnly({ headerName: 'x-origin-verify', headerValue: '{{resolve:secretsmanager:s:SecretString:value::}}', allowRoute53HealthChecks: false }),
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
    expect(resourcesOfType(t, 'Custom::AWS').filter(([, r]) => JSON.stringify(r.Properties.Create).includes('route53-healthchecks'))).toEqual([]);
  });

  test.each<[string, Partial<WebTierProps>, boolean, RegExp]>([
    ['no certificate', {}, false, /originAccess: CloudFront-only access admits HTTPS on 443 only/],
    ['ingressCidrs as well', { ingressCidrs: ['203.0.113.0/24'] }, true, /ingressCidrs: CloudFront-only access admits CloudFront and Route 53 health checkers, not CIDRs/],
  ])('refuses %s', (_n, props, withCert, message) => {
    const err = errorOf(() => build(props, withCert));
    expect(err.codes).toContain('WEB_ORIGIN_ACCESS');
    expect(err.message).toMatch(message);
  });

  test('EdgeFailover adds the origin header to the load-balancer origins that carry the secret', () => {
    const app = new App();
    const stack = new Stack(app, 'Edge', { env: TEST_ENV });
    const secret = new EdgeOriginSecret(stack, 'OriginSecret', { secretName: 'shop/origin-verify', replicaRegions: ['us-west-2'] });
    new EdgeFailover(stack, 'Cdn', {
      primary: EdgeOrigin.loadBalancer('us-east-1.shop.example.com', { originSecret: secret }),
      secondary: EdgeOrigin.loadBalancer('us-west-2.shop.example.com', { originSecret: secret }),
    });
    const t = Template.fromStack(stack);
    const dist = resourcesOfType(t, 'AWS::CloudFront::Distribution')[0][1].Properties.DistributionConfig as { Origins: { DomainName: string; OriginCustomHeaders?: { HeaderName: string; HeaderValue: string }[] }[] };
    for (const o of dist.Origins) expect(o.OriginCustomHeaders).toEqual([{ HeaderName: 'x-origin-verify', HeaderValue: '{{resolve:secretsmanager:shop/origin-verify:SecretString:value::}}' }]);
    // Replicated to the recovery Region (where its load balancer reads it) under a customer-managed key.
    const replicas = Object.values(t.findResources('AWS::SecretsManager::Secret'))[0].Properties.ReplicaRegions as { Region: string; KmsKeyId?: unknown }[];
    expect(replicas.map((r) => r.Region)).toEqual(['us-west-2']);
    expect(replicas[0].KmsKeyId).toBeDefined();
  });

  test.each([
    ['a header clients set', { headerName: 'authorization' }],
    ['a header with capitals', { headerName: 'X-Origin' }],
    ['a secret name with spaces', { secretName: 'my secret' }],
  ])('EdgeOriginSecret refuses %s', (_n, props) => {
    const err = errorOf(() => new EdgeOriginSecret(new Stack(newApp(), 'S', { env: TEST_ENV }), 'Secret', { secretName: 'shop/origin', ...props }));
    expect(err.codes).toEqual(['EDGE_ORIGIN_SECRET']);
  });

  test("a strategy's originAccess closes both Regions' load balancers", () => {
    const aa = new ActiveActive(newApp(), 'Aa', {
      ...strategyProps('aa', {
        web: { capacity: { min: 4, max: 12 }, originAccess: WebTierOriginAccess.cloudFrontOnly({ headerName: 'x-origin-verify', headerValue: '{{resolve:secretsmanager:aa/origin:SecretString:value::}}' }) },
      }),
      primary: { ...strategyProps('aa').primary, certificateArn: CERT_ARN },
      recovery: { ...strategyProps('aa').recovery, certificateArn: CERT_ARN.replace('us-east-1', 'us-west-2') },
    });
    for (const stack of [aa.primaryStack, aa.recoveryStack]) {
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 2);
      const cidrs = [
        ...resourcesOfType(t, 'AWS::EC2::SecurityGroup').flatMap(([, g]) => ((g.Properties.SecurityGroupIngress as { CidrIp?: string }[]) ?? []).map((r) => r.CidrIp)),
        ...resourcesOfType(t, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties.CidrIp),
      ].filter(Boolean);
      expect(cidrs).toEqual([]);
    }
  });
});
