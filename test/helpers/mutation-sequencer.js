// The order of `npm run mutation`'s test files (jest.mutation.config.js): cheapest first, so a
// mutant dies in a unit test before the fault matrix starts (mutation-environment.js skips the
// rest of a killed mutant's run). The listed order, then anything else by name.
const Sequencer = require('@jest/test-sequencer').default;

const ORDER = [
  /test\/protocol\//,
  /test\/lambda\//,
  /test\/dr\/entry\.test/,
  /test\/dr\/verify\.test/,
  /test\/dr\/traffic-step\.test/,
  /test\/dr\/preflight-step\.test/,
  /test\/dr\/compute-step\.test/,
  /test\/dr\/move-traffic\.test/,
  /test\/dr\/database-step/,
  /test\/dr\/fault-matrix\.test/,
  /test\/dr\/fault-matrix-apis\.test/,
  /test\/dr\/fault-matrix-arc\.test/,
  /test\/dr\/properties\.test/,
];

const rank = (p) => {
  const i = ORDER.findIndex((r) => r.test(p.replace(/\\/g, '/')));
  return i < 0 ? ORDER.length : i;
};

class MutationSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
  }
}

module.exports = MutationSequencer;
