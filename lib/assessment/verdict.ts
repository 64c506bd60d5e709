/**
 * What an estimate promises against its target. An estimate has a typical and a worst case;
 * a target is met only when the worst case meets it, so the report never flatters a design:
 *
 * - `met`: the worst case meets the target (for an RPO: a bound meets it);
 * - `at-risk`: only the typical case meets it;
 * - `unbounded`: an RPO that nothing bounds (an asynchronous copy without a managed RPO): its
 *   typical figure meets the target, but no mechanism keeps it there; treated as at risk;
 * - `missed`: even the typical case does not meet it.
 */
export type Verdict = 'met' | 'at-risk' | 'unbounded' | 'missed';

/** The verdict of a duration estimate (an RTO) against its target. */
export function rtoVerdict(typicalSeconds: number, worstSeconds: number, targetSeconds: number): Verdict {
  if (worstSeconds <= targetSeconds) return 'met';
  return typicalSeconds <= targetSeconds ? 'at-risk' : 'missed';
}

/** The verdict of a data-loss estimate (an RPO) against its target: a bound, or a typical figure only. */
export function rpoVerdict(seconds: number, bounded: boolean, targetSeconds: number): Verdict {
  if (seconds > targetSeconds) return 'missed';
  return bounded ? 'met' : 'unbounded';
}

/** How the report writes a verdict: the ones that need attention in capitals. */
export function verdictText(v: Verdict): string {
  return { met: 'met', 'at-risk': 'AT RISK', unbounded: 'UNBOUNDED', missed: 'MISSED' }[v];
}
