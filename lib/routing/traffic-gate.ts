import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from '../core/nag';
import { Validator } from '../core/validation';
import { AlarmHealthCheck } from './alarm-health-check';

/** The metric of traffic gates, in a namespace per strategy (`trafficGateNamespace`). */
export const TRAFFIC_GATE_METRIC = { namespacePrefix: 'CdkResilience/TrafficGates', metricName: 'Closed' } as const;

/**
 * The CloudWatch namespace of a strategy's gates: one per strategy, so the IAM condition on
 * `cloudwatch:namespace` lets a runbook write its own strategy's gates and no other's.
 */
export function trafficGateNamespace(strategyName: string): string {
  return `${TRAFFIC_GATE_METRIC.namespacePrefix}/${strategyName}`;
}

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
}

/**
 * A traffic gate: a CloudWatch alarm, in this stack's Region, on a metric a runbook writes
 * (`CdkResilience/TrafficGates/<strategy>` `Closed`, 1 closes, 0 opens). Writing it is a
 * CloudWatch PutMetricData: a Regional data-plane call; no Route 53 control-plane call moves
 * traffic.
 *
 * Route 53 reads it through {@link TrafficGate.healthCheck}, which evaluates the alarm's data
 * stream (not the alarm's state) and, when the stream has no recent data, keeps the status it
 * last determined (`LastKnownStatus`). So a single write turns the gate once Route 53 has read
 * it, and the gate then holds with no new data: while the Region that holds it is down, and
 * after it recovers. A gate never written is open (a new health check with no last status is
 * healthy). The alarm's own state (missing data ignored) is the last value written: runbooks
 * read it to know where a gate stands.
 */
export class TrafficGate extends Construct {
  /** The alarm: ALARM while the gate is closed. */
  public readonly alarm: cloudwatch.Alarm;
  /** Its name (deterministic: another Region's stack names it). */
  public readonly alarmName: string;
  /** The Region that holds it. */
  public readonly region: string;
  /** The metric's namespace (the strategy's). */
  public readonly namespace: string;

  /** The alarm name of the gate of `gatedRegion` held in `holdingRegion`. */
  public static alarmNameOf(strategyName: string, gatedRegion: string, holdingRegion: string): string {
    return `${strategyName}-gate-${gatedRegion}-in-${holdingRegion}`;
  }

  /**
   * A Route 53 health check on a gate held in `alarmRegion` (possibly another stack's, by
   * name: its stack must deploy first, since Route 53 reads the alarm when the check is made).
   * Insufficient data keeps the last known status: what makes one write durable.
   */
  public static healthCheck(scope: Construct, id: string, gate: { readonly alarmName: string; readonly alarmRegion: string }): AlarmHealthCheck {
    return new AlarmHealthCheck(scope, id, {
      alarm: cloudwatch.Alarm.fromAlarmName(scope, `${id}Alarm`, gate.alarmName),
      alarmRegion: gate.alarmRegion,
      insufficientDataHealthStatus: route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS,
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
    this.namespace = trafficGateNamespace(props.strategyName);
    this.alarmName = TrafficGate.alarmNameOf(props.strategyName, props.gatedRegion, stack.region);
    this.alarm = new cloudwatch.Alarm(this, 'Alarm', {
      alarmName: this.alarmName,
      alarmDescription: `Traffic gate of ${props.gatedRegion} for ${props.strategyName}, held in ${stack.region}: ALARM keeps ${props.gatedRegion} out of DNS. Written by the runbooks; never edit by hand in an incident without reading docs/runbooks.md.`,
      metric: new cloudwatch.Metric({
        namespace: this.namespace,
        metricName: TRAFFIC_GATE_METRIC.metricName,
        dimensionsMap: { Strategy: props.strategyName, Region: props.gatedRegion },
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // The alarm's state is the last value written (runbooks read it); Route 53 reads the
      // data stream itself, with LastKnownStatus when the stream is silent.
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });
    acknowledgeNagFinding(this.alarm, 'RES-CW1', 'A traffic gate is a switch the runbooks set and Route 53 reads; the runbook that moves it reports the move, so the alarm itself pages nobody.');
  }
}
