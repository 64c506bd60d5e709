import { DatabaseKind } from '../data/database';
import { DrStrategy } from '../dr/strategy';
import { WebTier } from '../tiers/web-tier';

/** A published AWS service SLA (monthly uptime percentage, as a fraction). */
export interface ServiceSla {
  readonly service: string;
  readonly availability: number;
  readonly source: string;
}

/** The SLAs the availability model composes. */
export const AWS_SLAS = {
  ec2Instance: { service: 'Amazon EC2, one instance (Instance-level SLA), taken as one AZ\'s share of a tier', availability: 0.995, source: 'https://aws.amazon.com/compute/sla/' },
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

/** The number of AZs a web tier can lose and still run its declared capacity. */
export function spareAzs(web: WebTier): number {
  const plan = web.capacityPlan;
  const perLostAz = Math.ceil(plan.groupMin / plan.azCount);
  let s = 0;
  while (s + 1 < plan.azCount && plan.groupMin - (s + 1) * perLostAz >= plan.declaredMin) s++;
  return s;
}

const choose = (n: number, k: number): number => (k === 0 ? 1 : (n * choose(n - 1, k - 1)) / k);

/**
 * A web tier's compute availability, as the AWS guidance treats redundancy ("Availability
 * and Beyond", availability with redundancy, equation 6): n AZs of which s are spare fail
 * only when s + 1 fail, so A = 1 - C(n, s+1) x (1 - a)^(s+1), with a the per-AZ figure
 * (the EC2 Instance-level SLA). A tier sized N+1 over two AZs gets 1 - (1 - a)^2; one that
 * needs every AZ (no spare) is down, for its declared capacity, when any AZ is. The result
 * is capped at the EC2 Region-level SLA: AZs are not fully independent.
 */
export function webTierAvailability(web: WebTier): ServiceSla {
  const n = web.capacityPlan.azCount;
  const s = spareAzs(web);
  const a = AWS_SLAS.ec2Instance.availability;
  const zonal = 1 - choose(n, s + 1) * (1 - a) ** (s + 1);
  const cap = AWS_SLAS.ec2MultiAz.availability;
  const availability = n >= 2 ? Math.min(zonal, cap) : a;
  const formula = n >= 2 ? `min(1 - C(${n},${s + 1}) x (1 - ${a})^${s + 1}, ${cap})` : `one AZ: ${a}`;
  return {
    service: `EC2 web tier ${web.node.path}: ${n} AZ(s), ${s} spare (${s > 0 ? `N+${s}` : 'no AZ to spare'}); A_ec2 = ${formula}`,
    availability,
    source: `https://docs.aws.amazon.com/whitepapers/latest/availability-and-beyond-improving-resilience/availability-with-redundancy.html; ${AWS_SLAS.ec2Instance.source}`,
  };
}

/**
 * The availability the published SLAs support for a strategy's request path:
 * a Region serves when its compute (EC2 across AZs, see {@link webTierAvailability}), its
 * load balancer and its database writer are up (series: A = A_ec2 x A_alb x A_db).
 * Active-passive strategies serve from one Region at a time, so failover shortens outages
 * but the SLA figure is the primary Region's. Active-active Regions are in parallel for
 * the stateless tier (1 - (1 - A_ec2,1 x A_alb)(1 - A_ec2,2 x A_alb)), in series with the
 * one writer database and Route 53.
 */
export function estimateAvailability(strategy: DrStrategy): AvailabilityEstimate {
  const db = strategy.globalDatabase || strategy.database?.kind === DatabaseKind.AURORA ? AWS_SLAS.auroraMultiAz : AWS_SLAS.rdsMultiAz;
  const primary = webTierAvailability(strategy.primary.web);
  let availability: number;
  let formula: string;
  let terms: ServiceSla[];
  if (strategy.kind === 'active-active') {
    const recovery = webTierAvailability(strategy.recovery.web);
    const down = (1 - primary.availability * AWS_SLAS.alb.availability) * (1 - recovery.availability * AWS_SLAS.alb.availability);
    availability = AWS_SLAS.route53.availability * (1 - down) * db.availability;
    formula = 'A = A_route53 x (1 - (1 - A_ec2,1 x A_alb) x (1 - A_ec2,2 x A_alb)) x A_db';
    terms = [AWS_SLAS.route53, primary, recovery, AWS_SLAS.alb, db];
  } else {
    availability = AWS_SLAS.route53.availability * primary.availability * AWS_SLAS.alb.availability * db.availability;
    formula = 'A = A_route53 x A_ec2 x A_alb x A_db';
    terms = [AWS_SLAS.route53, primary, AWS_SLAS.alb, db];
  }
  return { strategy: strategy.strategyName, availability, formula, terms, downtimeMinutesPerMonth: (1 - availability) * 30 * 24 * 60 };
}
