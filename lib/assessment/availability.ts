import { DatabaseKind } from '../data/database';
import { DrStrategy } from '../dr/strategy';

/** A published AWS service SLA (monthly uptime percentage, as a fraction). */
export interface ServiceSla {
  readonly service: string;
  readonly availability: number;
  readonly source: string;
}

/** The SLAs the availability model composes. */
export const AWS_SLAS = {
  ec2MultiAz: { service: 'Amazon EC2, instances across two or more AZs (Region-level SLA)', availability: 0.9999, source: 'https://aws.amazon.com/compute/sla/' },
  alb: { service: 'Elastic Load Balancing (Application Load Balancer)', availability: 0.9999, source: 'https://aws.amazon.com/elasticloadbalancing/sla/' },
  rdsMultiAz: { service: 'Amazon RDS, Multi-AZ DB instance', availability: 0.9995, source: 'https://aws.amazon.com/rds/sla/' },
  auroraMultiAz: { service: 'Amazon Aurora, Multi-AZ cluster', availability: 0.9999, source: 'https://aws.amazon.com/rds/aurora/sla/' },
  route53: { service: 'Amazon Route 53 (DNS query answers)', availability: 1, source: 'https://aws.amazon.com/route53/sla/' },
} as const satisfies Record<string, ServiceSla>;

/** A composite availability, with its formula and terms. */
export interface AvailabilityEstimate {
  readonly strategy: string;
  readonly availability: number;
  /** The formula, with the terms' names. */
  readonly formula: string;
  readonly terms: ServiceSla[];
  /** Minutes of downtime a month (30 days) the figure allows. */
  readonly downtimeMinutesPerMonth: number;
}

/**
 * The availability the published SLAs support for a strategy's request path:
 * a Region serves when its compute (EC2 across AZs, N+1 per AZ), its load balancer and its
 * database writer are up (series: A = A_ec2 x A_alb x A_db). Active-passive strategies
 * serve from one Region at a time, so failover shortens outages but the SLA figure is one
 * Region's. Active-active Regions are in parallel for the stateless tier
 * (1 - (1 - A_ec2 x A_alb)^2), in series with the one writer database and Route 53.
 */
export function estimateAvailability(strategy: DrStrategy): AvailabilityEstimate {
  const db = strategy.globalDatabase || strategy.database?.kind === DatabaseKind.AURORA ? AWS_SLAS.auroraMultiAz : AWS_SLAS.rdsMultiAz;
  const web = AWS_SLAS.ec2MultiAz.availability * AWS_SLAS.alb.availability;
  const terms: ServiceSla[] = [AWS_SLAS.route53, AWS_SLAS.ec2MultiAz, AWS_SLAS.alb, db];
  let availability: number;
  let formula: string;
  if (strategy.kind === 'active-active') {
    availability = AWS_SLAS.route53.availability * (1 - (1 - web) ** 2) * db.availability;
    formula = 'A = A_route53 x (1 - (1 - A_ec2 x A_alb)^2) x A_db';
  } else {
    availability = AWS_SLAS.route53.availability * web * db.availability;
    formula = 'A = A_route53 x A_ec2 x A_alb x A_db';
  }
  return { strategy: strategy.strategyName, availability, formula, terms, downtimeMinutesPerMonth: (1 - availability) * 30 * 24 * 60 };
}
