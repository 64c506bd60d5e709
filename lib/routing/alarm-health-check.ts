import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { Validator } from '../core/validation';
import { HealthCheckDetection } from './calculated-health-check';

/** Props for {@link AlarmHealthCheck}. */
export interface AlarmHealthCheckProps {
  /**
   * The alarm whose state is the health: ALARM is unhealthy. Route 53 reads it from its
   * Region; it must use a standard-resolution metric and a non-percentile statistic.
   */
  readonly alarm: cloudwatch.IAlarm;
  /**
   * Region of the alarm.
   * @default - the stack's Region
   */
  readonly alarmRegion?: string;
  /**
   * Status while the alarm has insufficient data.
   * @default route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS
   */
  readonly insufficientDataHealthStatus?: route53.InsufficientDataHealthStatusEnum;
  /**
   * How long the alarm takes to fire once the failure it watches starts, for the RTO
   * model. Give it for an imported alarm, or to replace the estimate with a measured
   * figure.
   * @default - period x datapoints to alarm, read from the alarm when it is a
   * `cloudwatch.Alarm` of this app; unknown for an imported alarm
   */
  readonly detectionTime?: Duration;
}

/**
 * A Route 53 health check that tracks a CloudWatch alarm: a Region can be withdrawn on
 * what only it can see (a 5xx rate, a queue depth, a replication lag), not just on
 * reachability.
 */
export class AlarmHealthCheck extends Construct {
  /** The health check. */
  public readonly healthCheck: route53.HealthCheck;
  /** Its id. */
  public readonly healthCheckId: string;
  /** How long the check takes to read unhealthy after the failure starts, when known. */
  public readonly detection?: HealthCheckDetection;

  constructor(scope: Construct, id: string, props: AlarmHealthCheckProps) {
    super(scope, id);
    const region = props.alarmRegion ?? Stack.of(this).region;
    const v = new Validator(this);
    v.check(Token.isUnresolved(region), {
      code: 'HC_ALARM_REGION',
      prop: 'alarmRegion',
      value: region,
      message: 'Route 53 needs the Region of the alarm as a literal',
      fix: 'give the stack an env with a region, or pass alarmRegion',
    });
    v.duration('detectionTime', props.detectionTime, { code: 'HC_ALARM_DETECTION', minSeconds: 10, maxSeconds: 86_400 });
    v.throwIfAny();
    this.healthCheck = new route53.HealthCheck(this, 'Resource', {
      type: route53.HealthCheckType.CLOUDWATCH_METRIC,
      alarmIdentifier: { name: props.alarm.alarmName, region },
      insufficientDataHealthStatus: props.insufficientDataHealthStatus ?? route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS,
    });
    this.healthCheckId = this.healthCheck.healthCheckId;
    const insufficient = props.insufficientDataHealthStatus ?? route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS;
    this.detection = props.detectionTime
      ? { time: props.detectionTime, formula: 'alarm: given' }
      : props.alarm instanceof cloudwatch.Alarm
        ? alarmDetection(props.alarm, insufficient === route53.InsufficientDataHealthStatusEnum.UNHEALTHY)
        : undefined;
  }
}

/**
 * How long a persistent failure takes to put an alarm in ALARM: it needs `DatapointsToAlarm`
 * breaching periods (of `EvaluationPeriods`), so period x datapoints to alarm. A Region that
 * fails usually stops publishing the metric: then only missing data treated as breaching
 * (or insufficient data read as unhealthy) detects it, so otherwise the detection is
 * unknown. Undefined also when a value is a token (the model will not guess).
 */
export function alarmDetection(alarm: cloudwatch.Alarm, insufficientIsUnhealthy = false): HealthCheckDetection | undefined {
  const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm;
  const stack = Stack.of(alarm);
  const missing = stack.resolve(cfn.treatMissingData) as string | undefined;
  const seesSilence = missing === 'breaching' || (insufficientIsUnhealthy && (missing === undefined || missing === 'missing'));
  if (!seesSilence) return undefined;
  const evaluation = stack.resolve(cfn.evaluationPeriods);
  const datapoints = stack.resolve(cfn.datapointsToAlarm) ?? evaluation;
  let period = stack.resolve(cfn.period);
  if (period === undefined && Array.isArray(stack.resolve(cfn.metrics))) {
    // A math expression: the expression's period, or its metrics' longest.
    const metrics = stack.resolve(cfn.metrics) as { period?: unknown; metricStat?: { period?: unknown } }[];
    const periods = metrics.map((m) => m.period ?? m.metricStat?.period).filter((p): p is number => typeof p === 'number');
    period = periods.length > 0 ? Math.max(...periods) : undefined;
  }
  if (typeof period !== 'number' || typeof datapoints !== 'number') return undefined;
  return {
    time: Duration.seconds(period * datapoints),
    formula: `alarm: period ${period} s x ${datapoints} datapoint(s) to alarm (of ${evaluation} evaluation periods)`,
  };
}
