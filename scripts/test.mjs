// `npm test`: bundle the Lambda handlers, then compile the operator CLI, type-check (tsc) and
// build the API reference (typedoc: a broken {@link} fails it) side by side, then run jest on every core, and print
// the wall time on a line of its own after jest's summary line. Arguments go to jest
// (`npm test -- test/dr`). The first step that fails stops the run with its exit code.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (pkg, file) => join(root, 'node_modules', pkg, file);
const started = Date.now();

/** Run a command; with `quiet`, its output is held and printed whole when it ends (steps run side by side). */
function run(label, args, { quiet = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    const held = [];
    if (quiet) {
      child.stdout.on('data', (d) => held.push(d));
      child.stderr.on('data', (d) => held.push(d));
    }
    child.on('close', (code, signal) => {
      if (held.length > 0) process.stdout.write(Buffer.concat(held));
      if (code !== 0) process.stderr.write(`npm test: ${label} failed (${signal ?? `exit ${code}`})\n`);
      resolve(code ?? 1);
    });
  });
}

function finish(code) {
  process.stdout.write(`wall time: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  process.exit(code);
}

let code = await run('bundling the Lambda handlers', [join(root, 'scripts', 'bundle-lambdas.mjs')]);
if (code !== 0) finish(code);

// Both are single-threaded: on two cores they cost the time of the slower one. typedoc
// skips its own type-check, which tsc does beside it.
// The operator CLI (dist/cli, what `npx cdk-resilience` runs) is compiled beside them, so the
// tests never run a dist/cli older than cli/ and protocol/ (npm ci's prepare built it once).
const checks = await Promise.all([
  run('building the CLI', [join(root, 'scripts', 'build-cli.mjs')], { quiet: true }),
  run('tsc --noEmit', [bin('typescript', 'bin/tsc'), '--noEmit'], { quiet: true }),
  run('typedoc', [bin('typedoc', 'bin/typedoc'), '--skipErrorChecking'], { quiet: true }),
]);
code = checks.find((c) => c !== 0) ?? 0;
if (code !== 0) finish(code);

code = await run('jest', [bin('jest', 'bin/jest.js'), ...process.argv.slice(2)]);
finish(code);
