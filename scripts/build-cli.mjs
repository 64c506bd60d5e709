// `prepare` (npm ci, npm install in the checkout, a git dependency, npm pack): compile the
// operator CLI (cli/ and the protocol/ it reads; a few seconds, no declarations) and make
// its entry executable, so `npx cdk-resilience` works in a checkout right after `npm ci`.
// The package build (`npm run build`, run by prepack) compiles everything with declarations.
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const started = Date.now();
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.cli.json')], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
chmodSync(join(root, 'dist', 'cli', 'index.js'), 0o755);
process.stderr.write(`build-cli: dist/cli in ${Date.now() - started} ms\n`);
