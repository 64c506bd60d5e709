import { Construct } from 'constructs';
import { FailoverRecords } from '../routing/failover-records';
import { DrStrategy, DrStrategyProps } from './strategy';

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
    this.dns = this.buildActivePassive(props.hotStandby ? undefined : (props.standbyCapacity ?? props.recovery.availabilityZones.length), false);
  }
}
