import { Construct } from 'constructs';
import { FailoverRecords } from '../routing/failover-records';
import { DrStrategy, DrStrategyProps } from './strategy';

/** Props for {@link PilotLight}. */
export interface PilotLightProps extends DrStrategyProps {
  /**
   * Instances the recovery Region runs while it stands by.
   * @default 0
   */
  readonly standbyCapacity?: number;
}

/**
 * Pilot light: the data is replicated (a headless Aurora global secondary, or an RDS
 * cross-Region read replica); the recovery Region's compute is at 0 and scaled up on
 * failover. RPO seconds to minutes, RTO tens of minutes, the lowest standby cost.
 */
export class PilotLight extends DrStrategy {
  /** The failover records. */
  public readonly dns: FailoverRecords;

  constructor(scope: Construct, id: string, props: PilotLightProps) {
    super(scope, id, 'pilot-light', props);
    this.dns = this.buildActivePassive(props.standbyCapacity ?? 0, true);
  }
}
