import { Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { Validator } from '../core/validation';

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
    v.throwIfAny();
    this.healthCheck = new route53.HealthCheck(this, 'Resource', {
      type: route53.HealthCheckType.CLOUDWATCH_METRIC,
      alarmIdentifier: { name: props.alarm.alarmName, region },
      insufficientDataHealthStatus: props.insufficientDataHealthStatus ?? route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS,
    });
    this.healthCheckId = this.healthCheck.healthCheckId;
  }
}
