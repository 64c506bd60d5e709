// The jest environment of `npm run mutation` (jest.mutation.config.js): once a test has failed
// against the active mutant, the mutant is killed, and every later test of that mutant run is
// skipped. Stryker's jest runner turns jest's `bail` off and runs every test that covers the
// mutant, so a mutant that the first unit test kills would still run the whole fault matrix.
// Stryker marks the mutant killed from the failed test; the skipped ones change nothing.
// Without an active mutant (the dry run, or plain jest) nothing is skipped.
const NodeEnvironment = require('jest-environment-node').TestEnvironment;

const ACTIVE = '__STRYKER_ACTIVE_MUTANT__';
const KILLED = '__CDK_RESILIENCE_KILLED_MUTANT__';

class MutationEnvironment extends NodeEnvironment {
  async handleTestEvent(event) {
    const active = process.env[ACTIVE];
    if (active === undefined) return;
    if (event.name === 'test_start' && process.env[KILLED] === active) {
      event.test.mode = 'skip';
    } else if ((event.name === 'test_done' && event.test.errors.length > 0) || event.name === 'hook_failure') {
      process.env[KILLED] = active;
    }
  }
}

module.exports = MutationEnvironment;
