/**
 * The fault matrix's health-check-mode scenarios (the traffic mode every strategy deploys),
 * in two halves run by two test files (both cores): the Regions and the database
 * (fault-matrix.test.ts), the APIs failing (fault-matrix-apis.test.ts).
 */
import { ALL_WEST, EAST, mutatingCalls, PLANNED, Scenario, UNCHANGED, WEST } from './matrix';

const DETACH = { allowDetach: true };

/** Strategies, database kinds, directions, the primary down and back, partial outages, refusals, Aurora refusing. */
export const REGION_SCENARIOS: Scenario[] = [
  // --- Happy paths, per strategy, database kind and direction ---
  {
    name: 'warm standby, Aurora global, unplanned failover: the fence is the gates, held in us-east-1',
    config: {},
    expect: ALL_WEST,
    check: (r) => {
      expect(r.sim.closedGates(EAST)).toEqual([EAST]);
      expect(r.sim.closedGates(WEST)).toEqual([]);
      expect(r.outcomes[0].report!.summary).toMatch(/^SUCCEEDED: .* Up to 0.5 s of writes may be lost/);
    },
  },
  { name: 'warm standby, Aurora global, planned switchover: scale first, switch, move traffic', config: {}, runs: [{ request: PLANNED }], expect: ALL_WEST, check: (r) => {
    // The switchover waits for the target's capacity, and is sent in the primary's Region.
    const switchover = r.sim.calls.find((c) => c.command === 'SwitchoverGlobalClusterCommand')!;
    expect(switchover.region).toBe(EAST);
    expect(switchover.t).toBeGreaterThanOrEqual(r.sim.durations.instanceToHealthy);
  } },
  { name: 'hot standby (full capacity), no scaling needed', config: { standbyDesired: 6 }, expect: ALL_WEST, check: (r) => expect(r.sim.calls.filter((c) => c.command === 'UpdateAutoScalingGroupCommand')).toEqual([]) },
  {
    name: 'pilot light, headless Aurora secondary: a writer and a reader in two AZs, tagged',
    config: { strategy: 'pilot-light', database: 'aurora-headless', standbyDesired: 0 },
    expect: { ...ALL_WEST, mentions: /created shop-us-west-2-writer in us-west-2a and shop-us-west-2-reader in us-west-2b/ },
  },
  {
    name: 'pilot light, RDS read replica, unplanned, with consent: fenced before the promotion',
    config: { strategy: 'pilot-light', database: 'replica', standbyDesired: 0 },
    runs: [{ request: DETACH }],
    expect: { ...ALL_WEST, mentions: /TWO WRITABLE DATABASES: us-east-1's database may accept writes/ },
    check: (r) => {
      const promote = r.sim.calls.find((c) => c.command === 'PromoteReadReplicaCommand')!;
      const fence = r.sim.calls.find((c) => c.command === 'PutMetricDataCommand')!;
      expect(fence.t).toBeLessThan(promote.t);
      // The source answers: its app tier is stopped before the promotion, so no connection opened before the fence writes to it.
      const stop = r.sim.calls.find((c) => c.command === 'UpdateAutoScalingGroupCommand' && c.region === EAST)!;
      expect(stop.t).toBeGreaterThan(fence.t);
      expect(stop.t).toBeLessThan(promote.t);
      // ...and the promotion waits for its instances to drain (the deregistration delay), not only for the call.
      expect(promote.t - stop.t).toBeGreaterThanOrEqual(r.sim.drainSeconds);
      expect(r.outcomes[0].report!.done.join('\n')).toMatch(/scaled shop-web-us-east-1 in us-east-1 to 0 before the promotion[\s\S]*stopped shop-web-us-east-1 in us-east-1 \(0 instances\) before the promotion/);
      expect(r.sim.healthyTargets(EAST, promote.t)).toBe(0);
      // Both databases accept writes at the end, with consent; the old one has no traffic.
      expect(r.sim.writableRegions()).toEqual([EAST, WEST]);
    },
  },
  {
    name: 'pilot light, RDS read replica, planned, with consent: the lag drains to 0 before the promotion (no data lost)',
    config: { strategy: 'pilot-light', database: 'replica', standbyDesired: 0 },
    runs: [{ request: { ...PLANNED, ...DETACH } }],
    expect: ALL_WEST,
    check: (r) => expect(r.sim.losses.map((l) => l.seconds)).toEqual([0]),
  },
  {
    name: 'pilot light, RDS read replica, no consent to two writers: refused, nothing changed',
    config: { strategy: 'pilot-light', database: 'replica', standbyDesired: 0 },
    expect: { ...UNCHANGED, mentions: /DetachConsentRequired.*allowDetach: true/ },
    check: (r) => expect(mutatingCalls(r)).toEqual([]),
  },
  { name: 'pilot light, Aurora MySQL replica cluster, with consent', config: { strategy: 'pilot-light', database: 'aurora-replica', standbyDesired: 0 }, runs: [{ request: DETACH }], expect: { ...ALL_WEST, mentions: /PromoteReadReplicaDBCluster/ } },
  { name: 'active-active, Aurora global, evacuate us-east-1', config: { strategy: 'active-active', standbyDesired: 6 }, expect: ALL_WEST, check: (r) => expect(r.sim.closedGates(EAST)).toEqual([EAST]) },
  { name: 'active-active, planned evacuation', config: { strategy: 'active-active', standbyDesired: 6 }, runs: [{ request: PLANNED }], expect: ALL_WEST },
  {
    name: 'failback, Aurora global, planned: us-east-1 reopened in both Regions, us-west-2 closed at home',
    config: {},
    sim: { writerRegion: WEST, desired: { [WEST]: 6, [EAST]: 6 } },
    runs: [{ direction: 'failback', request: PLANNED }],
    expect: { status: 'SUCCEEDED', writer: EAST, traffic: [EAST] },
    check: (r) => {
      expect(r.sim.closedGates(EAST)).toEqual([]);
      expect(r.sim.closedGates(WEST)).toEqual([WEST]);
    },
  },
  {
    name: 'failback of a promoted read replica needs re-protection: refused, nothing changed',
    config: { database: 'replica' },
    sim: { writerRegion: WEST, desired: { [WEST]: 6, [EAST]: 6 } },
    runs: [{ direction: 'failback', request: PLANNED }],
    expect: { status: 'FAILED', writer: WEST, traffic: [WEST], mentions: /ReprotectionRequired|needs a new replica/ },
  },
  {
    name: 'already done: a re-run after success changes nothing',
    config: {},
    runs: [{}, { request: { requestId: 'again' }, delay: 60 }],
    expect: { status: ['SUCCEEDED', 'SUCCEEDED'], writer: WEST, traffic: [WEST] },
    check: (r) => expect(r.outcomes[1].report!.status).toBe('NOTHING_TO_DO'),
  },

  // --- The primary Region down, and back ---
  {
    name: 'primary unreachable for good: fenced in us-west-2, and still fenced once it recovers after the run',
    config: {},
    faults: [{ region: EAST, kind: 'unreachable' }],
    expect: ALL_WEST,
    check: (r) => {
      expect(r.sim.closedGates(EAST)).toEqual([WEST]);
      expect(r.outcomes[0].report!.done.join('\n')).toMatch(/closed the gate of us-east-1 in us-west-2 \(us-east-1 did not answer/);
    },
  },
  { name: 'primary unreachable, back 2 minutes into the run', config: {}, faults: [{ region: EAST, kind: 'unreachable', until: 120 }], expect: ALL_WEST },
  { name: 'primary unreachable, back 5 minutes after the run', config: {}, faults: [{ region: EAST, kind: 'unreachable', until: 700 }], after: 1200, expect: ALL_WEST },
  { name: 'pilot light with a read replica, primary unreachable, with consent', config: { strategy: 'pilot-light', database: 'replica', standbyDesired: 0 }, faults: [{ region: EAST, kind: 'unreachable' }], runs: [{ request: DETACH }], expect: ALL_WEST },
  { name: 'pilot light, headless, primary unreachable', config: { strategy: 'pilot-light', database: 'aurora-headless', standbyDesired: 0 }, faults: [{ region: EAST, kind: 'unreachable' }], expect: ALL_WEST },

  // --- Partial outages: one API down in the source, its load balancer still serving ---
  {
    name: 'partial: the source\'s Auto Scaling API unreachable, its load balancer serving: traffic moves all the same',
    config: {},
    faults: [{ region: EAST, command: 'DescribeAutoScalingGroupsCommand', kind: 'unreachable' }, { region: EAST, command: 'UpdateAutoScalingGroupCommand', kind: 'unreachable' }],
    expect: ALL_WEST,
  },
  {
    name: 'partial: the source\'s CloudWatch unreachable: the fence is held in us-west-2',
    config: {},
    faults: [{ region: EAST, command: 'PutMetricDataCommand', kind: 'unreachable' }, { region: EAST, command: 'DescribeAlarmsCommand', kind: 'unreachable' }],
    expect: ALL_WEST,
    check: (r) => expect(r.sim.closedGates(EAST)).toEqual([WEST]),
  },
  { name: 'partial: the source\'s RDS API unreachable (reads go to the target anyway)', config: {}, faults: [{ region: EAST, command: 'DescribeGlobalClustersCommand', kind: 'unreachable' }], expect: ALL_WEST },
  {
    name: 'a later run moves a closure held in the target back to the source: failover (source down), then failback',
    config: {},
    faults: [{ region: EAST, kind: 'unreachable', until: 500 }],
    runs: [{}, { direction: 'failback', request: { ...PLANNED, requestId: 'back' }, delay: 600 }],
    expect: { status: ['SUCCEEDED', 'SUCCEEDED'], writer: EAST, traffic: [EAST] },
    check: (r) => expect(r.sim.closedGates(EAST)).toEqual([]),
  },

  // --- Refusals before anything changes ---
  { name: 'a planned switchover while the primary is unreachable is refused', config: {}, faults: [{ region: EAST, kind: 'unreachable' }], runs: [{ request: PLANNED }], expect: { ...UNCHANGED, mentions: /PrimaryUnhealthy.*needs a healthy primary/ }, check: (r) => expect(mutatingCalls(r)).toEqual([]) },
  // Nothing changed; Route 53 has already sent traffic to the standby on its own (the PRIMARY is unhealthy, the SECONDARY's gates open).
  { name: 'a planned switchover while the primary has no healthy targets is refused', config: {}, sim: { desired: { [EAST]: 0 } }, runs: [{ request: PLANNED }], expect: { status: 'FAILED', writer: EAST, traffic: [WEST], mentions: /needs a healthy primary/ }, check: (r) => expect(mutatingCalls(r)).toEqual([]) },
  { name: 'a planned switchover above the lag limit is refused', config: {}, sim: { lagSeconds: 60 }, runs: [{ request: PLANNED }], expect: { ...UNCHANGED, mentions: /ReplicationLagTooHigh|replication lag/ } },

  // --- Aurora refusing the managed failover ---
  { name: 'managed failover refused twice (InvalidDBClusterStateFault, transient): retried, no detach', config: {}, faults: [{ command: 'FailoverGlobalClusterCommand', kind: 'refused', times: 2 }], expect: ALL_WEST, check: (r) => expect(r.sim.calls.filter((c) => c.command === 'RemoveFromGlobalClusterCommand')).toEqual([]) },
  {
    name: 'managed failover refused for good, no consent: stops with nothing promoted and says how to consent',
    config: {},
    faults: [{ region: EAST, kind: 'unreachable' }, { command: 'FailoverGlobalClusterCommand', kind: 'refused' }],
    expect: { ...UNCHANGED, mentions: /ManagedFailoverRefused.*re-run with allowDetach: true/ },
    check: (r) => expect(r.sim.calls.filter((c) => c.command === 'RemoveFromGlobalClusterCommand')).toEqual([]),
  },
  {
    name: 'managed failover refused for good, with consent: fence first, then detach; the old primary comes back writable and stays dark',
    config: {},
    faults: [{ region: EAST, kind: 'unreachable' }, { command: 'FailoverGlobalClusterCommand', kind: 'refused' }],
    runs: [{ request: DETACH }],
    expect: { ...ALL_WEST, mentions: /TWO WRITABLE DATABASES/ },
    check: (r) => {
      expect(r.sim.writableRegions()).toEqual([EAST, WEST]);
      const detach = r.sim.calls.find((c) => c.command === 'RemoveFromGlobalClusterCommand')!;
      expect(r.sim.calls.find((c) => c.command === 'PutMetricDataCommand' && c.region === WEST)!.t).toBeLessThan(detach.t);
      // us-east-1 is down: its app tier could not be stopped, and the report says what to do.
      expect(r.outcomes[0].report!.done.join('\n')).toMatch(/could not reach shop-web-us-east-1 in us-east-1 to stop it: it is fenced from DNS; scale it to 0 when us-east-1 answers/);
    },
  },


  // --- Found by the property test (properties.ts) ---
  {
    // The headless secondary needs its instances first: the failover call comes ten minutes
    // after Preflight, which read no lag (the primary down). The primary came back within
    // seconds and took writes again, so the call loses them: the report states the lag read
    // just before the call, not Preflight's.
    name: 'the data at risk is the lag at the failover call, not at Preflight: a headless secondary, the primary back after 5 s',
    config: { strategy: 'pilot-light', database: 'aurora-headless', standbyDesired: 0 },
    faults: [{ region: EAST, kind: 'unreachable', from: 0, until: 5 }],
    expect: ALL_WEST,
    check: (r) => {
      const loss = r.sim.losses.find((l) => l.seconds > 0)!;
      expect(loss.t).toBeGreaterThan(500);
      expect(r.outcomes[0].report!.dataLossRiskSeconds).toBeGreaterThanOrEqual(loss.seconds);
      expect(r.outcomes[0].report!.summary).toMatch(new RegExp(`Up to ${r.outcomes[0].report!.dataLossRiskSeconds} s of writes may be lost`));
    },
  },
  {
    // The runbook's own Region fails right after the failover call: no step can run there, the
    // report can never be made. The execution still fails with the step's error, not the
    // report's, and its cause says writes may be lost.
    name: "the target Region fails mid-run: no report can be made; the execution fails with the step's error and says writes may be lost",
    config: { strategy: 'active-active', standbyDesired: 6 },
    sim: { writerRegion: WEST, desired: { [WEST]: 6, [EAST]: 6 } },
    faults: [{ region: EAST, kind: 'unreachable', from: 2 }],
    runs: [{ direction: 'failback' }],
    expect: { status: 'FAILED', report: false, writer: EAST, traffic: [EAST, WEST], mentions: /to us-east-1: connection timed out \(no report could be made: if a promotion was made, an unknown amount of writes may be lost; Preflight read a replication lag of [\d.]+ s\)/ },
    check: (r) => {
      expect(r.outcomes[0].report).toBeUndefined();
      expect(r.outcomes[0].taskErrors.filter((e) => e.state === 'NotifyFailure').length).toBeGreaterThan(1);
      expect(r.outcomes[0].error).not.toMatch(/NotifyFailure/);
    },
  },
];

/** Lambda timeouts, throttling, 5xx on every API, permissions, the lock table, DNS, capacity, slowness, re-runs. */
export const API_SCENARIOS: Scenario[] = [
  // --- Lambda timeouts, throttling, 5xx, permissions ---
  {
    // The call takes 70 s, the function's timeout is 60 s: Lambda kills it (Lambda.Unknown), the state machine retries.
    name: 'a FailoverGlobalCluster call slower than the function timeout: killed, retried, one failover',
    config: {},
    faults: [{ command: 'FailoverGlobalClusterCommand', kind: 'slow', seconds: 70, times: 1 }],
    expect: ALL_WEST,
    check: (r) => {
      expect(r.sim.events.filter((e) => /global failover/.test(e.what))).toHaveLength(1);
      expect(r.outcomes[0].taskErrors).toEqual([expect.objectContaining({ state: 'ReconcileDatabase', error: 'Lambda.Unknown' })]);
    },
  },
  {
    name: 'a gate write slower than the function timeout: the traffic step is killed and retried',
    config: {},
    faults: [{ region: WEST, command: 'PutMetricDataCommand', kind: 'slow', seconds: 65, times: 1 }],
    expect: ALL_WEST,
    check: (r) => expect(r.outcomes[0].taskErrors).toEqual([expect.objectContaining({ state: 'ShiftTraffic', error: 'Lambda.Unknown' })]),
  },
  { name: 'throttling storm on RDS in the target Region', config: {}, faults: [{ region: WEST, command: 'DescribeGlobalClustersCommand', kind: 'throttle', times: 5 }], expect: ALL_WEST },
  { name: 'throttling storm on Auto Scaling', config: {}, faults: [{ region: WEST, command: 'UpdateAutoScalingGroupCommand', kind: 'throttle', times: 4 }], expect: ALL_WEST },
  { name: 'throttling storm on CloudWatch in the target (gate writes)', config: {}, faults: [{ region: WEST, command: 'PutMetricDataCommand', kind: 'throttle', times: 4 }], expect: ALL_WEST },
  ...[
    'DescribeGlobalClustersCommand',
    'DescribeDBClustersCommand',
    'DescribeDBInstancesCommand',
    'FailoverGlobalClusterCommand',
    'DescribeAutoScalingGroupsCommand',
    'UpdateAutoScalingGroupCommand',
    'DescribeTargetHealthCommand',
    'GetMetricDataCommand',
    'PutMetricDataCommand',
    'DescribeAlarmsCommand',
    'PutItemCommand',
    'UpdateItemCommand',
    'GetParameterCommand',
    'PublishCommand',
  ].map((command): Scenario => ({ name: `5xx twice on ${command.replace('Command', '')}`, config: {}, faults: [{ region: WEST, command, kind: 'error5xx', times: 2 }], expect: ALL_WEST })),
  { name: '5xx twice on PromoteReadReplica', config: { strategy: 'pilot-light', database: 'replica', standbyDesired: 0 }, faults: [{ command: 'PromoteReadReplicaCommand', kind: 'error5xx', times: 2 }], runs: [{ request: DETACH }], expect: ALL_WEST },
  { name: '5xx twice on CreateDBInstance (headless)', config: { database: 'aurora-headless' }, faults: [{ command: 'CreateDBInstanceCommand', kind: 'error5xx', times: 2 }], expect: ALL_WEST },
  {
    name: 'AccessDenied on the gate writes: a permission problem, surfaced at once, not retried',
    config: {},
    faults: [{ region: WEST, command: 'PutMetricDataCommand', kind: 'denied' }],
    expect: { status: 'FAILED', writer: WEST, traffic: [EAST], mentions: /RunbookPermissionDenied.*may not write the traffic gate/ },
    check: (r) => expect(r.sim.calls.filter((c) => c.command === 'PutMetricDataCommand' && c.region === WEST)).toHaveLength(1),
  },
  { name: 'the lock table in the target unreachable: the run cannot start, nothing changed', config: {}, faults: [{ region: WEST, command: 'PutItemCommand', kind: 'unreachable' }], expect: { ...UNCHANGED, mentions: /TimeoutError/ }, check: (r) => expect(mutatingCalls(r)).toEqual([]) },

  // --- DNS observation ---
  { name: 'the name servers do not answer for a while: Verify keeps trying, then succeeds', config: {}, faults: [{ command: 'DnsQuery', kind: 'unreachable', from: 250, until: 400 }], expect: ALL_WEST },
  {
    name: 'the name servers never answer: no success is reported, the run fails with what it saw',
    config: {},
    faults: [{ command: 'DnsQuery', kind: 'unreachable' }],
    expect: { status: 'FAILED', writer: WEST, traffic: [WEST], mentions: /VerificationFailed.*Route 53 answers us-west-2 as unknown/ },
  },

  // --- Capacity, slowness ---
  {
    name: 'launches fail for lack of capacity: the run fails naming the scaling activity; a re-run finishes once capacity is back',
    config: {},
    faults: [{ region: WEST, kind: 'capacity', until: 2000 }],
    runs: [{}, { request: { requestId: 'rerun' }, delay: 60 }],
    expect: { status: ['FAILED', 'SUCCEEDED'], writer: WEST, traffic: [WEST], mentions: /ComputeNotReady.*InsufficientInstanceCapacity/ },
  },
  { name: 'a 30-minute Aurora failover', config: {}, sim: { durations: { globalFailover: 1800 } }, expect: ALL_WEST },
  {
    // Never ready (a headless secondary's instance that takes 3 hours): the database step's
    // own bound ends it, below the execution's, so NotifyFailure still reports what was done.
    name: 'a database that never becomes ready: the step fails at its bound and the run is reported, nothing promoted',
    config: { strategy: 'pilot-light', database: 'aurora-headless', standbyDesired: 0 },
    sim: { durations: { instanceCreate: 3 * 3600 } },
    expect: { status: 'FAILED', writer: EAST, traffic: [EAST], mentions: /DatabaseNotReady: the database is not ready in us-west-2 after 24\d\d s: instance-pending/ },
    check: (r) => {
      expect(r.outcomes[0].seconds).toBeLessThan(2700);
      expect(r.outcomes[0].report!.notDone).toContain('traffic');
      expect(r.sim.calls.filter((c) => c.command === 'FailoverGlobalClusterCommand')).toEqual([]);
    },
  },
  { name: 'a 20-minute replica promotion', config: { strategy: 'pilot-light', database: 'replica', standbyDesired: 0 }, sim: { durations: { replicaPromotion: 1200 } }, runs: [{ request: DETACH }], expect: ALL_WEST },
  { name: 'Route 53 slower to follow a gate than the runbook assumes (3 min): Verify waits for what it sees', config: {}, sim: { durations: { trafficGate: 180 } }, expect: ALL_WEST },
  {
    // Found by the property test (bench runbook-properties, seed 1001): Route 53 read the
    // closure at 966.1 s, Verify saw it at 966.1 s and reported success one TTL later, while a
    // resolver that got the old answer earlier in second 966 could still serve it. The runbook
    // now waits one second more than the TTL (DNS_TTL_MARGIN_SECONDS).
    name: 'Route 53 reads the closure in the same second Verify looks: success waits the TTL and one second more',
    config: { strategy: 'pilot-light', database: 'aurora-headless', standbyDesired: 0 },
    sim: { durations: { trafficGate: 302 } },
    expect: ALL_WEST,
  },
  {
    // The source's Auto Scaling API does not answer (its app still serves), so the step cannot
    // stop it and takes it as down; Route 53 reads the fence 5 min late. Only the promotion's
    // own check (Route 53 seen answering the target only, one TTL) keeps the promoted replica
    // from sharing traffic with the old, still writable database.
    name: "Route 53 slower than assumed (5 min), a 1-minute promotion, the source's Auto Scaling API silent: the promotion waits until Route 53 answers the target only",
    config: { strategy: 'pilot-light', database: 'replica', standbyDesired: 0 },
    sim: { durations: { trafficGate: 300, replicaPromotion: 60 } },
    faults: [{ region: EAST, command: 'DescribeAutoScalingGroupsCommand', kind: 'unreachable' }],
    runs: [{ request: DETACH }],
    expect: ALL_WEST,
    check: (r) => {
      const promoted = r.sim.calls.find((c) => c.command === 'PromoteReadReplicaCommand')!.t;
      const moved = r.sim.calls.find((c) => c.command === 'PutMetricDataCommand')!.t;
      expect(promoted - moved).toBeGreaterThanOrEqual(300 + 60);
    },
  },
  {
    name: 'the notification fails for good: a completed failover still succeeds',
    config: {},
    faults: [{ command: 'PublishCommand', kind: 'error5xx' }],
    expect: ALL_WEST,
  },

  {
    // The closure is written in us-east-1 at about 183 s; Route 53 would read it from 273 s, but
    // us-east-1 goes down at 270 s. "Withdrawn" is then only the endpoint: Verify must see the
    // fence record closed, and closes us-east-1 in us-west-2 when it does not.
    name: 'the source goes down after its closure was written but before Route 53 read it: closed again in the target, still fenced when it comes back',
    config: {},
    faults: [{ region: EAST, kind: 'unreachable', from: 270, until: 3000 }],
    expect: { ...ALL_WEST, mentions: /Route 53 did not read the closure of us-east-1 \(its fence record is not closed\): closed its gate in us-west-2 as well/ },
    check: (r) => expect(r.sim.closedGates(EAST)).toEqual([EAST, WEST]),
  },
  {
    name: 'the same, then a re-run while the source is still down: nothing left to do, the fence still holds',
    config: {},
    faults: [{ region: EAST, kind: 'unreachable', from: 270, until: 3000 }],
    runs: [{}, { request: { requestId: 'again' }, delay: 60 }],
    expect: { status: ['SUCCEEDED', 'SUCCEEDED'], writer: WEST, traffic: [WEST] },
  },

  {
    // Before any failover every gate is open, so Route 53 would send clients to a pilot light's
    // empty standby whenever the primary's check fails. A planned failback right after the first
    // deploy changes no data (the writer is already home) and closes the standby's gates.
    name: 'arming a pilot light: a planned failback while the primary already serves closes the standby, changing no data',
    config: { strategy: 'pilot-light', database: 'aurora-headless', standbyDesired: 0 },
    runs: [{ direction: 'failback', request: { ...PLANNED, requestId: 'arm' } }],
    expect: { status: 'SUCCEEDED', writer: EAST, traffic: [EAST] },
    check: (r) => {
      expect(r.sim.closedGates(WEST)).toEqual([WEST]);
      expect(r.sim.calls.filter((c) => /Failover|Switchover|Promote|Remove|CreateDBInstance/.test(c.command))).toEqual([]);
    },
  },

  // --- Re-runs and sequences ---
  {
    name: 'a step failing midway leaves state a re-run finishes, without repeating the promotion',
    config: {},
    // No gate can be written anywhere: the source cannot be fenced, so the step fails after the promotion.
    faults: [{ command: 'PutMetricDataCommand', kind: 'error5xx', until: 400 }],
    runs: [{}, { request: { requestId: 'drill-1-rerun' }, delay: 300 }],
    expect: { status: ['FAILED', 'SUCCEEDED'], writer: WEST, traffic: [WEST] },
    check: (r) => {
      const first = r.outcomes[0].report!;
      expect(first.done.join('\n')).toMatch(/FailoverGlobalCluster/);
      expect(first.notDone).toContain('traffic');
      expect(first.rerun![0]).toMatch(/^npx cdk-resilience failover --strategy 'shop' --to 'us-west-2' --mode unplanned --allow-data-loss --request-id 'run-1-rerun' --reason 'drill' --yes$/);
      expect(r.sim.calls.filter((c) => c.command === 'FailoverGlobalClusterCommand')).toHaveLength(1);
    },
  },
  {
    name: 'failover, failback, and a second failover right after',
    config: {},
    runs: [{}, { direction: 'failback', request: { ...PLANNED, requestId: 'back-1' }, delay: 60 }, { request: { requestId: 'again-1' }, delay: 60 }],
    expect: { status: ['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED'], writer: WEST, traffic: [WEST] },
  },
];
