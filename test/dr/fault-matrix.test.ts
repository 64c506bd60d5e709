import { RunbookConfig, RunbookRequest } from '../../protocol';
import { execute, ExecutionOutcome } from './harness';
import { EAST, testConfig, testRunbook, WEST } from './fixtures';
import { Fault, SimOptions, SimulatedAws } from './simulator';

/** One scenario of the fault matrix. */
interface Scenario {
  readonly name: string;
  readonly config: Parameters<typeof testConfig>[0];
  readonly sim?: Omit<SimOptions, 'config'>;
  readonly faults?: Fault[];
  readonly request?: Partial<RunbookRequest>;
  readonly expect: {
    readonly status: 'SUCCEEDED' | 'FAILED';
    /** Region of the database writer at the end. */
    readonly writer: string;
    /** Regions with traffic at the end. */
    readonly traffic: readonly string[];
    /** A text the report or error must contain. */
    readonly mentions?: RegExp;
  };
}

const FAILOVER: RunbookRequest = { action: 'failover', mode: 'unplanned', allowDataLoss: true, requestId: 'drill-1', reason: 'drill' };
const PLANNED: RunbookRequest = { action: 'failover', mode: 'planned', requestId: 'drill-1', reason: 'planned move' };

function writerOf(sim: SimulatedAws, config: RunbookConfig): string {
  const w = sim.writableRegions();
  if (config.database.kind !== 'aurora-global') return w.includes(config.database.replica.region) ? config.database.replica.region : config.database.source.region;
  // After detach-and-promote the target is the writer that serves.
  return w.includes(config.targetRegion) ? config.targetRegion : (w[0] ?? 'none');
}

async function run(s: Scenario): Promise<{ out: ExecutionOutcome; sim: SimulatedAws; config: RunbookConfig }> {
  const config = testConfig(s.config);
  const { runbook } = testRunbook(config);
  const sim = new SimulatedAws({ config, ...s.sim });
  sim.faults.push(...(s.faults ?? []).map((f) => ({ ...f })));
  sim.install();
  try {
    const out = await execute(sim, runbook, config, { ...FAILOVER, ...(s.config.direction === 'failback' ? { action: 'failback' } : {}), ...s.request } as RunbookRequest);
    return { out, sim, config };
  } finally {
    sim.uninstall();
  }
}

const ALL_WEST = { status: 'SUCCEEDED', writer: WEST, traffic: [WEST] } as const;
const UNCHANGED = { status: 'FAILED', writer: EAST, traffic: [EAST] } as const;

const SCENARIOS: Scenario[] = [
  // --- Happy paths, per strategy, database kind, traffic mechanism and direction ---
  { name: 'warm standby, Aurora global, routing controls, unplanned failover', config: {}, expect: ALL_WEST },
  { name: 'warm standby, Aurora global, routing controls, planned switchover', config: {}, request: PLANNED, expect: ALL_WEST },
  { name: 'warm standby, Aurora global, health checks, unplanned failover', config: { traffic: 'health-check' }, expect: ALL_WEST },
  { name: 'warm standby, Aurora global, health checks, planned switchover', config: { traffic: 'health-check' }, request: PLANNED, expect: ALL_WEST },
  { name: 'hot standby (full capacity), no scaling needed', config: { standbyDesired: 6 }, expect: ALL_WEST },
  { name: 'pilot light, headless Aurora secondary, compute from 0', config: { strategy: 'pilot-light', database: 'aurora-headless', standbyDesired: 0, traffic: 'health-check' }, expect: ALL_WEST },
  { name: 'pilot light, RDS read replica, compute from 0, health checks', config: { strategy: 'pilot-light', database: 'replica', standbyDesired: 0, traffic: 'health-check' }, expect: ALL_WEST },
  { name: 'pilot light, RDS read replica, routing controls, planned', config: { strategy: 'pilot-light', database: 'replica', standbyDesired: 0 }, request: PLANNED, expect: ALL_WEST },
  { name: 'pilot light, Aurora MySQL replica cluster, health checks', config: { strategy: 'pilot-light', database: 'aurora-replica', standbyDesired: 0, traffic: 'health-check' }, expect: { ...ALL_WEST, mentions: /PromoteReadReplicaDBCluster/ } },
  { name: 'active-active, Aurora global, evacuate us-east-1', config: { strategy: 'active-active', standbyDesired: 6 }, sim: { controls: { [EAST]: 'On', [WEST]: 'On' } }, expect: ALL_WEST },
  {
    name: 'failback, Aurora global, routing controls, planned',
    config: { direction: 'failback' },
    sim: { writerRegion: WEST, controls: { [WEST]: 'On', [EAST]: 'Off' } },
    request: { mode: 'planned', allowDataLoss: undefined },
    expect: { status: 'SUCCEEDED', writer: EAST, traffic: [EAST] },
  },
  {
    name: 'failback, Aurora global, health checks, planned',
    config: { direction: 'failback', traffic: 'health-check' },
    sim: { writerRegion: WEST, desired: { [WEST]: 6, [EAST]: 0 } },
    request: { mode: 'planned', allowDataLoss: undefined },
    expect: { status: 'SUCCEEDED', writer: EAST, traffic: [EAST] },
  },
  {
    name: 'failback of a promoted read replica needs re-protection: refused, nothing changed',
    config: { direction: 'failback', database: 'replica' },
    sim: { writerRegion: WEST, controls: { [WEST]: 'On', [EAST]: 'Off' } },
    request: { mode: 'planned', allowDataLoss: undefined },
    expect: { status: 'FAILED', writer: WEST, traffic: [WEST], mentions: /ReprotectionRequired|needs a new replica/ },
  },
  { name: 'already done: a re-run after success changes nothing', config: {}, sim: { writerRegion: WEST, controls: { [WEST]: 'On', [EAST]: 'Off' }, desired: { [WEST]: 6 } }, expect: ALL_WEST },

  // --- The primary Region fully unreachable ---
  { name: 'primary unreachable (every call times out), routing controls', config: {}, faults: [{ region: EAST, kind: 'unreachable' }], expect: { ...ALL_WEST } },
  { name: 'primary unreachable, health checks: fencing is best effort', config: { traffic: 'health-check' }, faults: [{ region: EAST, kind: 'unreachable' }], expect: { ...ALL_WEST, mentions: /could not fence us-east-1/ } },
  { name: 'primary unreachable, pilot light with a read replica', config: { strategy: 'pilot-light', database: 'replica', standbyDesired: 0, traffic: 'health-check' }, faults: [{ region: EAST, kind: 'unreachable' }], expect: ALL_WEST },
  {
    name: 'a planned switchover while the primary is unreachable is refused',
    config: {},
    faults: [{ region: EAST, kind: 'unreachable' }],
    request: PLANNED,
    expect: { status: 'FAILED', writer: EAST, traffic: [], mentions: /PrimaryUnhealthy|needs a healthy primary/ },
  },
  {
    name: 'a planned switchover while the primary has no healthy targets is refused',
    config: {},
    sim: { desired: { [EAST]: 0 } },
    request: PLANNED,
    expect: { status: 'FAILED', writer: EAST, traffic: [], mentions: /needs a healthy primary/ },
  },
  {
    name: 'a planned switchover above the lag limit is refused',
    config: {},
    sim: { lagSeconds: 60 },
    request: PLANNED,
    expect: { ...UNCHANGED, mentions: /ReplicationLagTooHigh|replication lag/ },
  },

  {
    name: 'managed failover refused: detach-and-promote instead',
    config: {},
    faults: [{ region: EAST, kind: 'unreachable' }, { command: 'FailoverGlobalClusterCommand', kind: 'unsupported' }],
    expect: { ...ALL_WEST, mentions: /RemoveFromGlobalCluster/ },
  },

  // --- Throttling storms ---
  { name: 'throttling storm on RDS in the target Region', config: {}, faults: [{ region: WEST, command: 'DescribeGlobalClustersCommand', kind: 'throttle', times: 5 }], expect: ALL_WEST },
  { name: 'throttling storm on Auto Scaling', config: {}, faults: [{ region: WEST, command: 'UpdateAutoScalingGroupCommand', kind: 'throttle', times: 4 }], expect: ALL_WEST },
  { name: 'throttling on every ARC endpoint, then recovery', config: {}, faults: [{ command: 'UpdateRoutingControlStatesCommand', kind: 'throttle', times: 7 }], expect: ALL_WEST },

  // --- 5xx on every API used (twice each) ---
  ...[
    'DescribeGlobalClustersCommand',
    'DescribeDBClustersCommand',
    'DescribeDBInstancesCommand',
    'FailoverGlobalClusterCommand',
    'DescribeAutoScalingGroupsCommand',
    'UpdateAutoScalingGroupCommand',
    'DescribeTargetHealthCommand',
    'GetRoutingControlStateCommand',
    'UpdateRoutingControlStatesCommand',
    'GetParameterCommand',
    'GetMetricDataCommand',
    'PublishCommand',
  ].map((command): Scenario => ({ name: `5xx twice on ${command.replace('Command', '')}`, config: {}, faults: [{ command, kind: 'error5xx', times: 2 }], expect: ALL_WEST })),
  { name: '5xx twice on PromoteReadReplica', config: { strategy: 'pilot-light', database: 'replica', standbyDesired: 0 }, faults: [{ command: 'PromoteReadReplicaCommand', kind: 'error5xx', times: 2 }], expect: ALL_WEST },
  { name: '5xx twice on CreateDBInstance (headless)', config: { database: 'aurora-headless' }, faults: [{ command: 'CreateDBInstanceCommand', kind: 'error5xx', times: 2 }], expect: ALL_WEST },

  // --- Slowness ---
  { name: 'a promotion API call slower than the Lambda timeout', config: {}, faults: [{ command: 'FailoverGlobalClusterCommand', kind: 'slow', seconds: 120, times: 1 }], expect: ALL_WEST },
  { name: 'a 30-minute Aurora failover', config: {}, sim: { durations: { globalFailover: 1800 } }, expect: ALL_WEST },
  { name: 'a 20-minute replica promotion', config: { strategy: 'pilot-light', database: 'replica', standbyDesired: 0 }, sim: { durations: { replicaPromotion: 1200 } }, expect: ALL_WEST },
];

describe('runbook fault matrix', () => {
  test('has at least 30 scenarios', () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(30);
  });

  test.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const { out, sim, config } = await run(scenario);
    const text = `${out.error ?? ''}\n${JSON.stringify(out.report ?? {})}`;
    expect({ status: out.status, error: out.status === scenario.expect.status ? undefined : text }).toEqual({ status: scenario.expect.status, error: undefined });
    expect(writerOf(sim, config)).toBe(scenario.expect.writer);
    expect(sim.trafficRegions().sort()).toEqual([...scenario.expect.traffic].sort());
    expect(sim.invariantViolations).toEqual([]);
    if (scenario.expect.mentions) expect(text).toMatch(scenario.expect.mentions);
    // Every run ends with a report, success or failure.
    expect(out.report?.status).toBe(out.status === 'SUCCEEDED' ? (out.report?.status === 'NOTHING_TO_DO' ? 'NOTHING_TO_DO' : 'SUCCEEDED') : 'FAILED');
    if (config.notifyTopicArn) expect(sim.notifications.length).toBeGreaterThanOrEqual(1);
  });
});

describe('re-runs', () => {
  test('a step failing midway leaves state a re-run finishes, without repeating the promotion', async () => {
    const config = testConfig({});
    const { runbook } = testRunbook(config);
    const sim = new SimulatedAws({ config });
    // Every ARC endpoint refuses the switch for longer than the retries last.
    sim.faults.push({ command: 'UpdateRoutingControlStatesCommand', kind: 'error5xx', times: 500 });
    sim.install();
    try {
      const first = await execute(sim, runbook, config, FAILOVER);
      expect(first.status).toBe('FAILED');
      expect(first.report?.status).toBe('FAILED');
      expect(first.report?.done.join('\n')).toMatch(/FailoverGlobalCluster/);
      expect(first.report?.notDone.join('\n')).toMatch(/traffic/);
      expect(first.report?.rerun).toMatch(/aws lambda invoke/);
      expect(sim.writableRegions()).toEqual([WEST]);
      expect(sim.controls).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
      // The one unsafe state a failure can leave: the writer moved, the traffic did not.
      // The report says so (database done, traffic not done) and the re-run finishes it.
      expect(sim.invariantViolations).toEqual([expect.stringMatching(/^end .*traffic to us-east-1 without a writer/)]);
      sim.invariantViolations.length = 0;

      sim.faults.length = 0;
      const second = await execute(sim, runbook, config, { ...FAILOVER, requestId: 'drill-1-rerun' });
      expect(second.status).toBe('SUCCEEDED');
      expect(sim.controls).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
      expect(sim.calls.filter((c) => c.command === 'FailoverGlobalClusterCommand')).toHaveLength(1);
      expect(sim.invariantViolations).toEqual([]);
    } finally {
      sim.uninstall();
    }
  });

  test('failover, failback, and a second failover right after', async () => {
    const there = testConfig({});
    const back = testConfig({ direction: 'failback' });
    const sim = new SimulatedAws({ config: there });
    sim.install();
    try {
      const a = await execute(sim, testRunbook(there).runbook, there, FAILOVER);
      const b = await execute(sim, testRunbook(back).runbook, back, { ...PLANNED, action: 'failback', requestId: 'back-1' });
      expect(sim.writableRegions()).toEqual([EAST]);
      expect(sim.controls).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
      const c = await execute(sim, testRunbook(there).runbook, there, { ...FAILOVER, requestId: 'drill-2' });
      expect([a.status, b.status, c.status]).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
      expect(sim.writableRegions()).toEqual([WEST]);
      expect(sim.trafficRegions()).toEqual([WEST]);
      expect(sim.invariantViolations).toEqual([]);
    } finally {
      sim.uninstall();
    }
  });
});

describe('timeline', () => {
  test('the report times every step and the recovery, and the parallel branches overlap', async () => {
    const { out } = await run({ name: 'timeline', config: {}, expect: ALL_WEST });
    const steps = Object.fromEntries(out.report!.timeline.map((t) => [t.step, t]));
    expect(Object.keys(steps)).toEqual(['preflight', 'database', 'compute', 'traffic', 'verify']);
    expect(steps.database.startedAt).toBe(steps.compute.startedAt);
    expect(steps.compute.seconds).toBeGreaterThanOrEqual(180);
    expect(steps.database.seconds).toBeGreaterThanOrEqual(60);
    expect(out.report!.recoveryTimeSeconds).toBeCloseTo(out.seconds, 0);
    // The same timeline as a Mermaid Gantt chart (in the SNS report), one bar per step.
    const gantt = out.report!.gantt.split('\n');
    expect(gantt.slice(0, 5)).toEqual(['gantt', expect.stringMatching(/^  title .* failover to us-west-2$/), '  dateFormat X', '  axisFormat %M:%S', '  section Steps']);
    expect(gantt.filter((l) => /^  (preflight|database|compute|traffic|verify) :s\d/.test(l))).toHaveLength(5);
    expect(gantt).toContain(`  recovered in ${Math.round(out.report!.recoveryTimeSeconds)} s :milestone, rec, ${Math.round(out.report!.recoveryTimeSeconds)}, 0s`);
  });
});
