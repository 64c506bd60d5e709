/**
 * The compute step on its own, pass by pass against the simulated world: it raises only
 * capacity that is short, to the full min/max/desired; it is done at the required healthy
 * targets; while launches fail it reads why (every tenth pass) and says so when it gives up at
 * its bound. Mutation testing (npm run mutation) found these unchecked by the fault matrix.
 */
import { handler as compute } from '../../lambda/runbook-compute';
import { backoffSeconds } from '../../lambda/shared/backoff';
import type { RunbookConfig } from '../../protocol';
import { EAST, testConfig, WEST } from './fixtures';
import { at, inputsOf, PassOptions, stepPasses, UNPLANNED } from './step-world';

type Step = Awaited<ReturnType<typeof compute>>;
const config = testConfig({ strategy: 'warm-standby' });
const run = (o: PassOptions) => stepPasses<Step>(compute as never, 'compute', { config, ...o });

describe('the compute step', () => {
  test('the standby short: scaled once to the full min, max and desired, then passes until the targets are healthy', async () => {
    const r = await run({ world: { desired: { [EAST]: 6, [WEST]: 3 } }, max: 200 });
    expect(r.error).toBeUndefined();
    expect(inputsOf(r, 'UpdateAutoScalingGroupCommand')).toEqual([{ AutoScalingGroupName: 'shop-web-us-west-2', MinSize: 6, MaxSize: 12, DesiredCapacity: 6 }]);
    expect(r.passes[0].actions).toEqual(['scaled shop-web-us-west-2 to 6 (min 6, max 12)']);
    expect(r.passes[0]).toMatchObject({ done: false, attempt: 0, waitSeconds: backoffSeconds(0), step: 'compute' });
    expect(r.passes.map((p) => p.waitSeconds).slice(0, -1)).toEqual(r.passes.slice(0, -1).map((p) => backoffSeconds(p.attempt)));
    const last = r.passes.at(-1)!;
    expect(last).toMatchObject({ done: true, waitSeconds: 0, healthyTargets: 6 });
    expect(last.actions).toEqual(['scaled shop-web-us-west-2 to 6 (min 6, max 12)']);
    expect(last.startedAt).toBe(r.passes[0].startedAt);
  });

  test('at full capacity already: nothing scaled, done at once', async () => {
    const r = await run({ world: { desired: { [EAST]: 6, [WEST]: 6 } }, max: 5 });
    expect(inputsOf(r, 'UpdateAutoScalingGroupCommand')).toEqual([]);
    expect(r.passes).toHaveLength(1);
    expect(r.passes[0]).toMatchObject({ done: true, actions: [], healthyTargets: 6 });
  });

  test('the target Region does not answer: the pass fails as ServiceUnavailable (retried by the state machine)', async () => {
    const r = await run({ world: { desired: { [EAST]: 6, [WEST]: 3 } }, max: 1, faults: [{ region: WEST, command: 'DescribeAutoScalingGroupsCommand', kind: 'error5xx' }] });
    expect(r.error).toMatchObject({ name: 'ServiceUnavailable', message: 'us-west-2 compute did not answer' });
  });

  test('launches failing: the latest failed scaling activity read every tenth pass, kept, and named when it gives up at its bound', async () => {
    const bounded: RunbookConfig = { ...config, computeTimeoutSeconds: 120 };
    const r = await stepPasses<Step>(compute as never, 'compute', { config: bounded, world: { desired: { [EAST]: 6, [WEST]: 3 } }, max: 400, faults: [{ region: WEST, kind: 'capacity' }] });
    const reads = r.sim.calls.filter((c) => c.command === 'DescribeScalingActivitiesCommand');
    expect(reads.length).toBeGreaterThan(0);
    // Read on passes 10, 20, ... only.
    expect(reads.length).toBe(Math.floor((r.passes.length) / 10));
    const first = r.passes.findIndex((p) => p.scalingFailure !== undefined);
    expect(r.passes[first].attempt).toBe(10);
    expect(r.passes.slice(first).every((p) => p.scalingFailure === r.passes[first].scalingFailure)).toBe(true);
    expect(r.error?.name).toBe('ComputeNotReady');
    expect(r.error?.message).toMatch(/^shop-web-us-west-2 in us-west-2 has \d+ healthy targets after 12\d s, needs 6; its latest failed scaling activity: Launching a new EC2 instance: .+$/);
  });

  test('past its default bound (1800 s) with nothing failing that it could read: how many targets, and nothing more', async () => {
    const r = await run({ world: { desired: { [EAST]: 6, [WEST]: 3 } }, max: 1, prev: { startedAt: at(1000 - 1801), attempt: 3, actions: [] } });
    expect(r.error?.message).toMatch(/^shop-web-us-west-2 in us-west-2 has \d+ healthy targets after 180[1-3] s, needs 6$/);
    const within = await run({ world: { desired: { [EAST]: 6, [WEST]: 3 } }, max: 1, prev: { startedAt: at(1000 - 1790), attempt: 3, actions: [] } });
    expect(within.error).toBeUndefined();
  });

  test('action plan is refused (InvalidRequest) with nothing called', async () => {
    const r = await run({ request: { ...UNPLANNED, action: 'plan' }, max: 1 });
    expect(r.error?.message).toBe('InvalidRequest: action: plan changes nothing');
    expect(r.sim.calls.filter((c) => /AutoScaling|TargetHealth/.test(c.command))).toEqual([]);
  });
});
