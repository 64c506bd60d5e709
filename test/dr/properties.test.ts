/**
 * Property-based fault schedules (properties.ts) over a fixed seed: the runbooks hold every
 * property on each; a counterexample is shrunk and printed as a fault-matrix entry. The bench
 * (`bench runbook-properties`) runs thousands of schedules; this is the sample every `npm test`
 * runs. Planted known-bad handlers are found within the same sample: plants.test.ts.
 */
import { findCounterexample } from './properties';

/** The sample's seed and size (the bench uses others); a mutation run uses a smaller one (MUTATION_SAMPLE). */
export const SAMPLE = { seed: 20261203, numRuns: Number(process.env.MUTATION_SAMPLE ?? 200) };

test(`the runbooks hold every property over ${SAMPLE.numRuns} fault schedules (seed ${SAMPLE.seed})`, async () => {
  let schedules = 0;
  const found = await findCounterexample({ ...SAMPLE, onSchedule: () => schedules++ });
  if (found) process.stdout.write(`counterexample after ${found.runs} schedules:\n${found.problems.join('\n')}\n\nPaste into the fault matrix:\n${found.literal}\n`);
  expect(found?.problems).toBeUndefined();
  expect(schedules).toBe(SAMPLE.numRuns);
}, 600_000);
