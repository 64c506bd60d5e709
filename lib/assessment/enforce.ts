import { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { addWarning, WarningId } from '../core/warnings';
import { DrStrategy } from '../dr/strategy';
import { estimateRpo, RpoEstimate } from './rpo';
import { estimateRto, RtoEstimate, worstOf } from './rto';

/** Options of {@link enforceObjectives}. */
export interface EnforceObjectivesOptions {
  /**
   * Time for a person to confirm a failure and start the runbook (a strategy with
   * `autoFailover` has its own decision term: its alarm and window).
   * @default DEFAULT_DECISION (5 minutes)
   */
  readonly decision?: Duration;
  /**
   * The explicit opt-out: report a missed objective as a warning
   * (`cdk-resilience:ObjectiveMissed`) instead of failing synth, with the reason.
   * @default - a missed objective fails synth
   */
  readonly warnOnly?: { readonly reason: string };
}

/** How to reduce the dominant term of an RTO estimate, for this strategy. */
export function rtoAdvice(strategy: DrStrategy, e: RtoEstimate): string {
  const runbook = e.terms.find((t) => t.name === 'runbook')!;
  switch (e.dominant.name) {
    case 'detection':
      return 'lower the health-check request interval to 10 s (fast health checks) or its failure threshold';
    case 'decision':
      return strategy.autoFailover
        ? "shorten autoFailover's confirmation window or its evaluationPeriods"
        : "opt into autoFailover (an alarm-triggered failover: its decision is the alarm's looks plus a confirmation window), or pass the decision time your on-call measures";
    case 'dns-ttl':
      return 'lower the TTL of the records that move traffic';
    default:
      if (strategy.kind === 'pilot-light' && strategy.globalDatabase) return `use WarmStandby: a secondary that already has an instance and standby compute (${runbook.formula})`;
      if (strategy.replica) return `use an Aurora engine: a global database promotes in about a minute instead of a replica promotion (${runbook.formula})`;
      // Advice that would not change the worst case is no advice: say what bounds it.
      if (e.paths.worst.compute > e.paths.worst.database) return `use WarmStandby with hotStandby: true, so the recovery Region needs no scale-out (${runbook.formula})`;
      return `the Aurora global promotion bounds the worst case (${e.paths.worst.database} s, a public measurement of a full Region failover) and no design change shortens it: ${strategy.autoFailover ? 'shorten the confirmation window' : 'make the decision term smaller and independent of who is on call with autoFailover'}, or set the target from what your drills measure`;
  }
}

function rtoMessage(strategy: DrStrategy, e: RtoEstimate): string {
  const terms = e.terms.map((t) => `${t.name} ${t.seconds}${worstOf(t) !== t.seconds ? `-${worstOf(t)}` : ''} s`).join(' + ');
  const what =
    e.verdict === 'missed'
      ? `RTO estimate ${e.seconds} s (typical; worst case ${e.worstSeconds} s) exceeds the target ${e.targetSeconds} s`
      : `RTO at risk: the typical estimate ${e.seconds} s meets the target ${e.targetSeconds} s, the worst case ${e.worstSeconds} s does not`;
  const dominant = worstOf(e.dominant);
  return `${what} (${terms}); the dominant term is ${e.dominant.name} (${dominant} s in the worst case: ${e.dominant.formula}). To reduce it: ${rtoAdvice(strategy, e)}.`;
}

function rpoMessage(e: RpoEstimate): string {
  const fix = e.bounded ? 'lower managedRpo' : 'use an Aurora PostgreSQL global database with managedRpo at or under the target (Aurora then blocks commits rather than lag more)';
  if (e.verdict === 'unbounded') return `RPO unbounded: typically ${e.seconds} s against the target ${e.targetSeconds} s, but nothing bounds it (${e.formula}). To bound it: ${fix}.`;
  return `RPO estimate ${e.seconds} s exceeds the target ${e.targetSeconds} s (${e.formula}). To reduce it: ${e.bounded ? fix : `${fix}, or lower the replica lag threshold`}.`;
}

/**
 * Hold every DR strategy under `scope` to its declared `rto` and `rpo`, at synth:
 *
 * - missed (even the typical case exceeds the target): synth fails with a message naming the
 *   dominant term and how to reduce it (or warns `cdk-resilience:ObjectiveMissed`, with
 *   `warnOnly`);
 * - at risk (only the typical case meets the RTO target), or an RPO nothing bounds: a warning
 *   on the strategy's failover runbook (in the recovery stack), one id per risk:
 *   `cdk-resilience:ObjectiveAtRisk` (the RTO; writes in active-active),
 *   `cdk-resilience:TrafficObjectiveAtRisk` (active-active traffic) and
 *   `cdk-resilience:RpoUnbounded`. Acknowledge it on `strategy.recoveryStack` (an ancestor:
 *   aws-cdk-lib checks a later warning against its construct's ancestors only), with the
 *   reason, to accept that risk and only that one.
 *
 * Call it after the strategies are built.
 */
export function enforceObjectives(scope: IConstruct, options: EnforceObjectivesOptions = {}): DrStrategy[] {
  const strategies = scope.node.findAll().filter((c): c is DrStrategy => c instanceof DrStrategy);
  for (const strategy of strategies) {
    strategy.node.addValidation({
      validate: () => {
        const problems: string[] = [];
        const risks: [WarningId, string][] = [];
        const rto = estimateRto(strategy, { decision: options.decision });
        if (rto.verdict === 'missed') problems.push(rtoMessage(strategy, rto));
        if (rto.verdict === 'at-risk') risks.push([WarningId.OBJECTIVE_AT_RISK, rtoMessage(strategy, rto)]);
        if (rto.traffic && rto.traffic.verdict !== 'met') {
          const t = rto.traffic;
          const text = `traffic RTO estimate ${t.seconds} s (worst case ${t.worstSeconds} s) ${t.verdict === 'missed' ? 'exceeds' : 'at risk against'} the target ${t.targetSeconds} s (${t.terms.map((x) => `${x.name} ${x.seconds} s`).join(' + ')}). To reduce it: lower the health-check request interval or failure threshold, or the TTL of the records`;
          if (t.verdict === 'missed') problems.push(text);
          else risks.push([WarningId.TRAFFIC_OBJECTIVE_AT_RISK, text]);
        }
        if (!rto.detectionKnown) {
          problems.push(
            `[${strategy.node.path}] the primary Region's record has no health check with a known detection time, so the RTO estimate (${rto.seconds} s) leaves detection out. Fix: use an endpoint health check, an alarm that treats missing data as breaching, or pass detectionTime.`,
          );
        }
        const rpo = estimateRpo(strategy);
        if (rpo.verdict === 'missed') problems.push(rpoMessage(rpo));
        if (rpo.verdict === 'unbounded') risks.push([WarningId.RPO_UNBOUNDED, rpoMessage(rpo)]);
        // A strategy is not inside a stack, and annotations outside stacks never reach the cloud
        // assembly: warn on its failover runbook, in the recovery stack (acknowledged on that stack).
        const where = strategy.runbook.failover!;
        for (const [id, text] of risks) addWarning(where, id, text);
        if (options.warnOnly) {
          for (const p of problems) addWarning(where, WarningId.OBJECTIVE_MISSED, `${p} (accepted: ${options.warnOnly.reason})`);
          return [];
        }
        return problems;
      },
    });
  }
  return strategies;
}
