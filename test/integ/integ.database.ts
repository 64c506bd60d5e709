/**
 * Integration test (npx integ-runner; docs/integ.md): a MultiAzVpc and two Database kinds, an
 * Aurora cluster (a writer and a reader in another AZ) and an RDS Multi-AZ instance, deployed
 * for real with credentials (`npm run integ:deploy`), then asserted, read-only: each is
 * available, Multi-AZ, encrypted, with IAM authentication and its backups, and the Aurora
 * cluster's three instances are available, one in each AZ. Without credentials integ-runner only
 * synthesizes this and compares the committed snapshot.
 */
import { Duration } from 'aws-cdk-lib';
import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import { REFERENCE_ENGINE_VERSIONS } from '../../bin/engine-versions';
import { Database, DatabaseEngine, DatabaseKind } from '../../lib';
import { assertAtPaths, FieldAssertions } from './assert-at-paths';
import { singleRegionInteg } from './integ-app';

const { stack, network, azs, integ } = singleRegionInteg('Database', '10.88.0.0/16');
// A test deployment: nothing to keep when it is destroyed (a final snapshot is still taken).
const aurora = new Database(stack, 'Aurora', { kind: DatabaseKind.AURORA, engine: DatabaseEngine.auroraPostgres(REFERENCE_ENGINE_VERSIONS.auroraPostgres), vpc: network.vpc, deletionProtection: false });
const instance = new Database(stack, 'Instance', { kind: DatabaseKind.MULTI_AZ_INSTANCE, engine: DatabaseEngine.postgres(REFERENCE_ENGINE_VERSIONS.postgres), vpc: network.vpc, deletionProtection: false });

/** What both kinds must show, at a path of their answer: Multi-AZ, encrypted, deletable here, IAM auth, 7 days of backups. */
const expectedOfEvery = (at: string): FieldAssertions => [
  [`${at}.MultiAZ`, ExpectedResult.exact(true)],
  [`${at}.StorageEncrypted`, ExpectedResult.exact(true)],
  [`${at}.DeletionProtection`, ExpectedResult.exact(false)],
  [`${at}.IAMDatabaseAuthenticationEnabled`, ExpectedResult.exact(true)],
  [`${at}.BackupRetentionPeriod`, ExpectedResult.exact(7)],
];
// One field per call (test/integ/assert-at-paths.ts): a whole DescribeDB* answer is over the
// 4 KB a custom resource may return.
assertAtPaths(integ, 'RDS', 'describeDBClusters', { DBClusterIdentifier: aurora.identifier }, [
  ['DBClusters.0.Status', ExpectedResult.stringLikeRegexp('^available$')],
  ...expectedOfEvery('DBClusters.0'),
], { totalTimeout: Duration.minutes(30), interval: Duration.seconds(60) });
// Its three instances, each available, in the AZs given (the order of the answer is not
// specified: each instance is read by its own identifier).
(aurora.cluster!.instanceIdentifiers).forEach((id, i) => {
  assertAtPaths(integ, 'RDS', 'describeDBInstances', { DBInstanceIdentifier: id }, [
    ['DBInstances.0.DBInstanceStatus', ExpectedResult.stringLikeRegexp('^available$')],
    ['DBInstances.0.AvailabilityZone', ExpectedResult.stringLikeRegexp(`^${azs[i]}$`)],
  ], { totalTimeout: Duration.minutes(30), interval: Duration.seconds(60) });
});
assertAtPaths(integ, 'RDS', 'describeDBInstances', { DBInstanceIdentifier: instance.identifier }, [
  ['DBInstances.0.DBInstanceStatus', ExpectedResult.stringLikeRegexp('^available$')],
  ...expectedOfEvery('DBInstances.0'),
  ['DBInstances.0.PubliclyAccessible', ExpectedResult.exact(false)],
], { totalTimeout: Duration.minutes(45), interval: Duration.seconds(60) });
