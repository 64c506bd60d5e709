import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';

/**
 * An existing hosted zone, by id and name. No lookup: synth needs no AWS account.
 */
export interface HostedZoneReference {
  /** The hosted zone id, e.g. `Z0123456789ABCDEFGHIJ`. */
  readonly hostedZoneId: string;
  /** The zone's domain name, e.g. `example.com`. */
  readonly zoneName: string;
  /**
   * Whether it is a private hosted zone. Private zones do not support health checks on
   * records' endpoints from the internet, but failover and latency records work.
   * @default false
   */
  readonly privateZone?: boolean;
  /**
   * The zone's authoritative name servers (its delegation set), for components that read
   * what Route 53 answers on the data plane (runbooks verify a move with a DNS query).
   * @default - read at deploy with GetHostedZone where a component needs them
   */
  readonly nameServers?: string[];
}

/** Import a {@link HostedZoneReference} into a scope, without a lookup. */
export function importHostedZone(scope: Construct, id: string, ref: HostedZoneReference): route53.IHostedZone {
  return route53.HostedZone.fromHostedZoneAttributes(scope, id, { hostedZoneId: ref.hostedZoneId, zoneName: ref.zoneName });
}

/** The fully qualified name of `recordName` in a zone: `shop` -> `shop.example.com`. */
export function qualifiedName(recordName: string, zoneName: string): string {
  const zone = zoneName.replace(/\.$/, '');
  const name = recordName.replace(/\.$/, '');
  if (name === '' || name === '@') return zone;
  return name === zone || name.endsWith(`.${zone}`) ? name : `${name}.${zone}`;
}
