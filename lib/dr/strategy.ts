import { Duration, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { type ComputeConfig, type RunbookConfig, StrategyEntry, strategyParameterName } from '../../protocol';
import { Drill } from '../chaos/drill';
import { Validator } from '../core/validation';
import { CrossRegionReadReplica } from '../data/cross-region-read-replica';
import { Database, DatabaseEndpoint, DatabaseKind } from '../data/database';
import { DatabaseEngine } from '../data/database-engine';
import { GlobalDatabase } from '../data/global-database';
import { GlobalDatabaseSecondary } from '../data/global-database-secondary';
import { FailoverRecords } from '../routing/failover-records';
import { HostedZoneReference } from '../routing/hosted-zone';
import { AlarmTopic } from '../observability/alarm-topic';
import { RecordEndpoint } from '../routing/record-endpoint';
import { MultiAzVpc } from '../tiers/multi-az-vpc';
import { WebTier, WebTierRollingUpdate } from '../tiers/web-tier';
import { WebTierWebAcl } from '../tiers/web-tier-waf';
import { WebTierOriginAccess } from '../tiers/web-tier-origin';
import { AutoFailover, AutoFailoverOptions } from './auto-failover';
import { Runbook } from './runbook';
import { siteHealthCheck } from './strategy-helpers';
import { acknowledgeNagFinding } from '../core/nag';
import { buildStrategyGates, dnsObservation, StrategyGates } from './strategy-traffic';
import { buildStrategyObservability, SiteObservability, StrategySlo } from './strategy-observability';
import { StrategySite } from './strategy-site';
import { addStackDependency } from '../core/stack-dependency';
import { setStackAvailabilityZones } from '../core/availability-zones';

export { StrategySite } from './strategy-site';

/** Where one Region of a strategy runs. */
export interface StrategyRegion {
  /** Account and Region (both literal: runbooks and cross-Region names need them). */
  readonly env: { readonly account: string; readonly region: string };
  /** The Region's AZs, by name (no lookup). */
  readonly availabilityZones: string[];
  /**
   * VPC CIDR.
   * @default '10.0.0.0/16' (primary), '10.1.0.0/16' (recovery)
   */
  readonly cidr?: string;
  /**
   * ARN of the ACM certificate for the Region's load balancer.
   * @default - HTTP only, with a warning
   */
  readonly certificateArn?: string;
}

/** The public name of the workload. */
export interface StrategyDomain extends HostedZoneReference {
  /** Record name in the zone, e.g. `shop`. */
  readonly recordName: string;
}

/** The web tier of every Region. */
export interface StrategyWeb {
  /** Instances the workload needs in service (per Region, when it serves). */
  readonly capacity: { readonly min: number; readonly max: number };
  /**
   * AMI.
   * @default - Amazon Linux 2023
   */
  readonly machineImage?: ec2.IMachineImage;
  /**
   * Instance type.
   * @default t3.small
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * User data: one for both Regions, or a function that makes each Region's from its context
   * (its Region and its database endpoint, tokens of that Region's stack).
   * @default - none (the instances run no application: the `/health` checks fail until one serves it)
   */
  readonly userData?: ec2.UserData | ((site: StrategySiteContext) => ec2.UserData);
  /**
   * How CloudFormation replaces instances when the launch template changes, in both Regions
   * (see {@link WebTierRollingUpdate}). `waitForSignals: true` makes a deploy wait for each new
   * instance's user data to succeed, so an application that does not come up fails the deploy
   * instead of replacing healthy instances (and a first deploy fails instead of succeeding with
   * every target unhealthy).
   * @default - the web tier's: one AZ's worth at a time, 100 % in service, no signals
   */
  readonly rollingUpdate?: WebTierRollingUpdate;
  /**
   * A regional AWS WAF web ACL on each Region's load balancer: turn it on when a CDN
   * (EdgeFailover) fronts the strategy, so the load balancers' own names do not skip its rules.
   * @default - none
   */
  readonly webAcl?: WebTierWebAcl;
  /**
   * Who may reach each Region's load balancer: with `WebTierOriginAccess.cloudFrontOnly`, only
   * the CDN in front (and Route 53's health checkers, on the health check path, so DNS failover
   * still sees each Region). Then the strategy's own records are not a public entry: publish the
   * CDN's name.
   * @default WebTierOriginAccess.open()
   */
  readonly originAccess?: WebTierOriginAccess;
}

/** What a Region's user data may depend on (`StrategyWeb.userData` as a function). */
export interface StrategySiteContext {
  /** The Region. */
  readonly region: string;
  /** Which side of the strategy the Region is. */
  readonly role: 'primary' | 'recovery';
  /**
   * The Region's database endpoint: the Aurora cluster (the secondary's in the recovery
   * Region), or the RDS instance and its read replica. Tokens of the Region's stack.
   */
  readonly database: DatabaseEndpoint;
}

/** The database of the strategy. */
export interface StrategyDatabase {
  /**
   * Engine: an Aurora engine makes an Aurora global database; an RDS engine (pilot light
   * only) a Multi-AZ instance with a cross-Region read replica.
   */
  readonly engine: DatabaseEngine;
  /**
   * Instance class.
   * @default - db.r6g.large (Aurora), db.m6g.large (RDS)
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Name of a database to create.
   * @default - none
   */
  readonly databaseName?: string;
  /**
   * Managed RPO of an Aurora PostgreSQL global database (`rds.global_db_rpo`, at least 20 s):
   * Aurora blocks commits rather than let every secondary lag more, so the RPO is bounded.
   * Without it the RPO is only a typical figure and the assessment reports it as unbounded.
   * See {@link GlobalDatabaseProps.managedRpo}.
   * @default - none: replication lag is not bounded
   */
  readonly managedRpo?: Duration;
}

/** Props shared by the strategies. */
export interface DrStrategyProps {
  /** The Region that serves in normal operation. */
  readonly primary: StrategyRegion;
  /** The Region that takes over. */
  readonly recovery: StrategyRegion;
  /** The public name. */
  readonly domain: StrategyDomain;
  /** The web tier. */
  readonly web: StrategyWeb;
  /** The database. */
  readonly database: StrategyDatabase;
  /** Recovery time objective: recorded for the assessment. */
  readonly rto: Duration;
  /** Recovery point objective: recorded for the assessment. */
  readonly rpo: Duration;
  /**
   * SLOs on the entry tier of each Region, with burn-rate alarms to the Region's alerts
   * topic, shown on the Region's dashboard.
   * @default - 99.9 % availability and 99 % of requests within 1 s, over 30 days
   */
  readonly slo?: StrategySlo;
  /**
   * A short lowercase name used in physical names (global cluster, groups, topics).
   * @default - the construct id, lowercased
   */
  readonly name?: string;
  /**
   * Concurrent executions reserved for each runbook and drill function, so an account-wide
   * concurrency exhaustion in an outage cannot throttle the failover. Lambda keeps at least
   * 100 executions unreserved per Region: in an account with a small quota, pass `false`.
   * @default 2 per function
   */
  readonly reservedConcurrency?: number | false;
  /**
   * Fail over without waiting for a person: when Route 53 has withdrawn the primary (its
   * fence open) for some minutes, the alerts topic announces the failover and it starts after
   * a confirmation window unless an operator cancels. Opting in is the data-loss consent of
   * that unplanned failover; detach is never automatic, and failback is always a person's.
   * Not for an RDS read replica (its promotion always needs detach consent). See {@link AutoFailover}.
   * @default - none: a person starts every failover (the assessment's decision term is 5 minutes)
   */
  readonly autoFailover?: AutoFailoverOptions;
  /**
   * Deletion protection of the load balancers and the databases (the global cluster, each
   * regional cluster, the RDS instance and its replica). `false` only for a trial or a test
   * deployment that `cdk destroy` must remove whole (the databases still leave a final
   * snapshot); a production strategy keeps it on.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/** The kind of strategy. */
export type StrategyKind = RunbookConfig['strategy'];

/**
 * The shape every DR strategy shares: one stack per Region, a network and a web tier in
 * each, the data tier across them, DNS, and one runbook per direction deployed in the
 * Region it moves the workload to.
 */
export abstract class DrStrategy extends Construct {
  /** The strategy kind. */
  public readonly kind: StrategyKind;
  /** The primary Region's stack. */
  public readonly primaryStack: Stack;
  /** The recovery Region's stack. */
  public readonly recoveryStack: Stack;
  /**
   * A small stack in the recovery Region that the primary stack deploys after: it holds the
   * primary's traffic gate in the recovery Region (the fence a failover closes).
   */
  public readonly fenceStack: Stack;
  /** The traffic gates (health-check mode): what each Region's record requires. */
  public gates!: StrategyGates;
  /** The lock that lets one of the strategy's runbooks run at a time (a global table). */
  public lockTable?: dynamodb.TableV2;
  /** The primary Region's pieces (set by the subclass). */
  public primary!: StrategySite;
  /** The recovery Region's pieces (set by the subclass). */
  public recovery!: StrategySite;
  /** The Aurora global database, when the engine is Aurora. */
  public globalDatabase?: GlobalDatabase;
  /** The primary database, when the engine is an RDS engine. */
  public database?: Database;
  /** The read replica in the recovery Region, when the engine is an RDS engine. */
  public replica?: CrossRegionReadReplica;
  /** The runbooks: `failover` runs in the recovery Region, `failback` in the primary. */
  public readonly runbook: { failover?: Runbook; failback?: Runbook } = {};
  /** The alarm-triggered failover, when `autoFailover` is given. */
  public autoFailover?: AutoFailover;
  /** Each Region's SLOs on the entry tier and its dashboard. */
  public observability!: Record<'primary' | 'recovery', SiteObservability>;
  /** The declared objectives, for the assessment. */
  public readonly objectives: { readonly rto: Duration; readonly rpo: Duration };
  /** The short name. */
  public readonly strategyName: string;
  /** Active-active only: the traffic objective, in seconds (published for the operator CLI). */
  private readonly trafficRtoSeconds?: number;

  protected readonly props: DrStrategyProps;

  constructor(scope: Construct, id: string, kind: StrategyKind, props: DrStrategyProps) {
    super(scope, id);
    this.kind = kind;
    this.props = props;
    this.strategyName = props.name ?? id.toLowerCase();
    const v = new Validator(this);
    validateStrategy(v, kind, this.strategyName, props);
    v.throwIfAny();
    this.objectives = { rto: props.rto, rpo: props.rpo };
    // Active-active's own traffic objective (ActiveActiveProps.trafficRto) is recorded beside the others.
    const trafficRto = kind === 'active-active' ? ((props as { readonly trafficRto?: Duration }).trafficRto ?? props.rto) : undefined;
    this.node.addMetadata('cdk-resilience:objectives', { strategy: kind, rtoSeconds: props.rto.toSeconds(), rpoSeconds: props.rpo.toSeconds(), ...(trafficRto ? { trafficRtoSeconds: trafficRto.toSeconds() } : {}) });
    this.trafficRtoSeconds = trafficRto?.toSeconds();

    this.primaryStack = new Stack(scope, `${id}-Primary`, { env: props.primary.env, description: `cdk-resilience ${kind} ${this.strategyName}: primary Region` });
    this.recoveryStack = new Stack(scope, `${id}-Recovery`, { env: props.recovery.env, description: `cdk-resilience ${kind} ${this.strategyName}: recovery Region` });
    this.fenceStack = new Stack(scope, `${id}-Fence`, { env: props.recovery.env, description: `cdk-resilience ${kind} ${this.strategyName}: the primary's traffic gate, held in the recovery Region` });
    // The Region stacks are ours: their AZs are set as the context entry a lookup would fill
    // (before any child), so synth needs no credentials and no cdk.context.json.
    setStackAvailabilityZones(this, 'primary.availabilityZones', this.primaryStack, props.primary.availabilityZones);
    setStackAvailabilityZones(this, 'recovery.availabilityZones', this.recoveryStack, props.recovery.availabilityZones);
    setStackAvailabilityZones(this, 'recovery.availabilityZones', this.fenceStack, props.recovery.availabilityZones);
    addStackDependency(this.primaryStack, this.fenceStack, 'the primary record requires its traffic gate held in the recovery Region');
  }

  /** The traffic gates of both Regions (built once, before the records). */
  protected buildGates(): StrategyGates {
    this.gates = buildStrategyGates(this.strategyName, { primary: this.primaryStack, recovery: this.recoveryStack, fence: this.fenceStack });
    return this.gates;
  }

  /**
   * Build an active-passive deployment (pilot light, warm standby): both Regions, failover
   * records (PRIMARY here, SECONDARY there), the data tier and both runbooks.
   */
  protected buildActivePassive(standbyCapacity: number | undefined, headlessSecondary: boolean): FailoverRecords {
    const props = this.props;
    const primaryCidr = props.primary.cidr ?? '10.0.0.0/16';
    const recoveryCidr = props.recovery.cidr ?? '10.1.0.0/16';
    const p = this.buildSite(this.primaryStack, props.primary, recoveryCidr, primaryCidr);
    const r = this.buildSite(this.recoveryStack, props.recovery, primaryCidr, recoveryCidr, standbyCapacity);
    const gates = this.buildGates();
    const dns = new FailoverRecords(this.primaryStack, 'Dns', {
      zone: props.domain,
      recordName: props.domain.recordName,
      primary: {
        endpoint: RecordEndpoint.loadBalancer(p.web.alb),
        healthCheck: siteHealthCheck(this.primaryStack, p.web, this.strategyName, this.regions),
        requireHealthChecks: gates.required[this.primaryStack.region],
        statusRecord: true,
      fenceRecord: true,
      },
    });
    const secondary = dns.addSecondary(this.recoveryStack, 'Dns', {
      endpoint: RecordEndpoint.loadBalancer(r.web.alb),
      healthCheck: siteHealthCheck(this.recoveryStack, r.web, this.strategyName, this.regions),
      requireHealthChecks: gates.required[this.recoveryStack.region],
      statusRecord: true,
      fenceRecord: true,
      // The gates alone decide: Route 53 answers the PRIMARY whenever the SECONDARY is
      // unhealthy, so a SECONDARY withdrawn by its endpoint would hand traffic back to a
      // fenced primary. Its endpoint check still alarms.
      routeOnEndpointHealth: false,
    });
    this.primary = new StrategySite(p.stack, p.network, p.web, p.topic, dns.primary);
    this.recovery = new StrategySite(r.stack, r.network, r.web, r.topic, secondary);
    this.buildData(headlessSecondary);
    this.buildRunbooks();
    this.buildObservability();
    return dns;
  }

  /** Build one Region's network, web tier and alert topic. */
  protected buildSite(stack: Stack, region: StrategyRegion, otherCidr: string, cidr: string, runningCapacity?: number): Omit<StrategySite, 'record'> {
    const topic = new AlarmTopic(stack, 'Alerts', { topicName: `${this.strategyName}-alerts`, displayName: `${this.strategyName} alerts and runbook reports` }).topic;
    const network = new MultiAzVpc(stack, 'Network', { availabilityZones: region.availabilityZones, cidr, mustNotOverlap: [otherCidr] });
    const web = new WebTier(stack, 'Web', {
      vpc: network.vpc,
      capacity: this.props.web.capacity,
      machineImage: this.props.web.machineImage,
      instanceType: this.props.web.instanceType,
      userData: this.siteUserData(stack),
      rollingUpdate: this.props.web.rollingUpdate,
      webAcl: this.props.web.webAcl,
      originAccess: this.props.web.originAccess,
      certificate: region.certificateArn ? acm.Certificate.fromCertificateArn(stack, 'Certificate', region.certificateArn) : undefined,
      alarms: { topic },
      runningCapacity,
      autoScalingGroupName: this.asgName(stack.region),
      deletionProtection: this.props.deletionProtection,
    });
    return { stack, network, web, topic };
  }

  /** A Region's user data (`StrategyWeb.userData`), given its context when it is a function. */
  private siteUserData(stack: Stack): ec2.UserData | undefined {
    const given = this.props.web.userData;
    if (typeof given !== 'function') return given;
    // The database is built after the web tiers: its endpoint is read when the template is rendered.
    const endpoint = (): DatabaseEndpoint => {
      const primary = stack === this.primaryStack;
      if (this.globalDatabase) return primary ? this.globalDatabase.primary.endpoint : this.globalDatabase.secondaries[0].endpoint;
      return primary ? this.database!.endpoint : this.replica!.endpoint;
    };
    return given({
      region: stack.region,
      role: stack === this.primaryStack ? 'primary' : 'recovery',
      database: { hostname: Lazy.string({ produce: () => endpoint().hostname }), port: Lazy.number({ produce: () => endpoint().port }) },
    });
  }

  /** Deterministic name of a Region's Auto Scaling group. */
  protected asgName(region: string): string {
    return `${this.strategyName}-web-${region}`;
  }

  /** Build the data tier: an Aurora global database, or an RDS instance and its replica. */
  protected buildData(headlessSecondary: boolean): void {
    const db = this.props.database;
    if (db.engine.isAurora) {
      this.globalDatabase = new GlobalDatabase(this.primaryStack, 'Database', {
        globalClusterIdentifier: this.strategyName,
        engine: db.engine,
        primary: { vpc: this.primary.network.vpc, instanceType: db.instanceType, databaseName: db.databaseName, allowFrom: [this.primary.web.asg] },
        managedRpo: db.managedRpo,
        alarmTopic: this.recovery.topic,
        deletionProtection: this.props.deletionProtection,
      });
      this.globalDatabase.addSecondary(this.recoveryStack, 'Database', {
        vpc: this.recovery.network.vpc,
        headless: headlessSecondary,
        allowFrom: [this.recovery.web.asg],
      });
    } else {
      this.database = new Database(this.primaryStack, 'Database', {
        kind: DatabaseKind.MULTI_AZ_INSTANCE,
        engine: db.engine,
        vpc: this.primary.network.vpc,
        instanceType: db.instanceType,
        databaseName: db.databaseName,
        identifier: this.strategyName,
        allowFrom: [this.primary.web.asg],
        deletionProtection: this.props.deletionProtection,
      });
      this.replica = new CrossRegionReadReplica(this.recoveryStack, 'Database', {
        source: this.database,
        vpc: this.recovery.network.vpc,
        instanceType: db.instanceType,
        allowFrom: [this.recovery.web.asg],
        alarmTopic: this.recovery.topic,
        deletionProtection: this.props.deletionProtection,
      });
    }
  }

  /** Build each Region's SLOs and dashboard. */
  protected buildObservability(): void {
    this.observability = buildStrategyObservability(
      {
        strategyName: this.strategyName,
        kind: this.kind,
        primary: this.primary,
        recovery: this.recovery,
        globalDatabaseSecondaries: this.globalDatabase?.secondaries ?? [],
        replicas: this.replica ? [this.replica] : [],
        runbooks: [this.runbook.failover, this.runbook.failback].filter((r) => r !== undefined),
      },
      this.props.slo,
    );
    // What the operator CLI reads first, in both Regions (drills are added later: lazy).
    for (const stack of [this.primaryStack, this.recoveryStack]) {
      new ssm.StringParameter(stack, 'StrategyDirectory', {
        parameterName: strategyParameterName(this.strategyName),
        stringValue: Lazy.string({
          produce: () =>
            JSON.stringify({
              strategy: this.strategyName,
              kind: this.kind,
              primaryRegion: this.primaryStack.region,
              recoveryRegion: this.recoveryStack.region,
              rtoSeconds: this.objectives.rto.toSeconds(),
              rpoSeconds: this.objectives.rpo.toSeconds(),
              ...(this.trafficRtoSeconds !== undefined ? { trafficRtoSeconds: this.trafficRtoSeconds } : {}),
              drills: this.drills.map((d) => ({ name: d.config.name, region: Stack.of(d).region })),
              ...(this.autoFailover
                ? { autoFailover: { stateMachineArn: this.autoFailover.stateMachine.stateMachineArn, confirmationSeconds: this.autoFailover.confirmationWindow.toSeconds(), alarmName: this.autoFailover.alarmName } }
                : {}),
            } satisfies StrategyEntry),
        }),
        description: `cdk-resilience ${this.kind} ${this.strategyName} (read by the operator CLI)`,
      });
    }
  }

  /** The drills added with addFailoverDrill. */
  public readonly drills: Drill[] = [];

  /** Build both runbooks, and the lock they share (a global table in both Regions). */
  protected buildRunbooks(): void {
    this.lockTable = new dynamodb.TableV2(this.primaryStack, 'RunbookLock', {
      tableName: `${this.strategyName}-runbook-lock`,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      replicas: [{ region: this.recoveryStack.region }],
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // One lease item; nothing to keep when the strategy is deleted.
      removalPolicy: RemovalPolicy.DESTROY,
      deletionProtection: false,
    });
    acknowledgeNagFinding(this.lockTable, 'RES-DDB2', 'The runbook lock holds one lease item that expires within minutes; deleting the strategy should delete it, so it is not deletion-protected.');
    this.runbook.failover = new Runbook(this.recoveryStack, 'FailoverRunbook', { config: this.runbookConfig('failover'), notifyTopic: this.recovery.topic, rto: this.props.rto, reservedConcurrency: this.props.reservedConcurrency });
    this.runbook.failback = new Runbook(this.primaryStack, 'FailbackRunbook', { config: this.runbookConfig('failback'), notifyTopic: this.primary.topic, rto: this.props.rto, reservedConcurrency: this.props.reservedConcurrency });
    if (this.props.autoFailover) {
      const traffic = this.runbook.failover.config.traffic;
      this.autoFailover = new AutoFailover(this.recoveryStack, 'AutoFailover', {
        ...this.props.autoFailover,
        strategyName: this.strategyName,
        watchedRegion: this.primaryStack.region,
        dns: traffic.dns!,
        lock: this.runbook.failover.config.lock,
        entryFunction: this.runbook.failover.entryFunction,
        topic: this.recovery.topic,
        reservedConcurrency: this.props.reservedConcurrency === false ? false : undefined,
      });
    }
  }

  /** The runbook configuration of one direction, as plain strings where it crosses Regions. */
  protected runbookConfig(direction: 'failover' | 'failback'): RunbookConfig {
    const [source, target] = direction === 'failover' ? [this.primary, this.recovery] : [this.recovery, this.primary];
    const compute = (site: StrategySite, withTargetGroup: boolean): ComputeConfig => {
      const plan = site.web.capacityPlan;
      return {
        region: site.stack.region,
        asgName: this.asgName(site.stack.region),
        targetGroupArn: withTargetGroup ? site.web.targetGroup.targetGroupArn : undefined,
        full: { min: plan.groupMin, max: plan.groupMax, desired: plan.groupMin },
        standby: { min: plan.running, max: plan.groupMax, desired: plan.running },
        requiredHealthy: plan.declaredMin,
      };
    };
    const database: RunbookConfig['database'] = this.globalDatabase
      ? {
          kind: 'aurora-global',
          globalClusterIdentifier: this.globalDatabase.globalClusterIdentifier,
          clusters: Object.fromEntries(
            this.globalDatabase.regions.map((r) => [
              r.region,
              {
                identifier: r.clusterIdentifier,
                arn: r.clusterArn,
                headless: r.headless,
                instanceClass: `db.${(this.props.database.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE)).toString()}`,
                engine: this.props.database.engine.cfnEngine,
                availabilityZones: r.region === this.primaryStack.region ? this.props.primary.availabilityZones : this.props.recovery.availabilityZones,
              },
            ]),
          ),
        }
      : {
          kind: 'rds-replica',
          source: { region: this.primaryStack.region, identifier: this.database!.physicalIdentifier!, arn: this.replica!.sourceArn },
          replica: { region: this.recoveryStack.region, identifier: this.replica!.identifier, arn: this.replica!.arn },
        };
    return {
      strategy: this.kind,
      name: this.strategyName,
      direction,
      targetRegion: target.stack.region,
      sourceRegion: source.stack.region,
      database,
      compute: { source: compute(source, false), target: compute(target, true) },
      traffic: {
        kind: 'health-check',
        detectionSeconds: endpointDetection(source),
        gates: this.gates.config,
        dns: dnsObservation(
          target.stack,
          this.props.domain,
          { [this.primary.stack.region]: this.primary.record.statusDomainName!, [this.recovery.stack.region]: this.recovery.record.statusDomainName! },
          { [this.primary.stack.region]: this.primary.record.fenceDomainName!, [this.recovery.stack.region]: this.recovery.record.fenceDomainName! },
        ),
      },
      lock: { tableName: `${this.strategyName}-runbook-lock`, leaseSeconds: 300 },
      maxPlannedLagSeconds: Math.max(1, Math.min(this.props.rpo.toSeconds(), 30)),
      notifyTopicArn: target.topic.topicArn,
      rtoSeconds: this.props.rto.toSeconds(),
      metricsNamespace: 'CdkResilience/Runbooks',
      sourceCallTimeoutMs: 10_000,
    };
  }

  /**
   * A failover drill in the recovery Region: a state machine that checks the steady state,
   * runs this strategy's failover runbook (a planned switchover unless `unplanned`), and
   * measures the time until the recovery Region serves at the primary's capacity with its
   * alarms OK, against the declared RTO. Reports to the recovery Region's alerts topic.
   * With an RDS read replica the failover is a promotion, which leaves the old database
   * writable (fenced) and needs re-protection before any failback: the drill runs it only
   * with `allowDetach: true`, the consent given here, in code, by whoever adds the drill.
   */
  public addFailoverDrill(options: { readonly unplanned?: boolean; readonly pollInterval?: Duration; readonly maxDuration?: Duration; readonly allowDetach?: boolean } = {}): Drill {
    const v = new Validator(this);
    v.check(this.replica !== undefined && options.allowDetach !== true, {
      code: 'DR_DRILL_DETACH',
      prop: 'allowDetach',
      value: options.allowDetach,
      message: 'a failover drill of this strategy promotes its RDS read replica: the old database stays writable (fenced), and failing back needs a new replica first',
      fix: 'pass addFailoverDrill({ allowDetach: true }) to consent to that in every drill, or drill the failover by hand with --allow-detach',
    });
    v.check(this.replica === undefined && options.allowDetach === true, {
      code: 'DR_DRILL_DETACH',
      prop: 'allowDetach',
      value: true,
      message: 'this strategy has no read replica to promote: a drill never needs consent to two writers (a managed Aurora failover that Aurora refuses stops instead)',
      fix: 'drop allowDetach',
    });
    v.throwIfAny();
    const failover = this.runbook.failover!;
    const drill = new Drill(this.recoveryStack, 'FailoverDrill', {
      runbook: failover,
      web: this.recovery.web,
      rto: this.objectives.rto,
      alarmTopic: this.recovery.topic,
      recoveredHosts: this.primary.web.capacityPlan.groupMin,
      drillName: `${this.strategyName}-failover`,
      reservedConcurrency: this.props.reservedConcurrency,
      ...options,
    });
    for (const site of [this.observability.primary, this.observability.recovery]) site.dashboard.addDrill(drill, this.objectives.rto);
    this.drills.push(drill);
    return drill;
  }

  /** Both Regions, primary first. */
  public get regions(): string[] {
    return [this.primaryStack.region, this.recoveryStack.region];
  }

  /** The secondary cluster, when the database is an Aurora global database. */
  public get secondaryCluster(): GlobalDatabaseSecondary | undefined {
    return this.globalDatabase?.secondaries[0];
  }
}

function validateStrategy(v: Validator, kind: StrategyKind, name: string, props: DrStrategyProps): void {
  for (const [prop, r] of [['primary', props.primary], ['recovery', props.recovery]] as const) {
    v.check(Token.isUnresolved(r.env.account) || Token.isUnresolved(r.env.region) || !r.env.account || !r.env.region, {
      code: 'DR_ENV',
      prop: `${prop}.env`,
      value: r.env,
      message: 'a DR strategy needs literal accounts and Regions: runbooks and cross-Region names are built from them',
      fix: "give env: { account: '111111111111', region: 'us-east-1' }",
    });
  }
  v.check(props.primary.env.region === props.recovery.env.region, {
    code: 'DR_SAME_REGION',
    prop: 'recovery.env.region',
    value: props.recovery.env.region,
    message: 'the recovery Region is the primary Region, which survives no Regional failure',
    fix: 'pick another Region for recovery',
  });
  v.check(props.primary.env.account !== props.recovery.env.account, {
    code: 'DR_ACCOUNT',
    prop: 'recovery.env.account',
    value: props.recovery.env.account,
    message: 'the two Regions must be in one account (Aurora global databases and the runbooks\' permissions span one account)',
    fix: "use the primary's account",
  });
  v.check(!/^[a-z][a-z0-9-]{0,29}$/.test(name), {
    code: 'DR_NAME',
    prop: 'name',
    value: name,
    message: 'must be 1-30 lowercase letters, digits or hyphens, starting with a letter (it names clusters, groups and topics)',
    fix: "pass name: 'shop'",
  });
  v.check(props.database.managedRpo !== undefined && !props.database.engine.isAurora, {
    code: 'DR_MANAGED_RPO',
    prop: 'database.managedRpo',
    value: props.database.managedRpo?.toHumanString(),
    message: 'a managed RPO exists only for an Aurora PostgreSQL global database; an RDS read replica has no bound on its lag',
    fix: 'use DatabaseEngine.auroraPostgres(...) or drop managedRpo (the RPO is then reported as unbounded)',
  });
  v.check(kind !== 'pilot-light' && !props.database.engine.isAurora, {
    code: 'DR_ENGINE',
    prop: 'database.engine',
    value: props.database.engine.toString(),
    message: `${kind} needs an Aurora global database (seconds of RPO); an RDS read replica is a pilot-light design`,
    fix: 'use DatabaseEngine.auroraPostgres(...) or auroraMysql(...), or the PilotLight strategy',
  });
  v.check(props.domain.privateZone === true, {
    code: 'DR_PRIVATE_ZONE',
    prop: 'domain.privateZone',
    value: true,
    message: "the runbooks verify a move by asking the zone's authoritative name servers, which a private hosted zone does not have (and its records answer only inside its VPCs)",
    fix: 'use a public hosted zone for the strategy\'s name; keep private names as CNAMEs to it',
  });
  v.check(props.domain.nameServers !== undefined && (props.domain.nameServers.length === 0 || props.domain.nameServers.some((n) => !Token.isUnresolved(n) && !/^[A-Za-z0-9.-]+\.?$/.test(n))), {
    code: 'DR_NAME_SERVERS',
    prop: 'domain.nameServers',
    value: props.domain.nameServers,
    message: 'must be the zone\'s name servers, as host names',
    fix: "pass the zone's delegation set, e.g. ['ns-123.awsdns-45.com', ...] (aws route53 get-hosted-zone --id <zone>), or leave it out to read it at deploy",
  });
  v.check(props.autoFailover !== undefined && !props.database.engine.isAurora, {
    code: 'DR_AUTO_FAILOVER',
    prop: 'autoFailover',
    value: props.database.engine.toString(),
    message: 'the failover of an RDS read replica is a promotion that leaves the old database writable: it needs detach consent, which is never given automatically',
    fix: 'drop autoFailover (a person starts the failover with --allow-detach), or use an Aurora global database',
  });
  v.duration('rto', props.rto, { code: 'DR_OBJECTIVES', minSeconds: 0 });
  const trafficRto = (props as { readonly trafficRto?: Duration }).trafficRto;
  if (trafficRto !== undefined) {
    v.duration('trafficRto', trafficRto, { code: 'DR_OBJECTIVES', minSeconds: 0 });
    v.check(kind === 'active-active' && !trafficRto.isUnresolved() && !props.rto.isUnresolved() && trafficRto.toSeconds() > props.rto.toSeconds(), {
      code: 'DR_OBJECTIVES',
      prop: 'trafficRto',
      value: trafficRto.toHumanString(),
      message: `traffic must not be allowed longer than writes (rto ${props.rto.toHumanString()}): it leaves a failed Region on health checks alone, before any promotion`,
      fix: 'set trafficRto at or under rto (the reference pair: 2 minutes for traffic, 18 for writes)',
    });
  }
  v.duration('rpo', props.rpo, { code: 'DR_OBJECTIVES', minSeconds: 0 });
}

/** Interval x threshold of a Region's endpoint health check (what the RTO's detection term reads). */
function endpointDetection(site: StrategySite): number {
  const d = site.record.endpointHealthCheck?.detection ?? site.record.detection;
  return d ? d.time.toSeconds() : 30;
}
