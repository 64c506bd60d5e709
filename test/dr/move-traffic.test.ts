/**
 * moveTraffic on its own against the simulated world, in both traffic modes: it reads before it
 * writes (a move already made is not made again, and says so), and how long Route 53 takes to
 * answer on it. The TTL resolvers keep, from the configuration. Mutation testing found the
 * routing-control mode and the "already set" answers unchecked.
 */
import { dnsTtlSeconds, moveTraffic } from '../../lambda/shared/traffic';
import type { RunbookConfig } from '../../protocol';
import { EAST, testConfig, WEST } from './fixtures';
import { inputsOf, inWorld } from './step-world';

const arc = testConfig({ strategy: 'warm-standby', traffic: 'routing-control' });
const gates = testConfig({ strategy: 'warm-standby' });
const move = (config: RunbookConfig, world: Record<string, unknown>) => inWorld({ config, world }, (_s, c) => moveTraffic(c));

describe('routing controls', () => {
  test('the source On: one atomic call, target On and source Off, Route 53 follows at once', async () => {
    const r = await move(arc, { desired: { [EAST]: 6, [WEST]: 6 } });
    expect(r.value).toEqual({ actions: ['routing controls: us-west-2 On, us-east-1 Off'], delaySeconds: 0 });
    const calls = inputsOf(r, 'UpdateRoutingControlStatesCommand');
    expect(calls).toHaveLength(1);
    expect((calls[0].UpdateRoutingControlStateEntries as { RoutingControlState: string }[]).map((e) => e.RoutingControlState).sort()).toEqual(['Off', 'On']);
  });

  test('already target On and source Off: nothing written, said so', async () => {
    const r = await move(arc, { writerRegion: WEST, controls: { [WEST]: 'On', [EAST]: 'Off' } });
    expect(r.value).toEqual({ actions: ['routing controls already set'], delaySeconds: 0 });
    expect(inputsOf(r, 'UpdateRoutingControlStatesCommand')).toEqual([]);
  });

  test.each<[string, Record<string, 'On' | 'Off'>]>([
    ['both On', { [WEST]: 'On', [EAST]: 'On' }],
    ['both Off', { [WEST]: 'Off', [EAST]: 'Off' }],
    ['the other way round', { [WEST]: 'Off', [EAST]: 'On' }],
  ])('%s: written', async (_n, controls) => {
    const r = await move(arc, { controls });
    expect(inputsOf(r, 'UpdateRoutingControlStatesCommand')).toHaveLength(1);
    expect(r.value?.actions).toEqual(['routing controls: us-west-2 On, us-east-1 Off']);
  });
});

describe('traffic gates', () => {
  test("moved: the gates' actions, and the gates' delay before Route 53 answers on them", async () => {
    const r = await move(gates, { desired: { [EAST]: 6, [WEST]: 6 } });
    expect(r.value?.delaySeconds).toBe(90);
    expect(r.value?.actions.length).toBeGreaterThan(0);
    expect(r.value?.actions).not.toContain('traffic gates already set');
  });

  test('already moved (the source closed where it answers and in the target, the target open): said so, no delay', async () => {
    const r = await move(gates, { writerRegion: WEST, desired: { [EAST]: 0, [WEST]: 6 }, closedGates: [`${EAST}@${EAST}`, `${EAST}@${WEST}`] });
    expect(r.value).toMatchObject({ actions: ['traffic gates already set'], delaySeconds: 0 });
  });
});

test('the TTL resolvers may hold: the configured one (60 s for routing controls without records) and one second, since resolvers count whole seconds', () => {
  if (gates.traffic.kind !== 'health-check') throw new Error('health-check');
  expect(dnsTtlSeconds({ ...gates, traffic: { ...gates.traffic, dns: { ...gates.traffic.dns, ttlSeconds: 30 } } })).toBe(31);
  expect(dnsTtlSeconds(arc)).toBe(61);
  if (arc.traffic.kind !== 'routing-control') throw new Error('arc');
  expect(dnsTtlSeconds({ ...arc, traffic: { ...arc.traffic, dns: { ...gates.traffic.dns, ttlSeconds: 15 } } } as RunbookConfig)).toBe(16);
});
