import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import {
  CrossRegionReadReplica,
  Database,
  DatabaseEngine,
  DatabaseKind,
  DatabaseProps,
  GlobalDatabase,
  GlobalDatabaseProps,
  GlobalDatabaseSecondaryOptions,
  MultiAzVpc,
  ResilienceError,
} from '../../lib';
import { newStack, RECOVERY_AZS, TEST_AZS, twoRegions, errorOf } from '../helpers/app';


function dbError(props: Partial<DatabaseProps>, azs: string[] = TEST_AZS): ResilienceError {
  const stack = newStack();
  const network = new MultiAzVpc(stack, 'Net', { availabilityZones: azs });
  return errorOf(
    () =>
      new Database(stack, 'Db', {
        kind: DatabaseKind.AURORA,
        engine: DatabaseEngine.auroraPostgres('16.4'),
        vpc: network.vpc,
        ...props,
      }),
  );
}

describe('Database rejects invalid props', () => {
  test.each<[string, Partial<DatabaseProps>, string, RegExp]>([
    ['an Aurora engine for a Multi-AZ instance', { kind: DatabaseKind.MULTI_AZ_INSTANCE }, 'DB_ENGINE_KIND', /engine: kind multi-az-instance runs RDS engines, not Aurora \(got: "aurora-postgresql 16.4"\)/],
    ['an RDS engine for Aurora', { engine: DatabaseEngine.postgres('16.4') }, 'DB_ENGINE_KIND', /the AURORA kind needs an Aurora engine/],
    ['PostgreSQL 12 as a Multi-AZ DB cluster', { kind: DatabaseKind.MULTI_AZ_CLUSTER, engine: DatabaseEngine.postgres('12.19') }, 'DB_ENGINE_KIND', /cannot run as a Multi-AZ DB cluster/],
    ['MySQL 8.0.27 as a Multi-AZ DB cluster', { kind: DatabaseKind.MULTI_AZ_CLUSTER, engine: DatabaseEngine.mysql('8.0.27') }, 'DB_ENGINE_KIND', /got: "mysql 8.0.27"/],
    ['a malformed version', { engine: DatabaseEngine.auroraMysql('3.05.2') }, 'DB_ENGINE_VERSION', /not a well-formed version/],
    ['a non-NVMe class for a Multi-AZ DB cluster', { kind: DatabaseKind.MULTI_AZ_CLUSTER, engine: DatabaseEngine.mysql('8.0.39'), instanceType: new ec2.InstanceType('m6g.large') }, 'DB_INSTANCE_CLASS', /local NVMe storage/],
    ['IOPS out of ratio', { kind: DatabaseKind.MULTI_AZ_CLUSTER, engine: DatabaseEngine.mysql('8.0.39'), iops: 6000 }, 'DB_STORAGE', /0.5-50 per GiB .* \(got: 6000\)/],
    ['backup retention under 1 day', { backupRetention: Duration.hours(12) }, 'DB_BACKUP_RETENTION', /backupRetention: must be a duration between 86400 s and 3024000 s \(got: "43200 s"\)/],
    ['backup retention over 35 days', { backupRetention: Duration.days(36) }, 'DB_BACKUP_RETENTION', /got: "3110400 s".*ResilientBackup/],
    ['readers on a Multi-AZ instance', { kind: DatabaseKind.MULTI_AZ_INSTANCE, engine: DatabaseEngine.postgres('16.4'), readers: 2 }, 'DB_READERS', /only Aurora takes readers/],
    ['16 Aurora readers', { readers: 16 }, 'DB_READERS', /readers: must be an integer between 0 and 15/],
    ['a storage size for Aurora', { allocatedStorageGiB: 100 }, 'DB_STORAGE', /Aurora storage grows automatically/],
    ['a 7 s monitoring interval', { monitoringInterval: Duration.seconds(7) }, 'DB_MONITORING_INTERVAL', /1, 5, 10, 15, 30 or 60 s/],
    ['a reserved user name', { masterUsername: 'postgres' }, 'DB_USERNAME', /reserved name/],
    ['an identifier with a double hyphen', { identifier: 'shop--db' }, 'DB_IDENTIFIER', /no "--"/],
    ['an identifier with capitals (RDS lowercases it)', { identifier: 'Orders-DB' }, 'DB_IDENTIFIER', /lowercase letters.*got: "Orders-DB"/],
    ['a 53-character Multi-AZ DB cluster identifier', { kind: DatabaseKind.MULTI_AZ_CLUSTER, engine: DatabaseEngine.mysql('8.0.39'), identifier: 'a'.repeat(53) }, 'DB_IDENTIFIER', /1-52 lowercase/],
    ['the default 1000 IOPS for 3000 GiB', { kind: DatabaseKind.MULTI_AZ_CLUSTER, engine: DatabaseEngine.mysql('8.0.39'), allocatedStorageGiB: 3000 }, 'DB_STORAGE', /iops \(default 1000\): io1 IOPS must be 0.5-50 per GiB/],
    ['an autoscaling ceiling over 65536 GiB', { kind: DatabaseKind.MULTI_AZ_INSTANCE, engine: DatabaseEngine.postgres('16.4'), maxAllocatedStorageGiB: 70000 }, 'DB_STORAGE', /above allocatedStorageGiB 100 and at most 65536/],
    ['an autoscaling ceiling equal to the storage', { kind: DatabaseKind.MULTI_AZ_INSTANCE, engine: DatabaseEngine.postgres('16.4'), maxAllocatedStorageGiB: 100 }, 'DB_STORAGE', /got: 100/],
    ['a secret replica in its own Region', { secretReplicaRegions: ['us-east-1'] }, 'DB_SECRET_REPLICA_REGION', /the database's own Region/],
  ])('%s', (_name, props, code, message) => {
    const err = dbError(props);
    expect(err.codes).toContain(code);
    expect(err.message).toMatch(message);
    expect(err.constructPath).toBe('Test/Db');
  });

  test('fewer than 2 AZs', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'OneAz', {
      availabilityZones: ['us-east-1a'],
      subnetConfiguration: [
        { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      ],
    });
    const err = errorOf(() => new Database(stack, 'Db', { kind: DatabaseKind.MULTI_AZ_INSTANCE, engine: DatabaseEngine.postgres('16.4'), vpc }));
    expect(err.codes).toEqual(['DB_TOO_FEW_AZS']);
    expect(err.message).toMatch(/a standby must live in another AZ than the primary: it needs isolated subnets in at least 2 AZs \(got: \["us-east-1a"\]\)/);
  });

  test('a Multi-AZ DB cluster in 2 AZs', () => {
    const err = dbError({ kind: DatabaseKind.MULTI_AZ_CLUSTER, engine: DatabaseEngine.postgres('16.4') }, TEST_AZS.slice(0, 2));
    expect(err.codes).toEqual(['DB_TOO_FEW_AZS']);
    expect(err.message).toMatch(/three AZs: it needs isolated subnets in at least 3 AZs/);
  });

  test('rotation needs a network path to Secrets Manager', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'NoEgress', {
      availabilityZones: TEST_AZS,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const err = errorOf(() => new Database(stack, 'Db', { kind: DatabaseKind.AURORA, engine: DatabaseEngine.auroraPostgres('16.4'), vpc }));
    expect(err.codes).toEqual(['DB_ROTATION_NETWORK']);
    expect(() => new Database(stack, 'Db2', { kind: DatabaseKind.AURORA, engine: DatabaseEngine.auroraPostgres('16.4'), vpc, rotation: { enabled: false } })).not.toThrow();
  });

  test('all problems at once', () => {
    const err = dbError({ readers: 20, backupRetention: Duration.days(40), port: 80 });
    expect(err.codes.sort()).toEqual(['DB_BACKUP_RETENTION', 'DB_PORT', 'DB_READERS']);
  });
});

function globalError(props: Partial<GlobalDatabaseProps> | ((vpc: ec2.IVpc) => Partial<GlobalDatabaseProps>), secondary?: Partial<GlobalDatabaseSecondaryOptions> & { sameRegion?: boolean }): ResilienceError {
  const { app, primary, recovery } = twoRegions();
  const pNet = new MultiAzVpc(primary, 'Net', { availabilityZones: TEST_AZS });
  return errorOf(() => {
    const g = new GlobalDatabase(primary, 'Orders', {
      globalClusterIdentifier: 'shop-orders',
      engine: DatabaseEngine.auroraPostgres('16.4'),
      primary: { vpc: pNet.vpc },
      ...(typeof props === 'function' ? props(pNet.vpc) : props),
    });
    if (secondary) {
      const target = secondary.sameRegion ? new Stack(app, 'SameRegion', { env: { account: '111111111111', region: 'us-east-1' } }) : recovery;
      const net = new MultiAzVpc(target, 'Net', { availabilityZones: secondary.sameRegion ? TEST_AZS : RECOVERY_AZS });
      const { sameRegion: _ignored, ...options } = secondary;
      g.addSecondary(target, 'Secondary', { vpc: net.vpc, ...options });
    }
  });
}

describe('GlobalDatabase rejects invalid props', () => {
  test.each<[string, Partial<GlobalDatabaseProps> | ((vpc: ec2.IVpc) => Partial<GlobalDatabaseProps>), (Partial<GlobalDatabaseSecondaryOptions> & { sameRegion?: boolean }) | undefined, string, RegExp]>([
    ['an RDS engine', { engine: DatabaseEngine.postgres('16.4') }, undefined, 'GDB_ENGINE', /only Aurora engines can be global databases/],
    ['an Aurora PostgreSQL version that cannot be global', { engine: DatabaseEngine.auroraPostgres('12.4') }, undefined, 'GDB_ENGINE', /cannot be a global database .*\(got: "aurora-postgresql 12.4"\)/],
    ['Aurora MySQL 2.06', { engine: DatabaseEngine.auroraMysql('5.7.mysql_aurora.2.06.0') }, undefined, 'GDB_ENGINE', /cannot be a global database/],
    ['no primary at all', { primary: undefined }, undefined, 'GDB_PRIMARY_CONFLICT', /neither primary nor existingPrimary/],
    ['managed RPO on Aurora MySQL', { engine: DatabaseEngine.auroraMysql('8.0.mysql_aurora.3.05.2'), managedRpo: Duration.seconds(30) }, undefined, 'GDB_MANAGED_RPO', /only for Aurora PostgreSQL/],
    ['a managed RPO under 20 s', { managedRpo: Duration.seconds(10) }, undefined, 'GDB_MANAGED_RPO', /at least Duration.seconds\(20\)/],
    ['a burstable primary instance class', (vpc) => ({ primary: { vpc, instanceType: new ec2.InstanceType('t4g.medium') } }), undefined, 'GDB_INSTANCE_CLASS', /primary.instanceType: Aurora global databases require a memory-optimized/],
    ['an identifier with an underscore', { globalClusterIdentifier: 'shop_orders' }, undefined, 'GDB_IDENTIFIER', /got: "shop_orders"/],
    ['backup retention over 35 days', { backupRetention: Duration.days(60) }, undefined, 'GDB_BACKUP_RETENTION', /between 86400 s and 3024000 s/],
    ['a secondary in the primary Region', {}, { sameRegion: true }, 'GDB_SECONDARY_REGION', /a secondary in the primary Region is not disaster recovery: .*\(got: "us-east-1"\)/],
    ['a secondary given credentials', {}, { masterUsername: 'dbadmin' }, 'GDB_SECONDARY_CREDENTIALS', /inherits users and passwords from the primary.*#29880/],
    ['a headless secondary with readers', {}, { headless: true, readers: 1 }, 'GDB_HEADLESS', /cannot have readers/],
    ['a t3 secondary', {}, { instanceType: new ec2.InstanceType('t3.medium') }, 'GDB_INSTANCE_CLASS', /memory-optimized instance class/],
  ])('%s', (_name, props, secondary, code, message) => {
    const err = globalError(props, secondary);
    expect(err.codes).toContain(code);
    expect(err.message).toMatch(message);
  });

  test('both an existing cluster and cluster props', () => {
    const { primary } = twoRegions();
    const net = new MultiAzVpc(primary, 'Net', { availabilityZones: TEST_AZS });
    const existing = new Database(primary, 'Db', { kind: DatabaseKind.AURORA, engine: DatabaseEngine.auroraPostgres('16.4'), vpc: net.vpc, identifier: 'orders-us-east-1' });
    const err = errorOf(
      () =>
        new GlobalDatabase(primary, 'Orders', {
          globalClusterIdentifier: 'orders',
          engine: DatabaseEngine.auroraPostgres('16.4'),
          existingPrimary: existing,
          primary: { vpc: net.vpc },
        }),
    );
    expect(err.codes).toEqual(['GDB_PRIMARY_CONFLICT']);
    expect(err.message).toMatch(/an existing primary cluster and props to build one were both given.*Fix: pass existingPrimary .* or primary .*, not both/);
  });

  test('an existing primary without identifier, of another kind and engine', () => {
    const { primary } = twoRegions();
    const net = new MultiAzVpc(primary, 'Net', { availabilityZones: TEST_AZS });
    const existing = new Database(primary, 'Db', { kind: DatabaseKind.MULTI_AZ_INSTANCE, engine: DatabaseEngine.postgres('16.4'), vpc: net.vpc });
    const err = errorOf(
      () => new GlobalDatabase(primary, 'Orders', { globalClusterIdentifier: 'orders', engine: DatabaseEngine.auroraPostgres('16.4'), existingPrimary: existing }),
    );
    expect(err.codes).toEqual(['GDB_PRIMARY_CONFLICT', 'GDB_PRIMARY_CONFLICT', 'GDB_ENGINE']);
  });

  test('managed RPO with an existing primary', () => {
    const { primary } = twoRegions();
    const net = new MultiAzVpc(primary, 'Net', { availabilityZones: TEST_AZS });
    const existing = new Database(primary, 'Db', { kind: DatabaseKind.AURORA, engine: DatabaseEngine.auroraPostgres('16.4'), vpc: net.vpc, identifier: 'orders-us-east-1' });
    const err = errorOf(
      () => new GlobalDatabase(primary, 'Orders', { globalClusterIdentifier: 'orders', engine: DatabaseEngine.auroraPostgres('16.4'), existingPrimary: existing, managedRpo: Duration.seconds(30) }),
    );
    expect(err.codes).toEqual(['GDB_MANAGED_RPO']);
    expect(err.message).toMatch(/rds.global_db_rpo/);
  });

  test('a secondary in another account', () => {
    const { app, primary } = twoRegions();
    const net = new MultiAzVpc(primary, 'Net', { availabilityZones: TEST_AZS });
    const other = new Stack(app, 'OtherAccount', { env: { account: '222222222222', region: 'us-west-2' } });
    const otherNet = new MultiAzVpc(other, 'Net', { availabilityZones: RECOVERY_AZS });
    const g = new GlobalDatabase(primary, 'Orders', { globalClusterIdentifier: 'orders', engine: DatabaseEngine.auroraPostgres('16.4'), primary: { vpc: net.vpc } });
    const err = errorOf(() => g.addSecondary(other, 'Secondary', { vpc: otherNet.vpc }));
    expect(err.codes).toEqual(['GDB_SECONDARY_ACCOUNT']);
    expect(g.secondaries).toHaveLength(0);
  });

  test('two secondaries in one Region', () => {
    const { primary, recovery } = twoRegions();
    const net = new MultiAzVpc(primary, 'Net', { availabilityZones: TEST_AZS });
    const rNet = new MultiAzVpc(recovery, 'Net', { availabilityZones: RECOVERY_AZS });
    const g = new GlobalDatabase(primary, 'Orders', { globalClusterIdentifier: 'orders', engine: DatabaseEngine.auroraPostgres('16.4'), primary: { vpc: net.vpc } });
    g.addSecondary(recovery, 'One', { vpc: rNet.vpc });
    expect(errorOf(() => g.addSecondary(recovery, 'Two', { vpc: rNet.vpc })).message).toMatch(/already has a secondary in this Region/);
  });
});

describe('CrossRegionReadReplica rejects invalid props', () => {
  function replicaError(opts: { sameRegion?: boolean; kind?: DatabaseKind; identifier?: string | null }): ResilienceError {
    const { app, primary, recovery } = twoRegions();
    const pNet = new MultiAzVpc(primary, 'Net', { availabilityZones: TEST_AZS });
    const kind = opts.kind ?? DatabaseKind.MULTI_AZ_INSTANCE;
    const source = new Database(primary, 'Src', {
      kind,
      engine: kind === DatabaseKind.AURORA ? DatabaseEngine.auroraPostgres('16.4') : DatabaseEngine.postgres('16.4'),
      vpc: pNet.vpc,
      identifier: opts.identifier === null ? undefined : (opts.identifier ?? 'src-db'),
    });
    const target = opts.sameRegion ? new Stack(app, 'Same', { env: { account: '111111111111', region: 'us-east-1' } }) : recovery;
    const net = new MultiAzVpc(target, 'Net', { availabilityZones: opts.sameRegion ? TEST_AZS : RECOVERY_AZS });
    return errorOf(() => new CrossRegionReadReplica(target, 'Replica', { source, vpc: net.vpc }));
  }

  test.each<[string, Parameters<typeof replicaError>[0], string, RegExp]>([
    ['replica Region equal to source Region', { sameRegion: true }, 'REPLICA_SAME_REGION', /same Region as its source, .*\(got: "us-east-1"\)/],
    ['an Aurora source', { kind: DatabaseKind.AURORA }, 'REPLICA_SOURCE_KIND', /for RDS DB instances.*GlobalDatabase/],
    ['a source without identifier', { identifier: null }, 'REPLICA_SOURCE_IDENTIFIER', /no physical identifier/],
    ['a replica identifier over 63 characters', { identifier: `src-${'x'.repeat(52)}` }, 'REPLICA_IDENTIFIER', /1-63 lowercase/],
  ])('%s', (_name, opts, code, message) => {
    const err = replicaError(opts);
    expect(err.codes).toContain(code);
    expect(err.message).toMatch(message);
  });
});
