/**
 * The reference app: one deployment of each capability, in two Regions, with fixed
 * example accounts and AZs so `npx cdk synth` needs no AWS credentials and no lookups.
 *
 * Override the example values with context, e.g.
 *   npx cdk synth -c account=123456789012 -c certificateArn.us-east-1=arn:aws:acm:...
 */
import { Annotations, App, Duration, Lazy, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import {
  ActiveActive,
  AzNetworkDisruptionScenario,
  AzPowerInterruptionScenario,
  CrossRegionConnectivityScenario,
  DatabaseFailoverScenario,
  InstanceTerminationScenario,
  NagPackOnScope,
  ActiveActiveRecords,
  BackupCopyVault,
  CrossRegionReadReplica,
  Database,
  DatabaseEngine,
  DatabaseKind,
  DrStrategy,
  DrStrategyProps,
  enforceObjectives,
  FailoverRecords,
  FailoverRole,
  GlobalDatabase,
  HostedZoneReference,
  PilotLight,
  RecordEndpoint,
  ResilientBackup,
  renderTradeoffTable,
  reportSummary,
  resilienceReport,
  writeResilienceReport,
  RoutingControls,
  RoutingPolicy,
  Tenant,
  TenantApi,
  WebTierWebAcl,
  Sli,
  Slo,
  TenantOnboarding,
  TenantTier,
  WarmStandby,
  WarningId,
  warningId,
} from '../lib';
import { addReferenceEdge, addReferenceGlobalTable, addReferenceQueue, addReferenceWarmState } from './reference-state';
import { ALARM_TOPIC_NAME, EXAMPLE_ACCOUNT, EXAMPLE_ZONE, REFERENCE_REGIONS, ReferenceWebStack } from './reference-web-stack';
import { REFERENCE_ENGINE_VERSIONS } from './engine-versions';
import { referenceAppUserData } from './reference-user-data';

export { ALARM_TOPIC_NAME, EXAMPLE_ACCOUNT, EXAMPLE_ZONE, REFERENCE_REGIONS, ReferenceWebStack } from './reference-web-stack';
export type { ReferenceRegion, ReferenceWebStackProps } from './reference-web-stack';

/** The data tier of the reference app, spanning both Regions. */
export interface ReferenceData {
  /** Aurora PostgreSQL global database: primary in us-east-1, secondary in us-west-2. */
  readonly orders: GlobalDatabase;
  /** A Multi-AZ RDS PostgreSQL instance in the primary Region. */
  readonly ledger: Database;
  /** Its cross-Region read replica in the recovery Region (pilot light). */
  readonly ledgerReplica: CrossRegionReadReplica;
  /** AWS Backup in the primary Region, copying to the recovery Region's vault. */
  readonly backup: ResilientBackup;
  /** The recovery Region's copy vault. */
  readonly copyVault: BackupCopyVault;
}

/** Add the data tier to the two Regions' stacks. */
export function addReferenceData(primary: ReferenceWebStack, recovery: ReferenceWebStack): ReferenceData {
  const orders = new GlobalDatabase(primary, 'Orders', {
    globalClusterIdentifier: 'resilience-ref-orders',
    engine: DatabaseEngine.auroraPostgres(REFERENCE_ENGINE_VERSIONS.auroraPostgres),
    primary: { vpc: primary.network.vpc, allowFrom: [primary.web.asg], databaseName: 'orders' },
    managedRpo: Duration.seconds(30),
    alarmTopic: recovery.alarmTopic,
  });
  orders.addSecondary(recovery, 'OrdersSecondary', { vpc: recovery.network.vpc, allowFrom: [recovery.web.asg] });

  const ledger = new Database(primary, 'Ledger', {
    kind: DatabaseKind.MULTI_AZ_INSTANCE,
    engine: DatabaseEngine.postgres(REFERENCE_ENGINE_VERSIONS.postgres),
    vpc: primary.network.vpc,
    identifier: 'resilience-ref-ledger',
    databaseName: 'ledger',
    allowFrom: [primary.web.asg],
  });
  const ledgerReplica = new CrossRegionReadReplica(recovery, 'LedgerReplica', {
    source: ledger,
    vpc: recovery.network.vpc,
    allowFrom: [recovery.web.asg],
    alarmTopic: recovery.alarmTopic,
  });

  // A pilot-light replica runs single-AZ on purpose; say so instead of hiding the warning.
  Annotations.of(ledgerReplica).acknowledgeWarning(
    warningId(WarningId.NO_DATABASE_REPLICA),
    'Pilot light: the ledger replica stays single-AZ to keep the recovery Region cheap; the failover runbook converts it to Multi-AZ after promotion.',
  );

  const copyVault = new BackupCopyVault(recovery, 'BackupCopy', { vaultName: 'resilience-ref-copies' });
  const resilientBackup = new ResilientBackup(primary, 'Backup', {
    resources: [backup.BackupResource.fromArn(orders.primaryClusterArn), backup.BackupResource.fromArn(ledger.arn)],
    copyTo: copyVault,
  });
  return { orders, ledger, ledgerReplica, backup: resilientBackup, copyVault };
}

/** The chaos experiments of the reference app. */
export interface ReferenceChaos {
  readonly terminateInstances: InstanceTerminationScenario;
  readonly azNetwork: AzNetworkDisruptionScenario;
  readonly azPower: AzPowerInterruptionScenario;
  readonly ledgerFailover: DatabaseFailoverScenario;
  readonly crossRegion: CrossRegionConnectivityScenario;
}

/** FIS experiment templates on the reference tiers, each stopped by its web tier's 5xx alarm. */
export function addReferenceChaos(primary: ReferenceWebStack, recovery: ReferenceWebStack, data: ReferenceData): ReferenceChaos {
  const [azA, azB] = REFERENCE_REGIONS.primary.availabilityZones;
  return {
    terminateInstances: new InstanceTerminationScenario(primary, 'ChaosTerminate', { web: primary.web, percentage: 33 }),
    azNetwork: new AzNetworkDisruptionScenario(primary, 'ChaosAzNetwork', { web: primary.web, availabilityZone: azB }),
    azPower: new AzPowerInterruptionScenario(primary, 'ChaosAzPower', { web: primary.web, database: data.orders.primary, availabilityZone: azA }),
    ledgerFailover: new DatabaseFailoverScenario(primary, 'ChaosLedgerFailover', { database: data.ledger, web: primary.web }),
    // The recovery Region must keep serving while it cannot reach the primary Region.
    crossRegion: new CrossRegionConnectivityScenario(recovery, 'ChaosCrossRegion', { web: recovery.web, region: primary.region }),
  };
}

/** The traffic tier of the reference app. */
export interface ReferenceRouting {
  /** Warm standby: `shop` answers from us-east-1 and fails over to us-west-2. */
  readonly shop: FailoverRecords;
  /** Active-active: `api` answers from the lowest-latency healthy Region. */
  readonly api: ActiveActiveRecords;
  /** ARC routing controls (in the us-west-2 stack) gating `app` over the shop Regions. */
  readonly routingControls: RoutingControls;
}

/** Add DNS failover, latency routing and routing controls to the two Regions' stacks. */
export function addReferenceRouting(primary: ReferenceWebStack, recovery: ReferenceWebStack, zone: HostedZoneReference): ReferenceRouting {
  // Route 53 health-check alarms live in us-east-1; the recovery stack names that Region's topic by ARN.
  const usEast1Topic = `arn:aws:sns:us-east-1:${primary.account}:${ALARM_TOPIC_NAME}`;
  const shop = new FailoverRecords(primary, 'ShopDns', {
    zone,
    recordName: 'shop',
    primary: { endpoint: RecordEndpoint.loadBalancer(primary.web.alb), healthCheck: { alarmTopic: primary.alarmTopic } },
  });
  shop.addSecondary(recovery, 'ShopDns', { endpoint: RecordEndpoint.loadBalancer(recovery.web.alb), healthCheck: { alarmTopicArn: usEast1Topic } });

  const api = new ActiveActiveRecords(primary, 'ApiDns', { zone, recordName: 'api' });
  api.addRegion(primary, 'ApiDnsRegion', { endpoint: RecordEndpoint.loadBalancer(primary.web.alb), healthCheck: { alarmTopic: primary.alarmTopic } });
  api.addRegion(recovery, 'ApiDnsRegion', { endpoint: RecordEndpoint.loadBalancer(recovery.web.alb), healthCheck: { alarmTopicArn: usEast1Topic } });

  const routingControls = new RoutingControls(recovery, 'RoutingControls', {
    name: 'resilience-ref',
    regions: [primary.region, recovery.region],
  });
  routingControls.addGatedRecords('AppDns', {
    zone,
    recordName: 'app',
    policy: RoutingPolicy.FAILOVER,
    targets: [
      { regionalRecord: shop.primary, failoverRole: FailoverRole.PRIMARY },
      { regionalRecord: shop.secondary!, failoverRole: FailoverRole.SECONDARY },
    ],
  });
  return { shop, api, routingControls };
}

/** A boolean context value (`-c name=false` arrives as the string "false"), or undefined. */
function contextFlag(app: App, name: string): boolean | undefined {
  const v = app.node.tryGetContext(name) as unknown;
  return v === true || v === 'true' ? true : v === false || v === 'false' ? false : undefined;
}

/**
 * `-c deletionProtection=false`: the databases of a trial strategy are not deletion-protected,
 * on purpose; each AwsSolutions-RDS10 finding is acknowledged with that reason.
 */
function acknowledgeTrialDeletion(strategy: DrStrategy): void {
  for (const stack of [strategy.primaryStack, strategy.recoveryStack]) {
    for (const c of stack.node.findAll()) {
      if (c instanceof rds.CfnDBCluster || (c instanceof rds.CfnDBInstance && c.dbClusterIdentifier === undefined)) {
        Validations.of(c).acknowledge({ id: 'AwsSolutions-RDS10', reason: 'a trial deployment (-c deletionProtection=false) that cdk destroy must remove whole; a final snapshot is still taken' });
      }
    }
  }
}

/** The three DR strategies of the reference app, each in its own pair of stacks. */
export interface ReferenceStrategies {
  readonly pilotLight: PilotLight;
  readonly warmStandby: WarmStandby;
  readonly activeActive: ActiveActive;
}

/** Deploy the three strategies, with disjoint CIDRs and their own names. */
export function addReferenceStrategies(app: App, account: string, zone: HostedZoneReference, parts: ReadonlySet<ReferencePart> = new Set(REFERENCE_PARTS)): Partial<ReferenceStrategies> {
  const { primary, recovery } = REFERENCE_REGIONS;
  const trial = contextFlag(app, 'deletionProtection') === false;
  const base = (name: string, octet: number): DrStrategyProps => ({
    name,
    primary: { env: { account, region: primary.region }, availabilityZones: primary.availabilityZones, cidr: `10.${octet}.0.0/16`, certificateArn: referenceCertificateArn(app, account, primary.region) },
    recovery: { env: { account, region: recovery.region }, availabilityZones: recovery.availabilityZones, cidr: `10.${octet + 1}.0.0/16`, certificateArn: referenceCertificateArn(app, account, recovery.region) },
    domain: { ...zone, recordName: name },
    // A tiny real application (bin/reference-user-data.ts): /health, and a page that reads the Region's database.
    // A deploy waits for each new instance to answer /health (its user data's last check), so an application that does not come up fails it.
    web: { capacity: { min: 4, max: 12 }, userData: referenceAppUserData, rollingUpdate: { waitForSignals: true } },
    database: { engine: DatabaseEngine.auroraPostgres(REFERENCE_ENGINE_VERSIONS.auroraPostgres) },
    rto: Duration.minutes(15),
    rpo: Duration.seconds(30),
    // `-c reservedConcurrency=false` for an account whose Lambda concurrency quota is small (new
    // accounts may have 10): Lambda refuses a reservation that leaves fewer than 100 unreserved.
    reservedConcurrency: app.node.tryGetContext('reservedConcurrency') === 'false' || app.node.tryGetContext('reservedConcurrency') === false ? false : undefined,
    // `-c deletionProtection=false` for a trial that `cdk destroy` removes whole.
    deletionProtection: trial ? false : undefined,
  });
  // Targets the worst case meets (enforceObjectives warns when only the typical case does):
  // a person decides (5 min), and Aurora's promotion may take 8 min (AWS says under 1 min; one
  // public measurement of a full Region failover took 8). Writes in active-active wait for the
  // same promotion; its reads move on health checks alone (see docs/assessment.md).
  // Every database bounds its RPO with a managed RPO of 20 s (Aurora blocks commits rather than
  // lag more): 20 s is Aurora's minimum, so no RPO target below it can be met.
  const bounded = { engine: DatabaseEngine.auroraPostgres(REFERENCE_ENGINE_VERSIONS.auroraPostgres), managedRpo: Duration.seconds(20) };
  // Every reference failover is started by a person (no autoFailover): a trial deployment whose
  // instances do not serve yet would otherwise fail its writer over, with data loss, on its own.
  const activeActive = parts.has('active-active')
    ? new ActiveActive(app, 'RefActiveActive', {
        ...base('ref-active', 120),
        // CloudFront (addReferenceEdge) fronts this pair with its managed rules; the load
        // balancers' own names stay public (the latency records), so they carry a regional web ACL.
        // No rate rule per IP there: behind CloudFront the source address is an edge server's,
        // shared by many viewers (the edge web ACL limits each viewer).
        web: { ...base('ref-active', 120).web, webAcl: WebTierWebAcl.managedRules({ rateLimitPerIp: false }) },
        database: bounded,
        rto: Duration.minutes(18),
        trafficRto: Duration.minutes(2),
        rpo: Duration.seconds(20),
      })
    : undefined;
  if (activeActive) addReferenceTenants(activeActive);
  const pilotLight = parts.has('pilot-light') ? new PilotLight(app, 'RefPilotLight', { ...base('ref-pilot', 100), database: bounded, rto: Duration.minutes(30), rpo: Duration.minutes(5) }) : undefined;
  const warmStandby = parts.has('warm-standby') ? new WarmStandby(app, 'RefWarmStandby', { ...base('ref-warm', 110), database: bounded, rto: Duration.minutes(18), rpo: Duration.seconds(30) }) : undefined;
  // One failover drill per strategy, in its recovery Region, held to its declared RTO.
  for (const strategy of [pilotLight, warmStandby, activeActive]) strategy?.addFailoverDrill();
  if (trial) for (const strategy of [pilotLight, warmStandby, activeActive]) if (strategy) acknowledgeTrialDeletion(strategy);
  return { pilotLight, warmStandby, activeActive };
}

/**
 * The parts of the reference app, each deployable alone: `blocks` (the building-block stacks
 * ResilienceRef-*: web tiers, databases, routing, ARC, chaos, a queue) and one per strategy.
 */
export const REFERENCE_PARTS = ['blocks', 'active-active', 'pilot-light', 'warm-standby'] as const;
/** One part of the reference app. */
export type ReferencePart = (typeof REFERENCE_PARTS)[number];

/**
 * The parts `-c deploy=<part>[,<part>...]` selects (default: all). One strategy alone fits a
 * default-quota account; the whole app needs the quota increases README.md names.
 */
export function referenceParts(app: App): Set<ReferencePart> {
  const given = app.node.tryGetContext('deploy') as string | undefined;
  if (given === undefined || given === 'all') return new Set(REFERENCE_PARTS);
  const parts = given.split(',').map((p) => p.trim());
  const unknown = parts.filter((p) => !(REFERENCE_PARTS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`-c deploy=${given}: unknown part(s) ${unknown.join(', ')}; use all, or any of ${REFERENCE_PARTS.join(', ')}, comma-separated`);
  return new Set(parts as ReferencePart[]);
}

/** The multi-tenant API of the reference app: 3 tiers and a handful of tenants in both Regions of the active-active pair. */
export function addReferenceTenants(strategy: ActiveActive): { primary: TenantApi; recovery: TenantApi } {
  const tiers: TenantTier[] = [
    // Budgets: at 20 basic, 4 standard and 1 premium tenants the tiers draw 630 of the stage's
    // 1,000 rps, within the 800 the default 20 % headroom leaves (synth checks it).
    { name: 'basic', rateLimit: 10, burstLimit: 20, quota: { limit: 10_000, period: 'DAY' }, maxTenants: 20 },
    { name: 'standard', rateLimit: 50, burstLimit: 100, quota: { limit: 100_000, period: 'DAY' }, maxTenants: 4 },
    { name: 'premium', rateLimit: 200, burstLimit: 400, maxTenants: 1 },
  ];
  const tenants: Tenant[] = [
    { id: 'acme', tier: 'premium' },
    { id: 'globex', tier: 'standard' },
    { id: 'initech', tier: 'basic', sharedPlan: true },
    { id: 'umbrella', tier: 'basic', sharedPlan: true },
    { id: 'hooli', tier: 'standard', overrides: { rateLimit: 80, burstLimit: 160 } },
  ];
  const regions = strategy.regions;
  const primary = new TenantApi(strategy.primaryStack, 'TenantApi', { apiName: 'ref-tenants', tiers, tenants, alarmTopic: strategy.primary.topic });
  const recovery = new TenantApi(strategy.recoveryStack, 'TenantApi', { apiName: 'ref-tenants', tiers, tenants, keysFrom: primary, alarmTopic: strategy.recovery.topic });
  // The operators of the tenant API: one role (IAM is global), the only principal the
  // `POST /admin/tenants` route admits in either Region. The account's administrators assume it.
  const operatorRoleName = 'ref-tenants-operator';
  const operator = new iam.Role(strategy.primaryStack, 'TenantOperator', {
    roleName: operatorRoleName,
    assumedBy: new iam.AccountRootPrincipal(),
    description: 'Operates the tenants of ref-tenants (onboard, rotate, revoke, offboard)',
  });
  const onboarding = new TenantOnboarding(strategy.primaryStack, 'TenantOnboarding', { api: primary, regions, operators: [operator] });
  onboarding.grantOperate(operator);
  const operatorThere = iam.Role.fromRoleArn(strategy.recoveryStack, 'TenantOperator', strategy.recoveryStack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: operatorRoleName }));
  // Its permissions there are a policy of the recovery stack, which deploys after the role's.
  new TenantOnboarding(strategy.recoveryStack, 'TenantOnboarding', { api: recovery, regions, operators: [operatorThere] }).grantOperate(operatorThere);
  // The API is an entry tier too: an availability SLO per Region, on that Region's dashboard.
  for (const [api, site] of [[primary, strategy.primary], [recovery, strategy.recovery]] as const) {
    const slo = new Slo(site.stack, 'TenantApiSlo', { sli: Sli.tenantApiAvailability(api), objective: 99.9, page: { topic: site.topic }, name: `ref-tenants-${site.stack.region}-availability` });
    strategy.observability[site === strategy.primary ? 'primary' : 'recovery'].dashboard.addSlo(slo);
  }
  return { primary, recovery };
}

/** The ACM certificate of a Region: `-c certificateArn.<region>=arn:...`, or an example ARN. */
export function referenceCertificateArn(app: App, account: string, region: string): string {
  return (
    (app.node.tryGetContext(`certificateArn.${region}`) as string | undefined) ??
    `arn:aws:acm:${region}:${account}:certificate/00000000-0000-0000-0000-000000000000`
  );
}

/** Build the reference app's stacks into `app`. */
export function buildReferenceApp(app: App): ReferenceWebStack[] {
  const account = (app.node.tryGetContext('account') as string | undefined) ?? EXAMPLE_ACCOUNT;
  const { primary } = REFERENCE_REGIONS;
  const certificateArn = (region: string): string => referenceCertificateArn(app, account, region);

  const parts = referenceParts(app);
  const givenZone = app.node.tryGetContext('hostedZoneId') as string | undefined;
  const givenNameServers = app.node.tryGetContext('nameServers') as string | undefined;
  const zone: HostedZoneReference = {
    hostedZoneId: givenZone ?? EXAMPLE_ZONE.hostedZoneId,
    zoneName: (app.node.tryGetContext('zoneName') as string | undefined) ?? EXAMPLE_ZONE.zoneName,
    nameServers: givenNameServers ? givenNameServers.split(',').map((n) => n.trim()) : givenZone ? undefined : EXAMPLE_ZONE.nameServers,
  };
  const stacks = parts.has('blocks') ? buildReferenceBlocks(app, account, zone) : [];
  const strategies = addReferenceStrategies(app, account, zone, parts);
  if (strategies.activeActive) {
    addReferenceGlobalTable(app, strategies.activeActive);
    addReferenceEdge(strategies.activeActive, certificateArn(primary.region));
  }
  if (strategies.warmStandby) addReferenceWarmState(app, strategies.warmStandby);
  // A strategy whose estimated RTO or RPO misses its declared target fails synth.
  enforceObjectives(app);
  return stacks;
}

/** The building-block stacks (ResilienceRef-Primary and -Recovery) and what they hold. */
function buildReferenceBlocks(app: App, account: string, zone: HostedZoneReference): ReferenceWebStack[] {
  const { primary, recovery } = REFERENCE_REGIONS;
  const certificateArn = (region: string): string => referenceCertificateArn(app, account, region);
  // The application reads its Region's orders cluster, which is built after the web tiers.
  let data: ReferenceData | undefined;
  const ordersIn = (region: string) => (region === primary.region ? data!.orders.primary.endpoint : data!.orders.secondaries[0].endpoint);
  const userData = (region: string) =>
    referenceAppUserData({ region, database: { hostname: Lazy.string({ produce: () => ordersIn(region).hostname }), port: Lazy.number({ produce: () => ordersIn(region).port }) } });
  const stacks = [
    new ReferenceWebStack(app, 'ResilienceRef-Primary', {
      env: { account, region: primary.region },
      site: primary,
      peerCidr: recovery.cidr,
      certificateArn: certificateArn(primary.region),
      userData: userData(primary.region),
      description: 'cdk-resilience reference app: primary Region (web tier, Aurora global primary, Multi-AZ RDS, backups)',
    }),
    new ReferenceWebStack(app, 'ResilienceRef-Recovery', {
      env: { account, region: recovery.region },
      site: recovery,
      peerCidr: primary.cidr,
      certificateArn: certificateArn(recovery.region),
      userData: userData(recovery.region),
      description: 'cdk-resilience reference app: recovery Region (web tier, Aurora global secondary, read replica, backup copies)',
    }),
  ];
  data = addReferenceData(stacks[0], stacks[1]);
  addReferenceChaos(stacks[0], stacks[1], data);
  addReferenceRouting(stacks[0], stacks[1], zone);
  addReferenceQueue(stacks[0]);
  return stacks;
}

if (require.main === module) {
  const app = new App();
  buildReferenceApp(app);
  // Synth fails on any unacknowledged AwsSolutions finding.
  Validations.of(app).addPlugins(new NagPackOnScope(app, new AwsSolutionsChecks(app, { verbose: true })));
  const assembly = app.synth();
  // The resilience report goes into the cloud assembly; a summary goes to stderr.
  const report = resilienceReport(app);
  writeResilienceReport(report, assembly.directory);
  process.stderr.write(`Resilience report (${assembly.directory}/resilience-report.md):\n${reportSummary(report)}\n\n${renderTradeoffTable(report)}\n`);
}
