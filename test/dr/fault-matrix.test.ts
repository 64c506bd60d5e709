/**
 * The runbook fault matrix, health-check mode, part one: the synthesized state machine with the
 * real handlers against the simulated AWS (scenarios-health-check.ts). Part two:
 * fault-matrix-apis.test.ts; routing controls, concurrency and direct starts:
 * fault-matrix-arc.test.ts.
 */
import { assertScenario } from './matrix';
import { REGION_SCENARIOS } from './scenarios-health-check';

describe('runbook fault matrix: health-check mode, Regions and databases', () => {
  test.each(REGION_SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    await assertScenario(scenario);
  });
});

test('the matrix has at least 60 scenarios, at least half of them in health-check mode (the mode strategies deploy)', async () => {
  const { API_SCENARIOS } = await import('./scenarios-health-check');
  const { CONCURRENCY_SCENARIOS, DIRECT_START_SCENARIOS, ROUTING_CONTROL_SCENARIOS } = await import('./scenarios-arc');
  const all = [...REGION_SCENARIOS, ...API_SCENARIOS, ...ROUTING_CONTROL_SCENARIOS, ...CONCURRENCY_SCENARIOS, ...DIRECT_START_SCENARIOS];
  const healthCheck = all.filter((s) => s.config.traffic !== 'routing-control');
  expect(all.length).toBeGreaterThanOrEqual(60);
  expect(healthCheck.length * 2).toBeGreaterThanOrEqual(all.length);
  expect(new Set(all.map((s) => s.name)).size).toBe(all.length);
});
