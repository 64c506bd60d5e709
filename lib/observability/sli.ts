import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { ROUTE53_METRICS_REGION } from '../routing/endpoint-health-check';
import type { TenantApi } from '../tenancy/tenant-api';
import type { WebTier } from '../tiers/web-tier';

/** Props of a ratio SLI: bad or good events over all events, all counted with `Sum`. */
export interface RatioSliProps {
  /** All events (requests), e.g. ALB `RequestCount` with `Sum`. */
  readonly total: cloudwatch.IMetric;
  /**
   * Bad events, e.g. ALB `HTTPCode_Target_5XX_Count` with `Sum`. Give `bad` or `good`.
   * @default - none
   */
  readonly bad?: cloudwatch.IMetric;
  /**
   * Good events. Give `bad` or `good`.
   * @default - none
   */
  readonly good?: cloudwatch.IMetric;
  /**
   * What the SLI measures, for alarm descriptions and the dashboard.
   * @default 'good events / all events'
   */
  readonly description?: string;
}

/** Props of a latency SLI: the share of requests answered within a threshold. */
export interface LatencySliProps {
  /**
   * A latency metric that CloudWatch keeps per request (it supports percentiles), e.g.
   * ALB `TargetResponseTime` (seconds) or API Gateway `Latency` (milliseconds). Its
   * statistic is replaced: `TC(:threshold)` counts the requests at or under the
   * threshold, `SampleCount` all of them.
   */
  readonly metric: cloudwatch.Metric;
  /** The threshold, in the metric's unit (for example 0.3 for 300 ms of `TargetResponseTime`). */
  readonly threshold: number;
  /**
   * What the SLI measures.
   * @default 'requests within <threshold>'
   */
  readonly description?: string;
}

/** A problem an SLI found in its own input, reported by the SLO that uses it. */
export interface SliProblem {
  readonly code: string;
  readonly prop: string;
  readonly value: unknown;
  readonly message: string;
  readonly fix: string;
}

/**
 * A service level indicator: the ratio of bad events to all events, as CloudWatch metric
 * math. The SLO evaluates it over each alarm window by overriding the metrics' period, so
 * the ratio over a window is sum(bad) / sum(total) over that window, never an average of
 * ratios.
 */
export class Sli {
  /** Bad or good events over all events. */
  public static ratio(props: RatioSliProps): Sli {
    const problems: SliProblem[] = [];
    if ((props.bad === undefined) === (props.good === undefined)) {
      problems.push({ code: 'SLI_RATIO', prop: 'sli', value: props.bad ? 'bad and good' : 'neither bad nor good', message: 'a ratio SLI counts bad events or good events', fix: 'pass exactly one of bad or good, with total' });
    }
    const events = props.bad ?? props.good;
    const periods = [props.total, events].filter((m): m is cloudwatch.IMetric => m !== undefined).map(metricPeriod);
    if (periods.every((p) => p !== undefined) && new Set(periods).size > 1) {
      problems.push({
        code: 'SLI_PERIOD',
        prop: 'sli',
        value: periods.map((p) => `${p} s`).join(' vs '),
        message: 'the SLI\'s metrics have different periods, so their ratio compares unequal spans of time',
        fix: 'give every metric of the SLI the same period (the SLO then sets it per alarm window)',
      });
    }
    const using: Record<string, cloudwatch.IMetric> = { total: props.total };
    let bad: string;
    if (props.bad) {
      using.bad = props.bad;
      bad = 'FILL(bad, 0)';
    } else {
      using.good = props.good!;
      bad = 'total - FILL(good, 0)';
    }
    return new Sli(props.description ?? 'good events / all events', using, bad, 'total', problems);
  }

  /** Requests answered within a latency threshold, over all requests. */
  public static latency(props: LatencySliProps): Sli {
    const problems: SliProblem[] = [];
    if (!(props.threshold > 0)) {
      problems.push({ code: 'SLI_LATENCY_THRESHOLD', prop: 'sli.threshold', value: props.threshold, message: 'a latency threshold must be above 0', fix: 'pass the threshold in the metric\'s unit, e.g. 0.3 for 300 ms of TargetResponseTime' });
    }
    const fast = props.metric.with({ statistic: `TC(:${props.threshold})` });
    const all = props.metric.with({ statistic: cloudwatch.Stats.SAMPLE_COUNT });
    return new Sli(props.description ?? `requests within ${props.threshold}`, { total: all, fast }, 'total - FILL(fast, 0)', 'total', problems);
  }

  /** A web tier's availability: 5xx from the load balancer or the targets over all requests. */
  public static webTierAvailability(web: WebTier): Sli {
    const lb = web.alb;
    const sum = { statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) };
    return new Sli(
      `${web.node.path}: requests answered without a 5xx`,
      {
        total: lb.metrics.requestCount(sum),
        elb5xx: lb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, sum),
        target5xx: lb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, sum),
      },
      'FILL(elb5xx, 0) + FILL(target5xx, 0)',
      'total',
      [],
    );
  }

  /** A web tier's latency: requests whose target answered within `threshold`. */
  public static webTierLatency(web: WebTier, threshold: Duration): Sli {
    const s = Sli.latency({ metric: web.targetGroup.metrics.targetResponseTime({ period: Duration.minutes(1) }), threshold: threshold.toMilliseconds() / 1000 });
    return new Sli(`${web.node.path}: requests answered within ${threshold.toHumanString()}`, s.usingMetrics, s.badExpression, s.totalExpression, s.problems);
  }

  /** A tenant API's availability: 5xx over all requests (API Gateway `5XXError` / `Count`). */
  public static tenantApiAvailability(api: TenantApi): Sli {
    const sum = { statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) };
    return new Sli(`${api.node.path}: requests answered without a 5xx`, { total: api.api.metricCount(sum), bad5xx: api.api.metricServerError(sum) }, 'FILL(bad5xx, 0)', 'total', []);
  }

  /** A tenant API's latency: requests answered within `threshold` (API Gateway `Latency`). */
  public static tenantApiLatency(api: TenantApi, threshold: Duration): Sli {
    const s = Sli.latency({ metric: api.api.metricLatency({ period: Duration.minutes(1) }), threshold: threshold.toMilliseconds() });
    return new Sli(`${api.node.path}: requests answered within ${threshold.toHumanString()}`, s.usingMetrics, s.badExpression, s.totalExpression, s.problems);
  }

  /**
   * The time a Route 53 health check reads healthy: `HealthCheckStatus` (1 healthy, 0
   * not) over its samples. Route 53 publishes the metric in us-east-1 only, and an alarm
   * cannot read another Region's metrics, so an SLO on it must live in a us-east-1 stack.
   */
  public static healthCheck(healthCheckId: string, description?: string): Sli {
    const metric = (statistic: string): cloudwatch.Metric =>
      new cloudwatch.Metric({ namespace: 'AWS/Route53', metricName: 'HealthCheckStatus', dimensionsMap: { HealthCheckId: healthCheckId }, statistic, period: Duration.minutes(1), region: ROUTE53_METRICS_REGION });
    return new Sli(description ?? `health check ${Token.isUnresolved(healthCheckId) ? '' : healthCheckId} reads healthy`.replace('  ', ' '), { total: metric(cloudwatch.Stats.SAMPLE_COUNT), up: metric(cloudwatch.Stats.SUM) }, 'total - FILL(up, 0)', 'total', [], ROUTE53_METRICS_REGION);
  }

  private constructor(
    /** What the SLI measures. */
    public readonly description: string,
    /** The metrics, by the id the expressions use. */
    public readonly usingMetrics: Record<string, cloudwatch.IMetric>,
    /** Metric math counting bad events. */
    public readonly badExpression: string,
    /** Metric math counting all events. */
    public readonly totalExpression: string,
    /** Problems found in the input; the SLO reports them as a ResilienceError. */
    public readonly problems: SliProblem[],
    /** The only Region an alarm on it can live in, when its metrics exist in one Region. */
    public readonly requiredRegion?: string,
  ) {}

  /**
   * The ratio of bad events to all events over `window` (0 when there was no traffic).
   * `idSuffix` renames the metric ids, so several windows can share one graph.
   */
  public errorRatio(window: Duration, label?: string, idSuffix = ''): cloudwatch.MathExpression {
    const e = this.expressions(idSuffix, window);
    return new cloudwatch.MathExpression({
      expression: `IF(${e.total} > 0, (${e.bad}) / (${e.total}), 0)`,
      usingMetrics: e.usingMetrics,
      period: window,
      label: label ?? `error ratio (${window.toHumanString()})`,
    });
  }

  /**
   * The bad and total expressions and their metrics, with every metric id suffixed and,
   * when `period` is given, every metric set to that period.
   */
  public expressions(idSuffix = '', period?: Duration): { readonly bad: string; readonly total: string; readonly usingMetrics: Record<string, cloudwatch.IMetric> } {
    const ids = Object.keys(this.usingMetrics);
    const rename = (expr: string): string => (idSuffix ? expr.replace(new RegExp(`\\b(${ids.join('|')})\\b`, 'g'), `$1${idSuffix}`) : expr);
    return {
      bad: rename(this.badExpression),
      total: rename(this.totalExpression),
      usingMetrics: Object.fromEntries(Object.entries(this.usingMetrics).map(([id, m]) => [`${id}${idSuffix}`, period && m instanceof cloudwatch.Metric ? m.with({ period }) : m])),
    };
  }
}

function metricPeriod(m: cloudwatch.IMetric): number | undefined {
  return m.toMetricConfig().metricStat?.period.toSeconds();
}
