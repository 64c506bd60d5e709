// The reference app's stateful and decoupling tiers: sessions, global tables, replicated
// buckets, a queue between two services, CDN origin failover (the warm standby and the
// active-active strategies, and the ResilienceRef web stacks).
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import {
  ActiveActive,
  CacheAuthMode,
  DecoupledQueue,
  EdgeFailover,
  EdgeOrigin,
  GlobalTable,
  GlobalTableReplicaKey,
  ReplicaBucket,
  ReplicatedBucket,
  SessionCache,
  WarmStandby,
} from '../lib';
import { bundledLambdaCode } from '../lib/core/lambda-code';
import type { ReferenceWebStack } from './reference-web-stack';

/** A queue between the web tier (producer) and an order consumer (Lambda), in the primary web stack. */
export function addReferenceQueue(stack: ReferenceWebStack): DecoupledQueue {
  const logGroup = new logs.LogGroup(stack, 'OrderConsumerLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
  const role = new iam.Role(stack, 'OrderConsumerRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'Reference order consumer' });
  logGroup.grantWrite(role);
  const consumer = new lambda.Function(stack, 'OrderConsumer', {
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    code: bundledLambdaCode('order-consumer'),
    role,
    logGroup,
    timeout: Duration.seconds(20),
    memorySize: 256,
  });
  const queue = new DecoupledQueue(stack, 'OrderQueue', { queueName: 'resilience-ref-orders', consumer: { lambda: { function: consumer, maxConcurrency: 10 } }, alarmTopic: stack.alarmTopic });
  queue.grantSend(stack.web.instanceRole);
  return queue;
}

/** The active-active strategy's sessions: a global table, its us-west-2 key in a stack deployed first. */
export function addReferenceGlobalTable(app: App, strategy: ActiveActive): { table: GlobalTable; recoveryData: Stack } {
  const recoveryData = recoveryDataStack(app, 'RefActiveActive-RecoveryData', strategy.recoveryStack, 'cdk-resilience active-active ref-active: recovery-Region keys the primary stack needs first');
  const tableName = 'ref-active-sessions';
  const key = new GlobalTableReplicaKey(recoveryData, 'SessionsKey', { tableName });
  const table = new GlobalTable(strategy.primaryStack, 'Sessions', {
    tableName,
    partitionKey: { name: 'sessionId', type: dynamodb.AttributeType.STRING },
    replicas: [{ region: strategy.recoveryStack.region, key }],
    alarmTopic: strategy.primary.topic,
  });
  table.grantReadWriteData(strategy.primary.web.instanceRole);
  const recovery = strategy.recoveryStack;
  GlobalTable.grantReplicaReadWriteData(strategy.recovery.web.instanceRole, tableName, recovery.region, recovery.account);
  // Active-active writes in both Regions: watch the replica's direction too.
  GlobalTable.addReplicaLatencyAlarm(recovery, 'SessionsReplicationLatency', { tableName, toRegion: strategy.primaryStack.region, alarmTopic: strategy.recovery.topic });
  return { table, recoveryData };
}

/**
 * A stack in a strategy's recovery Region for what the primary stack needs to exist first
 * (replica keys, replication destinations): the strategy's recovery stack depends on the
 * primary, so these cannot live there.
 */
export function recoveryDataStack(app: App, id: string, recovery: Stack, description: string): Stack {
  const existing = app.node.tryFindChild(id) as Stack | undefined;
  return existing ?? new Stack(app, id, { env: { account: recovery.account, region: recovery.region }, description });
}

/**
 * The warm standby's state: sessions in a SessionCache with a global datastore to the
 * recovery Region, and user uploads in a ReplicatedBucket (S3 RTC) whose replica lives in
 * a recovery-Region data stack deployed first.
 */
export function addReferenceWarmState(app: App, strategy: WarmStandby): { cache: SessionCache; bucket: ReplicatedBucket; recoveryData: Stack } {
  const p = strategy.primary;
  const r = strategy.recovery;
  const cache = new SessionCache(p.stack, 'Sessions', {
    vpc: p.network.vpc,
    allowFrom: [p.web.asg],
    auth: { mode: CacheAuthMode.AUTH_TOKEN },
    replicationGroupId: 'ref-warm-sessions',
    globalDatastoreIdSuffix: 'ref-warm-sessions',
    alarmTopic: p.topic,
  });
  cache.addSecondary(r.stack, 'Sessions', { vpc: r.network.vpc, allowFrom: [r.web.asg], alarmTopic: r.topic });

  const recoveryData = recoveryDataStack(app, 'RefWarmStandby-RecoveryData', r.stack, 'cdk-resilience warm-standby ref-warm: recovery-Region replication destinations the primary stack needs first');
  const replica = new ReplicaBucket(recoveryData, 'UploadsReplica', { bucketNamePrefix: 'ref-warm-uploads' });
  const bucket = new ReplicatedBucket(p.stack, 'Uploads', { bucketNamePrefix: 'ref-warm-uploads', destination: replica, notificationTopic: p.topic });
  return { cache, bucket, recoveryData };
}

/**
 * The active-active's CDN: CloudFront in front of both Regions' load balancers (by their
 * regional names), failing over request by request.
 */
export function addReferenceEdge(strategy: ActiveActive, certificateArn: string): EdgeFailover {
  const stack = strategy.primaryStack;
  const [east, west] = [strategy.primary.record.regionalDomainName!, strategy.recovery.record.regionalDomainName!];
  return new EdgeFailover(stack, 'Edge', {
    primary: EdgeOrigin.loadBalancer(east, { region: stack.region }),
    secondary: EdgeOrigin.loadBalancer(west, { region: strategy.recoveryStack.region }),
    domainNames: [`edge.${strategy.primary.record.domainName}`],
    certificate: acm.Certificate.fromCertificateArn(stack, 'EdgeCertificate', certificateArn),
  });
}
