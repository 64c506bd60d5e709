/**
 * The runbook fault matrix, part three: routing controls, runbooks started together, state
 * machines started directly (scenarios-arc.ts). Health-check mode: fault-matrix.test.ts and
 * fault-matrix-apis.test.ts.
 */
import { assertScenario } from './matrix';
import { CONCURRENCY_SCENARIOS, DIRECT_START_SCENARIOS, ROUTING_CONTROL_SCENARIOS } from './scenarios-arc';

describe('runbook fault matrix: routing controls', () => {
  test.each(ROUTING_CONTROL_SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    await assertScenario(scenario);
  });
});

describe('runbook fault matrix: runbooks started together', () => {
  test.each(CONCURRENCY_SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    await assertScenario(scenario);
  });
});

describe('runbook fault matrix: state machines started directly', () => {
  test.each(DIRECT_START_SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    await assertScenario(scenario);
  });
});
