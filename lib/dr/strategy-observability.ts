import { Duration } from 'aws-cdk-lib';
import { Sli } from '../observability/sli';
import { Slo } from '../observability/slo';
import { StrategyDashboard } from '../observability/strategy-dashboard';
import { CrossRegionReadReplica } from '../data/cross-region-read-replica';
import { GlobalDatabaseSecondary } from '../data/global-database-secondary';
import { Runbook } from './runbook';
import type { StrategySite } from './strategy-site';

/** The SLOs every strategy sets on its entry tier (the web tier) in each Region. */
export interface StrategySlo {
  /**
   * Availability objective: percent of requests answered without a 5xx.
   * @default 99.9
   */
  readonly availability?: number;
  /**
   * Latency objective: percent of requests whose target answers within `threshold`, or
   * false for none.
   * @default - 99 % within 1 second (the web tier's p99 alarm threshold)
   */
  readonly latency?: { readonly threshold: Duration; readonly objective: number } | false;
  /**
   * The SLO window.
   * @default Duration.days(30)
   */
  readonly window?: Duration;
}

/** One Region's SLOs and dashboard. */
export interface SiteObservability {
  /** The entry tier's SLOs: availability, then latency (unless turned off). */
  readonly slos: Slo[];
  /** The Region's dashboard. */
  readonly dashboard: StrategyDashboard;
}

/** What a strategy's observability is built from. */
export interface StrategyObservabilityInput {
  /** The strategy's short name (SLO and dashboard names). */
  readonly strategyName: string;
  /** The strategy kind (the dashboard title). */
  readonly kind: string;
  readonly primary: StrategySite;
  readonly recovery: StrategySite;
  /** Aurora global secondaries, shown on both dashboards. */
  readonly globalDatabaseSecondaries: GlobalDatabaseSecondary[];
  /** RDS cross-Region replicas, shown on both dashboards. */
  readonly replicas: CrossRegionReadReplica[];
  /** The strategy's runbooks, shown on both dashboards. */
  readonly runbooks: Runbook[];
}

/**
 * SLOs on each Region's web tier (pages and tickets go to the Region's alerts topic) and a
 * dashboard per Region, named `<strategy>-<region>`.
 */
export function buildStrategyObservability(strategy: StrategyObservabilityInput, options: StrategySlo = {}): Record<'primary' | 'recovery', SiteObservability> {
  const build = (site: StrategySite, role: string): SiteObservability => {
    const region = site.stack.region;
    const common = { window: options.window, page: { topic: site.topic } };
    const slos = [
      new Slo(site.stack, 'AvailabilitySlo', { ...common, sli: Sli.webTierAvailability(site.web), objective: options.availability ?? 99.9, name: `${strategy.strategyName}-${region}-availability` }),
    ];
    const latency = options.latency === undefined ? { threshold: Duration.seconds(1), objective: 99 } : options.latency;
    if (latency) {
      slos.push(new Slo(site.stack, 'LatencySlo', { ...common, sli: Sli.webTierLatency(site.web, latency.threshold), objective: latency.objective, name: `${strategy.strategyName}-${region}-latency` }));
    }
    const dashboard = new StrategyDashboard(site.stack, 'Dashboard', {
      dashboardName: `${strategy.strategyName}-${region}`,
      title: `${strategy.strategyName} (${strategy.kind}): ${role} Region`,
      web: site.web,
      records: [site.record],
      globalDatabaseSecondaries: strategy.globalDatabaseSecondaries,
      replicas: strategy.replicas,
      runbooks: strategy.runbooks,
      slos,
    });
    return { slos, dashboard };
  };
  return { primary: build(strategy.primary, 'primary'), recovery: build(strategy.recovery, 'recovery') };
}
