import { spawn } from 'child_process';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');

interface WorkerResult {
  readonly seed: number;
  readonly schedules: number;
  readonly violations: number;
  readonly ms: number;
  readonly first?: string;
  readonly literal?: string;
}

function worker(seed: number, count: number): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(__dirname, 'properties-worker.ts'), String(seed), String(count)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`properties worker ${seed} exited ${code}: ${out.slice(-2000)}`));
      else resolve(JSON.parse(line) as WorkerResult);
    });
  });
}

/**
 * `bench runbook-properties`: fault schedules from the property generator (test/dr/properties.ts),
 * split over one worker process per core, each with a seed of its own; every schedule must hold
 * every property. `ms_per_schedule` is a worker's time per schedule (one core).
 */
export async function benchProperties(total = Number(process.env.BENCH_SCHEDULES ?? 2000)): Promise<string[]> {
  const workers = Math.max(1, os.availableParallelism());
  const started = Date.now();
  const shares = Array.from({ length: workers }, (_, i) => Math.floor(total / workers) + (i < total % workers ? 1 : 0));
  const results = await Promise.all(shares.map((n, i) => worker(1000 + i, n)));
  const wall = (Date.now() - started) / 1000;
  const schedules = results.reduce((a, r) => a + r.schedules, 0);
  const violations = results.reduce((a, r) => a + r.violations, 0);
  const ms = results.reduce((a, r) => a + r.ms, 0) / schedules;
  const lines = [`bench runbook-properties: schedules=${schedules} violations=${violations} ms_per_schedule=${ms.toFixed(0)} workers=${workers} wall_s=${wall.toFixed(0)}`];
  for (const r of results.filter((x) => x.violations > 0)) lines.push(`# seed ${r.seed}: ${r.first}\n${r.literal ?? ''}`);
  return lines;
}
