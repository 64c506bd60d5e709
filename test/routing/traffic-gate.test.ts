import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FailoverRecords, RecordEndpoint, TRAFFIC_GATE_DELAY_SECONDS, TrafficGate } from '../../lib';
import { errorOf, nagFindings, resourcesOfType } from '../helpers/app';
import { webPair, ZONE } from './fixtures';


describe('TrafficGate', () => {
  const { primary, recovery } = webPair();
  const gate = new TrafficGate(recovery, 'Gate', { strategyName: 'shop', gatedRegion: 'us-east-1' });
  const closed = new TrafficGate(recovery, 'Standby', { strategyName: 'shop', gatedRegion: 'us-west-2', initiallyClosed: true });
  const check = TrafficGate.healthCheck(primary, 'GateCheck', { alarmName: gate.alarmName, alarmRegion: gate.region, initiallyClosed: false });
  const standbyCheck = TrafficGate.healthCheck(recovery, 'StandbyCheck', { alarmName: closed.alarmName, alarmRegion: closed.region, initiallyClosed: true });
  const rt = Template.fromStack(recovery);
  const pt = Template.fromStack(primary);

  test('an alarm on the gate metric that holds its state without data: the fence outlives an outage', () => {
    expect(gate.alarmName).toBe('shop-gate-us-east-1-in-us-west-2');
    rt.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop-gate-us-east-1-in-us-west-2',
      Namespace: 'CdkResilience/TrafficGates',
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

  test('Route 53 reads it as a CLOUDWATCH_METRIC check in its Region; a standby gate reads closed until written', () => {
    pt.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: { Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Name: 'shop-gate-us-east-1-in-us-west-2', Region: 'us-west-2' }, InsufficientDataHealthStatus: 'LastKnownStatus' },
    });
    rt.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: { Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Name: 'shop-gate-us-west-2-in-us-west-2', Region: 'us-west-2' }, InsufficientDataHealthStatus: 'Unhealthy' },
    });
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
  const gateCheck = TrafficGate.healthCheck(primary, 'GateCheck', { alarmName: gate.alarmName, alarmRegion: 'us-east-1', initiallyClosed: false });
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

  test('required checks or a status record on a record without a health check are refused', () => {
    const { primary: p, pWeb: w } = webPair();
    const err = errorOf(() => new FailoverRecords(p, 'Shop', { zone: ZONE, recordName: 'x', primary: { endpoint: RecordEndpoint.loadBalancer(w.alb), healthCheck: false, statusRecord: true } }));
    expect(err.codes).toContain('DNS_HEALTH_CHECK_REQUIRED');
  });
});
