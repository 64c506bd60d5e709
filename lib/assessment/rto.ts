import { Duration, Stack } from 'aws-cdk-lib';
import { DNS_TTL_MARGIN_SECONDS, ROUTING_CONTROL_SETTLE_SECONDS, type RunbookConfig } from '../../protocol';
import { ActiveActive } from '../dr/active-active';
import { DrStrategy } from '../dr/strategy';
import { OPERATION_DURATION_SOURCES, OPERATION_DURATIONS, OperationDurations, WORST_CASE_DURATIONS } from './operation-durations';
import { rtoVerdict, Verdict } from './verdict';

/** One term of an estimate: what it is, how long, and where the figure comes from. */
export interface EstimateTerm {
  readonly name: 'detection' | 'decision' | 'runbook' | 'dns-ttl' | 'failover' | 'capacity' | 'target-health';
  /** Seconds in the typical case. */
  readonly seconds: number;
  /** Seconds in the worst case (the operation durations' worst-case table). @default - as `seconds` */
  readonly worstSeconds?: number;
  /** How the term is computed from the design. */
  readonly formula: string;
  /** An AWS document, a cdk-resilience assumption, or a measured drill. */
  readonly source: string;
}

/** A term's seconds in the worst case (a term without its own worst case has one figure). */
export function worstOf(t: EstimateTerm): number {
  return t.worstSeconds ?? t.seconds;
}

/** The typical and worst-case totals of some terms. */
function totals(terms: EstimateTerm[]): { seconds: number; worstSeconds: number } {
  return { seconds: terms.reduce((s, t) => s + t.seconds, 0), worstSeconds: terms.reduce((s, t) => s + worstOf(t), 0) };
}

/** The RTO a strategy can promise, by term. */
export interface RtoEstimate {
  readonly strategy: string;
  readonly targetSeconds: number;
  /** The estimate in the typical case. */
  readonly seconds: number;
  /** The estimate in the worst case: what the target is held to. */
  readonly worstSeconds: number;
  /** Met (the worst case meets the target), at risk (only the typical case does) or missed. */
  readonly verdict: Verdict;
  readonly terms: EstimateTerm[];
  /**
   * Active-active only: how soon traffic leaves a failed Region, on health checks alone (no
   * person, no runbook), against its own target (`ActiveActive.trafficRto`). The figures above
   * are then those of writes, which wait for the writer's promotion.
   */
  readonly traffic?: TrafficRtoEstimate;
  /** The runbook's critical path on the typical and on the worst-case durations. */
  readonly paths: { readonly typical: CriticalPath; readonly worst: CriticalPath };
  /** The largest term in the worst case: the one to reduce first. */
  readonly dominant: EstimateTerm;
  /**
   * Whether the detection term is known. When the primary's health check has no known
   * detection time (an imported alarm, or one that ignores missing data), the estimate
   * leaves detection out, and `enforceObjectives` refuses to call it met.
   */
  readonly detectionKnown: boolean;
  /**
   * Who starts the failover: a person (`manual`, the default), or the strategy's alarm after
   * its confirmation window (`automatic`, `autoFailover`: the data-loss consent given at synth).
   */
  readonly trigger: 'manual' | 'automatic';
}

/** How soon traffic leaves a failed Region of an active-active pair, by term. */
export interface TrafficRtoEstimate {
  readonly targetSeconds: number;
  readonly seconds: number;
  readonly worstSeconds: number;
  readonly verdict: Verdict;
  readonly terms: EstimateTerm[];
}

/** The runbook's critical path: the longest dependency chain of the failover's operations. */
export interface CriticalPath {
  readonly seconds: number;
  /** The database chain: promotion (and a new instance for a headless secondary). */
  readonly database: number;
  /** The compute chain: the recovery group reaching full capacity, if it must scale. */
  readonly compute: number;
  /** The traffic move: the traffic gates (or a routing control) turning in Route 53. */
  readonly traffic: number;
  /** The DNS TTL: success is reported once resolvers can no longer hold the old answer. */
  readonly dns: number;
  /** How the chains combine, in words. */
  readonly formula: string;
  /** What a naive sequential script would take (poll every 30 s, edit records, wait a 60 s TTL). */
  readonly naive: number;
}

/**
 * The unavoidable operation durations along the runbook's dependency graph, for an
 * unplanned failover (`planned`: a switchover). Aurora's managed operations: the database and
 * compute chains run side by side (a switchover waits for compute first), then traffic moves
 * and one DNS TTL passes. A read-replica promotion (with consent) moves traffic first, waits a
 * TTL, stops the source's app tier and lets it drain, then promotes. Everything else a run spends (reads, polling granularity) is overhead.
 */
export function runbookCriticalPath(config: RunbookConfig, d: OperationDurations = OPERATION_DURATIONS, mode: 'planned' | 'unplanned' = 'unplanned'): CriticalPath {
  const db = config.database;
  const compute = config.compute.target.standby.desired < config.compute.target.full.desired ? d.instanceToHealthy : 0;
  // The runbook waits the gates' configured delay, then for what Route 53 is seen answering: the longer of the two.
  const traffic = config.traffic.kind === 'health-check' ? Math.max(config.traffic.gates.delaySeconds, d.trafficGate) : d.routingControlChange;
  // Success waits one TTL and the whole-second margin past the first sight of the move (a routing
  // control, also for Route 53 to follow it): the runbook's own wait (lambda/shared/traffic.ts).
  const ttl = (config.traffic.dns?.ttlSeconds ?? 60) + DNS_TTL_MARGIN_SECONDS;
  const dns = config.traffic.kind === 'health-check' ? ttl : ttl + (config.traffic.delaySeconds ?? ROUTING_CONTROL_SETTLE_SECONDS);
  const poll = (s: number): number => (s === 0 ? 0 : Math.ceil(s / 30) * 30);
  let database: number;
  let seconds: number;
  let formula: string;
  if (db.kind !== 'aurora-global') {
    database = d.replicaPromotion;
    // The source's app tier is stopped and drains before the promotion (it counts when the source answers; a source that is down is skipped).
    seconds = compute + traffic + dns + d.sourceDrain + database + dns;
    formula = `compute ${compute} s + traffic ${traffic} s + TTL ${dns} s + source drain ${d.sourceDrain} s, then promotion ${database} s + TTL ${dns} s (the source is fenced and stopped before the promotion)`;
  } else {
    database = (db.clusters[config.targetRegion].headless ? d.instanceCreate : 0) + (mode === 'planned' ? d.globalSwitchover : d.globalFailover);
    seconds = (mode === 'planned' ? compute + database : Math.max(database, compute)) + traffic + dns;
    formula = mode === 'planned' ? `compute ${compute} s + switchover ${database} s + traffic ${traffic} s + TTL ${dns} s` : `max(database ${database} s, compute ${compute} s) + traffic ${traffic} s + TTL ${dns} s`;
  }
  return { seconds, database, compute, traffic, dns, formula, naive: poll(database) + poll(compute) + 60 + traffic + dns };
}

/** The default time for a person to confirm a Region failure and start the runbook. */
export const DEFAULT_DECISION = Duration.minutes(5);

const ROUTE53_HEALTH_SOURCE = 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html';
const ALIAS_TTL_SOURCE = 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html';
const ALARM_EVALUATION_SOURCE = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation';

/**
 * The RTO of a strategy's failover, from its own configuration: detection (the primary's
 * health check), decision (a person starting the runbook), the runbook's critical path
 * (the same operation durations the runbook simulator uses) and the DNS TTL.
 */
export function estimateRto(strategy: DrStrategy, options: { readonly decision?: Duration } = {}): RtoEstimate {
  // `decision` is a person's time: a strategy with autoFailover has its own (its alarm and window).
  const runbook = strategy.runbook.failover!;
  const config = Stack.of(runbook).resolve(runbook.config) as RunbookConfig;
  const path = runbookCriticalPath(config, OPERATION_DURATIONS);
  const worst = runbookCriticalPath(config, WORST_CASE_DURATIONS);
  // What detects the primary's failure is its endpoint check (the traffic gates only carry decisions).
  const hc = strategy.primary.record.endpointHealthCheck?.detection ?? strategy.primary.record.detection;
  const detection = hc ? hc.time.toSeconds() : 0;
  // An automatic trigger (autoFailover) replaces the person: its alarm's looks and the confirmation window.
  const auto = strategy.autoFailover?.decision;
  const decision = auto ? auto.seconds : (options.decision ?? DEFAULT_DECISION).toSeconds();
  const dbSource = config.database.kind === 'aurora-global' ? OPERATION_DURATION_SOURCES.globalFailover.source : OPERATION_DURATION_SOURCES.replicaPromotion.source;
  const terms: EstimateTerm[] = [
    {
      name: 'detection',
      seconds: detection,
      worstSeconds: detection,
      formula: hc ? `the primary Region's record health check: ${hc.formula}` : 'the primary Region\'s record has no health check with a known detection time',
      source: hc?.formula.startsWith('alarm') ? ALARM_EVALUATION_SOURCE : ROUTE53_HEALTH_SOURCE,
    },
    auto
      ? {
          name: 'decision',
          seconds: auto.seconds,
          worstSeconds: auto.worstSeconds,
          formula: auto.formula,
          source: `the strategy's autoFailover (window and looks as configured); ${ALARM_EVALUATION_SOURCE}`,
        }
      : {
          name: 'decision',
          seconds: decision,
          worstSeconds: decision,
          formula: options.decision ? 'given' : 'default: an on-call engineer confirms the Region failure and starts the runbook',
          source: 'cdk-resilience assumption (5 minutes for a manual trigger); replace with a measured drill',
        },
    {
      name: 'runbook',
      seconds: path.seconds - path.dns,
      worstSeconds: worst.seconds - worst.dns,
      formula: `${path.formula.replace(/ \+ TTL \d+ s$/, '')} (worst case: ${worst.formula.replace(/ \+ TTL \d+ s$/, '')})`,
      source: `${dbSource}; ${OPERATION_DURATION_SOURCES.instanceToHealthy.source}; traffic gates: ${OPERATION_DURATION_SOURCES.trafficGate.source}`,
    },
    {
      name: 'dns-ttl',
      seconds: path.dns,
      worstSeconds: worst.dns,
      formula: `resolvers keep the old answer for the TTL of the alias target (the load balancer DNS name) and, counting whole seconds, ${DNS_TTL_MARGIN_SECONDS} s more; the runbook reports success only after it`,
      source: ALIAS_TTL_SOURCE,
    },
  ];
  const { seconds, worstSeconds } = totals(terms);
  const dominant = terms.reduce((a, b) => (worstOf(b) > worstOf(a) ? b : a));
  const targetSeconds = strategy.objectives.rto.toSeconds();
  const traffic = strategy instanceof ActiveActive ? trafficRto(strategy, terms[0], path.dns) : undefined;
  return {
    strategy: strategy.strategyName,
    targetSeconds,
    seconds,
    worstSeconds,
    verdict: rtoVerdict(seconds, worstSeconds, targetSeconds),
    terms,
    dominant,
    detectionKnown: hc !== undefined,
    traffic,
    paths: { typical: path, worst },
    trigger: auto ? 'automatic' : 'manual',
  };
}

/**
 * Active-active traffic: the failed Region's health check fails, Route 53 stops answering its
 * latency record, and resolvers drop the old answer after the TTL. The other Region already
 * serves at full capacity behind a healthy record, so its health check has nothing to turn.
 */
function trafficRto(strategy: ActiveActive, detection: EstimateTerm, ttl: number): TrafficRtoEstimate {
  const terms: EstimateTerm[] = [
    detection,
    {
      name: 'target-health',
      seconds: 0,
      worstSeconds: 0,
      formula: "the other Region's record is already healthy: it serves at full capacity before the failure",
      source: ROUTE53_HEALTH_SOURCE,
    },
    {
      name: 'dns-ttl',
      seconds: ttl,
      worstSeconds: ttl,
      formula: `resolvers keep the failed Region in their answer for the TTL of the alias target (and ${DNS_TTL_MARGIN_SECONDS} s, counting whole seconds)`,
      source: ALIAS_TTL_SOURCE,
    },
  ];
  const { seconds, worstSeconds } = totals(terms);
  const targetSeconds = strategy.trafficRto.toSeconds();
  return { targetSeconds, seconds, worstSeconds, verdict: rtoVerdict(seconds, worstSeconds, targetSeconds), terms };
}
