import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MultiAzVpc, planCapacity, WebTier, WebTierProps } from '../../lib';
import { newStack, refId, resilienceWarnings, resourcesOfType, TEST_AZS } from '../helpers/app';

const CERT_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000';

function build(props: Partial<WebTierProps> = {}, withCert = true): { stack: Stack; web: WebTier; template: Template } {
  const stack = newStack();
  const topic = new sns.Topic(stack, 'Alarms');
  const web = new WebTier(stack, 'Web', {
    vpcProps: { availabilityZones: TEST_AZS },
    capacity: { min: 4, max: 12 },
    certificate: withCert ? acm.Certificate.fromCertificateArn(stack, 'Cert', CERT_ARN) : undefined,
    alarms: { topic },
    ...props,
  });
  return { stack, web, template: Template.fromStack(stack) };
}

function subnetAz(template: Template): Map<string, { az: string; type: string }> {
  const out = new Map<string, { az: string; type: string }>();
  for (const [id, s] of resourcesOfType(template, 'AWS::EC2::Subnet')) {
    const type = (s.Properties.Tags as { Key: string; Value: string }[]).find((t) => t.Key === 'aws-cdk:subnet-type')!.Value;
    out.set(id, { az: s.Properties.AvailabilityZone as string, type });
  }
  return out;
}

describe('WebTier with defaults and a certificate', () => {
  const { stack, web, template } = build();
  const subnets = subnetAz(template);

  test('the ALB is internet-facing and spans the 3 public subnets in 3 AZs', () => {
    const [[, alb]] = resourcesOfType(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(alb.Properties.Scheme).toBe('internet-facing');
    const ids = (alb.Properties.Subnets as unknown[]).map(refId) as string[];
    expect(ids).toHaveLength(3);
    expect(ids.map((id) => subnets.get(id)!.type)).toEqual(['Public', 'Public', 'Public']);
    expect(ids.map((id) => subnets.get(id)!.az).sort()).toEqual(TEST_AZS);
  });

  test('the ALB has deletion protection, drops invalid headers and logs access', () => {
    const [[, alb]] = resourcesOfType(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    const attrs = Object.fromEntries(
      (alb.Properties.LoadBalancerAttributes as { Key: string; Value: string }[]).map((a) => [a.Key, a.Value]),
    );
    expect(attrs['deletion_protection.enabled']).toBe('true');
    expect(attrs['routing.http.drop_invalid_header_fields.enabled']).toBe('true');
    expect(attrs['access_logs.s3.enabled']).toBe('true');
    expect(attrs['access_logs.s3.prefix']).toBe('alb');
  });

  test('the access-log bucket is encrypted, TLS-only and private', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('the ASG spans the 3 private subnets, uses ELB health checks and a launch template', () => {
    const [[, asg]] = resourcesOfType(template, 'AWS::AutoScaling::AutoScalingGroup');
    const ids = (asg.Properties.VPCZoneIdentifier as unknown[]).map(refId) as string[];
    expect(ids).toHaveLength(3);
    expect(ids.map((id) => subnets.get(id)!.type)).toEqual(['Private', 'Private', 'Private']);
    expect(ids.map((id) => subnets.get(id)!.az).sort()).toEqual(TEST_AZS);
    expect(asg.Properties.HealthCheckType).toBe('ELB');
    expect(asg.Properties.HealthCheckGracePeriod).toBe(300);
    // Health-check replacements launch first and terminate after: capacity never dips.
    expect(asg.Properties.InstanceMaintenancePolicy).toEqual({ MinHealthyPercentage: 100, MaxHealthyPercentage: 150 });
    expect(asg.Properties.LaunchTemplate).toBeDefined();
    expect(asg.Properties.LaunchConfigurationName).toBeUndefined();
    template.resourceCountIs('AWS::AutoScaling::LaunchConfiguration', 0);
  });

  test('N+1 per AZ: 4 declared instances become 2 per AZ, 6 in all, so 4 survive an AZ loss', () => {
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '6', MaxSize: '12' });
    expect(web.capacityPlan).toEqual({
      azCount: 3,
      declaredMin: 4,
      perAz: 2,
      groupMin: 6,
      groupMax: 12,
      afterAzLoss: 4,
      survivesAzLoss: true,
      running: 6,
    });
  });

  test('rolling updates keep the whole minimum in service and replace one AZ\'s worth per batch', () => {
    const [[, asg]] = Object.entries(template.findResources('AWS::AutoScaling::AutoScalingGroup')) as [string, { UpdatePolicy: Record<string, Record<string, unknown>> }][];
    expect(asg.UpdatePolicy.AutoScalingRollingUpdate).toMatchObject({ MinInstancesInService: 6, MaxBatchSize: 2, PauseTime: 'PT5M' });
    expect(asg.UpdatePolicy.AutoScalingRollingUpdate.WaitOnResourceSignals).toBeFalsy();
    expect(asg.UpdatePolicy.AutoScalingRollingUpdate.SuspendProcesses).toEqual(
      expect.arrayContaining(['HealthCheck', 'ReplaceUnhealthy', 'AZRebalance', 'AlarmNotification', 'ScheduledActions']),
    );
  });

  test('launch template: IMDSv2 only, encrypted gp3 root volume, detailed monitoring, instance role', () => {
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: Match.objectLike({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 }),
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: 20, DeleteOnTermination: true } },
        ],
        Monitoring: { Enabled: true },
        IamInstanceProfile: Match.anyValue(),
      }),
    });
  });

  test('instances admit traffic only from the load balancer security group', () => {
    const instanceSg = stack.resolve(web.instanceSecurityGroup.securityGroupId);
    const albSg = stack.resolve(web.albSecurityGroup.securityGroupId);
    const ingress = resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress').filter(
      ([, r]) => JSON.stringify(r.Properties.GroupId) === JSON.stringify(instanceSg),
    );
    expect(ingress).toHaveLength(1);
    expect(ingress[0][1].Properties.SourceSecurityGroupId).toEqual(albSg);
    expect(ingress[0][1].Properties.FromPort).toBe(80);
    const [[, instSgRes]] = resourcesOfType(template, 'AWS::EC2::SecurityGroup').filter(([id]) => id === instanceSg['Fn::GetAtt'][0]);
    expect(instSgRes.Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('target group: deep health check, draining, cross-zone', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckEnabled: true,
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' },
      TargetGroupAttributes: Match.arrayWith([
        { Key: 'deregistration_delay.timeout_seconds', Value: '30' },
        { Key: 'load_balancing.cross_zone.enabled', Value: 'true' },
      ]),
    });
  });

  test('HTTPS listener with a TLS 1.3 policy, and HTTP redirected to HTTPS', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{ CertificateArn: CERT_ARN }],
      DefaultActions: [Match.objectLike({ Type: 'forward' })],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    });
    expect(web.redirectListener).toBeDefined();
  });

  test('target tracking on CPU and on ALB requests per target', () => {
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' },
        TargetValue: 50,
      },
    });
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: {
        PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }),
        TargetValue: 1000,
      },
    });
  });

  test('alarms on unhealthy hosts, 5xx rate and p99 latency, wired to the topic', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'UnHealthyHostCount',
      Namespace: 'AWS/ApplicationELB',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('Alarms') }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 5,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: Match.stringLikeRegexp('elb5xx') }),
        Match.objectLike({ Id: 'req', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'RequestCount' }) }) }),
      ]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'TargetResponseTime',
      ExtendedStatistic: 'p99',
      Threshold: 1,
    });
  });

  test('no warnings with a certificate and an alarm topic', () => {
    expect(resilienceWarnings(stack)).toEqual([]);
  });
});

describe('WebTier options', () => {
  test('without a certificate: plain HTTP forwarding and a warning', () => {
    const { stack, web, template } = build({}, false);
    template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::Listener', { Protocol: 'HTTPS' }, 0);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [Match.objectLike({ Type: 'forward' })],
    });
    expect(web.redirectListener).toBeUndefined();
    expect(resilienceWarnings(stack)).toEqual(['cdk-resilience:NoTlsCertificate']);
  });

  test('alarms without a topic warn', () => {
    const { stack } = build({ alarms: {} });
    expect(resilienceWarnings(stack)).toEqual(['cdk-resilience:AlarmsWithoutActions']);
  });

  test('reserveForAzLoss: false runs exactly the declared capacity and warns', () => {
    const { stack, web, template } = build({ reserveForAzLoss: false, capacity: { min: 3, max: 6 } });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '3', MaxSize: '6' });
    expect(web.capacityPlan.survivesAzLoss).toBe(false);
    expect(resilienceWarnings(stack)).toEqual(['cdk-resilience:NotStaticallyStable']);
  });

  test('a standby Region runs fewer instances now and plans the full floor for failover', () => {
    const { template, web, stack } = build({ runningCapacity: 0, autoScalingGroupName: 'shop-web-us-east-1' });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '0', MaxSize: '12', AutoScalingGroupName: 'shop-web-us-east-1' });
    template.hasResource('AWS::AutoScaling::AutoScalingGroup', { UpdatePolicy: { AutoScalingRollingUpdate: Match.objectLike({ MinInstancesInService: 0 }) } });
    expect(web.capacityPlan).toMatchObject({ groupMin: 6, running: 0 });
    expect(resilienceWarnings(stack)).toEqual([]);
  });

  test('an existing VPC is used as is', () => {
    const stack = newStack();
    const network = new MultiAzVpc(stack, 'Shared', { availabilityZones: TEST_AZS });
    const web = new WebTier(stack, 'Web', { vpc: network.vpc, capacity: { min: 2, max: 6 }, alarms: {} });
    expect(web.vpc).toBe(network.vpc);
    expect(web.multiAzVpc).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::EC2::VPC', 1);
  });

  test('scheduled actions, custom thresholds, signals and notifications', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Events');
    const userData = ec2.UserData.forLinux();
    new WebTier(stack, 'Web', {
      vpcProps: { availabilityZones: TEST_AZS },
      capacity: { min: 2, max: 10 },
      userData,
      notificationTopic: topic,
      alarms: { topic, unhealthyHosts: 2, serverErrorRatePercent: 1, targetResponseTimeP99: Duration.millis(300) },
      rollingUpdate: { waitForSignals: true, pauseTime: Duration.minutes(10), minHealthyPercent: 50 },
      scaling: {
        cpuTargetPercent: false,
        requestsPerTargetPerMinute: 600,
        scheduled: [{ id: 'MorningPeak', schedule: autoscaling.Schedule.cron({ hour: '7', minute: '0' }), minCapacity: 6 }],
      },
    });
    const t = Template.fromStack(stack);
    t.resourcePropertiesCountIs(
      'AWS::AutoScaling::ScalingPolicy',
      { TargetTrackingConfiguration: Match.objectLike({ PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' } }) },
      0,
    );
    t.hasResourceProperties('AWS::AutoScaling::ScheduledAction', { MinSize: 6, Recurrence: '0 7 * * *' });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TargetResponseTime', Threshold: 0.3 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UnHealthyHostCount', Threshold: 2 });
    t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      NotificationConfigurations: [Match.objectLike({ TopicARN: { Ref: Match.stringLikeRegexp('Events') } })],
    });
    t.hasResource('AWS::AutoScaling::AutoScalingGroup', {
      CreationPolicy: { ResourceSignal: { Count: 3, Timeout: 'PT10M' } },
      UpdatePolicy: { AutoScalingRollingUpdate: Match.objectLike({ WaitOnResourceSignals: true, MinInstancesInService: 2 }) },
    });
    const lt = JSON.stringify(t.findResources('AWS::EC2::LaunchTemplate'));
    expect(lt).toContain('cfn-signal');
  });

  test('the group is created after its subnets reach the internet (NAT routes): user data and signals need egress at first boot', () => {
    const stack = newStack();
    new WebTier(stack, 'Web', { vpcProps: { availabilityZones: TEST_AZS }, capacity: { min: 2, max: 10 }, rollingUpdate: { waitForSignals: true } });
    const t = Template.fromStack(stack);
    const [asg] = Object.values(t.findResources('AWS::AutoScaling::AutoScalingGroup'));
    const natRoutes = Object.entries(t.findResources('AWS::EC2::Route')).filter(([, r]) => r.Properties.NatGatewayId !== undefined).map(([id]) => id);
    expect(natRoutes).toHaveLength(3);
    expect(asg.DependsOn).toEqual(expect.arrayContaining(natRoutes));
  });

  test('signals on a group created empty (runningCapacity 0): no creation signal to wait for, rolling updates still wait', () => {
    const stack = newStack();
    new WebTier(stack, 'Web', { vpcProps: { availabilityZones: TEST_AZS }, capacity: { min: 2, max: 10 }, runningCapacity: 0, rollingUpdate: { waitForSignals: true } });
    const t = Template.fromStack(stack);
    const [asg] = Object.values(t.findResources('AWS::AutoScaling::AutoScalingGroup'));
    expect(asg.CreationPolicy).toBeUndefined();
    expect(asg.Properties.MinSize).toBe('0');
    expect(asg.UpdatePolicy.AutoScalingRollingUpdate).toMatchObject({ WaitOnResourceSignals: true });
    expect(JSON.stringify(t.findResources('AWS::EC2::LaunchTemplate'))).toContain('cfn-signal');
  });

  test('a scheduled action below the AZ-loss floor warns', () => {
    const { stack } = build({
      scaling: { scheduled: [{ id: 'Night', schedule: autoscaling.Schedule.cron({ hour: '1', minute: '0' }), minCapacity: 2 }] },
    });
    expect(resilienceWarnings(stack)).toEqual(['cdk-resilience:NotStaticallyStable']);
  });
});

describe('planCapacity', () => {
  test.each([
    // declared, AZs, reserve -> perAz, groupMin, afterAzLoss, survives
    [1, 3, true, 1, 3, 2, true],
    [4, 3, true, 2, 6, 4, true],
    [5, 3, true, 3, 9, 6, true],
    [6, 3, true, 3, 9, 6, true],
    [4, 2, true, 4, 8, 4, true],
    [3, 3, false, 1, 3, 2, false],
    [6, 3, false, 2, 6, 4, false],
  ])('%i declared over %i AZs (reserve %s) -> %i per AZ, min %i, %i after an AZ loss', (min, azs, reserve, perAz, groupMin, after, survives) => {
    const plan = planCapacity({ capacity: { min, max: 100 }, reserveForAzLoss: reserve }, azs);
    expect([plan.perAz, plan.groupMin, plan.afterAzLoss, plan.survivesAzLoss]).toEqual([perAz, groupMin, after, survives]);
  });
});
