// `npm run bench`: one line per figure, `bench <name>: key=value ...`. Timings are
// printed, never asserted.
import { benchCliSynth, benchSynth } from './synth';

const benches: [string, () => string][] = [
  ['synth', () => benchSynth()],
  ['cdk-synth', () => benchCliSynth()],
];

const only = process.argv.slice(2);
for (const [name, run] of benches) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stdout.write(`${run()}\n`);
}
