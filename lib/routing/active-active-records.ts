import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { Validator } from '../core/validation';
import { HostedZoneReference, qualifiedName } from './hosted-zone';
import { RoutingPolicy } from './record-registry';
import { RegionalEndpointOptions, RegionalRecord } from './regional-record';

/** How Route 53 spreads traffic over the active Regions. */
export enum ActiveActivePolicy {
  /** Each client gets the Region with the lowest latency. */
  LATENCY = 'latency',
  /** Traffic is split by weight. */
  WEIGHTED = 'weighted',
  /** Traffic goes by the client's location. */
  GEOLOCATION = 'geolocation',
}

/** One Region of an {@link ActiveActiveRecords} name. */
export interface ActiveActiveRegionOptions extends RegionalEndpointOptions {
  /**
   * Weight 0-255 (WEIGHTED only).
   * @default - none
   */
  readonly weight?: number;
  /**
   * Location served (GEOLOCATION only).
   * @default - none
   */
  readonly geoLocation?: route53.GeoLocation;
}

/** Props for {@link ActiveActiveRecords}. */
export interface ActiveActiveRecordsProps {
  /** The hosted zone, by id and name. */
  readonly zone: HostedZoneReference;
  /** Record name, relative to the zone or fully qualified. */
  readonly recordName: string;
  /**
   * Routing policy.
   * @default ActiveActivePolicy.LATENCY
   */
  readonly policy?: ActiveActivePolicy;
  /**
   * For alias records: answer only while the target is healthy.
   * @default true
   */
  readonly evaluateTargetHealth?: boolean;
}

/**
 * A name served by every active Region: one latency (or weighted, or geolocation) record
 * per Region, each in its own Region's stack with its own health check. When a Region's
 * health check fails, Route 53 withdraws its record and answers with the others.
 */
export class ActiveActiveRecords extends Construct {
  /** The records added so far. */
  public readonly regions: RegionalRecord[] = [];
  /** The fully qualified name. */
  public readonly domainName: string;
  /** The routing policy. */
  public readonly policy: ActiveActivePolicy;

  private readonly props: ActiveActiveRecordsProps;

  constructor(scope: Construct, id: string, props: ActiveActiveRecordsProps) {
    super(scope, id);
    this.props = props;
    this.policy = props.policy ?? ActiveActivePolicy.LATENCY;
    this.domainName = qualifiedName(props.recordName, props.zone.zoneName);
    this.node.addValidation({
      validate: () =>
        this.regions.length < 2
          ? [`[DNS_ACTIVE_ACTIVE_REGIONS] ${this.node.path}: an active-active name needs records in at least 2 Regions (got: ${this.regions.length}). Fix: call addRegion for each Region's stack.`]
          : [],
    });
  }

  /** Add a Region's record, in that Region's stack (`scope`). */
  public addRegion(scope: Construct, id: string, options: ActiveActiveRegionOptions): RegionalRecord {
    const v = new Validator(this);
    v.check(this.policy !== ActiveActivePolicy.WEIGHTED && options.weight !== undefined, {
      code: 'DNS_POLICY_OPTION',
      prop: `addRegion(${id}).weight`,
      value: options.weight,
      message: `weight applies to WEIGHTED records; this name uses ${this.policy}`,
      fix: 'drop weight, or use ActiveActivePolicy.WEIGHTED',
    });
    v.check(this.policy !== ActiveActivePolicy.GEOLOCATION && options.geoLocation !== undefined, {
      code: 'DNS_POLICY_OPTION',
      prop: `addRegion(${id}).geoLocation`,
      value: 'geoLocation',
      message: `geoLocation applies to GEOLOCATION records; this name uses ${this.policy}`,
      fix: 'drop geoLocation, or use ActiveActivePolicy.GEOLOCATION',
    });
    v.throwIfAny();
    const record = new RegionalRecord(scope, id, {
      ...options,
      zone: this.props.zone,
      recordName: this.props.recordName,
      policy: { latency: RoutingPolicy.LATENCY, weighted: RoutingPolicy.WEIGHTED, geolocation: RoutingPolicy.GEOLOCATION }[this.policy],
      evaluateTargetHealth: this.props.evaluateTargetHealth,
    });
    this.regions.push(record);
    return record;
  }
}
