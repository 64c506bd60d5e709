/**
 * The property test can fail: a known-bad handler planted in the harness is found within the
 * fixed-seed sample (properties.test.ts's seed), and the counterexample shrinks to a small
 * schedule, printed as a fault-matrix entry.
 */
import { findCounterexample } from './properties';
import { ALWAYS_DETACH, PREFLIGHT_WITHOUT_VALIDATION, VERIFY_WITHOUT_TRAFFIC } from './plants';

const SAMPLE = { seed: 20261203, numRuns: 120 };

test.each([
  ['a database step that always detaches', ALWAYS_DETACH, /\[invariant 1\]/],
  ['a Verify that reports success without checking traffic', VERIFY_WITHOUT_TRAFFIC, /\[invariant 3\] .*success reported/],
  ['a Preflight that does not validate the request', PREFLIGHT_WITHOUT_VALIDATION, /was invalid .* yet not refused as InvalidRequest/],
])('%s is found within the sample, and shrunk', async (_name, handlers, problem) => {
  const found = await findCounterexample({ ...SAMPLE, handlers });
  expect(found).toBeDefined();
  expect(found!.problems.join('\n')).toMatch(problem);
  // Shrunk: at most two faults left, and printed as a scenario to paste.
  expect(found!.schedule.faults.length).toBeLessThanOrEqual(2);
  expect(found!.literal).toMatch(/^\{\n  \/\/ Found by the property test: \S/);
  expect(found!.literal).toMatch(/config: \{/);
}, 600_000);
