import { Duration } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { Validator } from '../core/validation';

/** How long a health check takes to read unhealthy once what it watches has failed. */
export interface HealthCheckDetection {
  /** The time from the failure to the health check's status changing. */
  readonly time: Duration;
  /** How the time follows from the check's configuration, for reports. */
  readonly formula: string;
}

/** Something with a Route 53 health check id. */
export interface HealthCheckLike {
  /** The health check id. */
  readonly healthCheckId: string;
  /**
   * How long the check takes to read unhealthy after a failure, when it can be known
   * from its configuration.
   * @default - unknown
   */
  readonly detection?: HealthCheckDetection;
}

/** Props for {@link CalculatedHealthCheck}. */
export interface CalculatedHealthCheckProps {
  /** The child health checks (1-256). */
  readonly children: HealthCheckLike[];
  /**
   * How many children must be healthy for the parent to be healthy.
   * @default - all of them
   */
  readonly healthThreshold?: number;
  /**
   * Report healthy when unhealthy and the reverse.
   * @default false
   */
  readonly inverted?: boolean;
}

/**
 * A CALCULATED Route 53 health check: healthy when at least `healthThreshold` of its
 * children are. Use it to combine an endpoint check with an alarm check, or to declare a
 * Region healthy only when all of its tiers are.
 */
export class CalculatedHealthCheck extends Construct {
  /** The health check. */
  public readonly healthCheck: route53.HealthCheck;
  /** Its id. */
  public readonly healthCheckId: string;
  /**
   * The time until enough children read unhealthy to turn the parent unhealthy, when
   * every child's detection is known: with n children and a threshold of h, the
   * (n - h + 1)-th fastest child. Unknown when inverted or when the threshold is 0.
   */
  public readonly detection?: HealthCheckDetection;

  constructor(scope: Construct, id: string, props: CalculatedHealthCheckProps) {
    super(scope, id);
    const v = new Validator(this);
    v.check(props.children.length < 1 || props.children.length > 256, {
      code: 'HC_CALCULATED_CHILDREN',
      prop: 'children',
      value: props.children.length,
      message: 'a calculated health check needs 1-256 children',
      fix: 'pass between 1 and 256 child health checks',
    });
    v.integer('healthThreshold', props.healthThreshold, {
      code: 'HC_CALCULATED_THRESHOLD',
      min: 0,
      max: props.children.length,
      fix: `use 0-${props.children.length} (the number of children)`,
    });
    v.throwIfAny();
    this.healthCheck = new route53.HealthCheck(this, 'Resource', {
      type: route53.HealthCheckType.CALCULATED,
      childHealthChecks: props.children.map((c, i) => route53.HealthCheck.fromHealthCheckId(this, `Child${i}`, c.healthCheckId)),
      healthThreshold: props.healthThreshold ?? props.children.length,
      inverted: props.inverted,
    });
    this.healthCheckId = this.healthCheck.healthCheckId;
    this.detection = calculatedDetection(props.children, props.healthThreshold ?? props.children.length, props.inverted ?? false);
  }
}

/** The detection of a calculated check: the child whose failure takes the healthy count below the threshold. */
function calculatedDetection(children: HealthCheckLike[], threshold: number, inverted: boolean): HealthCheckDetection | undefined {
  if (inverted || threshold === 0 || children.some((c) => c.detection === undefined)) return undefined;
  const times = children.map((c) => c.detection!.time.toSeconds()).sort((a, b) => a - b);
  const failing = children.length - threshold + 1;
  return {
    time: Duration.seconds(times[failing - 1]),
    formula: `calculated: unhealthy once ${failing} of ${children.length} children are (healthy threshold ${threshold}); child detection times ${times.join(', ')} s`,
  };
}
