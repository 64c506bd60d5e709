/** Poll backoff: round(1.5^attempt) s, so 1, 2, 2, then 3 s from the fourth pass on: polling adds at most 3 s. */
export function backoffSeconds(attempt: number): number {
  return Math.min(3, Math.max(1, Math.round(1.5 ** attempt)));
}
