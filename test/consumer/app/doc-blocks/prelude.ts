/**
 * What a documentation fragment may assume: the names a block's marker lists
 * (`<!-- fragment: stack, web -->` on the line before the block) come from here. Each is
 * built on first use, in one fresh app per block, the way a user's app would have it.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlarmTopic, Database, DatabaseEngine, DatabaseKind, MultiAzVpc, RunbookConfig, WarmStandby, WebTier } from 'cdk-resilience';

const ACCOUNT = '111111111111';
const EAST = { account: ACCOUNT, region: 'us-east-1' };
const WEST = { account: ACCOUNT, region: 'us-west-2' };
const EAST_AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const WEST_AZS = ['us-west-2a', 'us-west-2b', 'us-west-2c'];

/** A value made once, on first read. */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

export function prelude() {
  const app = new App();
  const stack = once(() => new Stack(app, 'DocShop', { env: EAST }));
  const primaryStack = once(() => new Stack(app, 'DocPrimary', { env: EAST }));
  const recoveryStack = once(() => new Stack(app, 'DocRecovery', { env: WEST }));
  const network = once(() => new MultiAzVpc(stack(), 'PreludeNetwork', { availabilityZones: EAST_AZS }));
  const primaryVpc = once(() => new MultiAzVpc(primaryStack(), 'PreludeNetwork', { availabilityZones: EAST_AZS, cidr: '10.10.0.0/16' }).vpc);
  const recoveryVpc = once(() => new MultiAzVpc(recoveryStack(), 'PreludeNetwork', { availabilityZones: WEST_AZS, cidr: '10.20.0.0/16' }).vpc);
  const web = once(() => new WebTier(stack(), 'PreludeWeb', { vpc: network().vpc, capacity: { min: 4, max: 12 } }));
  const fn = (id: string) => new lambda.Function(stack(), id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};') });
  const names = {
    app,
    account: ACCOUNT,
    zone: { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com' },
    get stack() { return stack(); },
    get primaryStack() { return primaryStack(); },
    get recoveryStack() { return recoveryStack(); },
    get edgeStack() { return edge(); },
    get network() { return network(); },
    get primaryVpc() { return primaryVpc(); },
    get recoveryVpc() { return recoveryVpc(); },
    get web() { return web(); },
    get webTier() { return web(); },
    get primaryWeb() { return primaryWeb(); },
    get recoveryWeb() { return recoveryWeb(); },
    get database() { return database(); },
    get alarmTopic() { return topic('PreludeAlarmTopic'); },
    get pagerTopic() { return topic('PreludePager'); },
    get notifyTopic() { return topic('PreludeNotify'); },
    get recoveryTopic() { return recoveryTopic(); },
    get alarms() { return alarms(); },
    get userData() { return ec2.UserData.forLinux(); },
    get certificate() { return acm.Certificate.fromCertificateArn(stack(), 'PreludeCert', `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`); },
    get fulfil() { return fn('PreludeFulfil'); },
    get api() { return { handler: fn('PreludeApiHandler') }; },
    get dashboard() { return new cloudwatch.Dashboard(stack(), 'PreludeDashboard'); },
    get warmStandby() { return warmStandby(); },
    /** A runbook's configuration is built by its strategy; blocks that take one are compile-only. */
    get config(): RunbookConfig { throw new Error('config: a compile-only name'); },
  };
  const edge = once(() => new Stack(app, 'DocEdge', { env: EAST }));
  const primaryWeb = once(() => new WebTier(primaryStack(), 'PreludeWeb', { vpc: primaryVpc(), capacity: { min: 4, max: 12 } }));
  const recoveryWeb = once(() => new WebTier(recoveryStack(), 'PreludeWeb', { vpc: recoveryVpc(), capacity: { min: 4, max: 12 } }));
  const database = once(() => new Database(stack(), 'PreludeDatabase', { kind: DatabaseKind.AURORA, engine: DatabaseEngine.auroraPostgres('16.4'), vpc: network().vpc, allowFrom: [web().asg] }));
  const topics = new Map<string, sns.Topic>();
  const topic = (id: string) => topics.get(id) ?? topics.set(id, new sns.Topic(stack(), id, { enforceSSL: true })).get(id)!;
  const recoveryTopic = once(() => new sns.Topic(recoveryStack(), 'PreludeRecoveryTopic', { enforceSSL: true }));
  const alarms = once(() => new AlarmTopic(stack(), 'PreludeAlarms'));
  const warmStandby = once(
    () =>
      new WarmStandby(app, 'DocWarm', {
        name: 'docwarm',
        primary: { env: EAST, availabilityZones: EAST_AZS, cidr: '10.30.0.0/16' },
        recovery: { env: WEST, availabilityZones: WEST_AZS, cidr: '10.40.0.0/16' },
        domain: { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com', recordName: 'docwarm', nameServers: ['ns-1.awsdns-01.org'] },
        web: { capacity: { min: 4, max: 12 } },
        database: { engine: DatabaseEngine.auroraPostgres('16.4') },
        rto: Duration.minutes(15),
        rpo: Duration.seconds(30),
      }),
  );
  return names;
}

export type Prelude = ReturnType<typeof prelude>;
