import { Construct } from 'constructs';
import { FailoverRecords } from '../routing/failover-records';
import { RecordEndpoint } from '../routing/record-endpoint';
import { DrStrategy, DrStrategyProps, StrategySite } from './strategy';
import { healthCheckAlarms } from './strategy-helpers';

/** Props for {@link WarmStandby}. */
export interface WarmStandbyProps extends DrStrategyProps {
  /**
   * Run the recovery Region at full capacity: no scaling on failover (statically stable),
   * at the cost of a second full fleet.
   * @default false
   */
  readonly hotStandby?: boolean;
  /**
   * Instances the recovery Region runs while it stands by (ignored with `hotStandby`).
   * @default - one per AZ
   */
  readonly standbyCapacity?: number;
}

/**
 * Warm standby: data replicated by an Aurora global database (RPO seconds); the recovery
 * Region runs a scaled-down but working copy behind a SECONDARY failover record and is
 * scaled to full on failover (RTO minutes). `hotStandby` keeps it at full capacity.
 */
export class WarmStandby extends DrStrategy {
  /** The failover records. */
  public readonly dns: FailoverRecords;

  constructor(scope: Construct, id: string, props: WarmStandbyProps) {
    super(scope, id, 'warm-standby', props);
    const primaryCidr = props.primary.cidr ?? '10.0.0.0/16';
    const recoveryCidr = props.recovery.cidr ?? '10.1.0.0/16';
    const p = this.buildSite(this.primaryStack, props.primary, recoveryCidr, primaryCidr);
    const standby = props.hotStandby ? undefined : (props.standbyCapacity ?? props.recovery.availabilityZones.length);
    const r = this.buildSite(this.recoveryStack, props.recovery, primaryCidr, recoveryCidr, standby);
    this.dns = new FailoverRecords(this.primaryStack, 'Dns', {
      zone: props.domain,
      recordName: props.domain.recordName,
      primary: { endpoint: RecordEndpoint.loadBalancer(p.web.alb), healthCheck: healthCheckAlarms(this.primaryStack, this.strategyName, this.regions) },
    });
    const secondary = this.dns.addSecondary(this.recoveryStack, 'Dns', {
      endpoint: RecordEndpoint.loadBalancer(r.web.alb),
      healthCheck: healthCheckAlarms(this.recoveryStack, this.strategyName, this.regions),
    });
    this.primary = new StrategySite(p.stack, p.network, p.web, p.topic, this.dns.primary);
    this.recovery = new StrategySite(r.stack, r.network, r.web, r.topic, secondary);
    this.buildData(false);
    this.buildRunbooks();
  }
}
