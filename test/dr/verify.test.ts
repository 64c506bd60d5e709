/**
 * The Verify step on its own, against the simulated world: what it must see before it says
 * done (a writer, healthy targets, Route 53 answering the target only, the fence read closed),
 * and how long it waits (one DNS TTL from the first pass that saw it all). Mutation testing
 * found these unchecked: the matrix only reaches Verify once the writer and capacity are there.
 */
import { handler as verify } from '../../lambda/runbook-verify';
import { installResolver } from '../../lambda/shared/dns';
import { acquireLock } from '../../lambda/shared/lock';
import { EAST, testConfig, WEST } from './fixtures';
import { SimulatedAws, SimOptions } from './simulator';

const EXEC = 'arn:aws:states:us-west-2:111111111111:execution:shop-failover:v-1';
const request = { action: 'failover', mode: 'unplanned', allowDataLoss: true, requestId: 'v-1', reason: 'drill' };

/** Run Verify's passes in a world (failover config), `gap` virtual seconds apart; returns every pass. */
async function passes(
  world: Omit<SimOptions, 'config'>,
  n: number,
  traffic: 'health-check' | 'routing-control' = 'health-check',
  gaps: number[] = [],
  answers: Record<string, string> = {},
): Promise<Awaited<ReturnType<typeof verify>>[]> {
  const config = testConfig({ traffic });
  const sim = new SimulatedAws({ config, ...world });
  sim.install();
  // Answers of given DNS names instead of the simulated Route 53's (a record Route 53 has not updated yet).
  if (Object.keys(answers).length > 0) {
    const simulated = (sim as unknown as { resolveTxt(name: string, timeoutMs: number): Promise<string[]> }).resolveTxt.bind(sim);
    installResolver({ resolveTxt: (name, _servers, timeoutMs) => (name in answers ? Promise.resolve([answers[name]]) : simulated(name, timeoutMs)) });
  }
  process.env.RUNBOOK_CONFIG = JSON.stringify(config);
  process.env.AWS_MAX_ATTEMPTS = '1';
  process.env.AWS_REGION = WEST;
  const out: Awaited<ReturnType<typeof verify>>[] = [];
  try {
    // The lock is this run's (Verify renews it).
    sim.time.set('main', 1000);
    await sim.time.run('main', () => acquireLock(config, EXEC, request.requestId));
    sim.time.advance(5, 'main');
    let prev: Awaited<ReturnType<typeof verify>> | undefined;
    for (let i = 0; i < n; i++) {
      if (prev) sim.time.advance(gaps[i - 1] ?? prev.waitSeconds, 'main');
      prev = await sim.time.run('main', () => verify({ request, execution: EXEC, verify: prev }));
      out.push(prev);
    }
  } finally {
    sim.uninstall();
  }
  return out;
}

const MOVED = { writerRegion: WEST, desired: { [WEST]: 6, [EAST]: 0 } };

test('everything in place: the first pass waits one DNS TTL and a second (61 s), the next says done; attempts count', async () => {
  const [first, second] = await passes(MOVED, 2);
  expect(first).toMatchObject({ done: false, waitSeconds: 61, attempt: 0, seen: [] });
  expect(first.firstSeenAt).toBeDefined();
  expect(second).toMatchObject({ done: true, waitSeconds: 0, attempt: 1, firstSeenAt: first.firstSeenAt });
  expect(second.actions.join('\n')).toMatch(/verified us-west-2: Route 53 answers it and not us-east-1, whose fence it reads closed \(for 61 s, at least the TTL and 1 s: 61 s\), writer available, 6 healthy targets/);
});

test('a pass before the TTL is up waits only what is left of it', async () => {
  const [, second, third] = await passes(MOVED, 3, 'health-check', [20, 41]);
  expect(second).toMatchObject({ done: false, waitSeconds: 41, attempt: 1 });
  expect(third).toMatchObject({ done: true, attempt: 2 });
});

test('no writer in the target: never done, and it says so', async () => {
  const out = await passes({ ...MOVED, writerRegion: EAST, closedGates: [`${EAST}@${EAST}`] }, 3);
  expect(out.every((p) => !p.done)).toBe(true);
  expect(out[2].seen.join('\n')).toMatch(/the writer is not available in us-west-2/);
  expect(out[2].waitSeconds).toBe(10);
});

test('too few healthy targets in the target: never done, and it says how many', async () => {
  const out = await passes({ ...MOVED, desired: { [WEST]: 2, [EAST]: 0 } }, 3);
  expect(out.every((p) => !p.done)).toBe(true);
  expect(out[2].seen.join('\n')).toMatch(/us-west-2 has 2 healthy targets, needs 6/);
});

test('routing controls: the wait adds the time Route 53 takes to answer on a changed control', async () => {
  const [first] = await passes({ ...MOVED, controls: { [WEST]: 'On', [EAST]: 'Off' } }, 1, 'routing-control');
  expect(first.done).toBe(false);
  expect(first.waitSeconds).toBeGreaterThan(60);
});

test('a first pass that changed nothing records no action', async () => {
  const [first] = await passes(MOVED, 1);
  expect(first.actions).toEqual([]);
});

test('Route 53 still answers the source (its fence read closed): never done, and it says so', async () => {
  const out = await passes(MOVED, 3, 'health-check', [], { [`_status.${EAST}.shop.example.com`]: 'serving' });
  expect(out.every((p) => !p.done)).toBe(true);
  expect(out[2].seen).toEqual([`Route 53 answers ${EAST} as serving`]);
});

test('the source withdrawn but its fence not read closed: never done, and it says so', async () => {
  const out = await passes(MOVED, 3, 'health-check', [], { [`_fence.${EAST}.shop.example.com`]: 'open' });
  expect(out.every((p) => !p.done)).toBe(true);
  expect(out[2].seen).toEqual([`Route 53 does not read ${EAST}'s traffic gates as closed yet`]);
});

test('past the verification timeout it fails with how long it waited and what it saw', async () => {
  const err = await passes({ ...MOVED, desired: { [WEST]: 2, [EAST]: 0 } }, 3, 'health-check', [600, 400]).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(err?.name).toBe('VerificationFailed');
  expect(err?.message).toMatch(/^after 10\d\d s: us-west-2 has 2 healthy targets, needs 6$/);
  // Everything it saw, separated.
  const both = await passes({ ...MOVED, writerRegion: EAST, closedGates: [`${EAST}@${EAST}`], desired: { [WEST]: 2, [EAST]: 0 } }, 3, 'health-check', [600, 400]).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(both?.message).toMatch(/^after 10\d\d s: the writer is not available in us-west-2 \([^)]*\); us-west-2 has 2 healthy targets, needs 6$/);
});
