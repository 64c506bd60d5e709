import { Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Validator } from '../core/validation';
import { HostedZoneReference, qualifiedName } from './hosted-zone';
import { RoutingPolicy } from './record-registry';
import { FailoverRole, RegionalEndpointOptions, RegionalRecord } from './regional-record';

/** Props for {@link FailoverRecords}. */
export interface FailoverRecordsProps {
  /** The hosted zone (public or private), by id and name. */
  readonly zone: HostedZoneReference;
  /** Record name, relative to the zone (`shop`) or fully qualified. */
  readonly recordName: string;
  /** The PRIMARY Region's endpoint: this construct's stack. */
  readonly primary: RegionalEndpointOptions;
  /**
   * For alias records: answer only while the target is healthy.
   * @default true
   */
  readonly evaluateTargetHealth?: boolean;
}

/**
 * An active-passive pair of Route 53 failover records: PRIMARY in this (the primary
 * Region's) stack, SECONDARY in the recovery Region's stack through `addSecondary`. Each
 * owns its record and its health check in the shared hosted zone; the two agree on name,
 * type and set identifiers, and nothing references across Regions.
 *
 * Route 53 answers PRIMARY while its health check passes, and SECONDARY otherwise: a data
 * plane decision, with no API call to the Route 53 control plane (us-east-1).
 */
export class FailoverRecords extends Construct {
  /** The PRIMARY record. */
  public readonly primary: RegionalRecord;
  /** The SECONDARY record, once added. */
  public secondary?: RegionalRecord;
  /** The fully qualified name. */
  public readonly domainName: string;

  private readonly props: FailoverRecordsProps;

  constructor(scope: Construct, id: string, props: FailoverRecordsProps) {
    super(scope, id);
    this.props = props;
    this.domainName = qualifiedName(props.recordName, props.zone.zoneName);
    this.primary = new RegionalRecord(this, 'Primary', {
      ...props.primary,
      zone: props.zone,
      recordName: props.recordName,
      policy: RoutingPolicy.FAILOVER,
      failoverRole: FailoverRole.PRIMARY,
      evaluateTargetHealth: props.evaluateTargetHealth,
    });
  }

  /** Add the SECONDARY record in the recovery Region's stack (`scope`). */
  public addSecondary(scope: Construct, id: string, options: RegionalEndpointOptions): RegionalRecord {
    const v = new Validator(this);
    v.check(this.secondary !== undefined, {
      code: 'DNS_FAILOVER_PAIR',
      prop: `addSecondary(${id})`,
      value: this.secondary?.node.path,
      message: 'a failover pair has exactly one SECONDARY',
      fix: 'add the secondary once; for more Regions use ActiveActiveRecords',
    });
    const here = Stack.of(this).region;
    const there = Stack.of(scope).region;
    v.check(!Token.isUnresolved(here) && here === there, {
      code: 'DNS_FAILOVER_PAIR',
      prop: `addSecondary(${id}).scope`,
      value: there,
      message: 'the SECONDARY is in the same Region as the PRIMARY, so a Region failure takes both',
      fix: "add the secondary in the recovery Region's stack",
    });
    v.check(options.endpoint.recordType !== this.props.primary.endpoint.recordType, {
      code: 'DNS_RECORD_TYPE_MISMATCH',
      prop: `addSecondary(${id}).endpoint`,
      value: options.endpoint.recordType,
      message: `the PRIMARY is a ${this.props.primary.endpoint.recordType} record; both records of a failover pair must have the same name and type`,
      fix: 'point both Regions at the same kind of target (both load balancers, both API domains)',
    });
    v.throwIfAny();
    this.secondary = new RegionalRecord(scope, id, {
      ...options,
      zone: this.props.zone,
      recordName: this.props.recordName,
      policy: RoutingPolicy.FAILOVER,
      failoverRole: FailoverRole.SECONDARY,
      evaluateTargetHealth: this.props.evaluateTargetHealth,
    });
    return this.secondary;
  }
}
