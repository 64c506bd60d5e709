import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from '../core/nag';
import { Validator } from '../core/validation';
import { AlarmHealthCheck } from './alarm-health-check';

/** The namespace and metric of traffic gates. */
export const TRAFFIC_GATE_METRIC = { namespace: 'CdkResilience/TrafficGates', metricName: 'Closed' } as const;

/**
 * Seconds from a gate write to Route 53 answering on it: the alarm's 60 s period (Route 53
 * reads standard-resolution alarms only) plus 30 s for its health checkers to read the
 * alarm's data stream. AWS publishes no figure for the second part: a cdk-resilience
 * assumption, to replace with a measured drill.
 */
export const TRAFFIC_GATE_DELAY_SECONDS = 90;

/** Props for {@link TrafficGate}. */
export interface TrafficGateProps {
  /** The strategy (or workload) the gate belongs to: the metric's `Strategy` dimension. */
  readonly strategyName: string;
  /** The Region whose traffic the gate lets through or holds back (`Region` dimension). */
  readonly gatedRegion: string;
  /**
   * Whether the gate is closed until something writes it: the standby's gate in its own
   * Region, so the standby takes no traffic before a failover.
   * @default false
   */
  readonly initiallyClosed?: boolean;
}

/**
 * A traffic gate: a CloudWatch alarm, in this stack's Region, on a metric a runbook writes
 * (`CdkResilience/TrafficGates` `Closed`, 1 closes, 0 opens). Missing data keeps the alarm's
 * state, so a closed gate stays closed for as long as nobody opens it, including while a
 * Region is down and after it recovers. Writing it is a CloudWatch PutMetricData: a Regional
 * data-plane call; no Route 53 control-plane call moves traffic.
 *
 * Route 53 reads it through {@link TrafficGate.healthCheck}; a record that requires the gate
 * is withdrawn while the gate is closed.
 */
export class TrafficGate extends Construct {
  /** The alarm: ALARM while the gate is closed. */
  public readonly alarm: cloudwatch.Alarm;
  /** Its name (deterministic: another Region's stack names it). */
  public readonly alarmName: string;
  /** The Region that holds it. */
  public readonly region: string;
  /** Whether the gate is closed until first written. */
  public readonly initiallyClosed: boolean;

  /** The alarm name of the gate of `gatedRegion` held in `holdingRegion`. */
  public static alarmNameOf(strategyName: string, gatedRegion: string, holdingRegion: string): string {
    return `${strategyName}-gate-${gatedRegion}-in-${holdingRegion}`;
  }

  /**
   * A Route 53 health check on a gate held in `alarmRegion` (possibly another stack's, by
   * name: its stack must deploy first, since Route 53 reads the alarm when the check is made).
   * A gate never read has no data: it reads closed only if `initiallyClosed`; after that
   * Route 53 keeps the last status it knew when it cannot read the alarm.
   */
  public static healthCheck(scope: Construct, id: string, gate: { readonly alarmName: string; readonly alarmRegion: string; readonly initiallyClosed: boolean }): AlarmHealthCheck {
    return new AlarmHealthCheck(scope, id, {
      alarm: cloudwatch.Alarm.fromAlarmName(scope, `${id}Alarm`, gate.alarmName),
      alarmRegion: gate.alarmRegion,
      insufficientDataHealthStatus: gate.initiallyClosed ? route53.InsufficientDataHealthStatusEnum.UNHEALTHY : route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS,
      // A gate is a switch, not a failure detector: its "detection" is the time it takes to turn.
      detectionTime: Duration.seconds(TRAFFIC_GATE_DELAY_SECONDS),
    });
  }

  constructor(scope: Construct, id: string, props: TrafficGateProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const v = new Validator(this);
    v.check(Token.isUnresolved(stack.region), {
      code: 'GATE_ENV',
      prop: 'scope',
      value: stack.node.path,
      message: 'a traffic gate is named after its Region, so its stack needs a literal Region',
      fix: 'give the stack an env with a region',
    });
    v.check(!/^[a-z][a-z0-9-]{0,29}$/.test(props.strategyName), {
      code: 'GATE_NAME',
      prop: 'strategyName',
      value: props.strategyName,
      message: 'must be 1-30 lowercase letters, digits or hyphens, starting with a letter (it names the alarm)',
      fix: "pass strategyName: 'shop'",
    });
    v.throwIfAny();
    this.region = stack.region;
    this.initiallyClosed = props.initiallyClosed ?? false;
    this.alarmName = TrafficGate.alarmNameOf(props.strategyName, props.gatedRegion, stack.region);
    this.alarm = new cloudwatch.Alarm(this, 'Alarm', {
      alarmName: this.alarmName,
      alarmDescription: `Traffic gate of ${props.gatedRegion} for ${props.strategyName}, held in ${stack.region}: ALARM keeps ${props.gatedRegion} out of DNS. Written by the runbooks; never edit by hand in an incident without reading docs/runbooks.md.`,
      metric: new cloudwatch.Metric({
        namespace: TRAFFIC_GATE_METRIC.namespace,
        metricName: TRAFFIC_GATE_METRIC.metricName,
        dimensionsMap: { Strategy: props.strategyName, Region: props.gatedRegion },
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // The gate holds its state with no new data: that is what makes the fence durable.
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });
    acknowledgeNagFinding(this.alarm, 'RES-CW1', 'A traffic gate is a switch the runbooks set and Route 53 reads; the runbook that moves it reports the move, so the alarm itself pages nobody.');
  }
}
