// `npm run mutation`: StrykerJS over the runbook code (stryker.config.json) against the runbook
// tests (jest.mutation.config.js), then one line: `bench mutation: handlers_score=...`.
// Incremental: reports/mutation/incremental.json keeps each mutant's result until its code or
// its tests change, so a run after a small change tests only what changed. Arguments go to
// Stryker (`npm run mutation -- --mutate lambda/runbook-verify/index.ts`); `--report-only`
// prints the line from the last report without running.
//
// The score counts killed and timed-out mutants over all that ran (killed, timed out, survived,
// no coverage), without the mutants argued equivalent in test/mutation-equivalents.json (a
// mutant that changes no behaviour cannot be killed). Every survivor not in that list is
// printed: kill it with a test, or argue it there.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const reportOnly = args.includes('--report-only');
if (!reportOnly) {
  const r = spawnSync(process.execPath, [join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js'), 'run', ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, MUTATION_SAMPLE: process.env.MUTATION_SAMPLE ?? '30', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=3072`.trim() },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const reportFile = join(root, 'reports', 'mutation', 'mutation.json');
if (!existsSync(reportFile)) {
  console.error(`npm run mutation: no report at ${reportFile}`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(reportFile, 'utf8'));
const equivalents = JSON.parse(readFileSync(join(root, 'test', 'mutation-equivalents.json'), 'utf8')).equivalents;
const keyOf = (file, m) => `${file}:${m.location.start.line}:${m.mutatorName}:${m.replacement ?? ''}`;
const argued = new Map(equivalents.map((e) => [`${e.file}:${e.line}:${e.mutator}:${e.replacement}`, e]));

const count = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, CompileError: 0, RuntimeError: 0, Ignored: 0, equivalent: 0 };
const unexplained = [];
for (const [file, { mutants }] of Object.entries(report.files)) {
  for (const m of mutants) {
    if ((m.status === 'Survived' || m.status === 'NoCoverage') && argued.has(keyOf(file, m))) {
      count.equivalent++;
      continue;
    }
    count[m.status] = (count[m.status] ?? 0) + 1;
    if (m.status === 'Survived' || m.status === 'NoCoverage') unexplained.push(`${keyOf(file, m)}  (${m.status})`);
  }
}
const detected = count.Killed + count.Timeout;
const valid = detected + count.Survived + count.NoCoverage;
const score = valid === 0 ? 0 : (100 * detected) / valid;
for (const u of unexplained) console.log(`survivor: ${u}`);
const files = Object.keys(report.files).length;
console.log(
  `bench mutation: handlers_score=${score.toFixed(1)} killed=${count.Killed} timeout=${count.Timeout} survived=${count.Survived} no_coverage=${count.NoCoverage} equivalent=${count.equivalent} compile_errors=${count.CompileError} files=${files}`,
);
