/**
 * Integration test (npx integ-runner; docs/integ.md): a MultiAzVpc and two Database kinds, an
 * Aurora cluster (a writer and a reader in another AZ) and an RDS Multi-AZ instance, deployed
 * for real with credentials (`npm run integ:deploy`), then asserted, read-only: each is
 * available, Multi-AZ, encrypted, with IAM authentication and its backups, and the Aurora
 * cluster's three instances are available, one in each AZ. Without credentials integ-runner only
 * synthesizes this and compares the committed snapshot.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { REFERENCE_ENGINE_VERSIONS } from '../../bin/engine-versions';
import { Database, DatabaseEngine, DatabaseKind, MultiAzVpc } from '../../lib';
import { setStackAvailabilityZones } from '../../lib/core/availability-zones';
import { assertAtPaths } from './assert-at-paths';

const account = process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111';
// integ-runner sets CDK_DEFAULT_REGION (a placeholder when it only synthesizes); a deploy takes the profile's.
const region = process.env.CDK_DEFAULT_REGION ?? 'us-east-1';
const azs = ['a', 'b', 'c'].map((z) => `${region}${z}`);

const app = new App();
const stack = new Stack(app, 'IntegDatabase', { env: { account, region } });
setStackAvailabilityZones(stack, 'availabilityZones', stack, azs);
const network = new MultiAzVpc(stack, 'Network', { availabilityZones: azs, cidr: '10.88.0.0/16' });
// A test deployment: nothing to keep when it is destroyed (a final snapshot is still taken).
const aurora = new Database(stack, 'Aurora', { kind: DatabaseKind.AURORA, engine: DatabaseEngine.auroraPostgres(REFERENCE_ENGINE_VERSIONS.auroraPostgres), vpc: network.vpc, deletionProtection: false });
const instance = new Database(stack, 'Instance', { kind: DatabaseKind.MULTI_AZ_INSTANCE, engine: DatabaseEngine.postgres(REFERENCE_ENGINE_VERSIONS.postgres), vpc: network.vpc, deletionProtection: false });

const assertionStack = new Stack(app, 'IntegDatabaseAssertions', { env: { account, region } });
const integ = new IntegTest(app, 'DatabaseInteg', { testCases: [stack], assertionStack, diffAssets: false, cdkCommandOptions: { destroy: { args: { force: true } } } });
// One field per call (test/integ/assert-at-paths.ts): a whole DescribeDB* answer is over the
// 4 KB a custom resource may return.
assertAtPaths(integ, 'RDS', 'describeDBClusters', { DBClusterIdentifier: aurora.identifier }, [
  ['DBClusters.0.Status', ExpectedResult.stringLikeRegexp('^available$')],
  ['DBClusters.0.MultiAZ', ExpectedResult.exact(true)],
  ['DBClusters.0.StorageEncrypted', ExpectedResult.exact(true)],
  ['DBClusters.0.DeletionProtection', ExpectedResult.exact(false)],
  ['DBClusters.0.IAMDatabaseAuthenticationEnabled', ExpectedResult.exact(true)],
  ['DBClusters.0.BackupRetentionPeriod', ExpectedResult.exact(7)],
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
  ['DBInstances.0.MultiAZ', ExpectedResult.exact(true)],
  ['DBInstances.0.StorageEncrypted', ExpectedResult.exact(true)],
  ['DBInstances.0.DeletionProtection', ExpectedResult.exact(false)],
  ['DBInstances.0.IAMDatabaseAuthenticationEnabled', ExpectedResult.exact(true)],
  ['DBInstances.0.PubliclyAccessible', ExpectedResult.exact(false)],
  ['DBInstances.0.BackupRetentionPeriod', ExpectedResult.exact(7)],
], { totalTimeout: Duration.minutes(45), interval: Duration.seconds(60) });
