// Bundles every lambda/<name>/index.ts (except lambda/shared) into build/lambda/<name>/index.js
// with esbuild, once, so constructs load them with Code.fromAsset and nothing needs Docker.
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'lambda');
const out = join(root, 'build', 'lambda');

const names = existsSync(src)
  ? readdirSync(src, { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'shared' && existsSync(join(src, d.name, 'index.ts')))
      .map((d) => d.name)
      .sort()
  : [];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const started = Date.now();
await Promise.all(
  names.map((name) =>
    build({
      entryPoints: [join(src, name, 'index.ts')],
      outfile: join(out, name, 'index.js'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      minify: false,
      sourcemap: false,
      // The Node.js 20+ Lambda runtimes ship the AWS SDK v3, but we bundle it so the
      // handler runs the exact client version the tests ran against.
      external: [],
      logLevel: 'warning',
      legalComments: 'none',
    }),
  ),
);
process.stderr.write(`bundle-lambdas: ${names.length} handler(s) in ${Date.now() - started} ms -> build/lambda\n`);
