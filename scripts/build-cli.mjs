// `prepare`. npm runs it in two situations, told apart by `npm_package_resolved`, which
// pacote's directory fetcher sets (and nothing else does) when it prepares a folder in order
// to pack it:
//
// - packing: a git dependency (`npm install github:owner/cdk-resilience`, git+file:...), a
//   directory dependency, `npm pack` and `npm publish`. For a git dependency npm runs ONLY
//   `prepare` before packing (never `prepack`), so this builds the whole package
//   (`npm run build`: dist/lib, dist/protocol and dist/cli with declarations, and the Lambda
//   bundles in build/lambda; about 15 s to 30 s). That is the one build of `npm pack` too.
// - `npm ci` / `npm install` in a checkout: compile only the operator CLI (cli/ and the
//   protocol/ it reads; a few seconds, no declarations) so `npx cdk-resilience` works right
//   after `npm ci`, and keep `npm ci && npm test` fast (npm test builds what it tests).
//
// Without typescript (an install that omits devDependencies), it warns and builds nothing
// rather than failing the install.
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  process.stderr.write('build-cli: WARNING typescript is not installed (devDependencies omitted?): dist/ not built; run `npm install` then `npm run build`\n');
  process.exit(0);
}

function node(args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const packing = Boolean(process.env.npm_package_resolved);
if (packing) {
  // the package build, as `npm run build` runs it
  node([join(root, 'scripts', 'clean-dist.mjs')]);
  node([join(root, 'scripts', 'bundle-lambdas.mjs')]);
  node([tsc, '-p', join(root, 'tsconfig.build.json')]);
} else {
  node([tsc, '-p', join(root, 'tsconfig.cli.json')]);
}
chmodSync(join(root, 'dist', 'cli', 'index.js'), 0o755);
process.stderr.write(`build-cli: ${packing ? 'the package (packing: dist/ and build/lambda)' : 'dist/cli'} in ${Date.now() - started} ms\n`);
