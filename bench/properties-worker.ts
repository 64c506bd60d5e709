// One worker of `bench runbook-properties`: checks its share of the fault schedules (a seed of
// its own) and prints one JSON line. A failing schedule is shrunk and printed as a
// fault-matrix entry.
import '../test/setup';
import * as fc from 'fast-check';
import { checkSchedule, findCounterexample, scheduleArb } from '../test/dr/properties';

async function main(): Promise<void> {
  const [seed, count] = process.argv.slice(2).map(Number);
  const started = Date.now();
  const schedules = fc.sample(scheduleArb, { seed, numRuns: count });
  let violations = 0;
  let first: string | undefined;
  for (const [i, s] of schedules.entries()) {
    const t = Date.now();
    const problems = await checkSchedule(s);
    if (process.env.BENCH_TRACE) process.stderr.write(`${i} ${Date.now() - t} ms ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB ${JSON.stringify(s)}\n`);
    if (problems.length > 0) {
      violations++;
      first ??= problems.join('\n');
    }
  }
  const ms = Date.now() - started;
  let literal: string | undefined;
  if (violations > 0) literal = (await findCounterexample({ seed, numRuns: count }))?.literal;
  process.stdout.write(`${JSON.stringify({ seed, schedules: schedules.length, violations, ms, first, literal })}\n`);
}

void main();
