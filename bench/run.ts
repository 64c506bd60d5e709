// `npm run bench`: one line per figure, `bench <name>: key=value ...`. Timings are
// printed, never asserted.
import { benchProperties } from './properties';
import { benchRunbooks } from './runbook';
import { benchLambdaBundles } from './lambda-bundles';
import { benchCliSynth, benchSynth } from './synth';
import { benchTenants } from './tenants';

const benches: [string, () => string | string[] | Promise<string[]>][] = [
  ['synth', () => benchSynth()],
  ['cdk-synth', () => benchCliSynth()],
  ['runbook', () => benchRunbooks()],
  ['tenants', () => [benchTenants(100), benchTenants(1000)]],
  ['properties', () => benchProperties()],
  ['lambda-bundles', () => benchLambdaBundles()],
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  for (const [name, run] of benches) {
    if (only.length > 0 && !only.includes(name)) continue;
    const out = await run();
    for (const line of Array.isArray(out) ? out : [out]) process.stdout.write(`${line}\n`);
  }
}

void main();
