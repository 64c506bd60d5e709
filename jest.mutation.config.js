/**
 * The tests StrykerJS runs against each mutant of the runbook code (`npm run mutation`): the
 * handlers' unit tests, the request validator's, and the runbook simulator's (the fault matrix,
 * the planted handlers and a smaller property sample: MUTATION_SAMPLE). Nothing that
 * synthesizes a whole app: each mutant runs only the tests that cover it (perTest).
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: [
    '<rootDir>/test/lambda/runbook-*.test.ts',
    '<rootDir>/test/protocol/*.test.ts',
    '<rootDir>/test/dr/entry.test.ts',
    '<rootDir>/test/dr/verify.test.ts',
    '<rootDir>/test/dr/fault-matrix*.test.ts',
    '<rootDir>/test/dr/simulator-route53.test.ts',
    '<rootDir>/test/dr/properties.test.ts',
    '<rootDir>/test/dr/plants.test.ts',
  ],
  reporters: ['default'],
  testSequencer: undefined,
  maxWorkers: 1,
};
