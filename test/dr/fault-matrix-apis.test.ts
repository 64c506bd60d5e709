/** The runbook fault matrix, health-check mode, part two: the APIs failing (scenarios-health-check.ts). */
import { assertScenario } from './matrix';
import { API_SCENARIOS } from './scenarios-health-check';

describe('runbook fault matrix: health-check mode, failing APIs', () => {
  test.each(API_SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    await assertScenario(scenario);
  });
});
