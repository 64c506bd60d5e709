/**
 * A simulated AWS for the runbooks: clusters, replicas, Auto Scaling groups, target
 * health and routing controls, on a virtual clock. The real handlers run against it
 * through aws-sdk-client-mock; the synthesized state machine runs in
 * aws-local-stepfunctions. Each operation takes a configurable virtual duration and any
 * call can be made to fail (unreachable Region, throttling, 5xx, slowness).
 */
import { AsyncLocalStorage } from 'async_hooks';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
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
import { installClock } from '../../lambda/shared/clock';
import { RunbookConfig } from '../../protocol';
import { OPERATION_DURATIONS, OperationDurations } from '../../lib/assessment/operation-durations';

/** Virtual durations of AWS operations, in seconds: the RTO model's own figures. */
export type SimDurations = OperationDurations;

/** The defaults: lib/assessment/operation-durations.ts, each with its source. */
export const DEFAULT_DURATIONS: SimDurations = OPERATION_DURATIONS;

/** A fault injected into matching calls. */
export interface Fault {
  /** Region the fault applies to (all when undefined). */
  readonly region?: string;
  /** Command name, e.g. 'FailoverGlobalClusterCommand' (all when undefined). */
  readonly command?: string;
  /** 'unreachable' times out after the call bound; 'throttle' and 'error5xx' fail at once; 'slow' adds seconds. */
  readonly kind: 'unreachable' | 'throttle' | 'error5xx' | 'slow' | 'unsupported';
  /** How many calls it hits (forever when undefined). */
  times?: number;
  /** For 'slow': extra virtual seconds. */
  readonly seconds?: number;
}

interface Instance {
  readonly id: string;
  readonly readyAt: number;
}

interface AuroraState {
  writerRegion: string;
  /** A secondary detached from the global database (detach-and-promote): writable once done. */
  detached?: { region: string; doneAt: number };
  status: 'available' | 'failing-over' | 'switching-over';
  op?: { target: string; doneAt: number };
  instances: Record<string, Instance[]>;
}

interface ReplicaState {
  promoted: boolean;
  promoteDoneAt?: number;
}

interface GroupState {
  min: number;
  max: number;
  desired: number;
  instances: Instance[];
}

/** An event of the simulated world, for assertions and debugging. */
export interface SimEvent {
  readonly t: number;
  readonly what: string;
}

/** Options of a simulation. */
export interface SimOptions {
  readonly config: RunbookConfig;
  readonly durations?: Partial<SimDurations>;
  /** Initial writer Region (default: the source). */
  readonly writerRegion?: string;
  /** Initial desired capacity per Region (default: source full, target standby). */
  readonly desired?: Record<string, number>;
  /** Initial routing-control states (default: source On, target Off). */
  readonly controls?: Record<string, 'On' | 'Off'>;
  /** Replication lag into the target, seconds. */
  readonly lagSeconds?: number;
  /** Seed of the jitter generator. */
  readonly seed?: number;
}

/** Branch-aware virtual time: parallel branches run on their own clocks, joined at max. */
export class VirtualTime {
  private readonly clocks = new Map<string, number>([['main', 0]]);
  private readonly als = new AsyncLocalStorage<{ branch: string }>();

  /** Run `fn` on `branch`'s clock. */
  public run<T>(branch: string, fn: () => Promise<T>): Promise<T> {
    if (!this.clocks.has(branch)) this.clocks.set(branch, this.get('main'));
    return this.als.run({ branch }, fn);
  }

  /** Current branch. */
  public get branch(): string {
    return this.als.getStore()?.branch ?? 'main';
  }

  /** Now, in virtual seconds, on the current branch. */
  public now(branch = this.branch): number {
    return this.get(branch);
  }

  /** Advance the current branch's clock. */
  public advance(seconds: number, branch = this.branch): void {
    this.clocks.set(branch, this.get(branch) + seconds);
  }

  /** Start branches from main's clock. */
  public fork(branches: string[]): void {
    for (const b of branches) this.clocks.set(b, this.get('main'));
  }

  /** Join branches into main: main continues from the latest. */
  public join(branches: string[]): void {
    this.clocks.set('main', Math.max(this.get('main'), ...branches.map((b) => this.get(b))));
  }

  private get(branch: string): number {
    return this.clocks.get(branch) ?? this.clocks.get('main')!;
  }
}

/** The simulated AWS world. */
export class SimulatedAws {
  public readonly time = new VirtualTime();
  public readonly durations: SimDurations;
  public readonly events: SimEvent[] = [];
  public readonly faults: Fault[] = [];
  public readonly notifications: string[] = [];
  public readonly invariantViolations: string[] = [];
  /** Calls made, by command name and Region. */
  public readonly calls: { command: string; region: string; t: number }[] = [];
  public aurora?: AuroraState;
  public replica?: ReplicaState;
  public readonly groups: Record<string, GroupState> = {};
  /** Metrics put by drills. */
  public readonly metrics: { name: string; value: number }[] = [];
  /** SSM parameters by name (the directory the operator CLI reads), answered before the routing-control default. */
  public readonly parameters: Record<string, string> = {};
  public readonly controls: Record<string, 'On' | 'Off'> = {};
  public lagSeconds: number;
  private readonly config: RunbookConfig;
  private readonly stubs: { restore(): void }[] = [];
  private rng: () => number;

  constructor(options: SimOptions) {
    this.config = options.config;
    this.durations = { ...DEFAULT_DURATIONS, ...options.durations };
    this.lagSeconds = options.lagSeconds ?? 0.5;
    this.rng = mulberry32(options.seed ?? 42);
    const c = options.config;
    const writer = options.writerRegion ?? c.sourceRegion;
    if (c.database.kind === 'aurora-global') {
      const instances: Record<string, Instance[]> = {};
      for (const [region, cluster] of Object.entries(c.database.clusters)) {
        instances[region] = cluster.headless ? [] : [{ id: `${cluster.identifier}-1`, readyAt: 0 }];
      }
      this.aurora = { writerRegion: writer, status: 'available', instances };
    } else {
      this.replica = { promoted: writer === c.database.replica.region };
    }
    for (const role of ['source', 'target'] as const) {
      const cc = c.compute[role];
      const desired = options.desired?.[cc.region] ?? (role === 'source' ? cc.full.desired : cc.standby.desired);
      const cap = role === 'source' ? cc.full : cc.standby;
      this.groups[cc.region] = { min: Math.min(cap.min, desired), max: Math.max(cap.max, desired), desired, instances: Array.from({ length: desired }, (_, i) => ({ id: `${cc.region}-i${i}`, readyAt: 0 })) };
    }
    this.controls[c.sourceRegion] = options.controls?.[c.sourceRegion] ?? 'On';
    this.controls[c.targetRegion] = options.controls?.[c.targetRegion] ?? 'Off';
  }

  /** Seconds of virtual time on the current branch. */
  public now(): number {
    return this.time.now();
  }

  /** Full-jitter random in [0, max). */
  public jitter(max: number): number {
    return this.rng() * max;
  }

  /** Record an event. */
  public log(what: string): void {
    this.events.push({ t: Math.round(this.now() * 10) / 10, what });
  }

  /** Install the mocks and the clock. Call `uninstall` after. */
  public install(): void {
    installClock({ now: () => Date.UTC(2026, 0, 1) + this.now() * 1000 });
    const rds = mockClient(RDSClient);
    const asg = mockClient(AutoScalingClient);
    const elb = mockClient(ElasticLoadBalancingV2Client);
    const cw = mockClient(CloudWatchClient);
    const arc = mockClient(Route53RecoveryClusterClient);
    const ssm = mockClient(SSMClient);
    const snsClient = mockClient(SNSClient);
    this.stubs.push(rds, asg, elb, cw, arc, ssm, snsClient);

    rds.on(DescribeGlobalClustersCommand).callsFake((i, c) => this.call('DescribeGlobalClustersCommand', c, () => this.describeGlobal(i)));
    rds.on(DescribeDBClustersCommand).callsFake((i, c) => this.call('DescribeDBClustersCommand', c, () => this.describeCluster(i.DBClusterIdentifier)));
    rds.on(DescribeDBInstancesCommand).callsFake((i, c) => this.call('DescribeDBInstancesCommand', c, () => this.describeInstances(i)));
    rds.on(CreateDBInstanceCommand).callsFake((i, c) => this.call('CreateDBInstanceCommand', c, () => this.createInstance(i.DBClusterIdentifier!, i.DBInstanceIdentifier!)));
    rds.on(FailoverGlobalClusterCommand).callsFake((i, c) => this.call('FailoverGlobalClusterCommand', c, () => this.globalOp('failing-over', i.TargetDbClusterIdentifier!)));
    rds.on(SwitchoverGlobalClusterCommand).callsFake((i, c) => this.call('SwitchoverGlobalClusterCommand', c, () => this.globalOp('switching-over', i.TargetDbClusterIdentifier!)));
    rds.on(RemoveFromGlobalClusterCommand).callsFake((i, c) => this.call('RemoveFromGlobalClusterCommand', c, () => this.detach(i.DbClusterIdentifier!)));
    rds.on(PromoteReadReplicaCommand).callsFake((_i, c) => this.call('PromoteReadReplicaCommand', c, () => this.promoteReplica()));
    rds.on(PromoteReadReplicaDBClusterCommand).callsFake((_i, c) => this.call('PromoteReadReplicaDBClusterCommand', c, () => this.promoteReplica()));
    asg.on(DescribeAutoScalingGroupsCommand).callsFake((_i, c) => this.call('DescribeAutoScalingGroupsCommand', c, (region) => this.describeGroup(region)));
    asg.on(UpdateAutoScalingGroupCommand).callsFake((i, c) => this.call('UpdateAutoScalingGroupCommand', c, (region) => this.updateGroup(region, i)));
    elb.on(DescribeTargetHealthCommand).callsFake((_i, c) => this.call('DescribeTargetHealthCommand', c, (region) => this.targetHealth(region)));
    cw.on(GetMetricDataCommand).callsFake((i, c) =>
      this.call('GetMetricDataCommand', c, (region) =>
        // A drill asks for healthy hosts (ids hosts0..n); the runbook for the replication lag.
        i.MetricDataQueries?.[0]?.Id?.startsWith('hosts')
          ? { MetricDataResults: [{ Id: 'hosts0', Values: [this.healthyTargets(region)] }] }
          : { MetricDataResults: [{ Id: 'lag', Values: [this.lagSeconds * (this.aurora ? 1000 : 1)] }] },
      ),
    );
    cw.on(DescribeAlarmsCommand).callsFake((i, c) =>
      this.call('DescribeAlarmsCommand', c, (region) => ({ MetricAlarms: (i.AlarmNames ?? []).map((n: string) => ({ AlarmName: n, StateValue: this.isDown(region) ? 'ALARM' : 'OK' })) })),
    );
    cw.on(PutMetricDataCommand).callsFake((i, c) =>
      this.call('PutMetricDataCommand', c, () => {
        for (const m of i.MetricData ?? []) this.metrics.push({ name: m.MetricName!, value: m.Value! });
        return {};
      }),
    );
    arc.on(GetRoutingControlStateCommand).callsFake((i, c) => this.call('GetRoutingControlStateCommand', c, () => ({ RoutingControlArn: i.RoutingControlArn, RoutingControlState: this.controls[this.regionOfControl(i.RoutingControlArn!)] })));
    arc.on(UpdateRoutingControlStatesCommand).callsFake((i, c) => this.call('UpdateRoutingControlStatesCommand', c, () => this.updateControls(i.UpdateRoutingControlStateEntries ?? [])));
    ssm.on(GetParameterCommand).callsFake((i, c) =>
      this.call('GetParameterCommand', c, () => this.parameters[i.Name!] !== undefined ? { Parameter: { Name: i.Name, Value: this.parameters[i.Name!] } } : ({
        Parameter: {
          Value: JSON.stringify({
            clusterEndpoints: ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2', 'ap-northeast-1'].map((r) => ({ region: r, endpoint: `https://host-${r}.example.com/v1` })),
          }),
        },
      })),
    );
    snsClient.on(PublishCommand).callsFake((i, c) =>
      this.call('PublishCommand', c, () => {
        this.notifications.push(i.Message ?? '');
        return { MessageId: String(this.notifications.length) };
      }),
    );
  }

  /** Remove the mocks and the clock. */
  public uninstall(): void {
    for (const s of this.stubs) s.restore();
    installClock(undefined);
  }

  // --- World queries used by assertions ---

  /** Regions whose database accepts writes now (on the main clock). */
  public writableRegions(t = this.time.now('main')): string[] {
    const c = this.config;
    if (this.aurora) {
      this.settle(t);
      const out = this.aurora.status === 'available' ? [this.aurora.writerRegion] : [];
      const d = this.aurora.detached;
      if (d && d.doneAt <= t) out.push(d.region);
      return out;
    }
    const out = [c.database.kind !== 'aurora-global' ? c.database.source.region : c.sourceRegion];
    if (this.replica && this.replica.promoted && (this.replica.promoteDoneAt ?? 0) <= t && c.database.kind !== 'aurora-global') out.push(c.database.replica.region);
    return out;
  }

  /** Healthy targets of a Region at time t. */
  public healthyTargets(region: string, t = this.time.now('main')): number {
    if (this.isDown(region)) return 0;
    return (this.groups[region]?.instances ?? []).filter((i) => i.readyAt <= t).length;
  }

  /** Regions that receive traffic at time t. */
  public trafficRegions(t = this.time.now('main')): string[] {
    const c = this.config;
    if (c.traffic.kind === 'routing-control') return Object.entries(this.controls).filter(([r, s]) => s === 'On' && this.healthyTargets(r, t) > 0).map(([r]) => r);
    if (c.strategy === 'active-active') return [c.sourceRegion, c.targetRegion].filter((r) => this.healthyTargets(r, t) > 0);
    return this.healthyTargets(c.sourceRegion, t) > 0 ? [c.sourceRegion] : this.healthyTargets(c.targetRegion, t) > 0 ? [c.targetRegion] : [];
  }

  /**
   * Check the invariants. Always: never two Regions serving writes. After a traffic move
   * and at the end (`trafficMoved`): traffic only where the writer is (active-passive).
   * While the database itself changes writer, no Region has one: that window is the
   * database's, not the runbook's.
   */
  public checkInvariants(when: string, t = this.time.now('main'), trafficMoved = true): void {
    const traffic = this.trafficRegions(t);
    const writable = this.writableRegions(t);
    const serving = traffic.filter((r) => writable.includes(r));
    if (serving.length > 1) this.invariantViolations.push(`${when} t=${t}: two Regions serve writes: ${serving.join(', ')}`);
    if (trafficMoved && this.config.strategy !== 'active-active') {
      const withoutWriter = traffic.filter((r) => !writable.includes(r) && !this.isDown(r));
      const unavoidable = this.isDown(this.config.sourceRegion) && this.config.traffic.kind === 'health-check';
      if (withoutWriter.length > 0 && !unavoidable) this.invariantViolations.push(`${when} t=${t}: traffic to ${withoutWriter.join(', ')} without a writer`);
    }
  }

  /** Whether a Region is fully unreachable. */
  public isDown(region: string): boolean {
    return this.faults.some((f) => f.kind === 'unreachable' && f.region === region && f.command === undefined && (f.times === undefined || f.times > 0));
  }

  // --- The call pipeline: faults, latency, then the operation ---

  private async call<T>(command: string, client: unknown, op: (region: string) => T): Promise<T> {
    const region = await regionOf(client);
    this.calls.push({ command, region, t: this.now() });
    for (const f of this.faults) {
      if ((f.region && f.region !== region) || (f.command && f.command !== command) || f.times === 0) continue;
      if (f.times !== undefined) f.times--;
      if (f.kind === 'slow') {
        this.time.advance(f.seconds ?? 60);
        continue;
      }
      if (f.kind === 'unreachable') {
        this.time.advance(this.config.sourceCallTimeoutMs / 1000);
        throw named('TimeoutError', `${command} to ${region}: connection timed out`);
      }
      this.time.advance(this.durations.apiLatency);
      if (f.kind === 'unsupported') throw named('InvalidParameterCombination', `${command} is not supported for this cluster`);
      throw f.kind === 'throttle' ? named('ThrottlingException', 'Rate exceeded') : named('ServiceUnavailable', `${command}: service unavailable`);
    }
    this.time.advance(command.startsWith('UpdateRoutingControl') ? this.durations.routingControlChange : this.durations.apiLatency);
    const result = op(region);
    return result;
  }

  private settle(t = this.now()): void {
    const a = this.aurora;
    if (a?.op && a.op.doneAt <= t) {
      a.writerRegion = a.op.target;
      a.status = 'available';
      a.op = undefined;
    }
  }

  private describeGlobal(_i: unknown): object {
    const c = this.config;
    if (c.database.kind !== 'aurora-global' || !this.aurora) throw named('GlobalClusterNotFoundFault', 'no global cluster');
    this.settle();
    return {
      GlobalClusters: [
        {
          GlobalClusterIdentifier: c.database.globalClusterIdentifier,
          Status: this.aurora.status,
          GlobalClusterMembers: Object.entries(c.database.clusters)
            .filter(([region]) => region !== this.aurora!.detached?.region)
            .map(([region, cl]) => ({ DBClusterArn: cl.arn, IsWriter: region === this.aurora!.writerRegion })),
        },
      ],
    };
  }

  private clusterRegion(identifierOrArn: string): string {
    const c = this.config;
    if (c.database.kind !== 'aurora-global') throw named('DBClusterNotFoundFault', identifierOrArn);
    const hit = Object.entries(c.database.clusters).find(([, cl]) => cl.identifier === identifierOrArn || cl.arn === identifierOrArn);
    if (!hit) throw named('DBClusterNotFoundFault', identifierOrArn);
    return hit[0];
  }

  private describeCluster(id: string | undefined): object {
    const c = this.config;
    if (c.database.kind === 'aurora-replica') {
      const r = this.replica!;
      const promoting = r.promoted && (r.promoteDoneAt ?? 0) > this.now();
      return {
        DBClusters: [
          { DBClusterIdentifier: id, Status: promoting ? 'promoting' : 'available', ReplicationSourceIdentifier: r.promoted ? undefined : c.database.source.arn },
        ],
      };
    }
    const region = this.clusterRegion(id!);
    const detaching = this.aurora!.detached?.region === region && this.aurora!.detached.doneAt > this.now();
    return { DBClusters: [{ DBClusterIdentifier: id, Status: detaching ? 'promoting' : 'available', DBClusterMembers: this.aurora!.instances[region].map((i) => ({ DBInstanceIdentifier: i.id })) }] };
  }

  private describeInstances(i: { DBInstanceIdentifier?: string; Filters?: { Name?: string; Values?: string[] }[] }): object {
    const c = this.config;
    if (c.database.kind === 'rds-replica') {
      const r = this.replica!;
      const promoting = r.promoted && (r.promoteDoneAt ?? 0) > this.now();
      return {
        DBInstances: [
          {
            DBInstanceIdentifier: c.database.replica.identifier,
            DBInstanceStatus: promoting ? 'modifying' : 'available',
            ReadReplicaSourceDBInstanceIdentifier: r.promoted ? undefined : c.database.source.arn,
          },
        ],
      };
    }
    const clusterId = i.Filters?.find((f) => f.Name === 'db-cluster-id')?.Values?.[0];
    const region = this.clusterRegion(clusterId!);
    return { DBInstances: this.aurora!.instances[region].map((x) => ({ DBInstanceIdentifier: x.id, DBInstanceStatus: x.readyAt <= this.now() ? 'available' : 'creating' })) };
  }

  private createInstance(clusterId: string, instanceId: string): object {
    const region = this.clusterRegion(clusterId);
    const list = this.aurora!.instances[region];
    if (list.some((x) => x.id === instanceId)) throw named('DBInstanceAlreadyExistsFault', instanceId);
    list.push({ id: instanceId, readyAt: this.now() + this.durations.instanceCreate });
    this.log(`instance ${instanceId} creating`);
    return { DBInstance: { DBInstanceIdentifier: instanceId } };
  }

  private globalOp(status: 'failing-over' | 'switching-over', targetArn: string): object {
    const a = this.aurora!;
    this.settle();
    if (a.status !== 'available') throw named('InvalidGlobalClusterStateFault', `global cluster is ${a.status}`);
    const target = this.clusterRegion(targetArn);
    if (a.instances[target].filter((x) => x.readyAt <= this.now()).length === 0) throw named('InvalidDBClusterStateFault', 'target cluster has no available instance');
    if (status === 'switching-over' && this.isDown(a.writerRegion)) throw named('InvalidGlobalClusterStateFault', 'switchover needs the primary');
    a.status = status;
    a.op = { target, doneAt: this.now() + (status === 'failing-over' ? this.durations.globalFailover : this.durations.globalSwitchover) };
    this.log(`global cluster ${status} to ${target}`);
    this.checkInvariants(status, this.now(), false);
    return { GlobalCluster: {} };
  }

  private detach(targetArn: string): object {
    const a = this.aurora!;
    const region = this.clusterRegion(targetArn);
    if (a.detached) throw named('GlobalClusterNotFoundFault', 'already detached');
    a.detached = { region, doneAt: this.now() + this.durations.globalFailover };
    this.log(`cluster in ${region} detaching`);
    this.checkInvariants('detach', this.now(), false);
    return {};
  }

  private promoteReplica(): object {
    const r = this.replica!;
    if (r.promoted) throw named('InvalidDBInstanceStateFault', 'not a read replica');
    r.promoted = true;
    r.promoteDoneAt = this.now() + this.durations.replicaPromotion;
    this.log('replica promoting');
    this.checkInvariants('promote', this.now(), false);
    return { DBInstance: {} };
  }

  private describeGroup(region: string): object {
    const g = this.groups[region];
    return {
      AutoScalingGroups: [
        {
          AutoScalingGroupName: this.config.compute.source.region === region ? this.config.compute.source.asgName : this.config.compute.target.asgName,
          MinSize: g.min,
          MaxSize: g.max,
          DesiredCapacity: g.desired,
          Instances: g.instances.map((x) => ({ InstanceId: x.id, LifecycleState: x.readyAt <= this.now() ? 'InService' : 'Pending', HealthStatus: 'Healthy' })),
        },
      ],
    };
  }

  private updateGroup(region: string, i: { MinSize?: number; MaxSize?: number; DesiredCapacity?: number }): object {
    const g = this.groups[region];
    g.min = i.MinSize ?? g.min;
    g.max = i.MaxSize ?? g.max;
    const desired = i.DesiredCapacity ?? g.desired;
    if (desired > g.instances.length) {
      for (let k = g.instances.length; k < desired; k++) g.instances.push({ id: `${region}-i${k}`, readyAt: this.now() + this.durations.instanceToHealthy });
    } else {
      g.instances.splice(desired);
    }
    g.desired = desired;
    this.log(`${region} group desired ${desired}`);
    this.checkInvariants(`scale ${region}`, this.now(), desired === 0);
    return {};
  }

  private targetHealth(region: string): object {
    const g = this.groups[region];
    return { TargetHealthDescriptions: g.instances.map((x) => ({ Target: { Id: x.id }, TargetHealth: { State: x.readyAt <= this.now() ? 'healthy' : 'initial' } })) };
  }

  private regionOfControl(arn: string): string {
    const c = this.config;
    if (c.traffic.kind !== 'routing-control') throw named('ResourceNotFoundException', arn);
    return Object.entries(c.traffic.controls).find(([, a]) => a === arn)![0];
  }

  private updateControls(entries: { RoutingControlArn?: string; RoutingControlState?: string }[]): object {
    const next = { ...this.controls };
    for (const e of entries) next[this.regionOfControl(e.RoutingControlArn!)] = e.RoutingControlState as 'On' | 'Off';
    if (!Object.values(next).includes('On')) throw named('ConflictException', 'safety rule: at least one routing control must be On');
    Object.assign(this.controls, next);
    this.log(`routing controls ${JSON.stringify(this.controls)}`);
    this.checkInvariants('routing controls', this.now());
    return {};
  }
}

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

async function regionOf(clientOrGetter: unknown): Promise<string> {
  const client = typeof clientOrGetter === 'function' ? (clientOrGetter as () => unknown)() : clientOrGetter;
  const region = (client as { config: { region: () => Promise<string> | string } }).config.region;
  return typeof region === 'function' ? await region() : region;
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
