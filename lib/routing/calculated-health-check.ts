import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { Validator } from '../core/validation';

/** Something with a Route 53 health check id. */
export interface HealthCheckLike {
  /** The health check id. */
  readonly healthCheckId: string;
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
  }
}
