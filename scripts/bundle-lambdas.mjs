// Bundles every lambda/<name>/index.ts (except lambda/shared) into build/lambda/<name>/index.js
// with esbuild, once, so constructs load them with Code.fromAsset and nothing needs Docker.
//
// The options (scripts/lambda-bundle-options.json, shared with test/lambda/bundles.test.ts,
// which runs an SDK call through a bundle built the same way), and why:
// - The AWS SDK v3 is bundled, not taken from the Lambda runtime: a handler runs the exact
//   client versions its tests ran against, whatever the runtime ships that week.
// - `mainFields: module first`: the SDK's ES module builds, so esbuild drops the clients and
//   commands a handler never calls. With the CommonJS builds every client lambda/shared/aws.ts
//   names landed in every bundle (1.2 MB minified, 200 to 440 ms to load for most handlers).
// - Minified, with names kept (stack traces and error names stay readable).
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'lambda');
const out = join(root, 'build', 'lambda');
const options = JSON.parse(readFileSync(join(root, 'scripts', 'lambda-bundle-options.json'), 'utf8'));

const names = existsSync(src)
  ? readdirSync(src, { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'shared' && existsSync(join(src, d.name, 'index.ts')))
      .map((d) => d.name)
      .sort()
  : [];

// Rebuilt in place, never emptied first: a synth or a test running meanwhile (cdk.json's app
// bundles again; a jest worker synthesizes from build/lambda) must never find a bundle missing.
// Each bundle is written beside its old one and renamed over it (atomic), and only the folders
// of handlers that no longer exist are removed.
mkdirSync(out, { recursive: true });
for (const d of readdirSync(out, { withFileTypes: true })) {
  if (d.isDirectory() && !names.includes(d.name) && !d.name.startsWith('__')) rmSync(join(out, d.name), { recursive: true, force: true });
}

const started = Date.now();
await Promise.all(
  names.map(async (name) => {
    const tmp = join(out, name, `.index.${process.pid}.js`);
    await build({
      ...options,
      entryPoints: [join(src, name, 'index.ts')],
      outfile: tmp,
    });
    renameSync(tmp, join(out, name, 'index.js'));
  }),
);
process.stderr.write(`bundle-lambdas: ${names.length} handler(s) in ${Date.now() - started} ms -> build/lambda\n`);
