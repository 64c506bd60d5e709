import { CfnElement, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { IConstruct } from 'constructs';
import { runbookParameterName, type RunbookConfig } from '../../protocol';
import { acknowledgeNagFinding } from '../core/nag';

/** The functions of a runbook, by step. */
export interface RunbookFunctions {
  readonly preflight: lambda.Function;
  readonly database: lambda.Function;
  readonly compute: lambda.Function;
  readonly traffic: lambda.Function;
  readonly verify: lambda.Function;
  readonly notify: lambda.Function;
  readonly entry: lambda.Function;
}

/** Least-privilege grants of a runbook's functions, scoped to its strategy's ARNs. */
export function grantRunbook(stack: Stack, c: RunbookConfig, f: RunbookFunctions, notifyTopic?: sns.ITopic): void {
  const add = (fns: lambda.Function[], actions: string[], resources: string[], conditions?: Record<string, unknown>): void => {
    for (const x of fns) x.addToRolePolicy(new iam.PolicyStatement({ actions, resources, conditions }));
  };
  const partition = stack.partition;
  const account = stack.account;
  const readers = [f.preflight, f.database, f.compute, f.verify, f.entry, f.traffic];
  const asgArn = (region: string, name: string): string => `arn:${partition}:autoscaling:${region}:${account}:autoScalingGroup:*:autoScalingGroupName/${name}`;

  // Describe* calls of ELB and Auto Scaling and CloudWatch GetMetricData support no
  // resource-level permissions: AWS requires '*' for them. They only read.
  add(readers, ['elasticloadbalancing:DescribeTargetHealth', 'autoscaling:DescribeAutoScalingGroups', 'cloudwatch:GetMetricData'], ['*']);
  add([f.compute], ['autoscaling:DescribeScalingActivities'], ['*']); // '*': no resource-level permissions; read only

  if (c.database.kind === 'aurora-global') {
    const globalArn = `arn:${partition}:rds::${account}:global-cluster:${c.database.globalClusterIdentifier}`;
    const clusterArns = Object.values(c.database.clusters).map((x) => x.arn);
    const target = c.database.clusters[c.targetRegion];
    const instanceArns = ['writer', 'reader'].map((r) => `arn:${partition}:rds:${c.targetRegion}:${account}:db:${target.identifier}-${r}`);
    add([...readers, f.notify], ['rds:DescribeGlobalClusters'], [globalArn]);
    add([f.database, f.preflight, f.verify, f.entry, f.notify], ['rds:DescribeDBClusters'], clusterArns);
    // DescribeDBInstances with a db-cluster-id filter is authorized on the db resource type.
    add([f.database], ['rds:DescribeDBInstances'], [`arn:${partition}:rds:${c.targetRegion}:${account}:db:*`]);
    add([f.database], ['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster', 'rds:RemoveFromGlobalCluster'], [globalArn, ...clusterArns]);
    add([f.database], ['rds:CreateDBInstance', 'rds:AddTagsToResource'], [...instanceArns, target.arn]);
  } else if (c.database.kind === 'aurora-replica') {
    const replicaArn = c.database.replica.arn;
    add([...readers, f.notify], ['rds:DescribeDBClusters'], [replicaArn]);
    add([f.database], ['rds:PromoteReadReplicaDBCluster'], [replicaArn]);
  } else {
    const replicaArn = c.database.replica.arn;
    add([...readers, f.notify], ['rds:DescribeDBInstances'], [replicaArn]);
    add([f.database], ['rds:PromoteReadReplica'], [replicaArn]);
  }

  add([f.compute], ['autoscaling:UpdateAutoScalingGroup'], [asgArn(c.compute.target.region, c.compute.target.asgName)]);
  // Consent flows (two writable databases): before the promotion the database step stops the
  // source's app tier, so connections opened before the fence cannot write to the old database.
  // Only to scale it to zero: autoscaling:MinSize is in the request only when it is set, so a
  // call that sets anything but MinSize 0 (or leaves it out) is refused
  // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html).
  add([f.database], ['autoscaling:UpdateAutoScalingGroup'], [asgArn(c.compute.source.region, c.compute.source.asgName)], {
    NumericEquals: { 'autoscaling:MinSize': 0 },
    NumericLessThanEqualsIfExists: { 'autoscaling:MaxSize': 0 },
  });
  const movers = [f.traffic, f.database];
  if (c.traffic.kind === 'routing-control') {
    const controlArns = Object.values(c.traffic.controls);
    add(readers, ['route53-recovery-cluster:GetRoutingControlState'], controlArns);
    add(movers, ['route53-recovery-cluster:UpdateRoutingControlState', 'route53-recovery-cluster:UpdateRoutingControlStates'], controlArns);
    const p = c.traffic.endpointsParameter;
    add(readers, ['ssm:GetParameter'], [`arn:${partition}:ssm:${p.region}:${account}:parameter${p.name}`]);
  } else {
    const g = c.traffic.gates;
    const alarmArns = Object.values(g.alarms).flatMap((byRegion) => Object.entries(byRegion).map(([region, a]) => `arn:${partition}:cloudwatch:${region}:${account}:alarm:${a.alarmName}`));
    add(movers, ['cloudwatch:DescribeAlarms'], alarmArns);
    // '*': PutMetricData supports no resource-level permissions; the namespace condition limits it to the gates.
    // Verify closes the source in the target too while Route 53 has not read its closure.
    add([...movers, f.verify], ['cloudwatch:PutMetricData'], ['*'], { StringEquals: { 'cloudwatch:namespace': g.namespace } });
  }

  // The lock: this Region's replica of the strategy's lock table only.
  const lockArn = `arn:${partition}:dynamodb:${c.targetRegion}:${account}:table/${c.lock.tableName}`;
  const peerLockArn = `arn:${partition}:dynamodb:${c.sourceRegion}:${account}:table/${c.lock.tableName}`;
  add([f.preflight, f.database, f.compute, f.traffic], ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [lockArn]);
  // Verify renews the lease on every pass (and reads the holder when it lost it).
  add([f.verify], ['dynamodb:GetItem', 'dynamodb:UpdateItem'], [lockArn]);
  // Preflight reads the other Region's replica, to catch a run that took the lock there in the same second.
  add([f.preflight], ['dynamodb:GetItem'], [peerLockArn]);
  add([f.notify, f.preflight], ['dynamodb:DeleteItem'], [lockArn]);
  add([f.entry], ['dynamodb:GetItem'], [lockArn]);
  // The re-run command names the entry function, read from this runbook's directory parameter.
  add([f.notify], ['ssm:GetParameter'], [`arn:${partition}:ssm:${c.targetRegion}:${account}:parameter${runbookParameterName(c.name, c.targetRegion)}`]);
  notifyTopic?.grantPublish(f.notify);
}

/** cdk-nag: the wildcards AWS forces, acknowledged finding by finding with the reason. */
export function acknowledgeRunbook(stack: Stack, c: RunbookConfig, f: RunbookFunctions, stateMachine: sfn.StateMachine, stateMachineName?: string): void {
  const ack = (role: iam.IRole | undefined, finding: string, reason: string): void => {
    const policy: IConstruct | undefined = role?.node.tryFindChild('DefaultPolicy');
    if (policy) acknowledgeNagFinding(policy, `AwsSolutions-IAM5[${finding}]`, reason);
  };
  for (const fn of [f.preflight, f.database, f.compute, f.verify, f.traffic, f.entry]) {
    ack(
      fn.role,
      'Resource::*',
      'elasticloadbalancing:DescribeTargetHealth, autoscaling:DescribeAutoScalingGroups and DescribeScalingActivities, cloudwatch:GetMetricData, ' +
        "cloudwatch:PutMetricData (limited to the traffic-gate namespace by a condition) and X-Ray's PutTraceSegments/PutTelemetryRecords support no resource-level permissions; every other call is scoped to this strategy's ARNs.",
    );
  }
  ack(f.notify.role, 'Resource::*', "X-Ray's PutTraceSegments and PutTelemetryRecords (active tracing) support no resource-level permissions.");
  const asgArn = (region: string, name: string): string => `arn:${stack.partition}:autoscaling:${region}:${stack.account}:autoScalingGroup:*:autoScalingGroupName/${name}`;
  ack(f.compute.role, `Resource::${asgArn(c.compute.target.region, c.compute.target.asgName)}`, 'An Auto Scaling group ARN carries a generated id; the group is pinned by its name, the only stable part.');
  ack(f.database.role, `Resource::${asgArn(c.compute.source.region, c.compute.source.asgName)}`, "The source's group, pinned by its name (its ARN carries a generated id): stopped before a promotion that leaves its database writable.");
  if (c.database.kind === 'aurora-global') {
    ack(
      f.database.role,
      `Resource::arn:${stack.partition}:rds:${c.targetRegion}:${stack.account}:db:*`,
      "DescribeDBInstances filtered by the target cluster: its instances' names are generated, so only db:* in this Region and account can match them; it only reads.",
    );
  }
  ack(f.notify.role, 'Action::kms:GenerateDataKey*', "Publishing to the KMS-encrypted notification topic needs kms:GenerateDataKey* on that topic's key only (aws-cdk-lib's topic grant).");
  ack(
    f.entry.role,
    `Resource::arn:${stack.partition}:states:${stack.region}:${stack.account}:execution:${stateMachineName ?? `<${stack.getLogicalId(stateMachine.node.defaultChild as CfnElement)}.Name>`}:*`,
    "DescribeExecution of this state machine's executions (by requestId), whose names are only known at run time.",
  );
  for (const fn of Object.values(f)) {
    if (fn === f.entry) continue;
    ack(stateMachine.role, `Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*`, "Step Functions' Lambda integration grant covers the function's versions and aliases (aws-cdk-lib's LambdaInvoke).");
  }
  ack(
    stateMachine.role,
    'Resource::*',
    'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules/Targets) and CloudWatch Logs delivery (logs:CreateLogDelivery and friends) support no resource-level permissions.',
  );
}
