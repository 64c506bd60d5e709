// jest's own order (tests that failed last time first, then the slowest first), except that a
// file with no timing from an earlier run (a clean clone, as in CI) is weighed by its size
// plus the size of the `*.cases.ts` files it imports. jest weighs it by its own size alone,
// so test/reference-app.test.ts, a few import lines that run a quarter of a minute of tests,
// would start last and leave the other workers idle while it runs.
const fs = require('fs');
const path = require('path');
const Sequencer = require('@jest/test-sequencer').default;

const CASES = /^import '(\.{1,2}\/[^']+\.cases)';$/gm;

function weight(file) {
  const text = fs.readFileSync(file, 'utf8');
  let size = Buffer.byteLength(text);
  for (const m of text.matchAll(CASES)) size += fs.statSync(path.resolve(path.dirname(file), `${m[1]}.ts`)).size;
  return size;
}

class WeightedSequencer extends Sequencer {
  sort(tests) {
    const weights = new Map();
    const weightOf = (t) => weights.get(t.path) ?? weights.set(t.path, weight(t.path)).get(t.path);
    for (const t of tests) t.duration = this.time(t);
    return [...tests].sort((a, b) => {
      const failedA = this.hasFailed(a);
      if (failedA !== this.hasFailed(b)) return failedA ? -1 : 1;
      const timedA = a.duration != null;
      if (timedA !== (b.duration != null)) return timedA ? 1 : -1;
      if (timedA) return b.duration - a.duration;
      return weightOf(b) - weightOf(a);
    });
  }
}

module.exports = WeightedSequencer;
