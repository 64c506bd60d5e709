// `npm run integ`: the integration tests (test/integ/integ.*.ts) through the CDK's own runner.
//
//   npm run integ            no credentials needed: synthesize each test and compare it with its
//                            committed snapshot (fails on any change); deploys nothing
//   npm run integ -- --update   accept new snapshots without deploying (--dry-run): they are then
//                            not deployed, and say so nowhere but here: run integ:deploy
//   npm run integ:deploy     with credentials: deploy each test, run its assertions against real
//                            AWS, destroy it, and write the snapshot
//
// Snapshots are kept small: the asset folders (Lambda bundles), the construct tree (tree.json)
// and the nested cdk.out are removed after each run; integ-runner compares templates
// (diffAssets: false), not bundles or trees. The Lambda bundles are built first: the strategies
// read them at synth.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'test', 'integ');
const args = process.argv.slice(2);
const mode = args.includes('--deploy') ? 'deploy' : args.includes('--update') ? 'update' : 'verify';
const runnerArgs = ['--app', 'npx tsx {filePath}', '--test-regex', '^integ\\..*\\.ts$', '--directory', 'test/integ', '--disable-update-workflow', '--parallel-regions', process.env.CDK_INTEG_DEPLOY_REGION ?? 'us-east-1'];
if (mode === 'update') runnerArgs.push('--dry-run', '--update-on-failed');
if (mode === 'deploy') runnerArgs.push('--update-on-failed', '--force');
const built = spawnSync('npm', ['run', '--silent', 'build:lambdas'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
const r = spawnSync(join(root, 'node_modules', '.bin', 'integ-runner'), runnerArgs, { cwd: root, stdio: 'inherit' });
for (const snapshot of readdirSync(dir).filter((f) => f.endsWith('.snapshot'))) {
  for (const f of readdirSync(join(dir, snapshot))) {
    if (f.startsWith('asset.') || f === 'cdk.out' || f === 'tree.json') rmSync(join(dir, snapshot, f), { recursive: true, force: true });
    else if (f.endsWith('.metadata.json')) {
      // Creation stack traces (the runner synthesizes with them) say where this machine keeps
      // its files, and are a third of a snapshot: the comparison does not read them.
      const path = join(dir, snapshot, f);
      const metadata = JSON.parse(readFileSync(path, 'utf8'));
      for (const [k, entries] of Object.entries(metadata)) metadata[k] = entries.filter((e) => e.type !== 'aws:cdk:creationStack');
      writeFileSync(path, JSON.stringify(metadata, null, 1));
    }
  }
}
for (const f of readdirSync(dir).filter((f) => f.startsWith('cdk-integ.out.'))) rmSync(join(dir, f), { recursive: true, force: true });
if (!existsSync(dir)) process.exit(1);
process.exit(r.status ?? 1);
