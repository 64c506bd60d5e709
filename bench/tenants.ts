import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { TenantApi } from '../lib';

/**
 * `bench tenants`: synth of one TenantApi with N tenants, each on its own usage plan (the
 * worst case; quota raised), sharded into nested stacks. Reports the synth time, the
 * largest stack's resource count and the largest template's size.
 */
export function benchTenants(n: number): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-tenants-'));
  try {
    const started = process.hrtime.bigint();
    const app = new App({ outdir });
    const stack = new Stack(app, 'Tenants', { env: { account: '111111111111', region: 'us-east-1' } });
    const tiers = ['basic', 'standard', 'premium'].map((name, i) => ({ name, rateLimit: 10 * (i + 1), burstLimit: 20 * (i + 1) }));
    new TenantApi(stack, 'Api', {
      apiName: 'bench',
      tiers,
      tenants: Array.from({ length: n }, (_, i) => ({ id: `tenant-${i}`, tier: tiers[i % 3].name })),
      usagePlanQuota: 100_000,
    });
    app.synth();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const templates = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
    let maxResources = 0;
    let maxBytes = 0;
    for (const f of templates) {
      const text = fs.readFileSync(path.join(outdir, f), 'utf8');
      maxBytes = Math.max(maxBytes, Buffer.byteLength(text));
      maxResources = Math.max(maxResources, Object.keys((JSON.parse(text) as { Resources: object }).Resources).length);
    }
    return `bench tenants: tenants=${n} synth_s=${seconds.toFixed(3)} max_stack_resources=${maxResources} max_template_kb=${(maxBytes / 1024).toFixed(1)} stacks=${templates.length}`;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
