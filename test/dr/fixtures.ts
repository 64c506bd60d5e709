/**
 * Runbook configurations for tests: plain values, no constructs (stacks.ts builds those), so the
 * handler tests and the simulated runs do not load aws-cdk-lib.
 */
import { RunbookConfig } from '../../protocol';

export const ACCOUNT = '111111111111';
export const EAST = 'us-east-1';
export const WEST = 'us-west-2';
/** Example name servers of the example zone (the runbooks verify a move by asking them). */
export const NAME_SERVERS = ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.co.uk', 'ns-3.awsdns-03.com', 'ns-4.awsdns-04.net'];

/** The traffic gates of the test strategy `shop` (health-check mode), as the strategies render them. */
export function testGates(): Extract<RunbookConfig['traffic'], { kind: 'health-check' }>['gates'] {
  const alarm = (gated: string, holding: string) => ({ alarmName: `shop-gate-${gated}-in-${holding}` });
  return {
    namespace: 'CdkResilience/TrafficGates/shop',
    metricName: 'Closed',
    alarms: { [EAST]: { [EAST]: alarm(EAST, EAST), [WEST]: alarm(EAST, WEST) }, [WEST]: { [EAST]: alarm(WEST, EAST), [WEST]: alarm(WEST, WEST) } },
    delaySeconds: 90,
  };
}

/** A runbook configuration for tests: concrete strings, no tokens. */
export function testConfig(o: {
  strategy?: RunbookConfig['strategy'];
  database?: 'aurora' | 'aurora-headless' | 'replica' | 'aurora-replica';
  /** Default: health-check, the mode the strategies deploy. */
  traffic?: 'routing-control' | 'health-check';
  direction?: 'failover' | 'failback';
  standbyDesired?: number;
}): RunbookConfig {
  const direction = o.direction ?? 'failover';
  const [source, target] = direction === 'failover' ? [EAST, WEST] : [WEST, EAST];
  const cluster = (region: string, headless: boolean) => ({
    identifier: `shop-${region}`,
    arn: `arn:aws:rds:${region}:${ACCOUNT}:cluster:shop-${region}`,
    headless,
    instanceClass: 'db.r6g.large',
    engine: 'aurora-postgresql',
    availabilityZones: [`${region}a`, `${region}b`, `${region}c`],
  });
  const compute = (region: string) => ({
    region,
    asgName: `shop-web-${region}`,
    // Only the target Region's group is known by ARN (same stack); the source is read through Auto Scaling.
    targetGroupArn: region === target ? `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:targetgroup/shop/abc` : undefined,
    full: { min: 6, max: 12, desired: 6 },
    standby: { min: o.standbyDesired ?? 3, max: 12, desired: o.standbyDesired ?? 3 },
    requiredHealthy: 6,
  });
  const db = o.database ?? 'aurora';
  return {
    strategy: o.strategy ?? 'warm-standby',
    name: 'shop',
    direction,
    targetRegion: target,
    sourceRegion: source,
    database:
      db === 'aurora-replica'
        ? {
            kind: 'aurora-replica',
            source: { region: EAST, identifier: 'orders', arn: `arn:aws:rds:${EAST}:${ACCOUNT}:cluster:orders` },
            replica: { region: WEST, identifier: 'orders-us-west-2', arn: `arn:aws:rds:${WEST}:${ACCOUNT}:cluster:orders-us-west-2` },
          }
        : db === 'replica'
        ? {
            kind: 'rds-replica',
            source: { region: EAST, identifier: 'ledger', arn: `arn:aws:rds:${EAST}:${ACCOUNT}:db:ledger` },
            replica: { region: WEST, identifier: 'ledger-us-west-2', arn: `arn:aws:rds:${WEST}:${ACCOUNT}:db:ledger-us-west-2` },
          }
        : {
            kind: 'aurora-global',
            globalClusterIdentifier: 'shop',
            clusters: { [EAST]: cluster(EAST, false), [WEST]: cluster(WEST, db === 'aurora-headless') },
          },
    compute: { source: compute(source), target: compute(target) },
    traffic:
      (o.traffic ?? 'health-check') === 'routing-control'
        ? {
            kind: 'routing-control',
            controls: { [EAST]: `arn:aws:route53-recovery-control::${ACCOUNT}:controlpanel/p/routingcontrol/east`, [WEST]: `arn:aws:route53-recovery-control::${ACCOUNT}:controlpanel/p/routingcontrol/west` },
            endpointsParameter: { name: '/cdk-resilience/routing-controls/shop', region: WEST },
          }
        : {
            kind: 'health-check',
            detectionSeconds: 30,
            gates: testGates(),
            dns: {
              nameServers: NAME_SERVERS,
              statusRecords: { [EAST]: `_status.${EAST}.shop.example.com`, [WEST]: `_status.${WEST}.shop.example.com` },
              fenceRecords: { [EAST]: `_fence.${EAST}.shop.example.com`, [WEST]: `_fence.${WEST}.shop.example.com` },
              ttlSeconds: 60,
            },
          },
    lock: { tableName: 'shop-runbook-lock', leaseSeconds: 300 },
    maxPlannedLagSeconds: 5,
    notifyTopicArn: `arn:aws:sns:${target}:${ACCOUNT}:shop-runbook`,
    metricsNamespace: 'CdkResilience',
    sourceCallTimeoutMs: 10_000,
  };
}
