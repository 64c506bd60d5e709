/**
 * The tests StrykerJS runs against each mutant of the runbook code (`npm run mutation`): the
 * handlers' unit tests, the request validator's, and the runbook simulator's (the fault matrix
 * and a smaller property sample: MUTATION_SAMPLE). Nothing that synthesizes an app, and the
 * simulated runs read their definitions from the disk cache (test/dr/definitions.ts). The
 * planted-handler tests are left out: they test the property tests, not the handlers.
 *
 * Each mutant runs only the tests that cover it (perTest), cheapest first
 * (mutation-sequencer.js), and stops at the first that fails (mutation-environment.js).
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: [
    '<rootDir>/test/lambda/runbook-*.test.ts',
    '<rootDir>/test/lambda/auto-failover-detector.test.ts',
    '<rootDir>/test/lambda/gates.test.ts',
    '<rootDir>/test/lambda/state.test.ts',
    '<rootDir>/test/lambda/lock.test.ts',
    '<rootDir>/test/lambda/notify.test.ts',
    '<rootDir>/test/tenancy/onboarding.test.ts',
    '<rootDir>/test/lambda/replicate-key.test.ts',
    '<rootDir>/test/lambda/tenant-credential.test.ts',
    '<rootDir>/test/protocol/request.test.ts',
    '<rootDir>/test/protocol/errors.test.ts',
    '<rootDir>/test/dr/entry.test.ts',
    '<rootDir>/test/dr/verify.test.ts',
    '<rootDir>/test/dr/traffic-step.test.ts',
    '<rootDir>/test/dr/preflight-step.test.ts',
    '<rootDir>/test/dr/compute-step.test.ts',
    '<rootDir>/test/dr/move-traffic.test.ts',
    '<rootDir>/test/dr/database-step*.test.ts',
    '<rootDir>/test/dr/fault-matrix*.test.ts',
    '<rootDir>/test/dr/properties.test.ts',
  ],
  reporters: ['default'],
  // An absolute path: Stryker's jest runner resolves the environment itself, without <rootDir>.
  testEnvironment: require('path').join(__dirname, 'test', 'helpers', 'mutation-environment.js'),
  testSequencer: '<rootDir>/test/helpers/mutation-sequencer.js',
  maxWorkers: 1,
};
