import { Duration, Stack, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Validator } from '../core/validation';
import { WebTier } from '../tiers/web-tier';
import { ExperimentReportOptions } from './experiment';
import { ExperimentTarget, FisResourceType, TargetOptions } from './targets';

/** Options every scenario takes. */
export interface ScenarioOptions {
  /**
   * Alarms that stop the experiment.
   * @default - the targeted tier's own alarms (for a web tier: its 5xx rate)
   */
  readonly stopConditions?: cloudwatch.IAlarm[];
  /**
   * Log group of the experiment log.
   * @default - a new log group, kept one year
   */
  readonly logGroup?: logs.ILogGroup;
  /**
   * Experiment reports to S3.
   * @default - none
   */
  readonly report?: ExperimentReportOptions;
}

/** The stop conditions of a scenario on a web tier: the caller's, else the tier's 5xx rate. */
export function webStopConditions(web: WebTier, options: ScenarioOptions): cloudwatch.IAlarm[] {
  return options.stopConditions?.length ? options.stopConditions : [web.alarms.serverErrorRate];
}

/** The instances of a web tier's Auto Scaling group, by the tag EC2 Auto Scaling puts on them. */
export function webInstances(web: WebTier, options: TargetOptions = {}): ExperimentTarget {
  return ExperimentTarget.byTags(FisResourceType.EC2_INSTANCE, { 'aws:autoscaling:groupName': web.asg.autoScalingGroupName }, {
    ...options,
    filters: [{ path: 'State.Name', values: ['running'] }, ...(options.filters ?? [])],
  });
}

/**
 * The tag a scenario puts on what it targets by tag: its value is the targeted
 * construct's address, unique in the app.
 */
export const CHAOS_TARGET_TAG = 'cdk-resilience:chaos-target';

/**
 * A web tier's Auto Scaling group, by a tag the scenario adds to it. Its ARN holds a
 * random id only known after deployment, so it cannot be named by ARN at synth.
 */
export function webGroup(web: WebTier): ExperimentTarget {
  Tags.of(web.asg).add(CHAOS_TARGET_TAG, web.node.addr, { applyToLaunchedInstances: false });
  return ExperimentTarget.byTags(FisResourceType.AUTOSCALING_GROUP, { [CHAOS_TARGET_TAG]: web.node.addr });
}

/** The ARN of a subnet. */
export function subnetArn(scope: Construct, subnet: ec2.ISubnet): string {
  const s = Stack.of(scope);
  return `arn:${s.partition}:ec2:${s.region}:${s.account}:subnet/${subnet.subnetId}`;
}

/** The tier's subnets (load balancer and instances) in one AZ. */
export function webSubnetsIn(web: WebTier, az: string): ec2.ISubnet[] {
  const types = [ec2.SubnetType.PUBLIC, ec2.SubnetType.PRIVATE_WITH_EGRESS];
  return types.flatMap((subnetType) => {
    try {
      return web.vpc.selectSubnets({ subnetType, availabilityZones: [az] }).subnets;
    } catch {
      return [];
    }
  });
}

/** Check that an AZ is one of the web tier's. */
export function checkTierAz(v: Validator, web: WebTier, az: string, prop = 'availabilityZone'): void {
  const azs = web.vpc.availabilityZones;
  v.check(!azs.includes(az), {
    code: 'FIS_SCENARIO_AZ',
    prop,
    value: az,
    message: `is not an AZ of the tier (${azs.join(', ')})`,
    fix: `use one of ${azs.join(', ')}`,
  });
}

/** Default duration of AZ-level scenarios. */
export const DEFAULT_SCENARIO_DURATION = Duration.minutes(30);
