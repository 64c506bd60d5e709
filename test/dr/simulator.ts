/**
 * A simulated AWS for the runbooks, on a virtual clock: an Aurora global database (or an RDS
 * read replica), Auto Scaling groups and target health, CloudWatch alarms (the traffic gates),
 * ARC routing controls, a DynamoDB global table (the runbook lock, replicated with a lag),
 * and Route 53 answering from the records' health checks, with resolvers that keep an answer
 * for its TTL. The real handlers run against it through aws-sdk-client-mock (and a DNS seam);
 * the synthesized state machine runs in aws-local-stepfunctions (harness.ts).
 *
 * Every resource lives in a Region and a call reaches it only in that Region. State is kept as
 * timelines, so the safety model's invariants (DESIGN.md, Runbooks) can be evaluated at any
 * virtual second: at every state change as it happens, and over every second of the run and
 * of the time after it (`sweep`), including after a failed Region recovers. No exemption list.
 */
import { AsyncLocalStorage } from 'async_hooks';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, DescribeScalingActivitiesCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  PromoteReadReplicaCommand,
  PromoteReadReplicaDBClusterCommand,
  RDSClient,
  RemoveFromGlobalClusterCommand,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { GetRoutingControlStateCommand, Route53RecoveryClusterClient, UpdateRoutingControlStatesCommand } from '@aws-sdk/client-route53-recovery-cluster';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import * as sinon from 'sinon';
import { installClock } from '../../lambda/shared/clock';
import { installResolver } from '../../lambda/shared/dns';
import { RunbookConfig } from '../../protocol';
import { OPERATION_DURATIONS, OperationDurations } from '../../lib/assessment/operation-durations';

/** Virtual durations of AWS operations, in seconds: the RTO model's own figures. */
export type SimDurations = OperationDurations;

/** The defaults: lib/assessment/operation-durations.ts, each with its source. */
export const DEFAULT_DURATIONS: SimDurations = OPERATION_DURATIONS;

/** Seconds a DynamoDB global table takes to replicate a write to the other Region. */
export const LOCK_REPLICATION_SECONDS = 1;

/**
 * A fault injected into matching calls.
 * - `unreachable`: the call times out after its bound (a Region without `command` is down:
 *   it also stops serving and accepting writes);
 * - `throttle`, `error5xx`: fail at once; `slow`: adds `seconds`;
 * - `refused`: an RDS call refused with InvalidDBClusterStateFault, or the error `name` given
   (the names RDS uses for a state: InvalidGlobalClusterStateFault, GlobalClusterNotFoundFault,
   InvalidDBInstanceStateFault, DBInstanceAlreadyExistsFault);
 * - `denied`: AccessDeniedException; `capacity`: launches in the Region fail (no healthy target).
 */
export interface Fault {
  /** Region the fault applies to (all when undefined). */
  readonly region?: string;
  /** Command name, e.g. 'FailoverGlobalClusterCommand', or 'DnsQuery' (all when undefined). */
  readonly command?: string;
  /** ARC only: a substring of the cluster endpoint it applies to. */
  readonly endpoint?: string;
  readonly kind: 'unreachable' | 'throttle' | 'error5xx' | 'slow' | 'refused' | 'denied' | 'capacity';
  /** How many calls it hits (forever when undefined). */
  times?: number;
  /** For 'slow': extra virtual seconds. */
  readonly seconds?: number;
  /** For 'refused': the error's name (InvalidDBClusterStateFault when undefined). */
  readonly name?: string;
  /** Active from this virtual second (0 when undefined). */
  readonly from?: number;
  /** Active until this virtual second, exclusive (forever when undefined): the Region recovers then. */
  until?: number;
}

interface Instance {
  readonly id: string;
  readonly readyAt: number;
  /** The capacity fault its launch hit: Auto Scaling retries it, and it is healthy once the fault ends. */
  readonly failedBy?: Fault;
}

/** A global operation on the Aurora global database. */
interface GlobalOp {
  readonly kind: 'failover' | 'switchover';
  readonly target: string;
  readonly from: string;
  readonly startAt: number;
  readonly doneAt: number;
}

/** An event of the simulated world, for assertions and debugging. */
export interface SimEvent {
  readonly t: number;
  readonly what: string;
}

/** Options of a simulation. */
export interface SimOptions {
  /** A runbook configuration of the strategy (either direction): the world is built from it. */
  readonly config: RunbookConfig;
  readonly durations?: Partial<SimDurations>;
  /** Initial writer Region (default: the primary, i.e. the failover's source). */
  readonly writerRegion?: string;
  /** Initial desired capacity per Region (default: the serving Region full, the other standby). */
  readonly desired?: Record<string, number>;
  /** Initial routing-control states (default: writer On, other Off). */
  readonly controls?: Record<string, 'On' | 'Off'>;
  /** Initial traffic gates closed, as `gated@holding` (default: the strategy's initial states for the writer serving). */
  readonly closedGates?: string[];
  /** Replication lag into the other Region while the writer takes traffic, seconds. */
  readonly lagSeconds?: number;
  /** Seed of the jitter generator. */
  readonly seed?: number;
}

const BRANCH_STORE = new AsyncLocalStorage<{ branch: string; deadline?: number }>();

/** Branch-aware virtual time: parallel branches (and concurrent executions) run on their own clocks. */
export class VirtualTime {
  private readonly clocks = new Map<string, number>([['main', 0]]);
  /**
   * One store for every VirtualTime: Node keeps each AsyncLocalStorage that ever ran in a
   * global list and copies every store into every new promise, so one per simulation made
   * each promise of the thousandth run cost a thousand copies.
   */
  private readonly als = BRANCH_STORE;

  /** Run `fn` on `branch`'s clock (created from `from`'s clock, or main's). */
  public run<T>(branch: string, fn: () => Promise<T>, deadline?: number): Promise<T> {
    if (!this.clocks.has(branch)) this.clocks.set(branch, this.get('main'));
    return this.als.run({ branch, deadline }, fn);
  }

  /** Current branch. */
  public get branch(): string {
    return this.als.getStore()?.branch ?? 'main';
  }

  /** The current invocation's deadline (virtual seconds), if a function timeout applies. */
  public get deadline(): number | undefined {
    return this.als.getStore()?.deadline;
  }

  /** Now, in virtual seconds, on the current branch. */
  public now(branch = this.branch): number {
    return this.get(branch);
  }

  /** Advance the current branch's clock. */
  public advance(seconds: number, branch = this.branch): void {
    this.clocks.set(branch, this.get(branch) + seconds);
  }

  /** Set a branch's clock (creating it). */
  public set(branch: string, t: number): void {
    this.clocks.set(branch, t);
  }

  /** Start branches from another branch's clock. */
  public fork(branches: string[], from = 'main'): void {
    for (const b of branches) this.clocks.set(b, this.get(from));
  }

  /** Join branches into `into`: it continues from the latest. */
  public join(branches: string[], into = 'main'): void {
    this.clocks.set(into, Math.max(this.get(into), ...branches.map((b) => this.get(b))));
  }

  /**
   * Clocks that take part in conservative synchronization: runs started together, and the
   * parallel branches of a run. A call on a live clock waits (in real time) until every other
   * live clock has reached its virtual time, so what one run does at t is seen by a run that
   * reads at t' > t, whatever order the JavaScript happens to execute them in. The live clock
   * furthest behind never waits, so the runs always progress.
   */
  private readonly live = new Set<string>();

  /** Take part in synchronization. */
  public enroll(branch: string): void {
    this.live.add(branch);
  }

  /** Stop taking part (the branch or run ended). */
  public retire(branch: string): void {
    this.live.delete(branch);
  }

  /** Whether a clock takes part. */
  public isLive(branch: string): boolean {
    return this.live.has(branch);
  }

  /** Wait until no other live clock is behind the current branch's. */
  public async sync(): Promise<void> {
    const me = this.branch;
    if (!this.live.has(me)) return;
    for (let spins = 0; ; spins++) {
      const t = this.get(me);
      if (![...this.live].some((c) => c !== me && this.get(c) < t)) return;
      if (spins > 5_000_000) throw new Error(`virtual time: ${me} waited forever at ${t} for ${[...this.live].join(', ')}`);
      await new Promise((r) => setImmediate(r));
    }
  }

  /** The latest time any clock reached. */
  public latest(): number {
    return Math.max(...this.clocks.values());
  }

  private get(branch: string): number {
    return this.clocks.get(branch) ?? this.clocks.get('main')!;
  }
}

/** What the invariant check found at one instant. */
export interface Violation {
  readonly t: number;
  readonly invariant: 1 | 2 | 3 | 4;
  readonly what: string;
}

/** The lock table's item, in one Region's replica. */
type LockItem = Record<string, { S?: string; N?: string }>;

/** The simulated AWS world. */
export class SimulatedAws {
  public readonly time = new VirtualTime();
  public readonly durations: SimDurations;
  public readonly events: SimEvent[] = [];
  public readonly faults: Fault[] = [];
  public readonly notifications: string[] = [];
  /** Violations of the safety model, as `[invariant n] t=...: what`. */
  public readonly invariantViolations: string[] = [];
  public readonly violations: Violation[] = [];
  /** Calls made, by command name and Region. */
  public readonly calls: { command: string; region: string; t: number }[] = [];
  /** The input of every call, in order, by command name (what was asked, not only that it was). */
  /** Every call's input, and whether it was made with an abort signal (bounded by its caller). */
  public readonly inputs: { command: string; input: Record<string, unknown>; aborts: boolean }[] = [];
  /** Metrics put by drills. */
  public readonly metrics: { name: string; value: number }[] = [];
  /** SSM parameters by name, answered before the routing-control default. */
  public readonly parameters: Record<string, string> = {};
  /** The Regions: the strategy's primary (the failover's source) and recovery. */
  public readonly primary: string;
  public readonly recovery: string;
  /** Seconds of writes lost by unplanned promotions, and whether each had consent. */
  /** Writes lost at a promotion: when, how many seconds, and the run that asked for it (its clock's key). */
  public readonly losses: { t: number; seconds: number; run: string }[] = [];
  /** Consents to two writable databases, by the Region made writable. */
  public readonly consents: { t: number; promoted: string }[] = [];
  /** From this time on the run reported success (invariants 2 and 3 apply). */
  public successAt?: number;
  /** The windows in which a reported success binds the world (invariant 2). */
  private readonly successes: { at: number; until?: number }[] = [];
  private readonly runStarts: number[] = [];
  /** Whether each run (by clock key) consented to two writers. */
  private readonly runConsents = new Map<string, boolean>();

  /** Record a consent for `promoted` if the run making the call gave it. */
  private consentOfCurrentRun(t: number, promoted: string): void {
    const key = this.time.branch.split(':')[0];
    const run = ['main', 'database', 'compute'].includes(key) ? 'main' : key;
    if (this.runConsents.get(run) === true) this.consents.push({ t, promoted });
  }
  public lagSeconds: number;

  private readonly config: RunbookConfig;
  private readonly stubs: { restore(): void }[] = [];
  private sandbox: sinon.SinonSandbox | undefined;
  private rng: () => number;

  // --- State, as timelines ---
  private writer: { t: number; region?: string }[] = [];
  private ops: GlobalOp[] = [];
  private detached?: { region: string; doneAt: number };
  private instances: Record<string, Instance[]> = {};
  private replica?: { requestedAt?: number; doneAt?: number };
  private readonly groups: Record<string, { t: number; desired: number; min: number; max: number }[]> = {};
  private readonly launched: Record<string, Instance[]> = {};
  private readonly activities: Record<string, { t: number; status: string; message: string }[]> = {};
  private readonly gatePoints: Record<string, { t: number; value: number }[]> = {};
  private readonly controlLog: { t: number; states: Record<string, 'On' | 'Off'> }[] = [];
  private readonly lockWrites: { t: number; region: string; item: LockItem | null }[] = [];
  private checkedUntil = -1;

  constructor(options: SimOptions) {
    this.config = options.config;
    this.durations = { ...DEFAULT_DURATIONS, ...options.durations };
    this.lagSeconds = options.lagSeconds ?? 0.5;
    this.rng = mulberry32(options.seed ?? 42);
    const c = options.config;
    [this.primary, this.recovery] = c.direction === 'failover' ? [c.sourceRegion, c.targetRegion] : [c.targetRegion, c.sourceRegion];
    const writer = options.writerRegion ?? this.primary;
    const standby = writer === this.primary ? this.recovery : this.primary;
    this.writer.push({ t: 0, region: writer });
    if (c.database.kind === 'aurora-global') {
      for (const [region, cluster] of Object.entries(c.database.clusters)) this.instances[region] = cluster.headless ? [] : [{ id: `${cluster.identifier}-1`, readyAt: 0 }];
    } else {
      this.replica = writer === c.database.replica.region ? { requestedAt: -1, doneAt: -1 } : {};
      // A replica promoted before the scenario was promoted with consent (its source fenced).
      if (writer === c.database.replica.region) this.consents.push({ t: -1, promoted: writer });
    }
    for (const role of ['source', 'target'] as const) {
      const cc = c.compute[role];
      const serving = cc.region === writer || c.strategy === 'active-active';
      const desired = options.desired?.[cc.region] ?? (serving ? cc.full.desired : cc.standby.desired);
      const cap = serving ? cc.full : cc.standby;
      this.groups[cc.region] = [{ t: 0, desired, min: Math.min(cap.min, desired), max: Math.max(cap.max, desired) }];
      this.launched[cc.region] = Array.from({ length: desired }, (_, i) => ({ id: `${cc.region}-i${i}`, readyAt: 0 }));
      this.activities[cc.region] = [];
    }
    if (c.traffic.kind === 'routing-control') {
      const controls = options.controls ?? (c.strategy === 'active-active' ? { [writer]: 'On', [standby]: 'On' } : { [writer]: 'On', [standby]: 'Off' });
      this.controlLog.push({ t: 0, states: { [this.primary]: controls[this.primary] ?? 'Off', [this.recovery]: controls[this.recovery] ?? 'Off' } });
    } else {
      // The gates as a deployment leaves them, or as the writer's Region serving leaves them.
      const closed = options.closedGates ?? (writer === this.primary || c.strategy === 'active-active' ? [] : [`${this.primary}@${this.primary}`]);
      for (const g of closed) this.gatePoints[g] = [{ t: -1e6, value: 1 }];
      if (writer !== this.primary && c.strategy !== 'active-active' && options.closedGates === undefined) {
        // The recovery Region serves: its own gate was opened.
        this.gatePoints[`${this.recovery}@${this.recovery}`] = [{ t: -1e6, value: 0 }];
      }
    }
  }

  /** Seconds of virtual time on the current branch. */
  public now(): number {
    return this.time.now();
  }

  /** The run the current call belongs to: its clock's key ('main', or 'run0' for runs started together). */
  public runKey(): string {
    return this.time.branch.split(':')[0].replace(/^(database|compute)$/, 'main');
  }

  /** Full-jitter random in [0, max). */
  public jitter(max: number): number {
    return this.rng() * max;
  }

  /** Record an event: every change of the world logs one, which also drops cached answers. */
  public log(what: string): void {
    this.answers.clear();
    this.events.push({ t: Math.round(this.now() * 10) / 10, what });
  }

  /** Install the mocks, the clock and the DNS resolver. Call `uninstall` after. */
  public install(): void {
    installClock({ now: () => Date.UTC(2026, 0, 1) + this.now() * 1000 });
    installResolver({ resolveTxt: (name, _servers, timeoutMs) => this.resolveTxt(name, timeoutMs) });
    // A sandbox of its own: aws-sdk-client-mock's default is sinon's global sandbox, which keeps
    // every stub (and every call it recorded) until sinon.restore(), so thousands of simulated
    // runs in one process would keep every call of every run.
    const sandbox = (this.sandbox = sinon.createSandbox());
    const rds = mockClient(RDSClient, { sandbox });
    const asg = mockClient(AutoScalingClient, { sandbox });
    const elb = mockClient(ElasticLoadBalancingV2Client, { sandbox });
    const cw = mockClient(CloudWatchClient, { sandbox });
    const ddb = mockClient(DynamoDBClient, { sandbox });
    const arc = mockClient(Route53RecoveryClusterClient, { sandbox });
    const ssm = mockClient(SSMClient, { sandbox });
    const snsClient = mockClient(SNSClient, { sandbox });
    this.stubs.push(rds, asg, elb, cw, ddb, arc, ssm, snsClient);

    // One fake per client, dispatching on the command's class: aws-sdk-client-mock's
    // `on(Command)` adds a sinon matcher per command that every call is compared with.
    const routes = new Map<unknown, Map<unknown, (input: never, client: unknown) => unknown>>();
    const on = <C extends new (...args: never[]) => { input: object }>(mock: { send: sinon.SinonStub }, command: C, fake: (input: InstanceType<C>['input'], client: unknown) => unknown): void => {
      let table = routes.get(mock);
      if (!table) {
        const t = new Map<unknown, (input: never, client: unknown) => unknown>();
        routes.set(mock, t);
        table = t;
        const inputs = this.inputs;
        mock.send.callsFake(function (this: unknown, cmd: { constructor: unknown; input: never }, options?: { abortSignal?: unknown }) {
          inputs.push({ command: (cmd.constructor as { name: string }).name, input: cmd.input, aborts: options?.abortSignal !== undefined });
          const f = t.get(cmd.constructor);
          if (!f) return Promise.reject(new Error(`the simulator does not model ${(cmd.constructor as { name: string }).name}`));
          return f(cmd.input, this);
        });
      }
      table.set(command, fake as (input: never, client: unknown) => unknown);
    };
    on(rds, DescribeGlobalClustersCommand, (_i, c) => this.call('DescribeGlobalClustersCommand', c, (r) => this.describeGlobal(r)));
    on(rds, DescribeDBClustersCommand, (i, c) => this.call('DescribeDBClustersCommand', c, (r) => this.describeCluster(r, i.DBClusterIdentifier!)));
    on(rds, DescribeDBInstancesCommand, (i, c) => this.call('DescribeDBInstancesCommand', c, (r) => this.describeInstances(r, i)));
    on(rds, CreateDBInstanceCommand, (i, c) => this.call('CreateDBInstanceCommand', c, (r) => this.createInstance(r, i.DBClusterIdentifier!, i.DBInstanceIdentifier!)));
    on(rds, FailoverGlobalClusterCommand, (i, c) => this.call('FailoverGlobalClusterCommand', c, (r) => this.globalOp(r, 'failover', i.TargetDbClusterIdentifier!, i.AllowDataLoss === true)));
    on(rds, SwitchoverGlobalClusterCommand, (i, c) => this.call('SwitchoverGlobalClusterCommand', c, (r) => this.globalOp(r, 'switchover', i.TargetDbClusterIdentifier!, false)));
    on(rds, RemoveFromGlobalClusterCommand, (i, c) => this.call('RemoveFromGlobalClusterCommand', c, (r) => this.detach(r, i.DbClusterIdentifier!)));
    on(rds, PromoteReadReplicaCommand, (i, c) => this.call('PromoteReadReplicaCommand', c, (r) => this.promoteReplica(r, i.DBInstanceIdentifier!)));
    on(rds, PromoteReadReplicaDBClusterCommand, (i, c) => this.call('PromoteReadReplicaDBClusterCommand', c, (r) => this.promoteReplica(r, i.DBClusterIdentifier!)));
    on(asg, DescribeAutoScalingGroupsCommand, (i, c) => this.call('DescribeAutoScalingGroupsCommand', c, (r) => this.describeGroup(r, i.AutoScalingGroupNames?.[0])));
    on(asg, UpdateAutoScalingGroupCommand, (i, c) => this.call('UpdateAutoScalingGroupCommand', c, (r) => this.updateGroup(r, i)));
    on(asg, DescribeScalingActivitiesCommand, (_i, c) => this.call('DescribeScalingActivitiesCommand', c, (r) => this.scalingActivities(r)));
    on(elb, DescribeTargetHealthCommand, (i, c) => this.call('DescribeTargetHealthCommand', c, (r) => this.targetHealth(r, i.TargetGroupArn)));
    on(cw, GetMetricDataCommand, (i, c) =>
      this.call('GetMetricDataCommand', c, (region) =>
        // A drill asks for healthy hosts (ids hosts0..n); the runbook for the replication lag.
        i.MetricDataQueries?.[0]?.Id?.startsWith('hosts')
          ? { MetricDataResults: [{ Id: 'hosts0', Values: [this.healthyTargets(region)] }] }
          : { MetricDataResults: [{ Id: 'lag', Values: this.lagMetric() }] },
      ),
    );
    on(cw, DescribeAlarmsCommand, (i, c) => this.call('DescribeAlarmsCommand', c, (region) => ({ MetricAlarms: (i.AlarmNames ?? []).map((n: string) => ({ AlarmName: n, StateValue: this.alarmState(region, n) })) })));
    on(cw, PutMetricDataCommand, (i, c) => this.call('PutMetricDataCommand', c, (region) => this.putMetrics(region, i)));
    on(ddb, GetItemCommand, (_i, c) => this.call('GetItemCommand', c, (r) => ({ Item: this.lockAt(r, this.now()) ?? undefined })));
    on(ddb, PutItemCommand, (i, c) => this.call('PutItemCommand', c, (r) => this.lockPut(r, i)));
    on(ddb, UpdateItemCommand, (i, c) => this.call('UpdateItemCommand', c, (r) => this.lockUpdate(r, i)));
    on(ddb, DeleteItemCommand, (i, c) => this.call('DeleteItemCommand', c, (r) => this.lockDelete(r, i)));
    on(arc, GetRoutingControlStateCommand, (i, c) => this.call('GetRoutingControlStateCommand', c, () => ({ RoutingControlArn: i.RoutingControlArn, RoutingControlState: this.controlsAt(this.now())[this.regionOfControl(i.RoutingControlArn!)] })));
    on(arc, UpdateRoutingControlStatesCommand, (i, c) => this.call('UpdateRoutingControlStatesCommand', c, () => this.updateControls(i.UpdateRoutingControlStateEntries ?? [])));
    on(ssm, GetParameterCommand, (i, c) =>
      this.call('GetParameterCommand', c, () =>
        this.parameters[i.Name!] !== undefined
          ? { Parameter: { Name: i.Name, Value: this.parameters[i.Name!] } }
          : {
              Parameter: {
                Value: JSON.stringify({
                  clusterEndpoints: ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2', 'ap-northeast-1'].map((r) => ({ region: r, endpoint: `https://host-${r}.example.com/v1` })),
                }),
              },
            },
      ),
    );
    on(snsClient, PublishCommand, (i, c) =>
      this.call('PublishCommand', c, () => {
        this.notifications.push(i.Message ?? '');
        return { MessageId: String(this.notifications.length) };
      }),
    );
  }

  /** Remove the mocks, the clock and the resolver. */
  public uninstall(): void {
    for (const s of this.stubs) s.restore();
    this.stubs.length = 0;
    this.sandbox?.restore();
    this.sandbox = undefined;
    installClock(undefined);
    installResolver(undefined);
  }

  // --- World queries ---

  /** Whether a Region is down (every call times out; it serves nothing) at time t. */
  public isDown(region: string, t = this.time.latest()): boolean {
    // A Region's outage is a window in time (`from`, `until`); `times` counts calls, not time.
    return this.faults.some((f) => f.kind === 'unreachable' && f.region === region && f.command === undefined && f.endpoint === undefined && (f.from ?? 0) <= t && (f.until === undefined || t < f.until));
  }

  /** The writer of the Aurora global database (or the replica's source) at t, ignoring outages. */
  private writerAt(t: number): string | undefined {
    let w: string | undefined;
    for (const e of this.writer) if (e.t <= t) w = e.region;
    return w;
  }

  /** Regions whose database accepts writes at t (a Region that is down accepts none until it is back). */
  public writableRegions(t = this.time.latest()): string[] {
    const c = this.config;
    const out = new Set<string>();
    if (c.database.kind === 'aurora-global') {
      const w = this.writerAt(t);
      if (w) out.add(w);
      if (this.detached && this.detached.doneAt <= t) out.add(this.detached.region);
    } else {
      out.add(c.database.source.region);
      if (this.replica?.doneAt !== undefined && this.replica.doneAt <= t) out.add(c.database.replica.region);
    }
    return [...out].filter((r) => !this.isDown(r, t)).sort();
  }

  /** Healthy targets of a Region at time t. */
  public healthyTargets(region: string, t = this.time.latest()): number {
    if (this.isDown(region, t)) return 0;
    return (this.launched[region] ?? []).filter((i) => this.readyAt(i) <= t && !this.terminatedBy(region, i, t)).length;
  }

  /** When an instance becomes healthy: a launch that hit a capacity fault succeeds once the fault ends. */
  private readyAt(i: Instance): number {
    if (!i.failedBy) return i.readyAt;
    return i.failedBy.until === undefined ? Infinity : Math.max(i.readyAt, i.failedBy.until + this.durations.instanceToHealthy);
  }

  /** How long a scaled-in instance drains (the web tier's default deregistration delay). */
  public get drainSeconds(): number {
    return this.durations.sourceDrain;
  }

  private terminatedBy(region: string, instance: Instance, t: number): boolean {
    // Instances beyond the desired capacity at t are gone (scale-in terminates the newest).
    const index = (this.launched[region] ?? []).indexOf(instance);
    return index >= this.groupAt(region, t).desired;
  }

  private groupAt(region: string, t: number): { desired: number; min: number; max: number } {
    let g = this.groups[region]?.[0] ?? { t: 0, desired: 0, min: 0, max: 0 };
    for (const e of this.groups[region] ?? []) if (e.t <= t) g = e;
    return g;
  }

  /** A gate's value (closed?) as written, at t, counting writes made `delay` seconds before. */
  private gateClosed(gated: string, holding: string, t: number, delay: number): boolean | undefined {
    let v: number | undefined;
    for (const p of this.gatePoints[`${gated}@${holding}`] ?? []) if (p.t <= t - delay) v = p.value;
    return v === undefined ? undefined : v >= 1;
  }

  /**
   * Whether Route 53 reads a gate as closed at t. Route 53 evaluates the alarm's data stream,
   * not the alarm's state: a datapoint written at w is in the stream it reads during
   * [w + delay, w + delay + 60) (60 s: the alarm's period); with data there, the gate is closed
   * when their maximum is 1 or more. With no data (nothing recent written, or the holding
   * Region down so nothing can be read) the health check's InsufficientDataHealthStatus
   * applies: LastKnownStatus, the status of the last moment the stream had data; and a check
   * that never had data is healthy (the gate open).
   */
  private routeGateClosed(gated: string, holding: string, t: number): boolean {
    const delay = this.durations.trafficGate;
    const period = 60;
    const points = this.gatePoints[`${gated}@${holding}`] ?? [];
    const visible = (moment: number): { t: number; value: number }[] => points.filter((p) => p.t + delay <= moment && moment < p.t + delay + period);
    // The last moment up to t at which Route 53 could read the stream (its Region up) and found
    // data in it: the status then is the status now (LastKnownStatus covers the silence since).
    const downFrom = (m: number): number | undefined =>
      this.faults.find((x) => x.kind === 'unreachable' && x.region === holding && x.command === undefined && x.endpoint === undefined && (x.from ?? 0) <= m && (x.until === undefined || m < x.until))?.from;
    for (let i = points.length - 1; i >= 0; i--) {
      const first = points[i].t + delay;
      let m = Math.min(t, first + period - 0.001);
      for (let guard = 0; guard < 100 && m >= first; guard++) {
        const from = downFrom(m);
        if (from === undefined) return Math.max(...visible(m).map((p) => p.value)) >= 1;
        m = (from ?? 0) - 0.001;
      }
    }
    // Never read with data: a new health check is healthy.
    return false;
  }


  /** Whether Route 53 reads a Region's record as healthy at t. */
  public recordHealthy(region: string, t: number): boolean {
    const c = this.config;
    if (c.traffic.kind === 'routing-control') return this.controlsAt(t - this.durations.routingControlChange)[region] === 'On';
    const endpoint = this.healthyTargets(region, Math.max(0, t - c.traffic.detectionSeconds)) > 0 && !this.isDown(region, t);
    const gates = [this.primary, this.recovery].every((holding) => !this.routeGateClosed(region, holding, t));
    // In active-passive the SECONDARY's record is decided by its gates alone (routeOnEndpointHealth: false).
    if (c.strategy !== 'active-active' && region === this.recovery) return gates;
    return endpoint && gates;
  }

  /** The Regions Route 53 answers at t (failover routing fails open to the PRIMARY; latency to all). */
  public answerAt(t: number): string[] {
    const healthy = [this.primary, this.recovery].filter((r) => this.recordHealthy(r, t));
    if (this.config.strategy === 'active-active') return healthy.length > 0 ? healthy : [this.primary, this.recovery];
    if (healthy.includes(this.primary)) return [this.primary];
    if (healthy.includes(this.recovery)) return [this.recovery];
    return [this.primary];
  }

  /** Route 53's answers by integer second, cleared whenever the world (or the fault list) changes. */
  private readonly answers = new Map<number, string[]>();
  private faultCount = 0;

  /** Regions that receive traffic at t: any a resolver may still hold (answers of the last TTL) that serves. */
  public trafficRegions(t = this.time.latest()): string[] {
    const ttl = this.durations.dnsTtl;
    if (this.faults.length !== this.faultCount) {
      this.answers.clear();
      this.faultCount = this.faults.length;
    }
    const held = new Set<string>();
    for (let s = Math.max(0, Math.floor(t - ttl)); s <= Math.floor(t); s++) {
      let a = this.answers.get(s);
      if (!a) {
        a = this.answerAt(s);
        this.answers.set(s, a);
      }
      for (const r of a) held.add(r);
    }
    for (const r of this.answerAt(t)) held.add(r);
    return [...held].filter((r) => this.healthyTargets(r, t) > 0).sort();
  }

  /** The routing-control states at t. */
  private controlsAt(t: number): Record<string, 'On' | 'Off'> {
    let s = this.controlLog[0]?.states ?? {};
    for (const e of this.controlLog) if (e.t <= t) s = e.states;
    return s;
  }

  /** The replication lag into the standby at t: none once the writer's Region takes no traffic. */
  /**
   * The replication lag metric as CloudWatch gives it (milliseconds for Aurora global); no
   * datapoint when `lagNow` is replaced by one that answers undefined (not yet published).
   */
  private lagMetric(): number[] {
    const lag = this.lagNow() as number | undefined;
    return lag === undefined ? [] : [lag * (this.config.database.kind === 'aurora-global' ? 1000 : 1)];
  }

  private lagNow(): number {
    const t = this.now();
    const w = this.config.database.kind === 'aurora-global' ? this.writerAt(t) : this.config.database.source.region;
    return w && this.trafficRegions(t).includes(w) ? this.lagSeconds : 0;
  }

  // --- The safety model ---

  /**
   * Mark a run's success at t: invariant 2 applies from then on, until an operator starts the
   * next run (which may move the writer on purpose); invariant 3 is checked at t.
   */
  public markSuccess(t: number, targetRegion: string): void {
    this.successAt = t;
    this.successes.push({ at: t, until: this.runStarts.filter((s) => s > t).sort((a, b) => a - b)[0] });
    this.checkSuccess(t, targetRegion);
  }

  /**
   * A run starts at t: a success before it no longer binds the world from t on. `consents`:
   * whether its request gave the operator's consent to two writable databases (allowDetach);
   * a detach or promotion made by a run without it is a split brain (invariant 1).
   */
  public runStarted(t: number, key = 'main', consents = false): void {
    this.runConsents.set(key, consents);
    this.runStarts.push(t);
    for (const w of this.successes) if (t > w.at && (w.until === undefined || t < w.until)) w.until = t;
  }

  private violate(t: number, invariant: Violation['invariant'], what: string): void {
    const key = `[invariant ${invariant}] t=${Math.round(t * 10) / 10}: ${what}`;
    // One line per kind and second is enough.
    if (this.invariantViolations.includes(key)) return;
    this.violations.push({ t, invariant, what });
    this.invariantViolations.push(key);
  }

  /** Check invariants 1 and 2 at t. */
  public checkAt(t: number): void {
    const writable = this.writableRegions(t);
    const traffic = this.trafficRegions(t);
    if (writable.length > 1) {
      const consent = this.consents.find((k) => k.t <= t && writable.includes(k.promoted));
      if (!consent) this.violate(t, 1, `two Regions accept writes without consent: ${writable.join(', ')}`);
      else {
        const old = writable.filter((r) => r !== consent.promoted);
        const reached = old.filter((r) => traffic.includes(r));
        if (reached.length > 0) this.violate(t, 1, `with two writable databases (consented), the old one in ${reached.join(', ')} receives traffic`);
      }
    }
    if (this.successes.some((w) => t >= w.at && (w.until === undefined || t < w.until)) && this.config.strategy !== 'active-active') {
      const without = traffic.filter((r) => !writable.includes(r));
      if (without.length > 0) this.violate(t, 2, `after success, traffic to ${without.join(', ')} without a writer`);
    }
  }

  private checkSuccess(t: number, target: string): void {
    const traffic = this.trafficRegions(t);
    const other = target === this.primary ? this.recovery : this.primary;
    if (traffic.includes(other)) this.violate(t, 3, `success reported while ${other} still receives traffic (${traffic.join(', ')})`);
    if (!traffic.includes(target)) this.violate(t, 3, `success reported while ${target} receives no traffic`);
    if (!this.writableRegions(t).includes(target)) this.violate(t, 3, `success reported without a writer in ${target}`);
    const compute = [this.config.compute.source, this.config.compute.target].find((c) => c.region === target)!;
    if (this.healthyTargets(target, t) < compute.requiredHealthy) this.violate(t, 3, `success reported with ${this.healthyTargets(target, t)} healthy targets in ${target}, ${compute.requiredHealthy} required`);
  }

  /** Check invariants 1 and 2 at every virtual second up to t (and at t). */
  public sweep(t = this.time.latest()): void {
    for (let s = this.checkedUntil + 1; s <= Math.floor(t); s++) this.checkAt(s);
    this.checkedUntil = Math.max(this.checkedUntil, Math.floor(t));
    this.checkAt(t);
  }

  /**
   * Invariant 4: data lost only with consent, and the report states the amount at risk. A
   * loss is the replication lag at an unplanned promotion while the old writer took writes.
   */
  public checkLosses(run: string, request: { mode?: string; allowDataLoss?: boolean } | undefined, report: { dataLossRiskSeconds?: number; summary?: string } | undefined, from: number, to: number, error?: string): void {
    // Without a report (its function failed every attempt), the execution's error states the risk.
    const inError = report === undefined && /no report could be made: if a promotion was made, an unknown amount of writes may be lost/.test(error ?? '');
    for (const l of this.losses) {
      // Each loss is the business of the run that asked for the promotion (a duplicate refused meanwhile is not).
      if (l.seconds <= 0 || l.run !== run || l.t < from || l.t > to) continue;
      if (!(request?.mode === 'unplanned' && request.allowDataLoss === true)) this.violate(l.t, 4, `${l.seconds} s of writes lost without allowDataLoss`);
      const risk = report?.dataLossRiskSeconds;
      // The amount at risk, or an explicit 'unknown' when the lag could not be read.
      const stated = (risk !== undefined && risk + 1e-9 >= l.seconds) || (risk === undefined && /unknown amount of writes/.test(report?.summary ?? '')) || inError;
      if (!stated) this.violate(l.t, 4, `${l.seconds} s of writes lost, the report states ${risk ?? 'nothing'}`);
    }
  }

  /**
   * Seconds in [from, to] during which a write can fail: some client reaches a Region without
   * an available writer (or no Region has one). Sampled every `step` seconds.
   */
  public writeOutageSeconds(from: number, to: number, step = 0.5): number {
    let out = 0;
    for (let t = from; t <= to; t += step) {
      const writable = this.writableRegions(t);
      const traffic = this.trafficRegions(t);
      if (writable.length === 0 || traffic.some((r) => !writable.includes(r))) out += step;
    }
    return out;
  }

  /** End every fault still open at t: the failed Region (and every API) recovers. */
  public recoverAll(t = this.time.latest()): void {
    for (const f of this.faults) if (f.until === undefined || f.until > t) f.until = Math.max(f.from ?? 0, t);
    this.answers.clear();
  }

  /** Let virtual time pass after the run (a Region may recover), then sweep it. */
  public advanceAndSweep(seconds: number): void {
    const end = this.time.latest() + seconds;
    this.time.set('main', end);
    this.sweep(end);
  }

  // --- The call pipeline: faults, latency, then the operation ---

  private faultApplies(f: Fault, region: string, command: string, endpoint: string | undefined, t: number): boolean {
    if (f.times === 0) return false;
    if ((f.from ?? 0) > t || (f.until !== undefined && t >= f.until)) return false;
    if (f.region && f.region !== region) return false;
    if (f.command && f.command !== command) return false;
    if (f.endpoint && !(endpoint ?? '').includes(f.endpoint)) return false;
    return f.kind !== 'capacity';
  }

  private async call<T>(command: string, client: unknown, op: (region: string) => T): Promise<T> {
    const { region, endpoint } = await regionOf(client);
    await this.time.sync();
    this.killIfPastDeadline(command);
    this.calls.push({ command, region, t: this.now() });
    for (const f of this.faults) {
      if (!this.faultApplies(f, region, command, endpoint, this.now())) continue;
      if (f.times !== undefined) f.times--;
      if (f.kind === 'slow') {
        this.time.advance(f.seconds ?? 60);
        continue;
      }
      if (f.kind === 'unreachable') {
        this.time.advance(command.startsWith('GetRoutingControl') || command.startsWith('UpdateRoutingControl') ? 3 : this.config.sourceCallTimeoutMs / 1000);
        this.killIfPastDeadline(command);
        throw named('TimeoutError', `${command} to ${region}: connection timed out`);
      }
      this.time.advance(this.durations.apiLatency);
      if (f.kind === 'refused') throw named(f.name ?? 'InvalidDBClusterStateFault', `${command}: the DB cluster is not in a valid state for this operation`);
      if (f.kind === 'denied') throw named('AccessDeniedException', `User is not authorized to perform ${command}`);
      throw f.kind === 'throttle' ? named('ThrottlingException', 'Rate exceeded') : named('ServiceUnavailable', `${command}: service unavailable`);
    }
    this.time.advance(command.startsWith('UpdateRoutingControl') ? this.durations.routingControlChange : this.durations.apiLatency);
    const result = op(region);
    // The call reached AWS; a function past its timeout never sees the answer.
    this.killIfPastDeadline(command);
    return result;
  }

  private killIfPastDeadline(command: string): void {
    const d = this.time.deadline;
    if (d !== undefined && this.now() > d) throw named('Lambda.Unknown', `Task timed out (the function's timeout passed during ${command})`);
  }

  private async resolveTxt(name: string, timeoutMs: number): Promise<string[]> {
    await this.time.sync();
    const t = this.now();
    if (this.faults.some((f) => this.faultApplies(f, '', 'DnsQuery', undefined, t) && f.kind === 'unreachable')) {
      this.time.advance(timeoutMs / 1000);
      return Promise.reject(named('DnsUnavailable', 'no name server answered'));
    }
    this.calls.push({ command: 'DnsQuery', region: '-', t });
    if (this.config.traffic.kind !== 'health-check') return Promise.resolve([]);
    const fenced = Object.entries(this.config.traffic.dns.fenceRecords ?? {}).find(([, n]) => n === name)?.[0];
    // The fence record: the Region's gates as Route 53 reads them, whatever its endpoint.
    if (fenced) return Promise.resolve([[this.primary, this.recovery].some((h) => this.routeGateClosed(fenced, h, t)) ? 'closed' : 'open']);
    const region = Object.entries(this.config.traffic.dns.statusRecords).find(([, n]) => n === name)?.[0];
    if (!region) return Promise.resolve([]);
    return Promise.resolve([this.recordHealthy(region, t) ? 'serving' : 'withdrawn']);
  }

  // --- RDS ---

  private clusterOf(identifierOrArn: string): { region: string; arn: string; identifier: string } | undefined {
    const c = this.config;
    if (c.database.kind !== 'aurora-global') return undefined;
    const hit = Object.entries(c.database.clusters).find(([, cl]) => cl.identifier === identifierOrArn || cl.arn === identifierOrArn);
    return hit ? { region: hit[0], arn: hit[1].arn, identifier: hit[1].identifier } : undefined;
  }

  private opAt(t: number): GlobalOp | undefined {
    return this.ops.find((o) => o.startAt <= t && t < o.doneAt);
  }

  private describeGlobal(region: string): object {
    const c = this.config;
    if (c.database.kind !== 'aurora-global' || !c.database.clusters[region]) throw named('GlobalClusterNotFoundFault', 'no global cluster here');
    const t = this.now();
    const op = this.opAt(t);
    const w = this.writerAt(t);
    return {
      GlobalClusters: [
        {
          GlobalClusterIdentifier: c.database.globalClusterIdentifier,
          Status: 'available',
          FailoverState: op
            ? { Status: op.kind === 'failover' ? 'failing-over' : 'switching-over', FromDbClusterArn: c.database.clusters[op.from].arn, ToDbClusterArn: c.database.clusters[op.target].arn, IsDataLossAllowed: op.kind === 'failover' }
            : undefined,
          GlobalClusterMembers: Object.entries(c.database.clusters)
            .filter(([r]) => r !== this.detached?.region)
            .map(([r, cl]) => ({ DBClusterArn: cl.arn, IsWriter: !op && r === (w ?? this.lastWriter()) })),
        },
      ],
    };
  }

  private lastWriter(): string | undefined {
    return [...this.writer].reverse().find((e) => e.region)?.region;
  }

  private describeCluster(region: string, id: string): object {
    const c = this.config;
    const t = this.now();
    if (c.database.kind === 'aurora-replica') {
      if (region !== c.database.replica.region || id !== c.database.replica.identifier) throw named('DBClusterNotFoundFault', `${id} not found in ${region}`);
      const r = this.replica!;
      const promoting = r.requestedAt !== undefined && (r.doneAt ?? Infinity) > t;
      return { DBClusters: [{ DBClusterIdentifier: id, Status: promoting ? 'promoting' : 'available', ReplicationSourceIdentifier: r.doneAt !== undefined && r.doneAt <= t ? undefined : c.database.source.arn }] };
    }
    const cl = this.clusterOf(id);
    if (!cl || cl.region !== region) throw named('DBClusterNotFoundFault', `${id} not found in ${region}`);
    const detaching = this.detached?.region === region && this.detached.doneAt > t;
    return { DBClusters: [{ DBClusterIdentifier: id, Status: detaching ? 'promoting' : 'available', DBClusterMembers: (this.instances[region] ?? []).map((i) => ({ DBInstanceIdentifier: i.id })) }] };
  }

  private describeInstances(region: string, i: { DBInstanceIdentifier?: string; Filters?: { Name?: string; Values?: string[] }[] }): object {
    const c = this.config;
    const t = this.now();
    if (c.database.kind === 'rds-replica') {
      if (region !== c.database.replica.region || i.DBInstanceIdentifier !== c.database.replica.identifier) throw named('DBInstanceNotFoundFault', `${i.DBInstanceIdentifier} not found in ${region}`);
      const r = this.replica!;
      const promoting = r.requestedAt !== undefined && (r.doneAt ?? Infinity) > t;
      return {
        DBInstances: [{ DBInstanceIdentifier: c.database.replica.identifier, DBInstanceStatus: promoting ? 'modifying' : 'available', ReadReplicaSourceDBInstanceIdentifier: r.doneAt !== undefined && r.doneAt <= t ? undefined : c.database.source.arn }],
      };
    }
    const clusterId = i.Filters?.find((f) => f.Name === 'db-cluster-id')?.Values?.[0];
    const cl = this.clusterOf(clusterId ?? '');
    if (!cl || cl.region !== region) return { DBInstances: [] };
    return { DBInstances: (this.instances[region] ?? []).map((x) => ({ DBInstanceIdentifier: x.id, DBInstanceStatus: x.readyAt <= t ? 'available' : 'creating' })) };
  }

  private createInstance(region: string, clusterId: string, instanceId: string): object {
    const cl = this.clusterOf(clusterId);
    if (!cl || cl.region !== region) throw named('DBClusterNotFoundFault', `${clusterId} not found in ${region}`);
    const list = this.instances[region];
    if (list.some((x) => x.id === instanceId)) throw named('DBInstanceAlreadyExistsFault', instanceId);
    list.push({ id: instanceId, readyAt: this.now() + this.durations.instanceCreate });
    this.log(`instance ${instanceId} creating in ${region}`);
    return { DBInstance: { DBInstanceIdentifier: instanceId } };
  }

  /**
   * FailoverGlobalCluster (called in the target's Region, as AWS documents) and
   * SwitchoverGlobalCluster (called in the primary's Region). No writer while it runs; the
   * target is the writer when it ends; the old primary is a read-only secondary after it,
   * also when its Region comes back.
   */
  private globalOp(region: string, kind: 'failover' | 'switchover', targetArn: string, allowDataLoss: boolean): object {
    const t = this.now();
    const target = this.clusterOf(targetArn);
    if (!target) throw named('DBClusterNotFoundFault', targetArn);
    const w = this.writerAt(t) ?? this.lastWriter()!;
    if (kind === 'failover' && region !== target.region) throw named('InvalidParameterValue', `FailoverGlobalCluster must be called in the target cluster's Region (${target.region}), not ${region}`);
    if (kind === 'switchover' && region !== w) throw named('InvalidParameterValue', `SwitchoverGlobalCluster must be called in the primary cluster's Region (${w}), not ${region}`);
    if (kind === 'failover' && !allowDataLoss) throw named('InvalidParameterCombination', 'a failover needs AllowDataLoss (or Switchover)');
    if (this.opAt(t)) throw named('InvalidGlobalClusterStateFault', 'an operation is under way');
    if ((this.instances[target.region] ?? []).filter((x) => x.readyAt <= t).length === 0) throw named('InvalidDBClusterStateFault', 'the target cluster has no available instance');
    if (kind === 'switchover' && this.isDown(w, t)) throw named('InvalidGlobalClusterStateFault', 'a switchover needs the primary');
    if (target.region === w) throw named('InvalidParameterValue', 'the target is already the primary');
    const doneAt = t + (kind === 'failover' ? this.durations.globalFailover : this.durations.globalSwitchover);
    if (kind === 'failover') this.losses.push({ t, seconds: this.lagNow(), run: this.runKey() });
    this.ops.push({ kind, target: target.region, from: w, startAt: t, doneAt });
    this.writer.push({ t, region: undefined }, { t: doneAt, region: target.region });
    this.writer.sort((a, b) => a.t - b.t);
    this.log(`global ${kind} to ${target.region} (called in ${region}), done at ${doneAt}`);
    this.checkAt(t);
    return { GlobalCluster: {} };
  }

  /** RemoveFromGlobalCluster of the target: a standalone writer; the old primary stays writable when up. */
  private detach(region: string, targetArn: string): object {
    const target = this.clusterOf(targetArn);
    if (!target || target.region !== region) throw named('DBClusterNotFoundFault', `${targetArn} not found in ${region}`);
    if (this.detached) throw named('GlobalClusterNotFoundFault', 'already detached');
    const t = this.now();
    this.losses.push({ t, seconds: this.lagNow(), run: this.runKey() });
    this.detached = { region, doneAt: t + this.durations.globalFailover };
    this.consentOfCurrentRun(t, region);
    this.log(`cluster in ${region} detaching`);
    this.checkAt(t);
    return {};
  }

  private promoteReplica(region: string, id: string): object {
    const c = this.config;
    if (c.database.kind === 'aurora-global' || region !== c.database.replica.region || id !== c.database.replica.identifier) throw named('DBInstanceNotFoundFault', `${id} not found in ${region}`);
    const r = this.replica!;
    if (r.requestedAt !== undefined) throw named(c.database.kind === 'aurora-replica' ? 'InvalidDBClusterStateFault' : 'InvalidDBInstanceStateFault', 'not a read replica, or a promotion is under way');
    const t = this.now();
    this.losses.push({ t, seconds: this.lagNow(), run: this.runKey() });
    r.requestedAt = t;
    r.doneAt = t + this.durations.replicaPromotion;
    this.consentOfCurrentRun(t, region);
    this.log(`replica in ${region} promoting, done at ${r.doneAt}`);
    this.checkAt(t);
    return { DBInstance: {} };
  }

  // --- Auto Scaling, ELB ---

  private groupRegionOf(name: string | undefined): string | undefined {
    return [this.config.compute.source, this.config.compute.target].find((c) => c.asgName === name)?.region;
  }

  private describeGroup(region: string, name: string | undefined): object {
    if (this.groupRegionOf(name) !== region) return { AutoScalingGroups: [] };
    const t = this.now();
    const g = this.groupAt(region, t);
    return {
      AutoScalingGroups: [
        {
          AutoScalingGroupName: name,
          MinSize: g.min,
          MaxSize: g.max,
          DesiredCapacity: g.desired,
          // An instance scaled in is deregistered at once (no longer a healthy target) but stays
          // in the group, Terminating, for the target group's deregistration delay (connection draining).
          Instances: (this.launched[region] ?? [])
            .filter((x) => !this.terminatedBy(region, x, t - this.drainSeconds))
            .map((x) => ({ InstanceId: x.id, LifecycleState: this.terminatedBy(region, x, t) ? 'Terminating' : this.readyAt(x) <= t ? 'InService' : 'Pending', HealthStatus: 'Healthy' })),
        },
      ],
    };
  }

  private updateGroup(region: string, i: { AutoScalingGroupName?: string; MinSize?: number; MaxSize?: number; DesiredCapacity?: number }): object {
    if (this.groupRegionOf(i.AutoScalingGroupName) !== region) throw named('ValidationError', `AutoScalingGroup ${i.AutoScalingGroupName} not found in ${region}`);
    const t = this.now();
    const g = this.groupAt(region, t);
    const desired = i.DesiredCapacity ?? g.desired;
    const list = this.launched[region];
    const capacity = this.faults.find((f) => f.kind === 'capacity' && (!f.region || f.region === region) && (f.from ?? 0) <= t && (f.until === undefined || t < f.until));
    // Instances kept: the first `desired` that are not terminated; new ones launched.
    const alive = list.filter((x) => !this.terminatedBy(region, x, t));
    while (alive.length < desired) {
      const inst: Instance = { id: `${region}-i${list.length}`, readyAt: t + this.durations.instanceToHealthy, failedBy: capacity };
      list.push(inst);
      alive.push(inst);
      if (capacity) this.activities[region].push({ t, status: 'Failed', message: 'We currently do not have sufficient t3.small capacity in the Availability Zone you requested (InsufficientInstanceCapacity).' });
    }
    this.groups[region].push({ t, desired, min: i.MinSize ?? g.min, max: i.MaxSize ?? g.max });
    this.groups[region].sort((a, b) => a.t - b.t);
    this.log(`${region} group desired ${desired}`);
    this.checkAt(t);
    return {};
  }

  private scalingActivities(region: string): object {
    return { Activities: (this.activities[region] ?? []).map((a, k) => ({ ActivityId: `a${k}`, Description: `Launching a new EC2 instance`, StatusCode: a.status, StatusMessage: a.message })).reverse() };
  }

  private targetHealth(region: string, arn: unknown): object {
    // A strategy's rendered configuration names its target group by a token (a Ref): only a literal ARN says its Region.
    if (typeof arn === 'string' && arn.startsWith('arn:') && !arn.includes(`:${region}:`)) throw named('TargetGroupNotFound', `${arn} not found in ${region}`);
    const t = this.now();
    const list = (this.launched[region] ?? []).filter((x) => !this.terminatedBy(region, x, t));
    return { TargetHealthDescriptions: list.map((x) => ({ Target: { Id: x.id }, TargetHealth: { State: this.readyAt(x) <= t ? 'healthy' : 'initial' } })) };
  }

  // --- CloudWatch: gates ---

  private gateOfAlarm(region: string, name: string): { gated: string; holding: string } | undefined {
    if (this.config.traffic.kind !== 'health-check') return undefined;
    for (const [gated, byRegion] of Object.entries(this.config.traffic.gates.alarms)) {
      const a = byRegion[region];
      if (a && a.alarmName === name) return { gated, holding: region };
    }
    return undefined;
  }

  private alarmState(region: string, name: string): string {
    const gate = this.gateOfAlarm(region, name);
    if (!gate) return this.isDown(region) ? 'ALARM' : 'OK';
    // The alarm follows a write within its 60 s period; Route 53 reads it 30 s later still.
    const closed = this.gateClosed(gate.gated, gate.holding, this.now(), Math.max(0, this.durations.trafficGate - 30));
    return closed === undefined ? 'INSUFFICIENT_DATA' : closed ? 'ALARM' : 'OK';
  }

  private putMetrics(region: string, i: { Namespace?: string; MetricData?: { MetricName?: string; Value?: number; Dimensions?: { Name?: string; Value?: string }[] }[] }): object {
    const c = this.config;
    if (c.traffic.kind === 'health-check' && i.Namespace === c.traffic.gates.namespace) {
      for (const m of i.MetricData ?? []) {
        const gated = m.Dimensions?.find((d) => d.Name === 'Region')?.Value;
        if (!gated) continue;
        const key = `${gated}@${region}`;
        (this.gatePoints[key] ??= []).push({ t: this.now(), value: m.Value ?? 0 });
        this.gatePoints[key].sort((a, b) => a.t - b.t);
        this.log(`gate of ${gated} in ${region} ${m.Value ? 'closed' : 'opened'}`);
      }
      this.checkAt(this.now());
      return {};
    }
    for (const m of i.MetricData ?? []) this.metrics.push({ name: m.MetricName!, value: m.Value! });
    return {};
  }

  // --- DynamoDB: the lock, one replica per Region, replicated after LOCK_REPLICATION_SECONDS ---

  private lockAt(region: string, t: number): LockItem | null {
    // Last writer wins by write time; a write reaches the other Region's replica a lag later.
    let latest: { t: number; item: LockItem | null } | undefined;
    for (const w of this.lockWrites) {
      const visible = w.region === region ? w.t <= t : w.t + LOCK_REPLICATION_SECONDS <= t;
      if (visible && (!latest || w.t >= latest.t)) latest = w;
    }
    return latest?.item ?? null;
  }

  private condition(item: LockItem | null, expr: string | undefined, values: Record<string, { S?: string; N?: string }> = {}): boolean {
    if (!expr) return true;
    const holder = item?.holder?.S;
    return expr.split(' OR ').some((part) => {
      const p = part.trim();
      if (p === 'attribute_not_exists(pk)') return item === null;
      if (p === 'leaseUntil < :now') return item !== null && Number(item.leaseUntil?.N ?? 0) < Number(values[':now']?.N ?? 0);
      if (p === 'holder = :me') return holder !== undefined && holder === values[':me']?.S;
      throw new Error(`simulator: unsupported condition ${p}`);
    });
  }

  private lockPut(region: string, i: { Item?: LockItem; ConditionExpression?: string; ExpressionAttributeValues?: Record<string, { S?: string; N?: string }> }): object {
    const t = this.now();
    if (!this.condition(this.lockAt(region, t), i.ConditionExpression, i.ExpressionAttributeValues)) throw named('ConditionalCheckFailedException', 'The conditional request failed');
    this.lockWrites.push({ t, region, item: i.Item ?? null });
    this.log(`lock taken in ${region} by ${i.Item?.holder?.S}`);
    return {};
  }

  private lockUpdate(region: string, i: { ConditionExpression?: string; ExpressionAttributeValues?: Record<string, { S?: string; N?: string }> }): object {
    const t = this.now();
    const item = this.lockAt(region, t);
    if (!this.condition(item, i.ConditionExpression, i.ExpressionAttributeValues)) throw named('ConditionalCheckFailedException', 'The conditional request failed');
    this.lockWrites.push({ t, region, item: { ...item!, leaseUntil: { N: i.ExpressionAttributeValues?.[':until']?.N } } });
    return {};
  }

  private lockDelete(region: string, i: { ConditionExpression?: string; ExpressionAttributeValues?: Record<string, { S?: string; N?: string }> }): object {
    const t = this.now();
    if (!this.condition(this.lockAt(region, t), i.ConditionExpression, i.ExpressionAttributeValues)) throw named('ConditionalCheckFailedException', 'The conditional request failed');
    this.lockWrites.push({ t, region, item: null });
    this.log(`lock released in ${region}`);
    return {};
  }

  // --- ARC ---

  private regionOfControl(arn: string): string {
    const c = this.config;
    if (c.traffic.kind !== 'routing-control') throw named('ResourceNotFoundException', arn);
    return Object.entries(c.traffic.controls).find(([, a]) => a === arn)![0];
  }

  private updateControls(entries: { RoutingControlArn?: string; RoutingControlState?: string }[]): object {
    const t = this.now();
    const next = { ...this.controlsAt(t) };
    for (const e of entries) next[this.regionOfControl(e.RoutingControlArn!)] = e.RoutingControlState as 'On' | 'Off';
    if (!Object.values(next).includes('On')) throw named('ConflictException', 'safety rule: at least one routing control must be On');
    this.controlLog.push({ t, states: next });
    this.controlLog.sort((a, b) => a.t - b.t);
    this.log(`routing controls ${JSON.stringify(next)}`);
    this.checkAt(t);
    return {};
  }

  /** The routing-control states now (for assertions). */
  public get controls(): Record<string, 'On' | 'Off'> {
    return this.controlsAt(this.time.latest());
  }

  /** Where the gates of a Region are closed, as written (for assertions): holding Regions. */
  public closedGates(gated: string): string[] {
    return [this.primary, this.recovery].filter((h) => this.gateClosed(gated, h, Infinity, 0) ?? false);
  }
}

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

async function regionOf(clientOrGetter: unknown): Promise<{ region: string; endpoint?: string }> {
  const client = typeof clientOrGetter === 'function' ? (clientOrGetter as () => unknown)() : clientOrGetter;
  const config = (client as { config: { region: () => Promise<string> | string; endpoint?: () => Promise<{ hostname?: string }> } }).config;
  const region = typeof config.region === 'function' ? await config.region() : config.region;
  let endpoint: string | undefined;
  if (typeof config.endpoint === 'function') {
    try {
      endpoint = (await config.endpoint())?.hostname;
    } catch {
      endpoint = undefined;
    }
  }
  return { region, endpoint };
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
