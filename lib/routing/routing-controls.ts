import { CfnCustomResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as arc from 'aws-cdk-lib/aws-route53recoverycontrol';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeCustomResourceProvider } from '../core/nag';
import { bundledLambdaCode } from '../core/lambda-code';
import { Validator } from '../core/validation';
import { HostedZoneReference } from './hosted-zone';
import { RecordEndpoint } from './record-endpoint';
import { RoutingPolicy } from './record-registry';
import { FailoverRole, RegionalRecord } from './regional-record';
import { addStackDependency } from '../core/stack-dependency';

/** The Region that hosts the Route 53 ARC configuration (control plane) API. */
export const ARC_CONTROL_PLANE_REGION = 'us-west-2';

/** Props for {@link RoutingControls}. */
export interface RoutingControlsProps {
  /**
   * Name of the cluster, control panel and controls (`<name>-<region>`): 1-64 letters,
   * digits, hyphens or underscores.
   */
  readonly name: string;
  /** The Regions to switch, one routing control each (at least 2). */
  readonly regions: string[];
  /**
   * Safety rule: at least this many Regions' controls must stay On. ARC rejects any
   * state change that would break it, so an operator (or a runaway script) cannot turn
   * every Region off.
   * @default 1
   */
  readonly minimumOn?: number;
  /**
   * How long ARC waits before it evaluates the safety rule after a change.
   * @default Duration.seconds(5)
   */
  readonly safetyRuleWaitPeriod?: Duration;
  /**
   * Use an existing cluster (one cluster costs the same whatever it holds) instead of
   * creating one. Give this or let the construct create the cluster, not both.
   * @default - a new cluster
   */
  readonly existingClusterArn?: string;
  /**
   * The state each Region's control is set to when it is created (CloudFormation creates them
   * Off, which withdraws every record they gate). Set only for a control new since the last
   * deploy (a first deploy, a Region added, a control replaced): a control that existed keeps
   * the state an operator gave it, so a deploy never undoes a failover.
   * @default - every Region On
   */
  readonly initialStates?: Record<string, 'On' | 'Off'>;
}

/** One Region's record in {@link RoutingControls.addGatedRecords}. */
export interface GatedRecordTarget {
  /** The Region's record (from FailoverRecords / ActiveActiveRecords) whose per-Region name this record aliases. */
  readonly regionalRecord: RegionalRecord;
  /**
   * Role (FAILOVER policy only).
   * @default - none
   */
  readonly failoverRole?: FailoverRole;
  /**
   * Weight (WEIGHTED policy only).
   * @default - none
   */
  readonly weight?: number;
}

/** Props of {@link RoutingControls.addGatedRecords}. */
export interface GatedRecordsProps {
  /** The hosted zone. */
  readonly zone: HostedZoneReference;
  /** The name the routing controls switch. */
  readonly recordName: string;
  /** Routing policy among the Regions that are On. */
  readonly policy: RoutingPolicy;
  /** One entry per Region. */
  readonly targets: GatedRecordTarget[];
}

/**
 * Route 53 Application Recovery Controller routing controls: a cluster, a control panel,
 * one routing control per Region, a safety rule that keeps at least one Region On, and a
 * RECOVERY_CONTROL health check per control to attach to records.
 *
 * Flipping a control (`UpdateRoutingControlState`) is a data-plane call that any of the
 * cluster's five Regional endpoints accepts, so an operator can move traffic even when
 * the Route 53 control plane (us-east-1) or one Region is impaired. The configuration
 * (this construct) goes through ARC's control plane in us-west-2, so its stack must be in
 * us-west-2.
 *
 * Cost: a cluster is billed per hour (about USD 2.50, some USD 1,800 a month at the time
 * of writing); see docs/routing.md for when that is worth it.
 */
export class RoutingControls extends Construct {
  /** The cluster, when created here. */
  public readonly cluster?: arc.CfnCluster;
  /** The cluster ARN. */
  public readonly clusterArn: string;
  /**
   * The cluster's five Regional endpoints, read at deploy time (`DescribeCluster`) so
   * runbooks never call ARC's control plane during an outage. Tokens of this stack;
   * runbooks read them from the SSM parameter `parameterName`.
   */
  public readonly clusterEndpoints: { endpoint: string; region: string }[];
  /** The control panel. */
  public readonly controlPanel: arc.CfnControlPanel;
  /** Routing control ARNs by Region. */
  public readonly routingControlArns: Record<string, string> = {};
  /** RECOVERY_CONTROL health checks by Region. */
  public readonly healthChecks: Record<string, route53.HealthCheck> = {};
  /** The safety rule. */
  public readonly safetyRule: arc.CfnSafetyRule;
  /** SSM parameter (in this stack's Region) with the cluster, panel, controls and endpoints, as JSON. */
  public readonly parameterName: string;
  /** The Regions. */
  public readonly regions: string[];

  constructor(scope: Construct, id: string, props: RoutingControlsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const v = new Validator(this);
    v.check(!Token.isUnresolved(stack.region) && stack.region !== ARC_CONTROL_PLANE_REGION, {
      code: 'ARC_REGION',
      prop: 'scope',
      value: stack.region,
      message: `ARC's configuration API (clusters, control panels, routing controls) is served from ${ARC_CONTROL_PLANE_REGION} only`,
      fix: `create RoutingControls in a stack in ${ARC_CONTROL_PLANE_REGION}; state changes still go through any of the cluster's five Regional endpoints`,
    });
    v.check(!/^[A-Za-z0-9_-]{1,58}$/.test(props.name), {
      code: 'ARC_NAME',
      prop: 'name',
      value: props.name,
      message: 'must be 1-58 letters, digits, hyphens or underscores (names get a -<suffix>)',
      fix: "use a name like 'shop'",
    });
    v.check(props.regions.length < 2, {
      code: 'ARC_REGIONS',
      prop: 'regions',
      value: props.regions,
      message: 'routing controls switch traffic between Regions: at least 2 are needed',
      fix: 'list every Region that serves the workload',
    });
    v.check(new Set(props.regions).size !== props.regions.length, {
      code: 'ARC_REGIONS',
      prop: 'regions',
      value: props.regions,
      message: 'a Region is listed twice',
      fix: 'list each Region once',
    });
    const minimumOn = props.minimumOn ?? 1;
    v.check(Number.isInteger(minimumOn) && minimumOn < 1, {
      code: 'ARC_SAFETY_RULE',
      prop: 'minimumOn',
      value: minimumOn,
      message: 'a safety rule that allows 0 Regions On lets one command turn every Region off',
      fix: 'keep at least 1 Region On (minimumOn: 1)',
    });
    v.check(!Number.isInteger(minimumOn) || minimumOn > props.regions.length, {
      code: 'ARC_SAFETY_RULE',
      prop: 'minimumOn',
      value: minimumOn,
      message: `can never hold with ${props.regions.length} Regions, so ARC would reject every state change, including the failover`,
      fix: `use a whole number between 1 and ${props.regions.length}`,
    });
    v.duration('safetyRuleWaitPeriod', props.safetyRuleWaitPeriod, { code: 'ARC_SAFETY_RULE', minSeconds: 0, maxSeconds: 3600 });
    const initial = props.regions.map((r) => props.initialStates?.[r] ?? 'On');
    v.check(props.initialStates !== undefined && Object.keys(props.initialStates).some((r) => !props.regions.includes(r)), {
      code: 'ARC_INITIAL_STATES',
      prop: 'initialStates',
      value: props.initialStates,
      message: 'names a Region that has no routing control here',
      fix: `give a state for some of ${props.regions.join(', ')}`,
    });
    v.check(initial.filter((x) => x === 'On').length < minimumOn, {
      code: 'ARC_INITIAL_STATES',
      prop: 'initialStates',
      value: props.initialStates,
      message: `sets fewer than ${minimumOn} Region(s) On, which the safety rule refuses: the deploy would fail`,
      fix: `leave at least ${minimumOn} Region(s) On`,
    });
    v.throwIfAny();

    this.regions = [...props.regions];
    if (props.existingClusterArn) {
      this.clusterArn = props.existingClusterArn;
    } else {
      this.cluster = new arc.CfnCluster(this, 'Cluster', { name: `${props.name}-cluster` });
      this.clusterArn = this.cluster.attrClusterArn;
    }
    // CloudFormation cannot flatten the ClusterEndpoints attribute (a list of objects) into
    // a string, so read the five endpoints once at deploy time.
    const describe: cr.AwsSdkCall = {
      service: 'Route53RecoveryControlConfig',
      action: 'DescribeCluster',
      region: ARC_CONTROL_PLANE_REGION,
      parameters: { ClusterArn: this.clusterArn },
      physicalResourceId: cr.PhysicalResourceId.of(`${props.name}-cluster-endpoints`),
      outputPaths: [0, 1, 2, 3, 4].flatMap((i) => [`Cluster.ClusterEndpoints.${i}.Endpoint`, `Cluster.ClusterEndpoints.${i}.Region`]),
    };
    const endpoints = new cr.AwsCustomResource(this, 'ClusterEndpoints', {
      onCreate: describe,
      onUpdate: describe,
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['route53-recovery-control-config:DescribeCluster'], resources: [this.clusterArn] }),
      ]),
    });
    acknowledgeCustomResourceProvider(stack);
    this.clusterEndpoints = [0, 1, 2, 3, 4].map((i) => ({
      endpoint: endpoints.getResponseField(`Cluster.ClusterEndpoints.${i}.Endpoint`),
      region: endpoints.getResponseField(`Cluster.ClusterEndpoints.${i}.Region`),
    }));
    this.controlPanel = new arc.CfnControlPanel(this, 'ControlPanel', { name: `${props.name}-panel`, clusterArn: this.clusterArn });

    const controlArns: string[] = [];
    for (const region of props.regions) {
      const control = new arc.CfnRoutingControl(this, `Control-${region}`, {
        name: `${props.name}-${region}`,
        clusterArn: this.clusterArn,
        controlPanelArn: this.controlPanel.attrControlPanelArn,
      });
      this.routingControlArns[region] = control.attrRoutingControlArn;
      controlArns.push(control.attrRoutingControlArn);
      this.healthChecks[region] = new route53.HealthCheck(this, `HealthCheck-${region}`, {
        type: route53.HealthCheckType.RECOVERY_CONTROL,
        routingControl: control.attrRoutingControlArn,
      });
    }

    this.safetyRule = new arc.CfnSafetyRule(this, 'AtLeastOneOn', {
      name: `${props.name}-min-on`,
      controlPanelArn: this.controlPanel.attrControlPanelArn,
      ruleConfig: { type: 'ATLEAST', threshold: minimumOn, inverted: false },
      assertionRule: {
        assertedControls: controlArns,
        waitPeriodMs: (props.safetyRuleWaitPeriod ?? Duration.seconds(5)).toMilliseconds(),
      },
    });

    this.setInitialStates(props, initial);

    this.parameterName = `/cdk-resilience/routing-controls/${props.name}`;
    new ssm.StringParameter(this, 'Parameter', {
      parameterName: this.parameterName,
      description: `Route 53 ARC routing controls of ${props.name}: cluster, panel, controls by Region, cluster endpoints`,
      stringValue: stack.toJsonString({
        clusterArn: this.clusterArn,
        controlPanelArn: this.controlPanel.attrControlPanelArn,
        routingControlArns: this.routingControlArns,
        clusterEndpoints: this.clusterEndpoints,
      }),
    });
  }

  /**
   * The first states, set once by a custom resource (lambda/routing-control-init) through any
   * cluster endpoint that answers, after the safety rule exists (ARC checks it on every change).
   */
  private setInitialStates(props: RoutingControlsProps, states: ('On' | 'Off')[]): void {
    const logGroup = new logs.LogGroup(this, 'InitialStatesLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    const role = new iam.Role(this, 'InitialStatesRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: `Sets the first states of the ${props.name} routing controls` });
    logGroup.grantWrite(role);
    const controls = props.regions.map((r) => this.routingControlArns[r]);
    role.addToPolicy(new iam.PolicyStatement({ actions: ['route53-recovery-cluster:UpdateRoutingControlStates'], resources: controls }));
    const fn = new lambda.Function(this, 'InitialStatesFunction', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: bundledLambdaCode('routing-control-init'),
      role,
      logGroup,
      // Two passes over five endpoints at 5 s each fit, with time kept to answer CloudFormation.
      timeout: Duration.seconds(120),
      memorySize: 256,
      description: `cdk-resilience: first states of the ${props.name} routing controls (new controls only)`,
    });
    const resource = new CfnCustomResource(this, 'InitialStates', { serviceToken: fn.functionArn });
    // If the function never answers, CloudFormation gives up after this, not after an hour.
    resource.addPropertyOverride('ServiceTimeout', 180);
    resource.addPropertyOverride('Endpoints', this.clusterEndpoints.map((e) => ({ Endpoint: e.endpoint, Region: e.region })));
    resource.addPropertyOverride('States', props.regions.map((r, i) => ({ RoutingControlArn: this.routingControlArns[r], RoutingControlState: states[i] })));
    resource.node.addDependency(this.safetyRule);
    // The function's log group and policy before it runs.
    resource.node.addDependency(role);
  }

  /**
   * Records of one name, gathered in this stack, that answer for a Region only while its
   * routing control is On (and its per-Region record is healthy). Each aliases the
   * Region's `<region>.<name>` record by name, so this stack is made to depend on the
   * Regions' stacks, which own those records.
   */
  public addGatedRecords(id: string, props: GatedRecordsProps): RegionalRecord[] {
    const v = new Validator(this);
    for (const [i, t] of props.targets.entries()) {
      v.check(!this.regions.includes(t.regionalRecord.region), {
        code: 'ARC_GATED_REGION',
        prop: `addGatedRecords(${id}).targets[${i}]`,
        value: t.regionalRecord.region,
        message: 'no routing control for this Region',
        fix: `gate only Regions listed in regions (${this.regions.join(', ')})`,
      });
      v.check(t.regionalRecord.regionalDomainName === undefined, {
        code: 'ARC_GATED_REGION',
        prop: `addGatedRecords(${id}).targets[${i}]`,
        value: t.regionalRecord.node.path,
        message: 'the Region record publishes no per-Region name to alias',
        fix: 'keep regionalRecord: true (the default) on that Region record',
      });
    }
    v.throwIfAny();
    const group = new Construct(this, id);
    const here = Stack.of(this);
    return props.targets.map((t) => {
      const there = Stack.of(t.regionalRecord);
      if (there !== here) addStackDependency(here, there, `routing-control records alias ${t.regionalRecord.regionalDomainName}`);
      const gated = new RegionalRecord(group, t.regionalRecord.region, {
        zone: props.zone,
        recordName: props.recordName,
        policy: props.policy,
        region: t.regionalRecord.region,
        failoverRole: t.failoverRole,
        weight: t.weight,
        endpoint: RecordEndpoint.recordInZone(t.regionalRecord.regionalDomainName!),
        existingHealthCheck: this.healthChecks[t.regionalRecord.region],
        regionalRecord: false,
      });
      // In one stack, CloudFormation creates both at once unless told: Route 53 refuses an alias
      // to a record that does not exist yet (across stacks, the stack dependency above orders them).
      if (there === here) gated.record.node.addDependency(t.regionalRecord.regionalRecordSet!);
      return gated;
    });
  }
}
