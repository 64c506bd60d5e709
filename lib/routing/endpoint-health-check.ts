import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeCustomResourceProvider } from '../core/nag';
import { Validator } from '../core/validation';
import type { HealthCheckDetection } from './calculated-health-check';

/** The Regions Route 53 can run health checkers from. */
export const HEALTH_CHECKER_REGIONS = [
  'us-east-1',
  'us-west-1',
  'us-west-2',
  'eu-west-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'sa-east-1',
] as const;

/** The Region where Route 53 publishes health-check metrics, so where their alarms must live. */
export const ROUTE53_METRICS_REGION = 'us-east-1';

/** Options of a health check against an HTTP(S) endpoint. */
export interface EndpointHealthCheckOptions {
  /**
   * Path of a deep health check: one that touches what the Region needs to serve
   * (database, cache, dependencies), so the Region is withdrawn when any of it fails.
   * @default '/health'
   */
  readonly path?: string;
  /**
   * Protocol: HTTPS (the default; Route 53 does not validate the certificate) or HTTP.
   * @default 'HTTPS'
   */
  readonly protocol?: 'HTTPS' | 'HTTP';
  /**
   * Port.
   * @default 443 for HTTPS, 80 for HTTP
   */
  readonly port?: number;
  /**
   * A string the first 5,120 bytes of the response must contain (STR_MATCH check).
   * @default - any 2xx/3xx response is healthy
   */
  readonly searchString?: string;
  /**
   * Seconds between checks from each checker: 10 (fast) or 30 (standard). Cannot change
   * after creation.
   * @default Duration.seconds(10)
   */
  readonly requestInterval?: Duration;
  /**
   * Consecutive failures (and successes) that flip the status, 1-10.
   * @default 3
   */
  readonly failureThreshold?: number;
  /**
   * Measure latency (shown in the Route 53 console and as CloudWatch metrics). Cannot
   * change after creation.
   * @default true
   */
  readonly measureLatency?: boolean;
  /**
   * Regions the health checkers run from; at least 3 of {@link HEALTH_CHECKER_REGIONS}.
   * @default - all of them (Route 53's default)
   */
  readonly regions?: string[];
  /**
   * Topic notified when the status alarm fires and recovers, for stacks in us-east-1
   * (where the alarm lives). Stacks in other Regions pass `alarmTopicArn` instead.
   * @default - no action
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * ARN of a us-east-1 topic for the status alarm, for stacks in other Regions.
   * @default - no action
   */
  readonly alarmTopicArn?: string;
}

/** Props for {@link EndpointHealthCheck}. */
export interface EndpointHealthCheckProps extends EndpointHealthCheckOptions {
  /** Domain name of the endpoint: the ALB's DNS name, an API's regional domain. */
  readonly fqdn: string;
  /**
   * A name for the alarm and the health check's Name tag.
   * @default - derived from the construct path
   */
  readonly name?: string;
}

/**
 * A Route 53 health check of a Region's endpoint, and a CloudWatch alarm on its status
 * in us-east-1, where Route 53 publishes the metric.
 *
 * In a us-east-1 stack the alarm is an ordinary `AWS::CloudWatch::Alarm`. In any other
 * Region's stack it is created in us-east-1 by a custom resource (CloudWatch alarms cannot
 * read another Region's metrics), scoped to that one alarm.
 */
export class EndpointHealthCheck extends Construct {
  /** The health check. */
  public readonly healthCheck: route53.HealthCheck;
  /** Its id. */
  public readonly healthCheckId: string;
  /** Time to detect a failure: interval x threshold (DNS TTL and resolvers come on top). */
  public readonly detectionTime: Duration;
  /** The same, with its formula. */
  public readonly detection: HealthCheckDetection;
  /** The status alarm's name (in us-east-1). */
  public readonly alarmName: string;
  /** The status alarm, when the stack is in us-east-1. */
  public readonly statusAlarm?: cloudwatch.Alarm;
  /** The custom resource that manages the alarm in us-east-1, for other Regions' stacks. */
  public readonly remoteAlarm?: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: EndpointHealthCheckProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const v = new Validator(this);
    validateHealthCheckOptions(v, props);
    v.check(props.alarmTopic !== undefined && !Token.isUnresolved(stack.region) && stack.region !== ROUTE53_METRICS_REGION, {
      code: 'HC_ALARM_TOPIC',
      prop: 'alarmTopic',
      value: stack.region,
      message: `the status alarm lives in ${ROUTE53_METRICS_REGION}, where Route 53 publishes the metric, and can only notify a topic there`,
      fix: `pass alarmTopicArn: the ARN of a topic in ${ROUTE53_METRICS_REGION}`,
    });
    v.throwIfAny();

    const protocol = props.protocol ?? 'HTTPS';
    const interval = props.requestInterval ?? Duration.seconds(10);
    const threshold = props.failureThreshold ?? 3;
    const type =
      protocol === 'HTTPS'
        ? props.searchString
          ? route53.HealthCheckType.HTTPS_STR_MATCH
          : route53.HealthCheckType.HTTPS
        : props.searchString
          ? route53.HealthCheckType.HTTP_STR_MATCH
          : route53.HealthCheckType.HTTP;

    this.healthCheck = new route53.HealthCheck(this, 'Resource', {
      type,
      fqdn: props.fqdn,
      port: props.port ?? (protocol === 'HTTPS' ? 443 : 80),
      resourcePath: props.path ?? '/health',
      searchString: props.searchString,
      requestInterval: interval,
      failureThreshold: threshold,
      measureLatency: props.measureLatency ?? true,
      regions: props.regions,
      enableSNI: protocol === 'HTTPS' ? true : undefined,
    });
    this.healthCheckId = this.healthCheck.healthCheckId;
    this.detectionTime = Duration.seconds(interval.toSeconds() * threshold);
    this.detection = { time: this.detectionTime, formula: `endpoint: request interval ${interval.toSeconds()} s x failure threshold ${threshold}` };
    this.alarmName = props.name ? `${props.name}-health` : `${stack.stackName}-${this.node.addr.slice(0, 12)}-health`;

    const metric = {
      namespace: 'AWS/Route53',
      metricName: 'HealthCheckStatus',
      dimensionsMap: { HealthCheckId: this.healthCheckId },
      statistic: cloudwatch.Stats.MINIMUM,
      period: Duration.minutes(1),
    };
    const description = `Route 53 health check of ${props.fqdn}${props.path ?? '/health'} (${stack.region}) is failing.`;
    if (stack.region === ROUTE53_METRICS_REGION) {
      this.statusAlarm = new cloudwatch.Alarm(this, 'StatusAlarm', {
        alarmName: this.alarmName,
        alarmDescription: description,
        metric: new cloudwatch.Metric(metric),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      if (props.alarmTopic) {
        const action = new cwActions.SnsAction(props.alarmTopic);
        this.statusAlarm.addAlarmAction(action);
        this.statusAlarm.addOkAction(action);
      }
    } else {
      const topicArns = props.alarmTopicArn ? [props.alarmTopicArn] : [];
      const call: cr.AwsSdkCall = {
        service: 'CloudWatch',
        action: 'PutMetricAlarm',
        region: ROUTE53_METRICS_REGION,
        parameters: {
          AlarmName: this.alarmName,
          AlarmDescription: description,
          Namespace: metric.namespace,
          MetricName: metric.metricName,
          Dimensions: [{ Name: 'HealthCheckId', Value: this.healthCheckId }],
          Statistic: 'Minimum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'LessThanThreshold',
          TreatMissingData: 'breaching',
          AlarmActions: topicArns,
          OKActions: topicArns,
        },
        physicalResourceId: cr.PhysicalResourceId.of(this.alarmName),
      };
      const alarmArn = `arn:${stack.partition}:cloudwatch:${ROUTE53_METRICS_REGION}:${stack.account}:alarm:${this.alarmName}`;
      this.remoteAlarm = new cr.AwsCustomResource(this, 'StatusAlarm', {
        onCreate: call,
        onUpdate: call,
        onDelete: {
          service: 'CloudWatch',
          action: 'DeleteAlarms',
          region: ROUTE53_METRICS_REGION,
          parameters: { AlarmNames: [this.alarmName] },
        },
        installLatestAwsSdk: false,
        policy: cr.AwsCustomResourcePolicy.fromStatements([
          new iam.PolicyStatement({ actions: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'], resources: [alarmArn] }),
        ]),
      });
      acknowledgeCustomResourceProvider(stack);
    }
  }
}

/** Validate health-check options (shared with the record constructs). */
export function validateHealthCheckOptions(v: Validator, o: EndpointHealthCheckOptions, prefix = ''): void {
  if (o.requestInterval !== undefined && !o.requestInterval.isUnresolved()) {
    const s = o.requestInterval.toMilliseconds() / 1000;
    v.check(s !== 10 && s !== 30, {
      code: 'HC_REQUEST_INTERVAL',
      prop: `${prefix}requestInterval`,
      value: `${s} s`,
      message: 'Route 53 checks every 10 s (fast) or 30 s (standard), nothing else',
      fix: 'use Duration.seconds(10) or Duration.seconds(30)',
    });
  }
  v.integer(`${prefix}failureThreshold`, o.failureThreshold, { code: 'HC_FAILURE_THRESHOLD', min: 1, max: 10 });
  v.integer(`${prefix}port`, o.port, { code: 'HC_PORT', min: 1, max: 65535 });
  if (o.path !== undefined && !Token.isUnresolved(o.path)) {
    v.check(!o.path.startsWith('/') || o.path.length > 255, {
      code: 'HC_PATH',
      prop: `${prefix}path`,
      value: o.path,
      message: 'must start with / and be at most 255 characters',
      fix: "use a deep health path such as '/health'",
    });
  }
  if (o.searchString !== undefined) {
    v.check(o.searchString.length === 0 || o.searchString.length > 255, {
      code: 'HC_SEARCH_STRING',
      prop: `${prefix}searchString`,
      value: o.searchString,
      message: 'must be 1-255 characters',
      fix: 'shorten the search string',
    });
  }
  if (o.regions !== undefined) {
    const unknown = o.regions.filter((r) => !(HEALTH_CHECKER_REGIONS as readonly string[]).includes(r));
    v.check(unknown.length > 0, {
      code: 'HC_REGIONS',
      prop: `${prefix}regions`,
      value: unknown,
      message: `are not Route 53 health checker Regions (${HEALTH_CHECKER_REGIONS.join(', ')})`,
      fix: 'list health checker Regions only',
    });
    v.check(new Set(o.regions).size < 3, {
      code: 'HC_REGIONS',
      prop: `${prefix}regions`,
      value: o.regions,
      message: 'Route 53 needs at least 3 health checker Regions',
      fix: 'list at least 3, or omit regions to use all of them',
    });
  }
  v.check(o.alarmTopic !== undefined && o.alarmTopicArn !== undefined, {
    code: 'HC_ALARM_TOPIC',
    prop: `${prefix}alarmTopic`,
    value: 'both alarmTopic and alarmTopicArn',
    message: 'two topics were given for one alarm',
    fix: 'give alarmTopic in a us-east-1 stack, alarmTopicArn (a us-east-1 topic) elsewhere',
  });
}
