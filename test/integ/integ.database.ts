/**
 * Integration test (npx integ-runner; docs/integ.md): a MultiAzVpc and two Database kinds, an
 * Aurora cluster (a writer and a reader in another AZ) and an RDS Multi-AZ instance, deployed
 * for real with credentials (`npm run integ:deploy`), then asserted, read-only: each is
 * available, Multi-AZ, encrypted, with IAM authentication and its backups, and the Aurora
 * cluster has a writer and two readers, available, one in each AZ. Without credentials integ-runner only
 * synthesizes this and compares the committed snapshot.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { REFERENCE_ENGINE_VERSIONS } from '../../bin/engine-versions';
import { Database, DatabaseEngine, DatabaseKind, MultiAzVpc } from '../../lib';
import { setStackAvailabilityZones } from '../../lib/core/availability-zones';

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
integ.assertions
  .awsApiCall('RDS', 'describeDBClusters', { DBClusterIdentifier: aurora.identifier })
  .expect(ExpectedResult.objectLike({
    DBClusters: [Match.objectLike({
      Status: 'available',
      MultiAZ: true,
      StorageEncrypted: true,
      DeletionProtection: false,
      IAMDatabaseAuthenticationEnabled: true,
      BackupRetentionPeriod: 7,
      DBClusterMembers: Match.arrayWith([Match.objectLike({ IsClusterWriter: true })]),
    })],
  }))
  .waitForAssertions({ totalTimeout: Duration.minutes(30), interval: Duration.seconds(60) });
// Three instances, every one available; one in each AZ (one assertion per AZ: the order of the
// answer is not specified).
const members = { Filters: [{ Name: 'db-cluster-id', Values: [aurora.identifier] }] };
integ.assertions
  .awsApiCall('RDS', 'describeDBInstances', members)
  .expect(ExpectedResult.objectLike({ DBInstances: [0, 1, 2].map(() => Match.objectLike({ DBInstanceStatus: 'available' })) }))
  .waitForAssertions({ totalTimeout: Duration.minutes(30), interval: Duration.seconds(60) });
for (const az of azs) {
  integ.assertions
    .awsApiCall('RDS', 'describeDBInstances', members)
    .expect(ExpectedResult.objectLike({ DBInstances: Match.arrayWith([Match.objectLike({ AvailabilityZone: az })]) }));
}
integ.assertions
  .awsApiCall('RDS', 'describeDBInstances', { DBInstanceIdentifier: instance.identifier })
  .expect(ExpectedResult.objectLike({
    DBInstances: [Match.objectLike({
      DBInstanceStatus: 'available',
      MultiAZ: true,
      StorageEncrypted: true,
      DeletionProtection: false,
      IAMDatabaseAuthenticationEnabled: true,
      PubliclyAccessible: false,
      BackupRetentionPeriod: 7,
    })],
  }))
  .waitForAssertions({ totalTimeout: Duration.minutes(45), interval: Duration.seconds(60) });
