import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ActiveActiveRecords } from '../routing/active-active-records';
import { RecordEndpoint } from '../routing/record-endpoint';
import { DrStrategy, DrStrategyProps, StrategySite } from './strategy';
import { siteHealthCheck } from './strategy-helpers';

/** Props for {@link ActiveActive}. */
export interface ActiveActiveProps extends DrStrategyProps {
  /**
   * Recovery time objective for traffic: how soon clients stop being sent to a failed Region.
   * In active-active that takes the Region's health check and the DNS TTL alone (no person, no
   * runbook); `rto` is then the objective for writes, which wait for the writer's promotion.
   * The assessment holds each figure to its own target.
   * @default - the `rto`
   */
  readonly trafficRto?: Duration;
}

/**
 * Active-active: both Regions serve at full capacity behind latency records, each with its
 * own health check; the Aurora global database has one writer (the primary Region) and
 * the other Region reads (or forwards writes). Failover evacuates a Region: its record is
 * withdrawn, and the writer moves if it was there. RPO near 0, RTO near 0 for reads.
 */
export class ActiveActive extends DrStrategy {
  /** The latency records. */
  public readonly dns: ActiveActiveRecords;
  /** The objective for traffic leaving a failed Region (see {@link ActiveActiveProps.trafficRto}). */
  public readonly trafficRto: Duration;

  constructor(scope: Construct, id: string, props: ActiveActiveProps) {
    super(scope, id, 'active-active', props);
    this.trafficRto = props.trafficRto ?? props.rto;
    const primaryCidr = props.primary.cidr ?? '10.0.0.0/16';
    const recoveryCidr = props.recovery.cidr ?? '10.1.0.0/16';
    const p = this.buildSite(this.primaryStack, props.primary, recoveryCidr, primaryCidr);
    const r = this.buildSite(this.recoveryStack, props.recovery, primaryCidr, recoveryCidr);
    // Both Regions' gates start open: both serve; evacuating one closes its gate.
    const gates = this.buildGates();
    this.dns = new ActiveActiveRecords(this.primaryStack, 'Dns', { zone: props.domain, recordName: props.domain.recordName });
    const pRecord = this.dns.addRegion(this.primaryStack, 'DnsRegion', {
      endpoint: RecordEndpoint.loadBalancer(p.web.alb),
      healthCheck: siteHealthCheck(this.primaryStack, p.web, this.strategyName, this.regions),
      requireHealthChecks: gates.required[this.primaryStack.region],
      statusRecord: true,
      fenceRecord: true,
    });
    const rRecord = this.dns.addRegion(this.recoveryStack, 'DnsRegion', {
      endpoint: RecordEndpoint.loadBalancer(r.web.alb),
      healthCheck: siteHealthCheck(this.recoveryStack, r.web, this.strategyName, this.regions),
      requireHealthChecks: gates.required[this.recoveryStack.region],
      statusRecord: true,
      fenceRecord: true,
    });
    this.primary = new StrategySite(p.stack, p.network, p.web, p.topic, pRecord);
    this.recovery = new StrategySite(r.stack, r.network, r.web, r.topic, rRecord);
    this.buildData(false);
    this.buildRunbooks();
    this.buildObservability();
  }
}
