import { OPERATION_DURATION_SOURCES } from '../../lib/assessment/operation-durations';
import { Duration, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import {
  AWS_FIGURES,
  AWS_SLAS,
  BACKUP_AND_COPY_ASSUMPTION,
  BackupCopyVault,
  Database,
  DatabaseEngine,
  DatabaseKind,
  estimateTiers,
  GlobalTable,
  longestCronGapSeconds,
  MultiAzVpc,
  ResilientBackup,
  ResilientBackupProps,
  spareAzs,
  WebTier,
  WebTierProps,
  webTierAvailability,
  PilotLight,
  WarmStandby,
} from '../../lib';
import { strategyProps } from '../dr/stacks';
import { newApp, newStack, TEST_AZS } from '../helpers/app';

function web(props: Partial<WebTierProps> = {}, azs = TEST_AZS): WebTier {
  const stack = newStack();
  return new WebTier(stack, 'Web', { vpcProps: { availabilityZones: azs }, capacity: { min: 4, max: 12 }, ...props });
}

function database(kind: DatabaseKind, extra: { readers?: number } = {}): Database {
  const stack = newStack();
  const network = new MultiAzVpc(stack, 'Net', { availabilityZones: TEST_AZS });
  const engine = kind === DatabaseKind.AURORA ? DatabaseEngine.auroraPostgres('16.4') : DatabaseEngine.postgres('16.4');
  return new Database(stack, 'Db', { kind, engine, vpc: network.vpc, ...extra });
}

function backupPlan(props: Partial<ResilientBackupProps> = {}, copy = true): ResilientBackup {
  const app = newApp();
  const recovery = new Stack(app, 'Recovery', { env: { account: '111111111111', region: 'us-west-2' } });
  const primary = new Stack(app, 'Primary', { env: { account: '111111111111', region: 'us-east-1' } });
  const vault = new BackupCopyVault(recovery, 'CopyVault', { vaultName: 'dr' });
  return new ResilientBackup(primary, 'Backup', { resources: [backup.BackupResource.fromArn('arn:aws:rds:us-east-1:111111111111:cluster:shop')], copyTo: copy ? vault : undefined, ...props });
}

describe('web tier: loss of one AZ', () => {
  test('hand-computed: statically stable (4 declared, 2 per AZ in 3 AZs) = detection 10 s x 2 + capacity 0 = 20 s', () => {
    const [e] = estimateTiers(web());
    expect(e.tier).toBe('web');
    expect(e.rto!.seconds).toBe(20);
    expect(e.rto!.terms.map((t) => [t.name, t.seconds])).toEqual([['detection', 20], ['capacity', 0]]);
    expect(e.rto!.terms[1].formula).toMatch(/statically stable: the other 2 AZs keep 4 instances/);
    expect(e.rpo).toBeUndefined();
  });

  test('hand-computed: no reserve (4 over 3 AZs, 2 left after a loss) = 30 s x 3 + 180 s launch = 270 s', () => {
    const [e] = estimateTiers(web({ reserveForAzLoss: false, healthCheck: { interval: Duration.seconds(30), unhealthyThresholdCount: 3 } }));
    expect(e.rto!.terms.map((t) => [t.name, t.seconds])).toEqual([['detection', 90], ['capacity', 180]]);
    expect(e.rto!.seconds).toBe(270);
    // Worst case: the launch's worst case (300 s), from the one duration table.
    expect(e.rto!.worstSeconds).toBe(90 + OPERATION_DURATION_SOURCES.instanceToHealthy.worstSeconds);
    expect(e.rto!.terms[1].formula).toMatch(/set reserveForAzLoss/);
  });
});

describe('database: loss of the writer or its AZ', () => {
  test.each([
    [DatabaseKind.MULTI_AZ_INSTANCE, {}, 60, 120, /synchronous standby/],
    [DatabaseKind.MULTI_AZ_CLUSTER, {}, 35, 35, /semi-synchronous/],
    [DatabaseKind.AURORA, {}, 30, 60, /4 of 6 copies/],
    [DatabaseKind.AURORA, { readers: 0 }, 600, 600, /4 of 6 copies/],
  ] as const)('%s %j: RTO %d s typical, %d s worst, RPO 0', (kind, extra, rto, worst, formula) => {
    const e = estimateTiers(database(kind, extra)).find((t) => t.tier === 'database')!;
    expect([e.rto!.seconds, e.rto!.worstSeconds]).toEqual([rto, worst]);
    expect(e.rpo).toMatchObject({ seconds: 0, bounded: true });
    expect(e.rpo!.formula).toMatch(formula);
  });
});

describe('strategy data tiers: loss of the Region', () => {
  test('a global database and its primary cluster each get an estimate; the global one loses its lag', () => {
    const s = new WarmStandby(newApp(), 'Ws', strategyProps('ws'));
    const tiers = estimateTiers(s.node.scope!);
    const g = tiers.find((t) => t.tier === 'global-database')!;
    // The same two figures as the strategy estimate and the simulator: the one duration table.
    expect(g.rto).toMatchObject({ seconds: OPERATION_DURATION_SOURCES.globalFailover.seconds, worstSeconds: OPERATION_DURATION_SOURCES.globalFailover.worstSeconds });
    expect([g.rto!.seconds, g.rto!.worstSeconds]).toEqual([AWS_FIGURES.auroraGlobalSecondaryPromotion.typicalSeconds, AWS_FIGURES.auroraGlobalSecondaryPromotion.seconds]);
    expect(g.rpo).toMatchObject({ seconds: 1, bounded: false });
    expect(tiers.filter((t) => t.tier === 'web')).toHaveLength(2);
    expect(tiers.filter((t) => t.tier === 'database').map((t) => t.path)).toEqual(['Ws-Primary/Database/Primary']);
  });

  test('an RDS replica loses up to its lag alarm threshold', () => {
    const s = new PilotLight(newApp(), 'Pl', strategyProps('pl', { database: { engine: DatabaseEngine.postgres('16.4') } }));
    const r = estimateTiers(s.node.scope!).find((t) => t.tier === 'replica')!;
    expect(r.rto).toMatchObject({ seconds: OPERATION_DURATION_SOURCES.replicaPromotion.seconds, worstSeconds: OPERATION_DURATION_SOURCES.replicaPromotion.worstSeconds });
    expect(r.rpo!.bounded).toBe(false);
    expect(r.rpo!.formula).toMatch(/ReplicaLag alarm/);
  });
});

describe('global table: loss of a Region', () => {
  test('nothing to promote (RTO 0 for the data), RPO the typical replication latency, not bounded', () => {
    const app = newApp();
    const stack = new Stack(app, 'P', { env: { account: '111111111111', region: 'us-east-1' } });
    new GlobalTable(stack, 'Sessions', { tableName: 'sessions', partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, replicas: [{ region: 'us-west-2' }] });
    const [e] = estimateTiers(stack);
    expect(e).toMatchObject({ tier: 'global-table', failure: 'loss of a Region', rto: { seconds: 0 }, rpo: { seconds: 1, bounded: false }, experiments: [] });
    expect(e.rpo!.source).toBe(AWS_FIGURES.dynamoGlobalTableReplication.source);
  });
});

describe('backup-only RPO: backup frequency plus copy time', () => {
  test('hand-computed: the default daily and weekly rules at 05:00 = 86400 s between backups + 28800 s start window + 3600 s copy = 118800 s', () => {
    const [e] = estimateTiers(backupPlan());
    expect(e.failure).toBe('loss of the Region (restore from the copy in us-west-2)');
    expect(e.rpo).toMatchObject({ seconds: 86_400 + 28_800 + BACKUP_AND_COPY_ASSUMPTION.seconds, bounded: true });
    expect(e.rpo!.formula).toContain('start window 28800 s');
    expect(e.rpo!.source).toContain(BACKUP_AND_COPY_ASSUMPTION.source);
    expect(e.rto).toBeUndefined();
    expect(e.note).toMatch(/restore drill/);
  });

  test('hand-computed: hourly backups with a measured 20-minute copy = 3600 + 28800 + 1200 = 33600 s', () => {
    const [e] = estimateTiers(backupPlan({ rules: [{ name: 'Hourly', schedule: events.Schedule.cron({ minute: '15' }), retention: Duration.days(7) }] }), { backupAndCopy: Duration.minutes(20) });
    expect(e.rpo!.seconds).toBe(33_600);
  });

  test('without a cross-Region copy a Region loss loses the backups: no RPO', () => {
    const [e] = estimateTiers(backupPlan({}, false));
    expect(e.rpo).toBeUndefined();
    expect(e.note).toMatch(/pass copyTo/);
  });

  test('continuous backup adds an in-Region point-in-time estimate of 300 s', () => {
    const tiers = estimateTiers(backupPlan({ continuousBackup: true }));
    expect(tiers.map((t) => t.rpo?.seconds)).toEqual([300, 118_800]);
    expect(tiers[0].rpo!.source).toBe(AWS_FIGURES.pointInTimeRestoreLag.source);
  });
});

describe('longest interval between cron runs', () => {
  test.each([
    [['cron(0 5 * * ? *)'], 86_400],
    [['cron(0 * * * ? *)'], 3_600],
    [['cron(0 5,17 * * ? *)'], 43_200],
    [['cron(0 1,2,23 * * ? *)'], 21 * 3_600],
    [['cron(0 5 ? * MON-FRI *)'], 3 * 86_400],
    [['cron(0 5 ? * 2-6 *)'], 3 * 86_400],
    [['cron(0 5 ? * SUN *)', 'cron(0 5 ? * WED *)'], 4 * 86_400],
    [['cron(0 0 1 * ? *)'], 31 * 86_400],
    [['cron(0 */6 * * ? *)'], 21_600],
  ])('%j: %d s', (expressions, seconds) => {
    expect(longestCronGapSeconds(expressions)).toBe(seconds);
  });

  test.each([['cron(0 5 L * ? *)'], ['rate(1 hour)'], ['cron(0 5 * *)'], ['cron(0 5 ? * MON#1 *)']])('%s is not evaluated: undefined, never a guess', (expression) => {
    expect(longestCronGapSeconds([expression])).toBeUndefined();
  });
});

describe('compute availability: AZs with spare capacity, as in the AWS guidance', () => {
  const a = AWS_SLAS.ec2Instance.availability;

  test('two AZs with N+1 (2 declared, 2 per AZ): 1 - (1 - 0.995)^2 = 0.999975, capped at the Region-level 0.9999', () => {
    const w = web({ capacity: { min: 2, max: 6 } }, TEST_AZS.slice(0, 2));
    expect(spareAzs(w)).toBe(1);
    const e = webTierAvailability(w);
    expect(e.availability).toBe(0.9999);
    expect(1 - (1 - a) ** 2).toBeCloseTo(0.999975, 9);
    expect(e.service).toContain('A_ec2 = min(1 - C(2,2) x (1 - 0.995)^2, 0.9999)');
    expect(e.service).toContain('N+1');
  });

  test('two AZs without a spare (2 declared, 1 per AZ): 1 - 2 x 0.005 = 0.99', () => {
    const w = web({ capacity: { min: 2, max: 6 }, reserveForAzLoss: false }, TEST_AZS.slice(0, 2));
    expect(spareAzs(w)).toBe(0);
    expect(webTierAvailability(w).availability).toBeCloseTo(0.99, 12);
  });

  test('three AZs without a spare: 1 - 3 x 0.005 = 0.985; with a spare AZ: capped 0.9999', () => {
    expect(webTierAvailability(web({ capacity: { min: 3, max: 12 }, reserveForAzLoss: false })).availability).toBeCloseTo(0.985, 12);
    expect(webTierAvailability(web({ capacity: { min: 3, max: 12 } })).availability).toBe(0.9999);
  });

  test('one declared instance over three AZs spares two AZs (3 instances, 1 left after losing two)', () => {
    expect(spareAzs(web({ capacity: { min: 1, max: 6 } }))).toBe(2);
  });
});
