import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { buildReferenceApp } from '../bin/reference-app';

const root = path.join(__dirname, '..');

function context(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8'));
  const cached = JSON.parse(fs.readFileSync(path.join(root, 'cdk.context.json'), 'utf8'));
  return { ...cdkJson.context, ...cached };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** One full in-process synth of the reference app (construct + synthesize), in seconds. */
function synthOnce(): { seconds: number; stacks: number } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  try {
    const started = process.hrtime.bigint();
    const app = new App({ outdir, context: context() });
    buildReferenceApp(app);
    app.synth();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // Every stack the app builds (the web stacks, the strategies' pairs, their data stacks).
    return { seconds, stacks: app.node.children.filter((c) => Stack.isStack(c)).length };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * `bench synth`: full synth of the reference app, in process. The first run is cold
 * (lazy module loading inside aws-cdk-lib); the reported figure is the median of the
 * warm runs after it.
 */
export function benchSynth(runs = 7): string {
  const cold = synthOnce();
  const warm = Array.from({ length: runs }, () => synthOnce());
  const med = median(warm.map((r) => r.seconds));
  return `bench synth: reference_app_s=${med.toFixed(3)} per_stack_s=${(med / cold.stacks).toFixed(3)} stacks=${cold.stacks} runs=${runs} cold_s=${cold.seconds.toFixed(3)}`;
}

function timeCdkSynth(env: NodeJS.ProcessEnv): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cli-'));
  try {
    const started = process.hrtime.bigint();
    const r = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', outdir], { cwd: root, encoding: 'utf8', env });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (r.status !== 0) throw new Error(`cdk synth failed:\n${r.stderr}`);
    return seconds;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * `bench cdk-synth`: wall time of the user's command `npx cdk synth` (CLI start, Lambda
 * bundling, app, assembly), once as on a machine with no AWS configuration at all, and
 * once with AWS_REGION set. Without a Region the CDK CLI probes the EC2 instance
 * metadata service for one before it runs the app; cdk.json cannot turn that off.
 */
export function benchCliSynth(): string {
  const bare: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AMAZON_REGION', 'AMAZON_DEFAULT_REGION', 'AWS_PROFILE']) delete bare[k];
  const noRegion = timeCdkSynth(bare);
  const withRegion = timeCdkSynth({ ...bare, AWS_REGION: 'us-east-1' });
  return `bench cdk-synth: wall_s=${withRegion.toFixed(3)} wall_no_aws_config_s=${noRegion.toFixed(3)}`;
}
