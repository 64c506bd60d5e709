/**
 * Fault-matrix scenarios: routing-control mode (ARC), runbooks started together (the lock),
 * and state machines started directly with requests the entry function would have refused.
 * Run by fault-matrix-arc.test.ts.
 */
import { ALL_WEST, EAST, mutatingCalls, PLANNED, Scenario, UNCHANGED, WEST } from './matrix';
import { UNPLANNED } from './scenario';

const RC = { traffic: 'routing-control' as const };

export const ROUTING_CONTROL_SCENARIOS: Scenario[] = [
  { name: 'routing controls: warm standby, unplanned failover', config: RC, expect: ALL_WEST, check: (r) => expect(r.sim.controls).toEqual({ [EAST]: 'Off', [WEST]: 'On' }) },
  { name: 'routing controls: planned switchover', config: RC, runs: [{ request: PLANNED }], expect: ALL_WEST },
  { name: 'routing controls: failback, planned', config: RC, sim: { writerRegion: WEST, desired: { [WEST]: 6, [EAST]: 6 } }, runs: [{ direction: 'failback', request: PLANNED }], expect: { status: 'SUCCEEDED', writer: EAST, traffic: [EAST] } },
  { name: 'routing controls: primary unreachable, back after the run', config: RC, faults: [{ region: EAST, kind: 'unreachable', until: 600 }], expect: ALL_WEST },
  { name: 'routing controls: active-active evacuation', config: { ...RC, strategy: 'active-active', standbyDesired: 6 }, expect: ALL_WEST },
  { name: 'routing controls: RDS read replica with consent', config: { ...RC, strategy: 'pilot-light', database: 'replica', standbyDesired: 0 }, runs: [{ request: { allowDetach: true } }], expect: ALL_WEST },
  {
    name: 'routing controls: managed failover refused, with consent: controls flipped before the detach',
    config: RC,
    faults: [{ region: EAST, kind: 'unreachable' }, { command: 'FailoverGlobalClusterCommand', kind: 'refused' }],
    runs: [{ request: { allowDetach: true } }],
    expect: { ...ALL_WEST, mentions: /TWO WRITABLE DATABASES/ },
  },
  { name: 'routing controls: throttling on every ARC endpoint, then recovery', config: RC, faults: [{ command: 'UpdateRoutingControlStatesCommand', kind: 'throttle', times: 7 }], expect: ALL_WEST },
  {
    name: 'routing controls: two cluster endpoints black-holed: each costs its bound, the others answer',
    config: RC,
    faults: [
      { endpoint: 'host-us-west-2', kind: 'unreachable' },
      { endpoint: 'host-us-east-1', kind: 'unreachable' },
    ],
    expect: ALL_WEST,
  },
  {
    name: 'routing controls: every cluster endpoint black-holed: the run fails within its step bounds, the controls unchanged',
    config: RC,
    faults: [{ command: 'UpdateRoutingControlStatesCommand', kind: 'unreachable' }],
    expect: { status: 'FAILED', writer: WEST, traffic: [EAST], mentions: /RoutingControlUnavailable/ },
    check: (r) => expect(r.sim.controls).toEqual({ [EAST]: 'On', [WEST]: 'Off' }),
  },
  ...['GetRoutingControlStateCommand', 'UpdateRoutingControlStatesCommand', 'GetParameterCommand'].map(
    (command): Scenario => ({ name: `routing controls: 5xx twice on ${command.replace('Command', '')}`, config: RC, faults: [{ command, kind: 'error5xx', times: 2 }], expect: ALL_WEST }),
  ),
];

export const CONCURRENCY_SCENARIOS: Scenario[] = [
  {
    name: 'a failover and a failback started at the same second (each in its Region): one runs, the other stops before changing anything',
    config: {},
    together: true,
    runs: [
      { at: 0, request: { requestId: 'over' } },
      { at: 0, direction: 'failback', request: { ...PLANNED, requestId: 'back' } },
    ],
    // Both took the lock in their own Region within the replication lag: each reads the other's
    // replica, sees the other, and backs off. Nothing moved; the operators retry.
    expect: { status: ['FAILED', 'FAILED'], writer: EAST, traffic: [EAST], mentions: /took the strategy's lock at the same moment; this run backed off before changing anything/ },
    check: (r) => expect(mutatingCalls(r)).toEqual([]),
  },
  {
    name: 'a failback started while a failover runs (a minute apart): refused, nothing changed by it',
    config: {},
    together: true,
    runs: [
      { at: 0, request: { requestId: 'over' } },
      { at: 60, direction: 'failback', request: { ...PLANNED, requestId: 'back' } },
    ],
    expect: { status: ['SUCCEEDED', 'FAILED'], writer: WEST, traffic: [WEST], mentions: /RunbookAlreadyRunning: the failover runbook in us-west-2 \(request over\) holds the strategy's lock/ },
  },
  {
    // The status records do not answer for 12 minutes: the failover verifies far past the
    // 300 s lease its traffic step renewed. Verify renews it on every pass, so the failback
    // started 10 minutes in is still refused.
    name: 'a failback started while a long verification runs, past the first lease: refused',
    config: {},
    together: true,
    faults: [{ command: 'DnsQuery', kind: 'unreachable', until: 720 }],
    runs: [
      { at: 0, request: { requestId: 'over' } },
      { at: 600, direction: 'failback', request: { ...PLANNED, requestId: 'back' } },
    ],
    expect: { status: ['SUCCEEDED', 'FAILED'], writer: WEST, traffic: [WEST], mentions: /RunbookAlreadyRunning: the failover runbook in us-west-2 \(request over\) holds the strategy's lock/ },
    check: (r) => expect(r.outcomes[0].report!.timeline.find((t) => t.step === 'verify')!.seconds).toBeGreaterThan(400),
  },
  {
    name: 'two failovers with different request ids at once: one runs',
    config: {},
    together: true,
    runs: [
      { at: 0, request: { requestId: 'a' } },
      { at: 5, request: { requestId: 'b' } },
    ],
    expect: { status: ['SUCCEEDED', 'FAILED'], writer: WEST, traffic: [WEST], mentions: /RunbookAlreadyRunning/ },
  },
];

export const DIRECT_START_SCENARIOS: Scenario[] = [
  {
    name: 'a state machine started directly with {"request":{"action":"failover"}}: refused in Preflight, nothing changed',
    config: {},
    runs: [{ input: { request: { action: 'failover' } } }],
    expect: { ...UNCHANGED, mentions: /InvalidRequest: mode: must be planned or unplanned/ },
    check: (r) => expect(mutatingCalls(r)).toEqual([]),
  },
  {
    name: 'started directly, unplanned without allowDataLoss: refused, no data-loss call',
    config: {},
    runs: [{ input: { request: { ...UNPLANNED, allowDataLoss: undefined } } }],
    expect: { ...UNCHANGED, mentions: /InvalidRequest: allowDataLoss/ },
    check: (r) => expect(r.sim.calls.filter((c) => c.command === 'FailoverGlobalClusterCommand')).toEqual([]),
  },
  {
    name: 'started directly with an extra field: refused (nothing the validator does not know reaches a step)',
    config: {},
    runs: [{ input: { request: { ...UNPLANNED, reason: "x'; rm -rf /", force: true } } }],
    expect: { ...UNCHANGED, mentions: /InvalidRequest: force: is not a field of a runbook request/ },
    check: (r) => expect(mutatingCalls(r)).toEqual([]),
  },
  {
    name: 'started directly with action plan: refused (a plan changes nothing)',
    config: {},
    runs: [{ input: { request: { ...UNPLANNED, action: 'plan' } } }],
    expect: { ...UNCHANGED, mentions: /InvalidRequest: action: plan is answered by the entry function/ },
    check: (r) => expect(mutatingCalls(r)).toEqual([]),
  },
  {
    name: 'started directly with no input at all: the execution fails at its first state, nothing changed',
    config: {},
    runs: [{ input: {} }],
    expect: { ...UNCHANGED, report: false, mentions: /'\$\.request' does not point to a value/ },
    check: (r) => expect(r.sim.calls).toEqual([]),
  },
];

