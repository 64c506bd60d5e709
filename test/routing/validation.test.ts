import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  ActiveActiveRecords,
  AlarmHealthCheck,
  CalculatedHealthCheck,
  EndpointHealthCheck,
  FailoverRecords,
  FailoverRole,
  RecordEndpoint,
  ResilienceError,
  RoutingControls,
  RoutingControlsProps,
  RoutingPolicy,
} from '../../lib';
import { twoRegions, errorOf } from '../helpers/app';

const ZONE = { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com' };
const EAST = RecordEndpoint.cname('east.example.net');
const WEST = RecordEndpoint.cname('west.example.net');


type Scenario = (stacks: { primary: Stack; recovery: Stack }) => unknown;

describe('routing rejects invalid input', () => {
  test.each<[string, Scenario, string, RegExp]>([
    [
      'a TTL over 300 s on a failover record',
      ({ primary }) => new FailoverRecords(primary, 'F', { zone: ZONE, recordName: 'shop', primary: { endpoint: EAST, ttl: Duration.minutes(10) } }),
      'DNS_TTL',
      /ttl: must be a duration between 0 s and 300 s \(got: "600 s"\)/,
    ],
    [
      'a TTL on an alias record',
      ({ primary }) => new FailoverRecords(primary, 'F', { zone: ZONE, recordName: 'shop', primary: { endpoint: RecordEndpoint.recordInZone('x.example.com'), ttl: Duration.seconds(60) } }),
      'DNS_TTL',
      /alias records have no TTL/,
    ],
    [
      'a PRIMARY without a health check',
      ({ primary }) => new FailoverRecords(primary, 'F', { zone: ZONE, recordName: 'shop', primary: { endpoint: EAST, healthCheck: false } }),
      'DNS_PRIMARY_WITHOUT_HEALTH_CHECK',
      /a failover PRIMARY without a health check is never considered unhealthy/,
    ],
    [
      'a failure threshold of 0',
      ({ primary }) => new FailoverRecords(primary, 'F', { zone: ZONE, recordName: 'shop', primary: { endpoint: EAST, healthCheck: { failureThreshold: 0 } } }),
      'HC_FAILURE_THRESHOLD',
      /healthCheck.failureThreshold: must be an integer between 1 and 10 \(got: 0\)/,
    ],
    ['a failure threshold of 11', ({ primary }) => new EndpointHealthCheck(primary, 'H', { fqdn: 'a.example.net', failureThreshold: 11 }), 'HC_FAILURE_THRESHOLD', /got: 11/],
    [
      'a 20 s request interval',
      ({ primary }) => new EndpointHealthCheck(primary, 'H', { fqdn: 'a.example.net', requestInterval: Duration.seconds(20) }),
      'HC_REQUEST_INTERVAL',
      /every 10 s \(fast\) or 30 s \(standard\).*got: "20 s"/,
    ],
    ['two health checker Regions', ({ primary }) => new EndpointHealthCheck(primary, 'H', { fqdn: 'a.example.net', regions: ['us-east-1', 'eu-west-1'] }), 'HC_REGIONS', /at least 3 health checker Regions/],
    ['a health checker Region that does not exist', ({ primary }) => new EndpointHealthCheck(primary, 'H', { fqdn: 'a.example.net', regions: ['us-east-1', 'eu-west-1', 'eu-north-1'] }), 'HC_REGIONS', /got: \["eu-north-1"\]/],
    [
      'an alarm topic object in a stack outside us-east-1',
      ({ recovery }) => new EndpointHealthCheck(recovery, 'H', { fqdn: 'a.example.net', alarmTopic: new sns.Topic(recovery, 'T') }),
      'HC_ALARM_TOPIC',
      /can only notify a topic there.*alarmTopicArn/,
    ],
    [
      'mixed routing policies on one name',
      ({ primary, recovery }) => {
        new FailoverRecords(primary, 'F', { zone: ZONE, recordName: 'shop', primary: { endpoint: EAST } });
        const aa = new ActiveActiveRecords(recovery, 'A', { zone: ZONE, recordName: 'shop.example.com' });
        aa.addRegion(recovery, 'West', { endpoint: WEST });
      },
      'DNS_MIXED_POLICIES',
      /shop.example.com already has failover records \(Primary\/F\/Primary\)/,
    ],
    [
      'duplicate set identifiers',
      ({ primary, recovery }) => {
        const aa = new ActiveActiveRecords(primary, 'A', { zone: ZONE, recordName: 'api' });
        aa.addRegion(primary, 'East', { endpoint: EAST, setIdentifier: 'main' });
        aa.addRegion(recovery, 'West', { endpoint: WEST, setIdentifier: 'main' });
      },
      'DNS_DUPLICATE_SET_IDENTIFIER',
      /set identifier already used for api.example.com by Primary\/East.*got: "main"/,
    ],
    [
      'a secondary in the primary Region',
      ({ primary }) => new FailoverRecords(primary, 'F', { zone: ZONE, recordName: 'shop', primary: { endpoint: EAST } }).addSecondary(primary, 'S', { endpoint: WEST }),
      'DNS_FAILOVER_PAIR',
      /same Region as the PRIMARY/,
    ],
    [
      'a pair that disagrees on type',
      ({ primary, recovery }) =>
        new FailoverRecords(primary, 'F', { zone: ZONE, recordName: 'shop', primary: { endpoint: EAST } }).addSecondary(recovery, 'S', { endpoint: RecordEndpoint.recordInZone('w.example.com') }),
      'DNS_RECORD_TYPE_MISMATCH',
      /the PRIMARY is a CNAME record; both records of a failover pair must have the same name and type/,
    ],
    [
      'an active-active Region without a health check',
      ({ primary }) => new ActiveActiveRecords(primary, 'A', { zone: ZONE, recordName: 'api' }).addRegion(primary, 'East', { endpoint: EAST, healthCheck: false }),
      'DNS_REGION_WITHOUT_HEALTH_CHECK',
      /keeps answering for a failed Region/,
    ],
    [
      'a weight on a latency record',
      ({ primary }) => new ActiveActiveRecords(primary, 'A', { zone: ZONE, recordName: 'api' }).addRegion(primary, 'East', { endpoint: EAST, weight: 10 }),
      'DNS_POLICY_OPTION',
      /weight applies to WEIGHTED records/,
    ],
    [
      'a calculated threshold above the children',
      ({ primary }) => new CalculatedHealthCheck(primary, 'C', { children: [{ healthCheckId: 'abc' }], healthThreshold: 2 }),
      'HC_CALCULATED_THRESHOLD',
      /between 0 and 1/,
    ],
    [
      'an alarm detection time under the 10 s alarm resolution',
      ({ primary }) =>
        new AlarmHealthCheck(primary, 'A', { alarm: cloudwatch.Alarm.fromAlarmArn(primary, 'Imported', 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:x'), detectionTime: Duration.seconds(5) }),
      'HC_ALARM_DETECTION',
      /detectionTime/,
    ],
  ])('%s', (_name, scenario, code, message) => {
    const stacks = twoRegions();
    const err = errorOf(() => scenario(stacks));
    expect(err.codes).toContain(code);
    expect(err.message).toMatch(message);
  });
});

describe('RoutingControls rejects invalid input', () => {
  function arcError(props: Partial<RoutingControlsProps>, inPrimary = false): ResilienceError {
    const { primary, recovery } = twoRegions();
    return errorOf(() => new RoutingControls(inPrimary ? primary : recovery, 'Arc', { name: 'shop', regions: ['us-east-1', 'us-west-2'], ...props }));
  }

  test.each<[string, Partial<RoutingControlsProps>, boolean, string, RegExp]>([
    ['a safety rule that allows every Region off', { minimumOn: 0 }, false, 'ARC_SAFETY_RULE', /allows 0 Regions On lets one command turn every Region off/],
    ['a safety rule that can never hold', { minimumOn: 3 }, false, 'ARC_SAFETY_RULE', /can never hold with 2 Regions/],
    ['a single Region', { regions: ['us-east-1'] }, false, 'ARC_REGIONS', /at least 2 are needed/],
    ['a Region listed twice', { regions: ['us-east-1', 'us-east-1'] }, false, 'ARC_REGIONS', /listed twice/],
    ['a bad name', { name: 'shop prod' }, false, 'ARC_NAME', /got: "shop prod"/],
    ['a stack outside us-west-2', {}, true, 'ARC_REGION', /served from us-west-2 only/],
    ['first states with every Region Off (the safety rule refuses them: the deploy would fail)', { initialStates: { 'us-east-1': 'Off', 'us-west-2': 'Off' } }, false, 'ARC_INITIAL_STATES', /sets fewer than 1 Region\(s\) On/],
    ['first states one On when two must be', { minimumOn: 2, initialStates: { 'us-west-2': 'Off' } }, false, 'ARC_INITIAL_STATES', /sets fewer than 2 Region\(s\) On/],
    ['a first state for a Region without a control', { initialStates: { 'eu-west-1': 'On' } }, false, 'ARC_INITIAL_STATES', /names a Region that has no routing control here/],
  ])('%s', (_name, props, inPrimary, code, message) => {
    const err = arcError(props, inPrimary);
    expect(err.codes).toContain(code);
    expect(err.message).toMatch(message);
  });

  test('gating a Region that has no routing control', () => {
    const { primary, recovery } = twoRegions();
    const f = new FailoverRecords(primary, 'F', { zone: ZONE, recordName: 'shop', primary: { endpoint: EAST } });
    const arc = new RoutingControls(recovery, 'Arc', { name: 'shop', regions: ['us-west-2', 'eu-west-1'] });
    const err = errorOf(() =>
      arc.addGatedRecords('App', { zone: ZONE, recordName: 'app', policy: RoutingPolicy.FAILOVER, targets: [{ regionalRecord: f.primary, failoverRole: FailoverRole.PRIMARY }] }),
    );
    expect(err.codes).toEqual(['ARC_GATED_REGION']);
  });
});
