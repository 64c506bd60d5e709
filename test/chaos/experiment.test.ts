import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  ApiErrorKind,
  ApiErrorService,
  Experiment,
  ExperimentProps,
  ExperimentTarget,
  FailoverDbCluster,
  FisResourceType,
  InjectApiError,
  ResilienceError,
  SelectionMode,
  StopInstances,
  TerminateInstances,
  Wait,
} from '../../lib';
import { errorOf, nagFindings, newStack, resilienceWarnings, resourcesOfType } from '../helpers/app';

const INSTANCE_ARNS = ['arn:aws:ec2:us-east-1:111111111111:instance/i-0123456789abcdef0'];

function alarm(stack: Stack): cloudwatch.Alarm {
  return new cloudwatch.Alarm(stack, 'Stop', {
    metric: new cloudwatch.Metric({ namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_ELB_5XX_Count' }),
    threshold: 10,
    evaluationPeriods: 1,
  });
}

function build(props: (stack: Stack) => Partial<ExperimentProps> = () => ({})): { stack: Stack; exp: Experiment; t: Template } {
  const stack = newStack();
  const exp = new Experiment(stack, 'Exp', {
    description: 'Terminating one instance does not raise the 5xx rate',
    actions: { terminate: new TerminateInstances(ExperimentTarget.byTags(FisResourceType.EC2_INSTANCE, { app: 'shop' }, { selection: SelectionMode.count(1) })) },
    stopConditions: [alarm(stack)],
    ...props(stack),
  });
  return { stack, exp, t: Template.fromStack(stack) };
}

function policyStatements(t: Template): { Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> }[] {
  return resourcesOfType(t, 'AWS::IAM::Policy').flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: never[] }).Statement);
}

function actionsOf(t: Template): string[] {
  return policyStatements(t).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

describe('Experiment', () => {
  const { stack, t } = build();

  test('renders the action with its target key, the target scoped by tags with its selection mode', () => {
    t.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: { terminate: { ActionId: 'aws:ec2:terminate-instances', Targets: { Instances: 'terminate-target' } } },
      Targets: { 'terminate-target': { ResourceType: 'aws:ec2:instance', ResourceTags: { app: 'shop' }, SelectionMode: 'COUNT(1)' } },
    });
  });

  test('the stop condition is the alarm; logs go to a retained log group (schema 2, ARN ending in :*)', () => {
    const stop = resourcesOfType(t, 'AWS::CloudWatch::Alarm')[0][0];
    const log = resourcesOfType(t, 'AWS::Logs::LogGroup')[0][0];
    t.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      StopConditions: [{ Source: 'aws:cloudwatch:alarm', Value: { 'Fn::GetAtt': [stop, 'Arn'] } }],
      LogConfiguration: { LogSchemaVersion: 2, CloudWatchLogsConfiguration: { LogGroupArn: { 'Fn::GetAtt': [log, 'Arn'] } } },
      ExperimentOptions: { AccountTargeting: 'single-account', EmptyTargetResolutionMode: 'fail' },
      Tags: { Name: 'Test/Exp' },
    });
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 365 } });
  });

  test('the role trusts FIS of this account only, and holds exactly what the action needs', () => {
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'fis.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' }, ArnLike: { 'aws:SourceArn': 'arn:aws:fis:us-east-1:111111111111:experiment/*' } },
          }),
        ],
      },
    });
    expect(actionsOf(t).sort()).toEqual(['ec2:DescribeInstances', 'ec2:TerminateInstances', 'logs:CreateLogDelivery', 'logs:DescribeLogGroups', 'logs:DescribeResourcePolicies', 'logs:PutResourcePolicy'].sort());
    // Tag-scoped target: terminate only instances carrying the target's tags.
    expect(policyStatements(t).find((s) => JSON.stringify(s.Action).includes('ec2:TerminateInstances'))).toMatchObject({
      Resource: 'arn:aws:ec2:us-east-1:111111111111:instance/*',
      Condition: { StringEquals: { 'aws:ResourceTag/app': 'shop' } },
    });
  });

  test('cdk-nag clean: every wildcard acknowledged with its reason', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('Experiment options', () => {
  test('a target by ARN scopes IAM to those ARNs; stop-instances renders ISO 8601 durations', () => {
    const { t } = build(() => ({
      actions: { stop: new StopInstances(ExperimentTarget.byArns(FisResourceType.EC2_INSTANCE, INSTANCE_ARNS), { startInstancesAfter: Duration.minutes(90) }) },
    }));
    t.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: { stop: { ActionId: 'aws:ec2:stop-instances', Parameters: { startInstancesAfterDuration: 'PT1H30M', completeIfInstancesTerminated: 'true' } } },
      Targets: { 'stop-target': { ResourceArns: INSTANCE_ARNS, SelectionMode: 'ALL' } },
    });
    expect(policyStatements(t).find((s) => JSON.stringify(s.Action).includes('ec2:StopInstances'))).toMatchObject({ Resource: INSTANCE_ARNS[0] });
  });

  test('startAfter orders actions; a wait has no target', () => {
    const { t } = build(() => ({
      actions: {
        terminate: new TerminateInstances(ExperimentTarget.byArns(FisResourceType.EC2_INSTANCE, INSTANCE_ARNS)),
        settle: new Wait(Duration.minutes(5), { startAfter: ['terminate'] }),
      },
    }));
    t.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: { settle: { ActionId: 'aws:fis:wait', Parameters: { duration: 'PT5M' }, StartAfter: ['terminate'] } },
    });
    expect(Object.keys(resourcesOfType(t, 'AWS::FIS::ExperimentTemplate')[0][1].Properties.Targets as object)).toEqual(['terminate-target']);
  });

  test('API error injection: the action id per kind, service and operations, fis: permission on experiments', () => {
    const role = ExperimentTarget.byArns(FisResourceType.IAM_ROLE, ['arn:aws:iam::111111111111:role/runbook-compute']);
    const { t, stack } = build(() => ({
      actions: {
        throttle: new InjectApiError(role, { kind: ApiErrorKind.THROTTLE, operations: ['DescribeInstances', 'RunInstances'], percentage: 50, duration: Duration.minutes(10) }),
        kinesis: new InjectApiError(role, { kind: ApiErrorKind.UNAVAILABLE, service: ApiErrorService.KINESIS, operations: ['PutRecord'], percentage: 100, duration: Duration.minutes(1) }),
      },
    }));
    t.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: {
        throttle: { ActionId: 'aws:fis:inject-api-throttle-error', Targets: { Roles: 'throttle-target' }, Parameters: { service: 'ec2', operations: 'DescribeInstances,RunInstances', percentage: '50', duration: 'PT10M' } },
        kinesis: { ActionId: 'aws:fis:inject-api-unavailable-error', Parameters: Match.objectLike({ service: 'kinesis' }) },
      },
      Targets: { 'throttle-target': { ResourceType: 'aws:iam:role' } },
    });
    expect(policyStatements(t).find((s) => JSON.stringify(s.Action).includes('fis:InjectApiThrottleError'))).toMatchObject({ Resource: 'arn:aws:fis:us-east-1:111111111111:experiment/*' });
    expect(actionsOf(t)).toContain('fis:InjectApiUnavailableError');
    expect(nagFindings(stack)).toEqual([]);
  });

  test('experiment reports to S3 with dashboards, and the permissions to write them', () => {
    const { t, stack } = build((s) => ({
      report: {
        bucket: s3.Bucket.fromBucketName(s, 'Reports', 'fis-reports-bucket'),
        dashboardArns: ['arn:aws:cloudwatch::111111111111:dashboard/shop'],
        postExperimentDuration: Duration.minutes(30),
      },
    }));
    t.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      ExperimentReportConfiguration: {
        Outputs: { ExperimentReportS3Configuration: { BucketName: 'fis-reports-bucket', Prefix: 'fis-reports/' } },
        DataSources: { CloudWatchDashboards: [{ DashboardIdentifier: 'arn:aws:cloudwatch::111111111111:dashboard/shop' }] },
        PreExperimentDuration: 'PT20M',
        PostExperimentDuration: 'PT30M',
      },
    });
    expect(actionsOf(t)).toEqual(expect.arrayContaining(['s3:PutObject', 'cloudwatch:GetDashboard', 'cloudwatch:GetMetricWidgetImage']));
    expect(nagFindings(stack)).toEqual([]);
  });

  test('the explicit opt-out renders source none and warns', () => {
    const { t, stack } = build(() => ({ stopConditions: [], withoutStopCondition: { reason: 'a staging account with no traffic' } }));
    t.hasResourceProperties('AWS::FIS::ExperimentTemplate', { StopConditions: [{ Source: 'none' }] });
    expect(resilienceWarnings(stack)).toEqual(['cdk-resilience:NoStopCondition']);
  });

  test('with stop conditions there is no warning', () => {
    expect(resilienceWarnings(build().stack)).toEqual([]);
  });
});

describe('Experiment rejects invalid props', () => {
  const instances = ExperimentTarget.byArns(FisResourceType.EC2_INSTANCE, INSTANCE_ARNS);
  test.each<[string, (stack: Stack) => Partial<ExperimentProps>, string, RegExp]>([
    ['a duration over 12 h', () => ({ actions: { w: new Wait(Duration.hours(13)) } }), 'FIS_DURATION', /actions\.w\.duration: must be a duration between 60 s and 43200 s \(got: "46800 s"\)/],
    ['a duration under 1 min', () => ({ actions: { w: new Wait(Duration.seconds(30)) } }), 'FIS_DURATION', /got: "30 s"/],
    ['a restart after over 12 h', () => ({ actions: { s: new StopInstances(instances, { startInstancesAfter: Duration.hours(24) }) } }), 'FIS_DURATION', /actions\.s\.startInstancesAfter/],
    ['a percentage over 100', () => ({ actions: { t: new TerminateInstances(ExperimentTarget.byArns(FisResourceType.EC2_INSTANCE, INSTANCE_ARNS, { selection: SelectionMode.percent(150) })) } }), 'FIS_PERCENT', /actions\.t\.target\.selection: a percentage must be an integer from 1 to 100 \(got: "PERCENT\(150\)"\)/],
    ['a percentage of 0', () => ({ actions: { t: new TerminateInstances(ExperimentTarget.byTags(FisResourceType.EC2_INSTANCE, { a: 'b' }, { selection: SelectionMode.percent(0) })) } }), 'FIS_PERCENT', /PERCENT\(0\)/],
    ['an API error percentage of 101', () => ({ actions: { e: new InjectApiError(ExperimentTarget.byArns(FisResourceType.IAM_ROLE, ['arn:aws:iam::111111111111:role/x']), { kind: ApiErrorKind.INTERNAL, operations: ['RunInstances'], percentage: 101, duration: Duration.minutes(5) }) } }), 'FIS_PERCENT', /actions\.e\.percentage/],
    ['a target without scope (no ARNs)', () => ({ actions: { t: new TerminateInstances(ExperimentTarget.byArns(FisResourceType.EC2_INSTANCE, [])) } }), 'FIS_TARGET_SCOPE', /actions\.t\.target: the target has no scope/],
    ['a target without scope (no tags)', () => ({ actions: { t: new TerminateInstances(ExperimentTarget.byTags(FisResourceType.EC2_INSTANCE, {}, { filters: [{ path: 'State.Name', values: ['running'] }] })) } }), 'FIS_TARGET_SCOPE', /would reach every resource of its type/],
    ['ARNs combined with filters', () => ({ actions: { t: new TerminateInstances(ExperimentTarget.byArns(FisResourceType.EC2_INSTANCE, INSTANCE_ARNS, { filters: [{ path: 'State.Name', values: ['running'] }] })) } }), 'FIS_TARGET_FILTER', /does not combine resource ARNs with filters/],
    ['a target of the wrong resource type', () => ({ actions: { f: new FailoverDbCluster(instances) } }), 'FIS_TARGET_TYPE', /aws:rds:failover-db-cluster acts on aws:rds:cluster \(target key Clusters\), not on aws:ec2:instance/],
    ['startAfter naming an unknown action', () => ({ actions: { t: new TerminateInstances(instances, { startAfter: ['warmup'] }) } }), 'FIS_START_AFTER', /actions\.t\.startAfter: names no action of this experiment \(t\) \(got: "warmup"\)/],
    [
      'a cycle in startAfter',
      () => ({ actions: { a: new Wait(Duration.minutes(1), { startAfter: ['c'] }), b: new Wait(Duration.minutes(1), { startAfter: ['a'] }), c: new Wait(Duration.minutes(1), { startAfter: ['b'] }) } }),
      'FIS_START_AFTER_CYCLE',
      /startAfter forms a cycle.*\(got: "a -> c -> b -> a"\)/,
    ],
    ['no stop condition without the opt-out', () => ({ stopConditions: [] }), 'FIS_NO_STOP_CONDITION', /stopConditions: an experiment without a stop condition.*withoutStopCondition/],
    ['more than 5 stop conditions', (s) => ({ stopConditions: Array.from({ length: 6 }, (_, i) => new cloudwatch.Alarm(s, `A${i}`, { metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }), threshold: 1, evaluationPeriods: 1 })) }), 'FIS_TOO_MANY_STOP_CONDITIONS', /at most 5/],
    ['more than 20 actions', () => ({ actions: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`w${i}`, new Wait(Duration.minutes(1))])) }), 'FIS_TOO_MANY_ACTIONS', /at most 20 actions/],
    ['an invalid action name', () => ({ actions: { 'stop az a': new Wait(Duration.minutes(1)) } }), 'FIS_ACTION_NAME', /letters, digits, hyphens or underscores/],
    ['no actions', () => ({ actions: {} }), 'FIS_NO_ACTIONS', /at least one action/],
  ])('%s', (_name, props, code, message) => {
    const err = errorOf(() => build(props));
    expect(err).toBeInstanceOf(ResilienceError);
    expect(err.codes).toContain(code);
    expect(err.message).toContain('Test/Exp');
    expect(err.message).toMatch(message);
  });

  test('nothing is synthesized for a rejected experiment', () => {
    const stack = newStack();
    expect(() => new Experiment(stack, 'Exp', { description: 'x', actions: { w: new Wait(Duration.hours(13)) }, withoutStopCondition: { reason: 'test' } })).toThrow(ResilienceError);
    expect(Template.fromStack(stack).findResources('AWS::FIS::ExperimentTemplate')).toEqual({});
  });
});
