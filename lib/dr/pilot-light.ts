import { Construct } from 'constructs';
import { FailoverRecords } from '../routing/failover-records';
import { RecordEndpoint } from '../routing/record-endpoint';
import { DrStrategy, DrStrategyProps, StrategySite } from './strategy';
import { healthCheckAlarms } from './strategy-helpers';

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
    const primaryCidr = props.primary.cidr ?? '10.0.0.0/16';
    const recoveryCidr = props.recovery.cidr ?? '10.1.0.0/16';
    const p = this.buildSite(this.primaryStack, props.primary, recoveryCidr, primaryCidr);
    const r = this.buildSite(this.recoveryStack, props.recovery, primaryCidr, recoveryCidr, props.standbyCapacity ?? 0);
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
    this.buildData(true);
    this.buildRunbooks();
  }
}
