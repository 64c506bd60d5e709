import { Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { attachWebAcl, WebTierWebAcl } from './web-tier-waf';
import { cloudFrontOnly, WebTierOriginAccess } from './web-tier-origin';
import { parseCidr } from '../core/cidr';
import { DEFAULT_AZ_COUNT, defaultTargetHealthCheck } from '../core/defaults';
import { acknowledgeNagFinding } from '../core/nag';
import { Validator } from '../core/validation';
import { addWarning, WarningId } from '../core/warnings';
import { MultiAzVpc, MultiAzVpcProps } from './multi-az-vpc';

/**
 * How many instances the web tier runs.
 */
export interface WebTierCapacity {
  /**
   * The number of instances the workload needs in service to carry its load: the
   * declared capacity. With `reserveForAzLoss` (the default) the group runs more than
   * this, so that this many remain after an AZ is lost.
   */
  readonly min: number;
  /**
   * The most instances the group may scale to. Must be at least the group minimum
   * (see {@link WebTier.capacityPlan}).
   */
  readonly max: number;
}

/**
 * Target-group health check settings.
 */
export interface WebTierHealthCheck {
  /**
   * Path of a deep health check: it should touch the dependencies the instance needs to
   * serve (database, cache), so that a broken instance leaves the load balancer.
   * @default '/health'
   */
  readonly path?: string;
  /**
   * Time between checks, 5-300 s.
   * @default Duration.seconds(10)
   */
  readonly interval?: Duration;
  /**
   * Time to wait for a response, 2-120 s, shorter than the interval.
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;
  /**
   * Consecutive successes before an instance receives traffic, 2-10.
   * @default 2
   */
  readonly healthyThresholdCount?: number;
  /**
   * Consecutive failures before an instance stops receiving traffic, 2-10.
   * @default 2
   */
  readonly unhealthyThresholdCount?: number;
  /**
   * HTTP codes that mean healthy, e.g. '200' or '200-299'.
   * @default '200'
   */
  readonly healthyHttpCodes?: string;
}

/**
 * How CloudFormation replaces instances when the launch template changes.
 */
export interface WebTierRollingUpdate {
  /**
   * Percentage of the group minimum that must stay in service during an update,
   * 0-100. At 100, CloudFormation launches new instances before it terminates old
   * ones, so capacity never drops below the declared AZ-loss-safe floor.
   * @default 100
   */
  readonly minHealthyPercent?: number;
  /**
   * Instances replaced per batch.
   * @default - the instances of one AZ (group minimum / AZ count), within the headroom
   * between the group minimum and maximum
   */
  readonly maxBatchSize?: number;
  /**
   * Pause after each batch (without signals), or the time to wait for signals (with).
   * @default Duration.minutes(5)
   */
  readonly pauseTime?: Duration;
  /**
   * Wait for each new instance to send a CloudFormation success signal before the
   * update moves on, so a bad AMI or user data fails the deploy instead of replacing
   * every healthy instance. The construct appends `cfn-signal` (from
   * aws-cfn-bootstrap, present on Amazon Linux 2023) to the user data; the signal
   * reports the exit status of the user data script, so end it with a check that the
   * application answers (the reference app's waits for its `/health`). A group created with
   * no instance running (a pilot light's standby) has no creation signal to wait for.
   * @default false
   */
  readonly waitForSignals?: boolean;
}

/**
 * The Auto Scaling instance maintenance policy: how the group replaces instances that
 * fail health checks, outside CloudFormation updates.
 */
export interface WebTierInstanceMaintenance {
  /**
   * Percentage of desired capacity that must stay in service and healthy while
   * instances are replaced, 0-100. At 100 the group launches a replacement and waits
   * for it to be healthy before it terminates the unhealthy instance.
   * @default 100
   */
  readonly minHealthyPercentage?: number;
  /**
   * Percentage of desired capacity that may be in service or pending during
   * replacements, 100-200, at most 100 above the minimum.
   * @default 150
   */
  readonly maxHealthyPercentage?: number;
}

/**
 * A scheduled capacity change, e.g. pre-scaling before a known peak.
 */
export interface WebTierScheduledAction {
  /** Unique id of the action within the tier. */
  readonly id: string;
  /** When it runs. */
  readonly schedule: autoscaling.Schedule;
  /**
   * New group minimum. Below the AZ-loss floor, the tier is no longer statically
   * stable while the action is in force, and the construct warns.
   * @default - unchanged
   */
  readonly minCapacity?: number;
  /**
   * New group maximum.
   * @default - unchanged
   */
  readonly maxCapacity?: number;
  /**
   * IANA time zone of the schedule.
   * @default - UTC
   */
  readonly timeZone?: string;
}

/**
 * Scaling policies.
 */
export interface WebTierScaling {
  /**
   * Target average CPU utilization, 1-100 %. Set `false` to omit this policy.
   * @default 50
   */
  readonly cpuTargetPercent?: number | false;
  /**
   * Target ALB requests per target per minute. Set `false` to omit this policy.
   * Tune it to what one instance serves at the latency you promise.
   * @default 1000
   */
  readonly requestsPerTargetPerMinute?: number | false;
  /**
   * Scheduled actions.
   * @default - none
   */
  readonly scheduled?: WebTierScheduledAction[];
}

/**
 * Alarm settings.
 */
export interface WebTierAlarms {
  /**
   * Topic notified when an alarm fires and when it recovers.
   * @default - no action; the construct warns (`cdk-resilience:AlarmsWithoutActions`)
   */
  readonly topic?: sns.ITopic;
  /**
   * Alarm when the maximum UnHealthyHostCount reaches this many, for 2 of 2 minutes.
   * @default 1
   */
  readonly unhealthyHosts?: number;
  /**
   * Alarm when ELB + target 5xx responses exceed this percentage of requests,
   * for 3 of 5 minutes.
   * @default 5
   */
  readonly serverErrorRatePercent?: number;
  /**
   * Alarm when p99 target response time exceeds this, for 3 of 5 minutes.
   * @default Duration.seconds(1)
   */
  readonly targetResponseTimeP99?: Duration;
}

/**
 * Props for {@link WebTier}.
 */
export interface WebTierProps {
  /**
   * An existing VPC with public and private-with-egress subnets in at least 2 AZs.
   * Give this or `vpcProps`, not both.
   * @default - a new {@link MultiAzVpc} built from `vpcProps`
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Props for the {@link MultiAzVpc} the tier builds when no `vpc` is given.
   * @default - MultiAzVpc defaults (3 AZs of the stack's Region, one NAT per AZ)
   */
  readonly vpcProps?: MultiAzVpcProps;
  /** Instance counts. */
  readonly capacity: WebTierCapacity;
  /**
   * Run enough instances that losing one AZ still leaves `capacity.min` in service
   * (N+1 per AZ): per-AZ = ceil(min / (AZs - 1)), group minimum = per-AZ x AZs. The
   * tier then rides out an AZ loss without waiting for Auto Scaling (a control-plane
   * action) to replace capacity. Set false to run exactly `capacity.min`, and accept
   * reduced capacity until replacements are healthy; the construct warns.
   * @default true
   */
  readonly reserveForAzLoss?: boolean;
  /**
   * Instances to run now, when this Region stands by: 0 for a pilot light, a few for a
   * warm standby. A failover runbook raises the group to the planned minimum
   * (`capacityPlan.groupMin`). Between the two the Region is not statically stable.
   * @default - the planned group minimum
   */
  readonly runningCapacity?: number;
  /**
   * Physical name of the Auto Scaling group, for runbooks in another Region.
   * @default - generated by CloudFormation
   */
  readonly autoScalingGroupName?: string;
  /**
   * AMI for the instances.
   * @default - latest Amazon Linux 2023 (x86_64), resolved from its public SSM parameter at deploy time
   */
  readonly machineImage?: ec2.IMachineImage;
  /**
   * Instance type.
   * @default t3.small
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * User data that installs and starts the application.
   * @default - empty Linux user data
   */
  readonly userData?: ec2.UserData;
  /**
   * Root EBS volume size in GiB (gp3, encrypted).
   * @default 20
   */
  readonly rootVolumeSizeGiB?: number;
  /**
   * Port the instances serve HTTP on.
   * @default 80
   */
  readonly instancePort?: number;
  /**
   * TLS certificate for the HTTPS listener. With it, port 443 serves HTTPS and port 80
   * redirects to it. Without it, port 80 serves plain HTTP and the construct warns.
   * @default - no HTTPS listener
   */
  readonly certificate?: acm.ICertificate;
  /**
   * TLS policy of the HTTPS listener. Only with `certificate`.
   * @default elbv2.SslPolicy.RECOMMENDED_TLS (TLS 1.3 and 1.2)
   */
  readonly sslPolicy?: elbv2.SslPolicy;
  /**
   * CIDRs allowed to reach the load balancer.
   * @default ['0.0.0.0/0']
   */
  readonly ingressCidrs?: string[];
  /**
   * A regional AWS WAF web ACL on the load balancer. Turn it on when a CDN with its own web
   * ACL sits in front (EdgeFailover): the load balancer's own name stays reachable, and
   * without this the direct path skips the CDN's rules.
   * @default - none
   */
  readonly webAcl?: WebTierWebAcl;
  /**
   * Who may reach the load balancer: everyone in `ingressCidrs` (open), or only CloudFront
   * (`WebTierOriginAccess.cloudFrontOnly`: its origin-facing prefix list on 443 plus a secret
   * origin header, and Route 53's health checkers on the health check path). With a CDN in
   * front, close the direct path this way or with `webAcl`.
   * @default WebTierOriginAccess.open()
   */
  readonly originAccess?: WebTierOriginAccess;
  /**
   * Target-group health check.
   * @default - '/health' every 10 s, 5 s timeout, 2 to pass, 2 to fail, code 200
   */
  readonly healthCheck?: WebTierHealthCheck;
  /**
   * Time the load balancer lets in-flight requests finish on a deregistering target
   * (connection draining), 0-3600 s.
   * @default Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;
  /**
   * Time after launch before failing ELB health checks make Auto Scaling replace an
   * instance. Set it to how long the instance takes to boot and pass its health check.
   * @default Duration.minutes(5)
   */
  readonly healthCheckGracePeriod?: Duration;
  /**
   * Rolling update policy.
   * @default - 100 % of the group minimum stays in service, one AZ's worth per batch, 5 min pause
   */
  readonly rollingUpdate?: WebTierRollingUpdate;
  /**
   * Instance maintenance policy for health-check replacements.
   * @default - launch before terminate: 100 % minimum healthy, 150 % maximum
   */
  readonly instanceMaintenance?: WebTierInstanceMaintenance;
  /**
   * Scaling policies.
   * @default - CPU at 50 % and 1000 requests per target per minute
   */
  readonly scaling?: WebTierScaling;
  /**
   * Alarms on unhealthy hosts, 5xx rate and p99 latency.
   * @default - the thresholds in {@link WebTierAlarms}, no action
   */
  readonly alarms?: WebTierAlarms;
  /**
   * Bucket for ALB access logs. It must use SSE-S3 encryption (ALB cannot write to
   * SSE-KMS buckets).
   * @default - a new bucket: SSE-S3, TLS only, public access blocked, versioned, objects expire after 365 days, retained on stack deletion
   */
  readonly accessLogBucket?: s3.IBucket;
  /**
   * Topic for Auto Scaling launch/terminate notifications.
   * @default - none (the same events reach EventBridge)
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * Load balancer deletion protection.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * What the tier provisions to honour `capacity` and `reserveForAzLoss`.
 */
export interface WebTierCapacityPlan {
  /** AZs the group spans. */
  readonly azCount: number;
  /** Declared capacity (`capacity.min`). */
  readonly declaredMin: number;
  /** Instances per AZ at the group minimum. */
  readonly perAz: number;
  /** The Auto Scaling group's MinSize. */
  readonly groupMin: number;
  /** The Auto Scaling group's MaxSize. */
  readonly groupMax: number;
  /** Instances left in service at the minimum after one AZ is lost. */
  readonly afterAzLoss: number;
  /** Whether `afterAzLoss >= declaredMin`. */
  readonly survivesAzLoss: boolean;
  /** Instances running now (below groupMin in a standby Region). */
  readonly running: number;
}

/**
 * The alarms of a {@link WebTier}.
 */
export interface WebTierAlarmSet {
  /** Unhealthy targets in the target group. */
  readonly unhealthyHosts: cloudwatch.Alarm;
  /** ELB + target 5xx as a percentage of requests. */
  readonly serverErrorRate: cloudwatch.Alarm;
  /** p99 target response time. */
  readonly targetResponseTime: cloudwatch.Alarm;
}

/**
 * A web tier that survives the loss of an instance or of a whole Availability Zone:
 * an internet-facing ALB across every public subnet, and an Auto Scaling group of
 * launch-template instances across every private subnet, with ELB health checks,
 * N+1-per-AZ capacity, rolling updates, target-tracking scaling, alarms and access logs.
 */
export class WebTier extends Construct {
  /** The VPC the tier runs in. */
  public readonly vpc: ec2.IVpc;
  /** The MultiAzVpc the tier built, when no `vpc` was given. */
  public readonly multiAzVpc?: MultiAzVpc;
  /** The load balancer. */
  public readonly alb: elbv2.ApplicationLoadBalancer;
  /** The listener that forwards to the instances (HTTPS with a certificate, else HTTP). */
  public readonly listener: elbv2.ApplicationListener;
  /** The port-80 listener that redirects to HTTPS, when a certificate is given. */
  public readonly redirectListener?: elbv2.ApplicationListener;
  /** The target group. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The Auto Scaling group. */
  public readonly asg: autoscaling.AutoScalingGroup;
  /** The launch template. */
  public readonly launchTemplate: ec2.LaunchTemplate;
  /** The instance role (SSM Session Manager access; no SSH). */
  public readonly instanceRole: iam.Role;
  /** Security group of the load balancer. */
  public readonly albSecurityGroup: ec2.SecurityGroup;
  /** Security group of the instances: admits only the load balancer. */
  public readonly instanceSecurityGroup: ec2.SecurityGroup;
  /** The access log bucket. */
  public readonly accessLogBucket: s3.IBucket;
  /** The alarms. */
  public readonly alarms: WebTierAlarmSet;
  /** How capacity was sized. */
  public readonly capacityPlan: WebTierCapacityPlan;
  /** The regional web ACL built on the load balancer (`webAcl: WebTierWebAcl.managedRules()`). */
  public readonly webAcl?: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: WebTierProps) {
    super(scope, id);

    const v = new Validator(this);
    v.check(props.vpc !== undefined && props.vpcProps !== undefined, {
      code: 'WEB_VPC_CONFLICT',
      prop: 'vpc',
      value: 'both vpc and vpcProps',
      message: 'an existing VPC and props for a new one were both given',
      fix: 'pass vpc to use an existing VPC, or vpcProps to build a MultiAzVpc, not both',
    });
    validateProps(v, props);
    const azCount = props.vpc
      ? distinctAzCount(props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }), props.vpc)
      : (props.vpcProps?.availabilityZones ?? Stack.of(this).availabilityZones.slice(0, DEFAULT_AZ_COUNT)).length;
    const plan = planCapacity(props, azCount);
    validateCapacity(v, props, plan);
    if (props.vpc) validateExistingVpc(v, props.vpc);
    v.throwIfAny();
    this.capacityPlan = plan;

    if (props.vpc) {
      this.vpc = props.vpc;
    } else {
      this.multiAzVpc = new MultiAzVpc(this, 'Network', props.vpcProps);
      this.vpc = this.multiAzVpc.vpc;
    }

    if (!plan.survivesAzLoss && plan.running === plan.groupMin) {
      addWarning(
        this,
        WarningId.NOT_STATICALLY_STABLE,
        `After losing one of ${azCount} AZs, ${plan.afterAzLoss} of the ${plan.declaredMin} declared instances remain until Auto Scaling replaces them. Keep reserveForAzLoss (the default) to pre-provision ${Math.ceil(plan.declaredMin / Math.max(azCount - 1, 1)) * azCount}.`,
      );
    }

    // --- Security groups: the ALB admits the ingress CIDRs, instances admit only the ALB.
    this.albSecurityGroup = new ec2.SecurityGroup(this, 'AlbSecurityGroup', {
      vpc: this.vpc,
      description: 'Load balancer of the web tier',
      allowAllOutbound: false,
    });
    const listenerPorts = props.certificate ? [443, 80] : [80];
    const cloudFrontOnlyAccess = props.originAccess?.cloudFrontOnlyOptions;
    // CloudFront-only access admits prefix lists instead (added with the listener, below).
    for (const cidr of cloudFrontOnlyAccess ? [] : (props.ingressCidrs ?? ['0.0.0.0/0'])) {
      for (const port of listenerPorts) {
        this.albSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(port), `Clients to port ${port}`);
      }
    }
    this.instanceSecurityGroup = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc: this.vpc,
      description: 'Instances of the web tier: only the load balancer may connect',
      allowAllOutbound: true,
    });

    // --- Instances: launch template, IMDSv2, encrypted gp3 root, SSM instead of SSH.
    this.instanceRole = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'Web tier instances: Session Manager access only',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    acknowledgeNagFinding(
      this.instanceRole,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      'AmazonSSMManagedInstanceCore is the AWS-maintained minimum for Session Manager and patching; it replaces SSH keys and open port 22.',
    );

    const userData = props.userData ?? ec2.UserData.forLinux();
    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: props.machineImage ?? ec2.MachineImage.latestAmazonLinux2023(),
      instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.SMALL),
      userData,
      role: this.instanceRole,
      securityGroup: this.instanceSecurityGroup,
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      detailedMonitoring: true,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(props.rootVolumeSizeGiB ?? 20, {
            encrypted: true,
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
    });

    const ru = props.rollingUpdate ?? {};
    const minInService = Math.ceil((plan.running * (ru.minHealthyPercent ?? 100)) / 100);
    const headroom = Math.max(plan.groupMax - minInService, 1);
    const maxBatchSize = ru.maxBatchSize ?? Math.max(1, Math.min(plan.perAz, headroom));
    const pauseTime = ru.pauseTime ?? Duration.minutes(5);

    this.asg = new autoscaling.AutoScalingGroup(this, 'Asg', {
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate: this.launchTemplate,
      autoScalingGroupName: props.autoScalingGroupName,
      minCapacity: plan.running,
      maxCapacity: plan.groupMax,
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
        gracePeriod: props.healthCheckGracePeriod ?? Duration.minutes(5),
      }),
      updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({
        minInstancesInService: minInService,
        maxBatchSize,
        pauseTime,
        waitOnResourceSignals: ru.waitForSignals ?? false,
      }),
      // A group created empty (a pilot light's standby) has nothing to signal at creation; its
      // later rolling updates still wait for the signals of what it runs by then.
      signals: ru.waitForSignals && plan.running > 0
        ? autoscaling.Signals.waitForMinCapacity({ timeout: pauseTime })
        : undefined,
      minHealthyPercentage: props.instanceMaintenance?.minHealthyPercentage ?? 100,
      maxHealthyPercentage: props.instanceMaintenance?.maxHealthyPercentage ?? 150,
      groupMetrics: [autoscaling.GroupMetrics.all()],
      notifications: props.notificationTopic ? [{ topic: props.notificationTopic }] : undefined,
    });
    // Instances start once their subnets reach the internet (the NAT routes): user data that
    // installs anything, and the CloudFormation signal, need egress from the first boot.
    this.asg.node.addDependency(this.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).internetConnectivityEstablished);
    if (ru.waitForSignals) {
      userData.addSignalOnExitCommand(this.asg);
    }
    if (!props.notificationTopic) {
      acknowledgeNagFinding(
        this.asg,
        'AwsSolutions-AS3',
        'Launch, terminate and failure events of the group are delivered to EventBridge by default; pass notificationTopic to also publish them to SNS.',
      );
    }

    // --- Load balancer: every public subnet, deletion protection, drop invalid headers, access logs.
    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: this.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: this.albSecurityGroup,
      deletionProtection: props.deletionProtection ?? true,
      dropInvalidHeaderFields: true,
      desyncMitigationMode: elbv2.DesyncMitigationMode.DEFENSIVE,
      http2Enabled: true,
    });
    if (!cloudFrontOnlyAccess) {
      acknowledgeNagFinding(
        this.albSecurityGroup,
        'AwsSolutions-EC23',
        'An internet-facing load balancer must admit clients from the internet on its listener ports; narrow it with ingressCidrs, or admit only CloudFront (originAccess).',
      );
    }

    this.accessLogBucket = props.accessLogBucket ?? this.createAccessLogBucket();
    this.alb.logAccessLogs(this.accessLogBucket, 'alb');
    if (props.webAcl) this.webAcl = attachWebAcl(this, this.alb, props.webAcl, Names.uniqueResourceName(this, { maxLength: 64 }));

    const hc = { ...defaultTargetHealthCheck(), ...props.healthCheck };
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: this.vpc,
      port: props.instancePort ?? 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.INSTANCE,
      targets: [this.asg],
      crossZoneEnabled: true,
      deregistrationDelay: props.deregistrationDelay ?? Duration.seconds(30),
      healthCheck: {
        enabled: true,
        path: hc.path,
        interval: hc.interval,
        timeout: hc.timeout,
        healthyThresholdCount: hc.healthyThresholdCount,
        unhealthyThresholdCount: hc.unhealthyThresholdCount,
        healthyHttpCodes: hc.healthyHttpCodes,
      },
    });

    if (props.certificate) {
      this.listener = this.alb.addListener('Https', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [props.certificate],
        sslPolicy: props.sslPolicy ?? elbv2.SslPolicy.RECOMMENDED_TLS,
        defaultTargetGroups: [this.targetGroup],
        open: false,
      });
      this.redirectListener = this.alb.addListener('HttpRedirect', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
        open: false,
      });
    } else {
      addWarning(
        this,
        WarningId.NO_TLS_CERTIFICATE,
        'No certificate: the load balancer serves plain HTTP on port 80. Pass certificate to serve HTTPS on 443 and redirect 80 to it.',
      );
      this.listener = this.alb.addListener('Http', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        defaultTargetGroups: [this.targetGroup],
        open: false,
      });
    }

    if (cloudFrontOnlyAccess) cloudFrontOnly(this, this.alb, this.albSecurityGroup, this.vpc, this.listener, this.targetGroup, hc.path, cloudFrontOnlyAccess);

    // --- Scaling.
    const scaling = props.scaling ?? {};
    const cpu = scaling.cpuTargetPercent ?? 50;
    if (cpu !== false) {
      this.asg.scaleOnCpuUtilization('CpuTarget', { targetUtilizationPercent: cpu });
    }
    const rpm = scaling.requestsPerTargetPerMinute ?? 1000;
    if (rpm !== false) {
      this.asg.scaleOnRequestCount('RequestCountTarget', { targetRequestsPerMinute: rpm });
    }
    for (const action of scaling.scheduled ?? []) {
      if (action.minCapacity !== undefined && action.minCapacity < plan.groupMin && plan.survivesAzLoss) {
        addWarning(
          this,
          WarningId.NOT_STATICALLY_STABLE,
          `Scheduled action '${action.id}' lowers the group minimum to ${action.minCapacity}, below the AZ-loss floor of ${plan.groupMin}: while it is in force, an AZ loss leaves less than the declared capacity.`,
        );
      }
      this.asg.scaleOnSchedule(action.id, {
        schedule: action.schedule,
        minCapacity: action.minCapacity,
        maxCapacity: action.maxCapacity,
        timeZone: action.timeZone,
      });
    }

    this.alarms = this.createAlarms(props.alarms ?? {});
  }

  private createAccessLogBucket(): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AccessLogs', {
      // ALB access logs support only SSE-S3.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNagFinding(
      bucket,
      'AwsSolutions-S1',
      'This bucket is itself the access-log destination of the load balancer; logging its own access would need another log bucket and loop.',
    );
    return bucket;
  }

  private createAlarms(cfg: WebTierAlarms): WebTierAlarmSet {
    const tg = this.targetGroup.metrics;
    const lb = this.alb.metrics;
    const minute = Duration.minutes(1);

    const unhealthyHosts = new cloudwatch.Alarm(this, 'UnhealthyHostsAlarm', {
      alarmDescription: 'Targets of the web tier are failing their health checks.',
      metric: tg.unhealthyHostCount({ statistic: cloudwatch.Stats.MAXIMUM, period: minute }),
      threshold: cfg.unhealthyHosts ?? 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const serverErrorRate = new cloudwatch.Alarm(this, 'ServerErrorRateAlarm', {
      alarmDescription: 'ELB and target 5xx responses as a percentage of requests.',
      metric: new cloudwatch.MathExpression({
        expression: 'IF(req > 0, 100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / req, 0)',
        usingMetrics: {
          req: lb.requestCount({ statistic: cloudwatch.Stats.SUM, period: minute }),
          elb5xx: lb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { statistic: cloudwatch.Stats.SUM, period: minute }),
          target5xx: lb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
            statistic: cloudwatch.Stats.SUM,
            period: minute,
          }),
        },
        label: '5xx rate (%)',
        period: minute,
      }),
      threshold: cfg.serverErrorRatePercent ?? 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const targetResponseTime = new cloudwatch.Alarm(this, 'TargetResponseTimeAlarm', {
      alarmDescription: 'p99 target response time of the web tier.',
      metric: tg.targetResponseTime({ statistic: 'p99', period: minute }),
      threshold: (cfg.targetResponseTimeP99 ?? Duration.seconds(1)).toMilliseconds() / 1000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const all = [unhealthyHosts, serverErrorRate, targetResponseTime];
    if (cfg.topic) {
      const action = new cwActions.SnsAction(cfg.topic);
      for (const alarm of all) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    } else {
      addWarning(
        this,
        WarningId.ALARMS_WITHOUT_ACTIONS,
        'The web tier alarms notify nobody. Pass alarms.topic to page someone when they fire.',
      );
    }
    return { unhealthyHosts, serverErrorRate, targetResponseTime };
  }
}

/** The capacity sizing rule, exported for tests and the assessment model. */
export function planCapacity(props: Pick<WebTierProps, 'capacity' | 'reserveForAzLoss' | 'runningCapacity'>, azCount: number): WebTierCapacityPlan {
  const declaredMin = props.capacity.min;
  const reserve = props.reserveForAzLoss ?? true;
  let perAz: number;
  let groupMin: number;
  if (reserve && azCount >= 2) {
    perAz = Math.ceil(declaredMin / (azCount - 1));
    groupMin = perAz * azCount;
  } else {
    groupMin = declaredMin;
    perAz = Math.ceil(declaredMin / Math.max(azCount, 1));
  }
  // Auto Scaling balances across AZs, so the AZ that is lost holds at most ceil(min / AZs).
  const afterAzLoss = azCount >= 2 ? groupMin - Math.ceil(groupMin / azCount) : 0;
  return {
    azCount,
    declaredMin,
    perAz,
    groupMin,
    groupMax: props.capacity.max,
    afterAzLoss,
    survivesAzLoss: afterAzLoss >= declaredMin,
    running: props.runningCapacity ?? groupMin,
  };
}

function distinctAzCount(selection: ec2.SelectedSubnets, vpc: ec2.IVpc): number {
  const azs = selection.availabilityZones.filter((az) => !Token.isUnresolved(az));
  if (azs.length > 0) return new Set(azs).size;
  return vpc.availabilityZones.length;
}

function validateProps(v: Validator, props: WebTierProps): void {
  if (props.originAccess?.cloudFrontOnlyOptions) {
    v.check(!props.certificate, {
      code: 'WEB_ORIGIN_ACCESS',
      prop: 'originAccess',
      value: 'cloudFrontOnly without certificate',
      message: "CloudFront-only access admits HTTPS on 443 only (CloudFront's prefix list weighs 55 of a security group's 60 rules)",
      fix: 'pass certificate (the origin name CloudFront connects to must be on it)',
    });
    v.check(props.ingressCidrs !== undefined, {
      code: 'WEB_ORIGIN_ACCESS',
      prop: 'ingressCidrs',
      value: props.ingressCidrs,
      message: 'CloudFront-only access admits CloudFront and Route 53 health checkers, not CIDRs',
      fix: 'drop ingressCidrs, or use WebTierOriginAccess.open()',
    });
  }
  v.integer('capacity.min', props.capacity.min, { code: 'WEB_CAPACITY', min: 1, fix: 'set capacity.min to at least 1' });
  v.integer('runningCapacity', props.runningCapacity, { code: 'WEB_CAPACITY', min: 0, fix: 'set runningCapacity to 0 or more' });
  v.integer('capacity.max', props.capacity.max, { code: 'WEB_CAPACITY', min: 1, fix: 'set capacity.max to at least 1' });
  v.integer('instancePort', props.instancePort, { code: 'WEB_PORT', min: 1, max: 65535 });
  v.integer('rootVolumeSizeGiB', props.rootVolumeSizeGiB, { code: 'WEB_ROOT_VOLUME', min: 8, max: 16384 });

  const hc = props.healthCheck ?? {};
  if (hc.path !== undefined && !Token.isUnresolved(hc.path)) {
    v.check(!hc.path.startsWith('/') || hc.path.length > 1024, {
      code: 'WEB_HEALTH_CHECK',
      prop: 'healthCheck.path',
      value: hc.path,
      message: 'must start with / and be at most 1024 characters',
      fix: "use a path such as '/health'",
    });
  }
  const intervalOk = v.duration('healthCheck.interval', hc.interval, { code: 'WEB_HEALTH_CHECK', minSeconds: 5, maxSeconds: 300 });
  const timeoutOk = v.duration('healthCheck.timeout', hc.timeout, { code: 'WEB_HEALTH_CHECK', minSeconds: 2, maxSeconds: 120 });
  const defaults = defaultTargetHealthCheck();
  const interval = hc.interval ?? defaults.interval;
  const timeout = hc.timeout ?? defaults.timeout;
  if ((intervalOk || hc.interval === undefined) && (timeoutOk || hc.timeout === undefined) && !interval.isUnresolved() && !timeout.isUnresolved()) {
    v.check(timeout.toSeconds() >= interval.toSeconds(), {
      code: 'WEB_HEALTH_CHECK',
      prop: 'healthCheck.timeout',
      value: `${timeout.toSeconds()} s with interval ${interval.toSeconds()} s`,
      message: 'the timeout must be shorter than the interval',
      fix: 'lower healthCheck.timeout or raise healthCheck.interval',
    });
  }
  v.integer('healthCheck.healthyThresholdCount', hc.healthyThresholdCount, { code: 'WEB_HEALTH_CHECK', min: 2, max: 10 });
  v.integer('healthCheck.unhealthyThresholdCount', hc.unhealthyThresholdCount, { code: 'WEB_HEALTH_CHECK', min: 2, max: 10 });
  v.duration('deregistrationDelay', props.deregistrationDelay, { code: 'WEB_DEREGISTRATION_DELAY', minSeconds: 0, maxSeconds: 3600 });
  v.duration('healthCheckGracePeriod', props.healthCheckGracePeriod, { code: 'WEB_GRACE_PERIOD', minSeconds: 0, maxSeconds: 7200 });

  const ru = props.rollingUpdate ?? {};
  v.integer('rollingUpdate.minHealthyPercent', ru.minHealthyPercent, { code: 'WEB_ROLLING_UPDATE', min: 0, max: 100 });
  v.integer('rollingUpdate.maxBatchSize', ru.maxBatchSize, { code: 'WEB_ROLLING_UPDATE', min: 1 });
  v.duration('rollingUpdate.pauseTime', ru.pauseTime, { code: 'WEB_ROLLING_UPDATE', minSeconds: 0, maxSeconds: 3600 });

  const im = props.instanceMaintenance ?? {};
  const imMinOk = v.integer('instanceMaintenance.minHealthyPercentage', im.minHealthyPercentage, { code: 'WEB_INSTANCE_MAINTENANCE', min: 0, max: 100 });
  const imMaxOk = v.integer('instanceMaintenance.maxHealthyPercentage', im.maxHealthyPercentage, { code: 'WEB_INSTANCE_MAINTENANCE', min: 100, max: 200 });
  if ((imMinOk || im.minHealthyPercentage === undefined) && (imMaxOk || im.maxHealthyPercentage === undefined)) {
    const lo = im.minHealthyPercentage ?? 100;
    const hi = im.maxHealthyPercentage ?? 150;
    if (!Token.isUnresolved(lo) && !Token.isUnresolved(hi)) {
      v.check(hi - lo > 100, {
        code: 'WEB_INSTANCE_MAINTENANCE',
        prop: 'instanceMaintenance.maxHealthyPercentage',
        value: hi,
        message: `is more than 100 above minHealthyPercentage ${lo}, which Auto Scaling rejects`,
        fix: `set maxHealthyPercentage to at most ${lo + 100}`,
      });
    }
  }

  const scaling = props.scaling ?? {};
  if (scaling.cpuTargetPercent !== false) {
    v.integer('scaling.cpuTargetPercent', scaling.cpuTargetPercent, { code: 'WEB_SCALING', min: 1, max: 100 });
  }
  if (scaling.requestsPerTargetPerMinute !== false) {
    v.integer('scaling.requestsPerTargetPerMinute', scaling.requestsPerTargetPerMinute, { code: 'WEB_SCALING', min: 1 });
  }
  const ids = new Set<string>();
  for (const [i, action] of (scaling.scheduled ?? []).entries()) {
    v.check(ids.has(action.id), {
      code: 'WEB_SCALING',
      prop: `scaling.scheduled[${i}].id`,
      value: action.id,
      message: 'duplicate scheduled action id',
      fix: 'give every scheduled action a unique id',
    });
    ids.add(action.id);
    v.check(action.minCapacity === undefined && action.maxCapacity === undefined, {
      code: 'WEB_SCALING',
      prop: `scaling.scheduled[${i}]`,
      value: action.id,
      message: 'a scheduled action must change minCapacity or maxCapacity',
      fix: 'set minCapacity, maxCapacity or both',
    });
    if (
      action.minCapacity !== undefined &&
      action.maxCapacity !== undefined &&
      !Token.isUnresolved(action.minCapacity) &&
      !Token.isUnresolved(action.maxCapacity)
    ) {
      v.check(action.minCapacity > action.maxCapacity, {
        code: 'WEB_SCALING',
        prop: `scaling.scheduled[${i}].minCapacity`,
        value: action.minCapacity,
        message: `exceeds the action's maxCapacity ${action.maxCapacity}`,
        fix: 'make minCapacity <= maxCapacity',
      });
    }
  }

  const alarms = props.alarms ?? {};
  v.integer('alarms.unhealthyHosts', alarms.unhealthyHosts, { code: 'WEB_ALARMS', min: 1 });
  if (alarms.serverErrorRatePercent !== undefined && !Token.isUnresolved(alarms.serverErrorRatePercent)) {
    v.check(alarms.serverErrorRatePercent <= 0 || alarms.serverErrorRatePercent >= 100, {
      code: 'WEB_ALARMS',
      prop: 'alarms.serverErrorRatePercent',
      value: alarms.serverErrorRatePercent,
      message: 'must be a percentage strictly between 0 and 100',
      fix: 'use e.g. 1 or 5',
    });
  }
  v.duration('alarms.targetResponseTimeP99', alarms.targetResponseTimeP99, { code: 'WEB_ALARMS', minSeconds: 0.001 });

  v.check(props.sslPolicy !== undefined && props.certificate === undefined, {
    code: 'WEB_TLS',
    prop: 'sslPolicy',
    value: props.sslPolicy,
    message: 'a TLS policy was given without a certificate, so there is no HTTPS listener to apply it to',
    fix: 'pass certificate as well, or drop sslPolicy',
  });
  for (const [i, cidr] of (props.ingressCidrs ?? []).entries()) {
    if (Token.isUnresolved(cidr)) continue;
    v.check(parseCidr(cidr) === undefined, {
      code: 'WEB_INGRESS_CIDR',
      prop: `ingressCidrs[${i}]`,
      value: cidr,
      message: 'is not an IPv4 CIDR block with its host bits zero',
      fix: "use a block like '203.0.113.0/24' or '0.0.0.0/0'",
    });
  }
  v.check(props.ingressCidrs !== undefined && props.ingressCidrs.length === 0, {
    code: 'WEB_INGRESS_CIDR',
    prop: 'ingressCidrs',
    value: props.ingressCidrs,
    message: 'no CIDR may reach the load balancer',
    fix: "list at least one CIDR, e.g. ['0.0.0.0/0']",
  });
}

function validateExistingVpc(v: Validator, vpc: ec2.IVpc): void {
  const checks: [ec2.SubnetType, string][] = [
    [ec2.SubnetType.PUBLIC, 'public'],
    [ec2.SubnetType.PRIVATE_WITH_EGRESS, 'private-with-egress'],
  ];
  for (const [subnetType, label] of checks) {
    let azs: string[];
    try {
      azs = vpc.selectSubnets({ subnetType }).availabilityZones;
    } catch {
      azs = [];
    }
    if (azs.some((az) => Token.isUnresolved(az))) continue;
    const n = new Set(azs).size;
    v.check(n < 2, {
      code: 'WEB_VPC_SUBNETS',
      prop: 'vpc',
      value: `${n} AZ(s) with ${label} subnets`,
      message: `a multi-AZ web tier needs ${label} subnets in at least 2 AZs (the ALB in public ones, the instances in private ones)`,
      fix: `use a VPC with a ${label} subnet in each of 2-3 AZs (MultiAzVpc builds one)`,
    });
  }
}

function validateCapacity(v: Validator, props: WebTierProps, plan: WebTierCapacityPlan): void {
  const { min, max } = props.capacity;
  if (Token.isUnresolved(min) || Token.isUnresolved(max) || !Number.isInteger(min) || !Number.isInteger(max) || min < 1) {
    return;
  }
  v.check(Number.isInteger(plan.running) && plan.running > plan.groupMin, {
    code: 'WEB_CAPACITY',
    prop: 'runningCapacity',
    value: plan.running,
    message: `is above the planned group minimum ${plan.groupMin}; a standby Region runs fewer`,
    fix: `use 0-${plan.groupMin}, or drop runningCapacity`,
  });
  const reserved = plan.groupMin > plan.declaredMin;
  if (
    !v.check(plan.groupMax < plan.groupMin, {
      code: 'WEB_CAPACITY',
      prop: 'capacity.max',
      value: plan.groupMax,
      message: reserved
        ? `is below the group minimum ${plan.groupMin} (${plan.perAz} per AZ x ${plan.azCount} AZs, so that ${plan.declaredMin} survive an AZ loss)`
        : `is below capacity.min ${plan.declaredMin}`,
      fix: `raise capacity.max to at least ${plan.groupMin}${reserved ? ', or set reserveForAzLoss: false to accept reduced capacity after an AZ loss' : ''}`,
    })
  ) {
    return;
  }
  const pct = props.rollingUpdate?.minHealthyPercent ?? 100;
  if (!Number.isInteger(pct) || pct < 0 || pct > 100) return;
  const minInService = Math.ceil((Math.min(plan.running, plan.groupMin) * pct) / 100);
  v.check(minInService >= plan.groupMax, {
    code: 'WEB_ROLLING_UPDATE',
    prop: 'capacity.max',
    value: plan.groupMax,
    message: `leaves no headroom for a rolling update: ${minInService} instances must stay in service and CloudFormation requires that to be less than the group maximum`,
    fix: `raise capacity.max above ${minInService} (${minInService + plan.perAz} replaces one AZ's worth at a time) or lower rollingUpdate.minHealthyPercent`,
  });
}
