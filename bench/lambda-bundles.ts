import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..');
const bundles = path.join(root, 'build', 'lambda');

/** How many fresh processes each bundle is loaded in; the median is reported. */
const RUNS = 7;

/**
 * The time to `require` a bundle in a fresh Node.js process, in ms, measured inside that
 * process (Node's own start-up is not counted): a proxy for the init phase of a cold start.
 * No AWS_* variable but a Region is passed: loading a handler makes no call.
 */
function requireMs(file: string): number {
  const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' } });
  if (r.status !== 0) throw new Error(`require ${file} failed: ${r.stderr}`);
  return Number(r.stdout);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * `bench lambda-bundles`: per handler, the size of its bundle (build/lambda/<name>/index.js)
 * and the median of RUNS `require`s of it, each in a fresh process.
 */
export function benchLambdaBundles(): string[] {
  const names = fs
    .readdirSync(bundles, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(bundles, d.name, 'index.js')))
    .map((d) => d.name)
    .sort();
  return names.map((name) => {
    const file = path.join(bundles, name, 'index.js');
    const times = Array.from({ length: RUNS }, () => requireMs(file));
    return `bench lambda-bundles: handler=${name} bytes=${fs.statSync(file).size} init_ms=${median(times).toFixed(1)} runs=${RUNS}`;
  });
}
