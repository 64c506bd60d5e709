import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FailoverRecords, RecordEndpoint, TRAFFIC_GATE_DELAY_SECONDS, TrafficGate } from '../../lib';
import { errorOf, nagFindings, resourcesOfType } from '../helpers/app';
import { webPair, ZONE } from './fixtures';


describe('TrafficGate', () => {
  const { primary, recovery } = webPair();
  const gate = new TrafficGate(recovery, 'Gate', { strategyName: 'shop', gatedRegion: 'us-east-1' });
  const standby = new TrafficGate(recovery, 'Standby', { strategyName: 'shop', gatedRegion: 'us-west-2' });
  const check = TrafficGate.healthCheck(primary, 'GateCheck', { alarmName: gate.alarmName, alarmRegion: gate.region });
  const standbyCheck = TrafficGate.healthCheck(recovery, 'StandbyCheck', { alarmName: standby.alarmName, alarmRegion: standby.region });
  const rt = Template.fromStack(recovery);
  const pt = Template.fromStack(primary);

  test('an alarm on the gate metric, in the strategy\'s own namespace, whose state is the last value written', () => {
    expect(gate.alarmName).toBe('shop-gate-us-east-1-in-us-west-2');
    expect(gate.namespace).toBe('CdkResilience/TrafficGates/shop');
    rt.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop-gate-us-east-1-in-us-west-2',
      Namespace: 'CdkResilience/TrafficGates/shop',
      MetricName: 'Closed',
      Dimensions: [
        { Name: 'Region', Value: 'us-east-1' },
        { Name: 'Strategy', Value: 'shop' },
      ],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'ignore',
    });
  });

  test('Route 53 reads it as a CLOUDWATCH_METRIC check in its Region that keeps its last status when the data stream is silent', () => {
    // Route 53 evaluates the alarm's data stream, not its state: one datapoint is in the stream
    // for one period only. LastKnownStatus is what makes one write hold; any other setting
    // would turn every gate when its data ages out (Unhealthy: withdraw the Region; Healthy: open it).
    for (const [t, name] of [[pt, 'shop-gate-us-east-1-in-us-west-2'], [rt, 'shop-gate-us-west-2-in-us-west-2']] as const) {
      t.hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: { Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Name: name, Region: 'us-west-2' }, InsufficientDataHealthStatus: 'LastKnownStatus' },
      });
    }
    const all = [pt, rt].flatMap((t) => resourcesOfType(t, 'AWS::Route53::HealthCheck')).map(([, r]) => r.Properties.HealthCheckConfig as { Type: string; InsufficientDataHealthStatus?: string });
    expect(all.filter((c) => c.Type === 'CLOUDWATCH_METRIC' && c.InsufficientDataHealthStatus !== 'LastKnownStatus').length).toBe(0);
    // A gate is a switch: its "detection" is the time it takes to turn, not a failure detector.
    expect(check.detection?.time.toSeconds()).toBe(TRAFFIC_GATE_DELAY_SECONDS);
    expect(standbyCheck.healthCheckId).toBeDefined();
  });

  test('cdk-nag clean: the one acknowledgment is the alarm that pages nobody, with its reason', () => {
    expect(nagFindings(recovery)).toEqual([]);
  });

  test.each<[string, () => unknown, string]>([
    ['a name that cannot name an alarm', () => new TrafficGate(new Stack(new App(), 'S', { env: { region: 'us-east-1' } }), 'G', { strategyName: 'Shop!', gatedRegion: 'us-east-1' }), 'GATE_NAME'],
    ['a stack without a Region', () => new TrafficGate(new Stack(new App(), 'S'), 'G', { strategyName: 'shop', gatedRegion: 'us-east-1' }), 'GATE_ENV'],
  ])('refuses %s', (_name, make, code) => {
    expect(errorOf(make).codes).toEqual([code]);
  });
});

describe('RegionalRecord: required health checks and a status record', () => {
  const { primary, recovery, pWeb, rWeb } = webPair();
  const gate = new TrafficGate(primary, 'Gate', { strategyName: 'shop', gatedRegion: 'us-east-1' });
  const gateCheck = TrafficGate.healthCheck(primary, 'GateCheck', { alarmName: gate.alarmName, alarmRegion: 'us-east-1' });
  const shop = new FailoverRecords(primary, 'Shop', { zone: ZONE, recordName: 'shop', primary: { endpoint: RecordEndpoint.loadBalancer(pWeb.alb), requireHealthChecks: [gateCheck], statusRecord: true } });
  shop.addSecondary(recovery, 'Shop', { endpoint: RecordEndpoint.loadBalancer(rWeb.alb), statusRecord: true });
  const pt = Template.fromStack(primary);

  test('the record requires its endpoint check and the gate: a CALCULATED check of both, all healthy', () => {
    const [[calcId, calc]] = resourcesOfType(pt, 'AWS::Route53::HealthCheck').filter(([, r]) => (r.Properties.HealthCheckConfig as { Type: string }).Type === 'CALCULATED');
    const endpointId = primary.getLogicalId(shop.primary.endpointHealthCheck!.healthCheck.node.defaultChild as never);
    const gateId = primary.getLogicalId(gateCheck.healthCheck.node.defaultChild as never);
    expect(calc.Properties.HealthCheckConfig).toEqual({ Type: 'CALCULATED', HealthThreshold: 2, Inverted: false, ChildHealthChecks: [{ Ref: endpointId }, { Ref: gateId }] });
    pt.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'shop.example.com.', Failover: 'PRIMARY', HealthCheckId: { Ref: calcId } });
    // The RTO's detection is still the endpoint's (the gate's 90 s is not a detector).
    expect(shop.primary.detection?.time.toSeconds()).toBe(30);
  });

  test('the status record: TXT "serving" with the record\'s health check, "withdrawn" as the unchecked SECONDARY', () => {
    expect(shop.primary.statusDomainName).toBe('_status.us-east-1.shop.example.com');
    pt.hasResourceProperties('AWS::Route53::RecordSet', { Name: '_status.us-east-1.shop.example.com.', Type: 'TXT', ResourceRecords: ['"serving"'], Failover: 'PRIMARY', SetIdentifier: 'serving', HealthCheckId: Match.anyValue() });
    pt.hasResourceProperties('AWS::Route53::RecordSet', { Name: '_status.us-east-1.shop.example.com.', Type: 'TXT', ResourceRecords: ['"withdrawn"'], Failover: 'SECONDARY', SetIdentifier: 'withdrawn', HealthCheckId: Match.absent() });
  });

  test('a SECONDARY with routeOnEndpointHealth: false is decided by its required checks alone, and its alias ignores the target\'s health', () => {
    const { primary: p, recovery: r, pWeb: pw, rWeb: rw } = webPair();
    const pg = TrafficGate.healthCheck(p, 'PrimaryGate', { alarmName: 'shop-gate-us-east-1-in-us-east-1', alarmRegion: 'us-east-1' });
    const rg = TrafficGate.healthCheck(r, 'StandbyGate', { alarmName: 'shop-gate-us-west-2-in-us-west-2', alarmRegion: 'us-west-2' });
    const dns = new FailoverRecords(p, 'Shop', { zone: ZONE, recordName: 'shop', primary: { endpoint: RecordEndpoint.loadBalancer(pw.alb), requireHealthChecks: [pg] } });
    const secondary = dns.addSecondary(r, 'Shop', { endpoint: RecordEndpoint.loadBalancer(rw.alb), requireHealthChecks: [rg], routeOnEndpointHealth: false, statusRecord: true });
    const rtt = Template.fromStack(r);
    const [[calcId, calc]] = resourcesOfType(rtt, 'AWS::Route53::HealthCheck').filter(([, x]) => (x.Properties.HealthCheckConfig as { Type: string }).Type === 'CALCULATED');
    expect(calc.Properties.HealthCheckConfig).toEqual({ Type: 'CALCULATED', HealthThreshold: 1, Inverted: false, ChildHealthChecks: [{ Ref: r.getLogicalId(rg.healthCheck.node.defaultChild as never) }] });
    rtt.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'shop.example.com.', Failover: 'SECONDARY', HealthCheckId: { Ref: calcId }, AliasTarget: Match.objectLike({ EvaluateTargetHealth: false }) });
    // The endpoint check is still built (its alarm, its detection), only not routed on.
    expect(secondary.endpointHealthCheck).toBeDefined();
    expect(resourcesOfType(rtt, 'AWS::Route53::HealthCheck').some(([, x]) => (x.Properties.HealthCheckConfig as { Type: string }).Type === 'HTTPS')).toBe(true);
    // The PRIMARY still routes on its endpoint.
    Template.fromStack(p).hasResourceProperties('AWS::Route53::RecordSet', { Name: 'shop.example.com.', Failover: 'PRIMARY', AliasTarget: Match.objectLike({ EvaluateTargetHealth: true }) });
  });

  test.each<[string, (w: ReturnType<typeof webPair>) => unknown]>([
    ['on a PRIMARY', (w) => new FailoverRecords(w.primary, 'Shop', { zone: ZONE, recordName: 'x', primary: { endpoint: RecordEndpoint.loadBalancer(w.pWeb.alb), routeOnEndpointHealth: false, requireHealthChecks: [TrafficGate.healthCheck(w.primary, 'G', { alarmName: 'a', alarmRegion: 'us-east-1' })] } })],
    ['without required checks', (w) => new FailoverRecords(w.primary, 'Shop', { zone: ZONE, recordName: 'x', primary: { endpoint: RecordEndpoint.loadBalancer(w.pWeb.alb) } }).addSecondary(w.recovery, 'Shop', { endpoint: RecordEndpoint.loadBalancer(w.rWeb.alb), routeOnEndpointHealth: false })],
    ['with evaluateTargetHealth', (w) => new FailoverRecords(w.primary, 'Shop', { zone: ZONE, recordName: 'x', evaluateTargetHealth: true, primary: { endpoint: RecordEndpoint.loadBalancer(w.pWeb.alb) } }).addSecondary(w.recovery, 'Shop', { endpoint: RecordEndpoint.loadBalancer(w.rWeb.alb), routeOnEndpointHealth: false, requireHealthChecks: [TrafficGate.healthCheck(w.recovery, 'G', { alarmName: 'a', alarmRegion: 'us-west-2' })] })],
  ])('routeOnEndpointHealth: false is refused %s (DNS_ROUTE_ON_ENDPOINT)', (_name, make) => {
    expect(errorOf(() => make(webPair())).codes).toContain('DNS_ROUTE_ON_ENDPOINT');
  });

  test('required checks or a status record on a record without a health check are refused', () => {
    const { primary: p, pWeb: w } = webPair();
    const err = errorOf(() => new FailoverRecords(p, 'Shop', { zone: ZONE, recordName: 'x', primary: { endpoint: RecordEndpoint.loadBalancer(w.alb), healthCheck: false, statusRecord: true } }));
    expect(err.codes).toContain('DNS_HEALTH_CHECK_REQUIRED');
  });
});
