/**
 * The README's operator quick start in this checkout: `npm ci` runs the `prepare` script,
 * which compiles the CLI into dist/cli (the package's `bin`), so `npx cdk-resilience` works
 * right after it. This test runs what an operator types, through npm.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('npx cdk-resilience in the checkout', () => {
  test('npm ci builds the bin: prepare compiles the CLI', () => {
    expect(pkg.scripts.prepare).toBe('node scripts/build-cli.mjs');
    const bin = path.join(root, pkg.bin['cdk-resilience']);
    expect(fs.existsSync(bin)).toBe(true);
    expect(fs.statSync(bin).mode & 0o111).not.toBe(0);
  });

  test('dist/cli is not stale: npm test compiles it (every cli/ and protocol/ source is older than its output)', () => {
    const sources = ['cli', 'protocol'].flatMap((dir) =>
      fs.readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => path.join(dir, f)),
    );
    expect(sources.length).toBeGreaterThan(3);
    const stale = sources.filter((f) => {
      const out = path.join(root, 'dist', f.replace(/\.ts$/, '.js'));
      return !fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(path.join(root, f)).mtimeMs;
    });
    expect(stale).toEqual([]);
  });

  test('answers --help', () => {
    const r = spawnSync('npx', ['--no-install', 'cdk-resilience', '--help'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    // stderr may carry the runtime's own notices (a Node.js version warning); no error, no stack
    expect(r.stderr).not.toMatch(/error|not found|cannot find|\n\s+at /i);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: cdk-resilience \[options\] \[command\]/);
    for (const command of ['plan', 'failover', 'failback', 'drill', 'status']) expect(r.stdout).toContain(command);
  });
});
