// `npm run mutation`: StrykerJS over the runbook code (the files in stryker.config.json's
// `mutate`) against the runbook tests (jest.mutation.config.js), one file at a time, then one
// line: `bench mutation: handlers_score=...`.
//
// One Stryker run per file, each with its own incremental file and report under
// reports/mutation/files/: a run can be stopped between files and nothing finished is lost, and
// a file whose code and tests did not change is not tested again (its mutants' results are
// reused). The per-file reports are merged into reports/mutation/mutation.json.
//
//   npm run mutation                          every file
//   npm run mutation -- lambda/runbook-verify/index.ts ...   only these
//   npm run mutation -- --report-only         the line from the committed reports, no run
//
// The score counts killed and timed-out mutants over all that ran (killed, timed out, survived,
// no coverage), without the mutants argued equivalent in test/mutation-equivalents.json (a
// mutant that changes no behaviour cannot be killed). Every survivor not in that list is
// printed: kill it with a test, or argue it there.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const reportOnly = args.includes('--report-only');
const base = JSON.parse(readFileSync(join(root, 'stryker.config.json'), 'utf8'));
const chosen = args.filter((a) => !a.startsWith('--'));
for (const f of chosen) {
  if (!base.mutate.includes(f)) {
    console.error(`npm run mutation: ${f} is not in stryker.config.json's mutate list (${base.mutate.join(', ')})`);
    process.exit(2);
  }
}
const files = chosen.length > 0 ? chosen : base.mutate;
const slug = (f) => f.replace(/\.ts$/, '').replace(/[^A-Za-z0-9]+/g, '-');
const dir = join(root, 'reports', 'mutation', 'files');
mkdirSync(dir, { recursive: true });

if (!reportOnly) {
  // The simulated runs synthesize the runbook construct, which needs the Lambda bundles: a fresh
  // clone has none, and every mutant would fail its first test for it (Stryker stops at the dry run).
  const built = spawnSync('npm', ['run', 'build:lambdas'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
  for (const file of files) {
    const s = slug(file);
    const config = {
      ...base,
      mutate: [file],
      incrementalFile: `reports/mutation/files/${s}.incremental.json`,
      jsonReporter: { fileName: `reports/mutation/files/${s}.json` },
      reporters: ['json', 'clear-text', 'progress'],
    };
    delete config.htmlReporter;
    delete config.$schema;
    const configFile = join(root, '.stryker-tmp', `config-${s}.json`);
    mkdirSync(dirname(configFile), { recursive: true });
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    console.log(`npm run mutation: ${file}`);
    const started = Date.now();
    const r = spawnSync(process.execPath, [join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js'), 'run', configFile], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, MUTATION_SAMPLE: process.env.MUTATION_SAMPLE ?? '30', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=3072`.trim() },
    });
    if (r.status !== 0) process.exit(r.status ?? 1);
    console.log(`npm run mutation: ${file} took ${Math.round((Date.now() - started) / 1000)} s`);
  }
}

// Merge every file's report (all of the mutate list that has one) into one.
const merged = { schemaVersion: '2', thresholds: base.thresholds, files: {}, testFiles: {} };
const missing = [];
for (const file of base.mutate) {
  const reportFile = join(dir, `${slug(file)}.json`);
  if (!existsSync(reportFile)) {
    missing.push(file);
    continue;
  }
  const r = JSON.parse(readFileSync(reportFile, 'utf8'));
  Object.assign(merged.files, r.files);
  Object.assign(merged.testFiles, r.testFiles ?? {});
}
writeFileSync(join(root, 'reports', 'mutation', 'mutation.json'), JSON.stringify(merged));

const equivalents = JSON.parse(readFileSync(join(root, 'test', 'mutation-equivalents.json'), 'utf8')).equivalents;
const keyOf = (file, m) => `${file}:${m.location.start.line}:${m.mutatorName}:${m.replacement ?? ''}`;
// An entry with a column names one mutant of its line; without, every mutant of that mutator and replacement there.
const argued = new Map(equivalents.map((e) => [`${e.file}:${e.line}${e.column === undefined ? '' : `:${e.column}`}:${e.mutator}:${e.replacement}`, e]));
const arguedFor = (file, m) => argued.get(`${file}:${m.location.start.line}:${m.location.start.column}:${m.mutatorName}:${m.replacement ?? ''}`) ?? argued.get(keyOf(file, m));

const count = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, CompileError: 0, RuntimeError: 0, Ignored: 0, equivalent: 0 };
const unexplained = [];
const perFile = [];
for (const [file, { mutants }] of Object.entries(merged.files)) {
  const c = { detected: 0, valid: 0 };
  for (const m of mutants) {
    if ((m.status === 'Survived' || m.status === 'NoCoverage') && arguedFor(file, m)) {
      count.equivalent++;
      continue;
    }
    count[m.status] = (count[m.status] ?? 0) + 1;
    if (m.status === 'Killed' || m.status === 'Timeout') c.detected++;
    if (['Killed', 'Timeout', 'Survived', 'NoCoverage'].includes(m.status)) c.valid++;
    if (m.status === 'Survived' || m.status === 'NoCoverage') {
      const line = (merged.files[file].source ?? '').split('\n')[m.location.start.line - 1]?.trim().slice(0, 100) ?? '';
      unexplained.push(`${keyOf(file, m)}  (${m.status})  | ${line}`);
    }
  }
  perFile.push(`${file}: ${c.valid === 0 ? '-' : ((100 * c.detected) / c.valid).toFixed(1)} % of ${c.valid}`);
}
// The mutants the runbooks' safety rests on (test/mutation-must-kill.json): each must be killed
// (or time out); one that survives, or that the mutator no longer makes, fails the run.
const mustKill = JSON.parse(readFileSync(join(root, 'test', 'mutation-must-kill.json'), 'utf8')).mutants;
let mustKillFailed = 0;
for (const k of mustKill) {
  const report = merged.files[k.file];
  if (!report) {
    console.log(`must-kill: ${k.name}: ${k.file} not yet run`);
    continue;
  }
  const m = report.mutants.find(
    (x) =>
      x.location.start.line === k.line &&
      (k.column === undefined || x.location.start.column === k.column) &&
      (k.endColumn === undefined || x.location.end.column === k.endColumn) &&
      x.mutatorName === k.mutator &&
      (x.replacement ?? '') === k.replacement,
  );
  const status = m ? m.status : 'not made (update test/mutation-must-kill.json)';
  const ok = m && (m.status === 'Killed' || m.status === 'Timeout');
  if (!ok) mustKillFailed++;
  console.log(`must-kill: ${k.name}: ${k.file}:${k.line} ${k.mutator} ${JSON.stringify(k.replacement)}: ${status}${m?.killedBy?.length ? ` (by ${m.killedBy.length} test(s))` : ''}`);
}

const detected = count.Killed + count.Timeout;
const valid = detected + count.Survived + count.NoCoverage;
const score = valid === 0 ? 0 : (100 * detected) / valid;
for (const u of unexplained) console.log(`survivor: ${u}`);
for (const p of perFile) console.log(`file: ${p}`);
for (const m of missing) console.log(`not yet run: ${m}`);
console.log(
  `bench mutation: handlers_score=${score.toFixed(1)} killed=${count.Killed} timeout=${count.Timeout} survived=${count.Survived} no_coverage=${count.NoCoverage} equivalent=${count.equivalent} compile_errors=${count.CompileError} files=${Object.keys(merged.files).length} not_run=${missing.length} must_kill_failed=${mustKillFailed}`,
);
if (mustKillFailed > 0) process.exit(1);
