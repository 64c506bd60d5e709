// `npm run integ`: the integration tests (test/integ/integ.*.ts) through the CDK's own runner.
//
//   npm run integ            no credentials needed: synthesize each test and compare it with its
//                            committed snapshot (fails on any change); deploys nothing
//   npm run integ -- --update   accept new snapshots without deploying (--dry-run): they are then
//                            not deployed, and say so nowhere but here: run integ:deploy
//   npm run integ:deploy     with credentials: deploy each test, run its assertions against real
//                            AWS, destroy it, and write the snapshot
//
// Snapshots are kept small: the asset folders (Lambda bundles) and the nested cdk.out are
// removed after each run; integ-runner compares templates (diffAssets: false), not bundles.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'test', 'integ');
const args = process.argv.slice(2);
const mode = args.includes('--deploy') ? 'deploy' : args.includes('--update') ? 'update' : 'verify';
const runnerArgs = ['--app', 'npx tsx {filePath}', '--test-regex', '^integ\\..*\\.ts$', '--directory', 'test/integ', '--disable-update-workflow', '--parallel-regions', process.env.CDK_INTEG_DEPLOY_REGION ?? 'us-east-1'];
if (mode === 'update') runnerArgs.push('--dry-run', '--update-on-failed');
if (mode === 'deploy') runnerArgs.push('--update-on-failed', '--force');
const r = spawnSync(join(root, 'node_modules', '.bin', 'integ-runner'), runnerArgs, { cwd: root, stdio: 'inherit' });
for (const snapshot of readdirSync(dir).filter((f) => f.endsWith('.snapshot'))) {
  for (const f of readdirSync(join(dir, snapshot))) {
    if (f.startsWith('asset.') || f === 'cdk.out') rmSync(join(dir, snapshot, f), { recursive: true, force: true });
  }
}
for (const f of readdirSync(dir).filter((f) => f.startsWith('cdk-integ.out.'))) rmSync(join(dir, f), { recursive: true, force: true });
if (!existsSync(dir)) process.exit(1);
process.exit(r.status ?? 1);
