/**
 * A user's app, written only against the installed package (`cdk-resilience` from the
 * tarball): a WebTier in a stack of its own, every DR strategy, a TenantApi and an
 * Experiment. No feature flags, no cdk.context.json: explicit AZs only.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import {
  ActiveActive,
  DatabaseEngine,
  DrStrategyProps,
  Experiment,
  ExperimentTarget,
  FisResourceType,
  PilotLight,
  SelectionMode,
  StopInstances,
  TenantApi,
  TenantOnboarding,
  Wait,
  WarmStandby,
  WebTier,
} from 'cdk-resilience';

export const ACCOUNT = '123456789012';
const NAME_SERVERS = ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.co.uk', 'ns-3.awsdns-03.com', 'ns-4.awsdns-04.net'];

function strategy(name: string, octet: number): DrStrategyProps {
  return {
    name,
    primary: { env: { account: ACCOUNT, region: 'us-east-1' }, availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], cidr: `10.${octet}.0.0/16` },
    recovery: { env: { account: ACCOUNT, region: 'us-west-2' }, availabilityZones: ['us-west-2a', 'us-west-2b', 'us-west-2c'], cidr: `10.${octet + 1}.0.0/16` },
    domain: { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com', recordName: name, nameServers: NAME_SERVERS },
    web: { capacity: { min: 4, max: 12 } },
    database: { engine: DatabaseEngine.auroraPostgres('16.4') },
    rto: Duration.minutes(15),
    rpo: Duration.seconds(30),
  };
}

export interface ConsumerApp {
  readonly web: WebTier;
  readonly webStack: Stack;
  readonly pilotLight: PilotLight;
  readonly warmStandby: WarmStandby;
  readonly activeActive: ActiveActive;
  readonly tenants: TenantApi;
  readonly experiment: Experiment;
}

export function buildConsumerApp(app: App): ConsumerApp {
  const webStack = new Stack(app, 'ConsumerWeb', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const web = new WebTier(webStack, 'Web', {
    vpcProps: { availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
    capacity: { min: 4, max: 12 },
    certificate: acm.Certificate.fromCertificateArn(webStack, 'Cert', `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`),
  });
  const experiment = new Experiment(webStack, 'StopTwo', {
    description: 'Two stopped instances do not raise the 5xx rate',
    actions: {
      stop: new StopInstances(ExperimentTarget.byTags(FisResourceType.EC2_INSTANCE, { app: 'shop' }, { selection: SelectionMode.count(2) }), {
        startInstancesAfter: Duration.minutes(15),
      }),
      settle: new Wait(Duration.minutes(5), { startAfter: ['stop'] }),
    },
    stopConditions: [web.alarms.serverErrorRate],
  });

  const pilotLight = new PilotLight(app, 'ConsumerPilot', strategy('pilot', 10));
  const warmStandby = new WarmStandby(app, 'ConsumerWarm', strategy('warm', 20));
  const activeActive = new ActiveActive(app, 'ConsumerActive', strategy('active', 30));

  const apiStack = new Stack(app, 'ConsumerTenants', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const tenants = new TenantApi(apiStack, 'Api', {
    apiName: 'orders',
    tiers: [
      { name: 'basic', rateLimit: 10, burstLimit: 20, quota: { limit: 10_000, period: 'DAY' }, maxTenants: 10 },
      { name: 'premium', rateLimit: 200, burstLimit: 400, maxTenants: 2 },
    ],
    tenants: [
      { id: 'acme', tier: 'premium' },
      { id: 'initech', tier: 'basic', sharedPlan: true },
    ],
  });
  const operator = new iam.Role(apiStack, 'TenantOperator', { assumedBy: new iam.AccountRootPrincipal() });
  new TenantOnboarding(apiStack, 'Onboarding', { api: tenants, operators: [operator] }).grantOperate(operator);
  return { web, webStack, pilotLight, warmStandby, activeActive, tenants, experiment };
}
