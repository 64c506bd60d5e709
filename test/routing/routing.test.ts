import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  ActiveActivePolicy,
  ActiveActiveRecords,
  AlarmHealthCheck,
  CalculatedHealthCheck,
  EndpointHealthCheck,
  FailoverRecords,
  FailoverRole,
  RecordEndpoint,
  RoutingControls,
  RoutingPolicy,
  WebTier,
} from '../../lib';
import { nagFindings, resilienceWarnings, resourcesOfType, twoRegions } from '../helpers/app';
import { webPair, ZONE } from './fixtures';


function albRef(stack: Stack, web: WebTier): unknown {
  return stack.resolve(web.alb.loadBalancerDnsName);
}

describe('FailoverRecords', () => {
  const { primary, recovery, pWeb, rWeb } = webPair();
  const shop = new FailoverRecords(primary, 'Shop', { zone: ZONE, recordName: 'shop', primary: { endpoint: RecordEndpoint.loadBalancer(pWeb.alb) } });
  shop.addSecondary(recovery, 'Shop', { endpoint: RecordEndpoint.loadBalancer(rWeb.alb) });
  const pt = Template.fromStack(primary);
  const rt = Template.fromStack(recovery);

  test('PRIMARY in the primary stack, SECONDARY in the recovery stack, same name and type, consistent set identifiers', () => {
    pt.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'shop.example.com.',
      Type: 'A',
      Failover: 'PRIMARY',
      SetIdentifier: 'PRIMARY',
      HostedZoneId: ZONE.hostedZoneId,
      HealthCheckId: { Ref: Match.stringLikeRegexp('^ShopPrimaryHealthCheck') },
    });
    rt.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'shop.example.com.',
      Type: 'A',
      Failover: 'SECONDARY',
      SetIdentifier: 'SECONDARY',
      HostedZoneId: ZONE.hostedZoneId,
      HealthCheckId: { Ref: Match.stringLikeRegexp('^ShopHealthCheck') },
    });
  });

  test('alias records to each Region ALB with evaluate-target-health, and no TTL', () => {
    for (const [t, stack, web] of [[pt, primary, pWeb], [rt, recovery, rWeb]] as const) {
      const [[, record]] = resourcesOfType(t, 'AWS::Route53::RecordSet').filter(([, r]) => r.Properties.Failover);
      expect(record.Properties.AliasTarget).toEqual({
        DNSName: { 'Fn::Join': ['', ['dualstack.', albRef(stack, web)]] },
        HostedZoneId: stack.resolve(web.alb.loadBalancerCanonicalHostedZoneId),
        EvaluateTargetHealth: true,
      });
      expect(record.Properties.TTL).toBeUndefined();
    }
  });

  test('each Region owns an HTTPS deep health check of its own ALB: 10 s x 3, latency measured', () => {
    for (const [t, stack, web] of [[pt, primary, pWeb], [rt, recovery, rWeb]] as const) {
      t.hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: Match.objectLike({
          Type: 'HTTPS',
          FullyQualifiedDomainName: albRef(stack, web),
          ResourcePath: '/health',
          Port: 443,
          RequestInterval: 10,
          FailureThreshold: 3,
          MeasureLatency: true,
          EnableSNI: true,
        }),
      });
    }
    expect(shop.primary.endpointHealthCheck!.detectionTime.toSeconds()).toBe(30);
  });

  test('no cross-Region reference', () => {
    for (const t of [pt, rt]) expect(JSON.stringify(t.toJSON())).not.toMatch(/Fn::ImportValue|ExportsReader|ExportsWriter/);
  });

  test('the remote status alarm (created in us-east-1 by the custom resource) notifies the topic it is given, on ALARM and OK, and nothing when given none', () => {
    const alarmParams = (healthCheck: Record<string, unknown>): string => {
      const { primary, recovery } = twoRegions();
      const f = new FailoverRecords(primary, 'F', { zone: ZONE, recordName: 'shop', primary: { endpoint: RecordEndpoint.cname('east.example.net') } });
      f.addSecondary(recovery, 'F', { endpoint: RecordEndpoint.cname('west.example.net'), healthCheck });
      const [[, remote]] = resourcesOfType(Template.fromStack(recovery), 'Custom::AWS').filter(([id]) => id.startsWith('FHealthCheckStatusAlarm'));
      return JSON.stringify(remote.Properties.Create);
    };
    const topic = 'arn:aws:sns:us-east-1:111111111111:ops-alerts';
    const given = alarmParams({ alarmTopicArn: topic });
    expect(given).toContain(`\\"AlarmActions\\":[\\"${topic}\\"]`);
    expect(given).toContain(`\\"OKActions\\":[\\"${topic}\\"]`);
    const none = alarmParams({});
    expect(none).toContain('\\"AlarmActions\\":[]');
    expect(none).toContain('\\"OKActions\\":[]');
  });

  test('the health-check status alarm lives in us-east-1: a stack alarm there, a scoped custom resource elsewhere', () => {
    pt.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Route53',
      MetricName: 'HealthCheckStatus',
      Dimensions: [{ Name: 'HealthCheckId', Value: { Ref: Match.stringLikeRegexp('^ShopPrimaryHealthCheck') } }],
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
    });
    rt.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Route53' }, 0);
    const [[, remote]] = resourcesOfType(rt, 'Custom::AWS').filter(([id]) => id.startsWith('ShopHealthCheckStatusAlarm'));
    const create = JSON.stringify(remote.Properties.Create);
    expect(create).toContain('\\"action\\":\\"PutMetricAlarm\\"');
    expect(create).toContain('\\"region\\":\\"us-east-1\\"');
    expect(create).toContain('HealthCheckStatus');
    rt.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: ['cloudwatch:DeleteAlarms', 'cloudwatch:PutMetricAlarm'],
            Effect: 'Allow',
            Resource: 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:shop.example.com-SECONDARY-health',
          },
        ],
      },
    });
  });

  test('per-Region names for drills and routing controls', () => {
    pt.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'us-east-1.shop.example.com.', Failover: Match.absent(), SetIdentifier: Match.absent() });
    rt.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'us-west-2.shop.example.com.' });
    expect(shop.secondary!.regionalDomainName).toBe('us-west-2.shop.example.com');
  });

  test('cdk-nag clean in both Regions', () => {
    expect(nagFindings(primary)).toEqual([]);
    expect(nagFindings(recovery)).toEqual([]);
  });
});

describe('API Gateway endpoints', () => {
  test('an alias to a Regional API custom domain, health-checked on its Regional domain', () => {
    const { primary } = twoRegions();
    const domain = new apigw.DomainName(primary, 'Domain', {
      domainName: 'api.example.com',
      certificate: acm.Certificate.fromCertificateArn(primary, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc'),
      endpointType: apigw.EndpointType.REGIONAL,
    });
    new FailoverRecords(primary, 'Api', { zone: ZONE, recordName: 'api', primary: { endpoint: RecordEndpoint.apiGatewayDomain(domain) } });
    const t = Template.fromStack(primary);
    t.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'api.example.com.',
      Failover: 'PRIMARY',
      AliasTarget: { DNSName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Domain'), 'RegionalDomainName'] }, HostedZoneId: Match.anyValue(), EvaluateTargetHealth: true },
    });
    t.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ FullyQualifiedDomainName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Domain'), 'RegionalDomainName'] } }),
    });
  });
});

describe('Non-alias records', () => {
  test('a CNAME pair gets a 60 s TTL by default; above 60 s it warns', () => {
    const { primary, recovery } = twoRegions();
    const f = new FailoverRecords(primary, 'Legacy', { zone: ZONE, recordName: 'legacy', primary: { endpoint: RecordEndpoint.cname('east.legacy.example.net') } });
    f.addSecondary(recovery, 'Legacy', { endpoint: RecordEndpoint.cname('west.legacy.example.net'), ttl: Duration.seconds(120) });
    Template.fromStack(primary).hasResourceProperties('AWS::Route53::RecordSet', { Type: 'CNAME', TTL: '60', ResourceRecords: ['east.legacy.example.net'], Failover: 'PRIMARY' });
    Template.fromStack(recovery).hasResourceProperties('AWS::Route53::RecordSet', { Type: 'CNAME', TTL: '120', Failover: 'SECONDARY' });
    expect(resilienceWarnings(recovery)).toEqual(['cdk-resilience:LongDnsTtl']);
    expect(resilienceWarnings(primary)).toEqual([]);
  });
});

describe('ActiveActiveRecords', () => {
  test('one latency record per Region, each with its own health check, withdrawn when unhealthy', () => {
    const { app, primary, recovery, pWeb, rWeb } = webPair();
    const api = new ActiveActiveRecords(primary, 'Api', { zone: ZONE, recordName: 'api' });
    api.addRegion(primary, 'ApiEast', { endpoint: RecordEndpoint.loadBalancer(pWeb.alb) });
    api.addRegion(recovery, 'ApiWest', { endpoint: RecordEndpoint.loadBalancer(rWeb.alb), healthCheck: { requestInterval: Duration.seconds(30), failureThreshold: 2 } });
    for (const [stack, region, id] of [[primary, 'us-east-1', 'ApiEast'], [recovery, 'us-west-2', 'ApiWest']] as const) {
      Template.fromStack(stack).hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'api.example.com.',
        Region: region,
        SetIdentifier: region,
        HealthCheckId: { Ref: Match.stringLikeRegexp(`^${id}HealthCheck`) },
        AliasTarget: Match.objectLike({ EvaluateTargetHealth: true }),
      });
    }
    Template.fromStack(recovery).hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ RequestInterval: 30, FailureThreshold: 2 }) });
    expect(api.regions[1].endpointHealthCheck!.detectionTime.toSeconds()).toBe(60);
    expect(() => app.synth()).not.toThrow();
  });

  test('weighted records carry weights', () => {
    const { primary, recovery, pWeb, rWeb } = webPair();
    const api = new ActiveActiveRecords(primary, 'Api', { zone: ZONE, recordName: 'api', policy: ActiveActivePolicy.WEIGHTED });
    api.addRegion(primary, 'East', { endpoint: RecordEndpoint.loadBalancer(pWeb.alb), weight: 90 });
    api.addRegion(recovery, 'West', { endpoint: RecordEndpoint.loadBalancer(rWeb.alb), weight: 10 });
    Template.fromStack(primary).hasResourceProperties('AWS::Route53::RecordSet', { Weight: 90, SetIdentifier: 'us-east-1', Region: Match.absent() });
    Template.fromStack(recovery).hasResourceProperties('AWS::Route53::RecordSet', { Weight: 10, SetIdentifier: 'us-west-2' });
  });

  test('geolocation records carry locations', () => {
    const { primary, recovery, pWeb, rWeb } = webPair();
    const api = new ActiveActiveRecords(primary, 'Api', { zone: ZONE, recordName: 'geo', policy: ActiveActivePolicy.GEOLOCATION });
    api.addRegion(primary, 'East', { endpoint: RecordEndpoint.loadBalancer(pWeb.alb), geoLocation: route53.GeoLocation.continent(route53.Continent.NORTH_AMERICA) });
    api.addRegion(recovery, 'West', { endpoint: RecordEndpoint.loadBalancer(rWeb.alb), geoLocation: route53.GeoLocation.default() });
    Template.fromStack(primary).hasResourceProperties('AWS::Route53::RecordSet', { GeoLocation: { ContinentCode: 'NA' } });
    Template.fromStack(recovery).hasResourceProperties('AWS::Route53::RecordSet', { GeoLocation: { CountryCode: '*' } });
  });

  test('fewer than 2 Regions fails synth', () => {
    const { app, primary, pWeb } = webPair();
    const api = new ActiveActiveRecords(primary, 'Api', { zone: ZONE, recordName: 'api' });
    api.addRegion(primary, 'East', { endpoint: RecordEndpoint.loadBalancer(pWeb.alb) });
    expect(() => app.synth()).toThrow(/DNS_ACTIVE_ACTIVE_REGIONS.*at least 2 Regions \(got: 1\)/);
  });
});

describe('Health checks', () => {
  test('options: HTTP string match, checker Regions, alarm topic', () => {
    const { primary } = twoRegions();
    const topic = new sns.Topic(primary, 'Pager');
    const hc = new EndpointHealthCheck(primary, 'Hc', {
      fqdn: 'api.example.net',
      protocol: 'HTTP',
      searchString: 'ok',
      regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
      failureThreshold: 5,
      requestInterval: Duration.seconds(30),
      measureLatency: false,
      alarmTopic: topic,
      name: 'api',
    });
    const t = Template.fromStack(primary);
    t.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ Type: 'HTTP_STR_MATCH', SearchString: 'ok', Port: 80, Regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'], MeasureLatency: false }),
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'api-health', AlarmActions: [{ Ref: Match.stringLikeRegexp('^Pager') }], OKActions: [{ Ref: Match.stringLikeRegexp('^Pager') }] });
    expect(hc.detectionTime.toSeconds()).toBe(150);
  });

  test('a health check that tracks a CloudWatch alarm, and a CALCULATED parent', () => {
    const { primary } = twoRegions();
    const alarm = new cloudwatch.Alarm(primary, 'Errors', { metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
    const fromAlarm = new AlarmHealthCheck(primary, 'FromAlarm', { alarm });
    const endpoint = new EndpointHealthCheck(primary, 'Endpoint', { fqdn: 'shop.example.net' });
    const parent = new CalculatedHealthCheck(primary, 'Region', { children: [fromAlarm, endpoint] });
    const t = Template.fromStack(primary);
    t.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: { Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Name: { Ref: Match.stringLikeRegexp('^Errors') }, Region: 'us-east-1' }, InsufficientDataHealthStatus: 'LastKnownStatus', Inverted: false },
    });
    t.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({
        Type: 'CALCULATED',
        HealthThreshold: 2,
        ChildHealthChecks: [{ Ref: Match.stringLikeRegexp('^FromAlarm') }, { Ref: Match.stringLikeRegexp('^Endpoint') }],
      }),
    });
    expect(parent.healthCheckId).toBeDefined();
  });

  test('detection time, for the RTO model: endpoint interval x threshold, alarm period x datapoints, calculated from its children', () => {
    const { primary } = twoRegions();
    const metric = new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors', period: Duration.minutes(1) });
    const alarm = new cloudwatch.Alarm(primary, 'Errors', { metric, threshold: 1, evaluationPeriods: 5, datapointsToAlarm: 3, treatMissingData: cloudwatch.TreatMissingData.BREACHING });
    const fromAlarm = new AlarmHealthCheck(primary, 'FromAlarm', { alarm });
    expect(fromAlarm.detection!.time.toSeconds()).toBe(180);
    // A failed Region stops publishing the metric: an alarm that ignores missing data (and a
    // check that keeps the last status) never sees it, so the detection is unknown.
    const quiet = new cloudwatch.Alarm(primary, 'Quiet', { metric, threshold: 1, evaluationPeriods: 5, datapointsToAlarm: 3, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING });
    expect(new AlarmHealthCheck(primary, 'FromQuiet', { alarm: quiet }).detection).toBeUndefined();
    const silent = new cloudwatch.Alarm(primary, 'Silent', { metric, threshold: 1, evaluationPeriods: 2 });
    expect(new AlarmHealthCheck(primary, 'FromSilent', { alarm: silent }).detection).toBeUndefined();
    // ...unless insufficient data reads as unhealthy.
    expect(new AlarmHealthCheck(primary, 'FromSilentUnhealthy', { alarm: silent, insufficientDataHealthStatus: route53.InsufficientDataHealthStatusEnum.UNHEALTHY }).detection!.time.toSeconds()).toBe(120);
    expect(fromAlarm.detection!.formula).toBe('alarm: period 60 s x 3 datapoint(s) to alarm (of 5 evaluation periods)');
    // A math-expression alarm (the web tier's 5xx rate): the expression's period.
    const ratio = new cloudwatch.Alarm(primary, 'Ratio', {
      metric: new cloudwatch.MathExpression({ expression: 'm1 / 2', usingMetrics: { m1: metric }, period: Duration.minutes(2) }),
      threshold: 1,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    expect(new AlarmHealthCheck(primary, 'FromRatio', { alarm: ratio }).detection!.time.toSeconds()).toBe(240);
    // Imported: unknown unless given.
    const imported = cloudwatch.Alarm.fromAlarmArn(primary, 'Imported', 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:other');
    expect(new AlarmHealthCheck(primary, 'FromImported', { alarm: imported }).detection).toBeUndefined();
    expect(new AlarmHealthCheck(primary, 'Given', { alarm: imported, detectionTime: Duration.minutes(4) }).detection!.time.toSeconds()).toBe(240);

    const endpoint = new EndpointHealthCheck(primary, 'Endpoint', { fqdn: 'shop.example.net', requestInterval: Duration.seconds(30) });
    expect(endpoint.detection.time.toSeconds()).toBe(90);
    // Both must be healthy: the first child to fail turns the parent.
    expect(new CalculatedHealthCheck(primary, 'All', { children: [fromAlarm, endpoint] }).detection!.time.toSeconds()).toBe(90);
    // One of two is enough: both must fail, so the slower one.
    const anyOf = new CalculatedHealthCheck(primary, 'Any', { children: [fromAlarm, endpoint], healthThreshold: 1 });
    expect(anyOf.detection!.time.toSeconds()).toBe(180);
    expect(anyOf.detection!.formula).toMatch(/unhealthy once 2 of 2 children are/);
    expect(new CalculatedHealthCheck(primary, 'Inverted', { children: [endpoint], inverted: true }).detection).toBeUndefined();
    expect(new CalculatedHealthCheck(primary, 'Unknown', { children: [endpoint, { healthCheckId: 'abc' }] }).detection).toBeUndefined();

    // A record carries the detection of whichever check it uses.
    const { primary: p2, pWeb } = webPair();
    const a2 = new cloudwatch.Alarm(p2, 'Errors', { metric, threshold: 1, evaluationPeriods: 2, treatMissingData: cloudwatch.TreatMissingData.BREACHING });
    const records = new FailoverRecords(p2, 'Shop', {
      zone: ZONE,
      recordName: 'shop',
      primary: { endpoint: RecordEndpoint.loadBalancer(pWeb.alb), existingHealthCheck: new AlarmHealthCheck(p2, 'Alarmed', { alarm: a2 }) },
    });
    expect(records.primary.detection!.time.toSeconds()).toBe(120);
    const built = new FailoverRecords(p2, 'Api', { zone: ZONE, recordName: 'api', primary: { endpoint: RecordEndpoint.loadBalancer(pWeb.alb) } });
    expect(built.primary.detection!.formula).toBe('endpoint: request interval 10 s x failure threshold 3');
  });
});

describe('RoutingControls', () => {
  const { primary, recovery, pWeb, rWeb } = webPair();
  const shop = new FailoverRecords(primary, 'Shop', { zone: ZONE, recordName: 'shop', primary: { endpoint: RecordEndpoint.loadBalancer(pWeb.alb) } });
  shop.addSecondary(recovery, 'Shop', { endpoint: RecordEndpoint.loadBalancer(rWeb.alb) });
  const arcControls = new RoutingControls(recovery, 'Arc', { name: 'shop', regions: ['us-east-1', 'us-west-2'] });
  arcControls.addGatedRecords('App', {
    zone: ZONE,
    recordName: 'app',
    policy: RoutingPolicy.FAILOVER,
    targets: [
      { regionalRecord: shop.primary, failoverRole: FailoverRole.PRIMARY },
      { regionalRecord: shop.secondary!, failoverRole: FailoverRole.SECONDARY },
    ],
  });
  const rt = Template.fromStack(recovery);

  test('a cluster, a control panel and one routing control per Region', () => {
    rt.resourceCountIs('AWS::Route53RecoveryControl::Cluster', 1);
    rt.resourceCountIs('AWS::Route53RecoveryControl::ControlPanel', 1);
    rt.hasResourceProperties('AWS::Route53RecoveryControl::RoutingControl', { Name: 'shop-us-east-1' });
    rt.hasResourceProperties('AWS::Route53RecoveryControl::RoutingControl', { Name: 'shop-us-west-2' });
    expect(Object.keys(arcControls.routingControlArns)).toEqual(['us-east-1', 'us-west-2']);
  });

  test('the controls are set once to their first states (CloudFormation creates them Off): every Region On, after the safety rule, by a function that may change only these controls', () => {
    const [[id, resource]] = Object.entries(rt.findResources('AWS::CloudFormation::CustomResource'));
    expect(id).toMatch(/^ArcInitialStates/);
    expect(resource.Properties.States).toEqual(
      ['us-east-1', 'us-west-2'].map((r) => ({ RoutingControlArn: { 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^ArcControl${r.replace(/-/g, '')}`)), 'RoutingControlArn'] }, RoutingControlState: 'On' })),
    );
    expect(resource.Properties.Endpoints).toHaveLength(5);
    expect(resource.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^ArcAtLeastOneOn/)]));
    const [[, policy]] = Object.entries(rt.findResources('AWS::IAM::Policy')).filter(([pid]) => pid.startsWith('ArcInitialStatesRole'));
    const arc = (policy.Properties.PolicyDocument.Statement as { Action: string; Resource: unknown[] }[]).find((st) => st.Action === 'route53-recovery-cluster:UpdateRoutingControlStates')!;
    expect(arc.Resource).toHaveLength(2);
    expect(JSON.stringify(arc.Resource)).not.toContain('"*"');
  });

  test('a safety rule keeps at least one Region on', () => {
    rt.hasResourceProperties('AWS::Route53RecoveryControl::SafetyRule', {
      RuleConfig: { Type: 'ATLEAST', Threshold: 1, Inverted: false },
      AssertionRule: { AssertedControls: Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('^ArcControluseast1'), 'RoutingControlArn'] }]), WaitPeriodMs: 5000 },
    });
  });

  test('routing-control health checks gate records that alias each Region by name', () => {
    rt.hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ Type: 'RECOVERY_CONTROL' }) });
    rt.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'app.example.com.',
      Failover: 'PRIMARY',
      AliasTarget: { DNSName: 'us-east-1.shop.example.com', HostedZoneId: ZONE.hostedZoneId, EvaluateTargetHealth: true },
      HealthCheckId: { Ref: Match.stringLikeRegexp('^ArcHealthCheckuseast1') },
    });
    rt.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'app.example.com.',
      Failover: 'SECONDARY',
      AliasTarget: { DNSName: 'us-west-2.shop.example.com', HostedZoneId: ZONE.hostedZoneId, EvaluateTargetHealth: true },
    });
    expect(recovery.dependencies.map((s) => s.stackName)).toEqual(['Primary']);
  });

  test('cluster endpoints and control ARNs are published for runbooks, read once at deploy', () => {
    const [[, describe]] = resourcesOfType(rt, 'Custom::AWS').filter(([id]) => id.startsWith('ArcClusterEndpoints'));
    expect(JSON.stringify(describe.Properties.Create)).toContain('DescribeCluster');
    rt.hasResourceProperties('AWS::SSM::Parameter', { Name: '/cdk-resilience/routing-controls/shop' });
    const value = JSON.stringify(resourcesOfType(rt, 'AWS::SSM::Parameter')[0][1].Properties.Value);
    expect(value).toContain('Cluster.ClusterEndpoints.4.Endpoint');
    expect(value).not.toContain('"ClusterEndpoints"]');
    expect(arcControls.clusterEndpoints).toHaveLength(5);
  });

  test('cdk-nag clean', () => {
    expect(nagFindings(recovery)).toEqual([]);
  });
});

describe('RoutingControls with an existing cluster', () => {
  test('reuses the cluster', () => {
    const { recovery } = twoRegions();
    new RoutingControls(recovery, 'Arc', { name: 'x', regions: ['us-east-1', 'us-west-2'], existingClusterArn: 'arn:aws:route53-recovery-control::111111111111:cluster/abc', minimumOn: 2 });
    const t = Template.fromStack(recovery);
    t.resourceCountIs('AWS::Route53RecoveryControl::Cluster', 0);
    t.hasResourceProperties('AWS::Route53RecoveryControl::ControlPanel', { ClusterArn: 'arn:aws:route53-recovery-control::111111111111:cluster/abc' });
    t.hasResourceProperties('AWS::Route53RecoveryControl::SafetyRule', { RuleConfig: { Type: 'ATLEAST', Threshold: 2, Inverted: false } });
  });
});
