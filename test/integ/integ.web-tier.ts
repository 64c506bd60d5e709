/**
 * Integration test (npx integ-runner; docs/integ.md): a MultiAzVpc and a WebTier running the
 * reference application, deployed for real with credentials (`npm run integ:deploy`), then
 * asserted: every target healthy behind the load balancer, and `/health` answering 200 through
 * it. Without credentials integ-runner only synthesizes this and compares the committed snapshot.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { referenceAppUserData } from '../../bin/reference-user-data';
import { MultiAzVpc, WebTier } from '../../lib';
import { setStackAvailabilityZones } from '../../lib/core/availability-zones';

const account = process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111';
// integ-runner sets CDK_DEFAULT_REGION (a placeholder when it only synthesizes); a deploy takes the profile's.
const region = process.env.CDK_DEFAULT_REGION ?? 'us-east-1';
const azs = ['a', 'b', 'c'].map((z) => `${region}${z}`);

const app = new App();
const stack = new Stack(app, 'IntegWebTier', { env: { account, region } });
setStackAvailabilityZones(stack, 'availabilityZones', stack, azs);
const network = new MultiAzVpc(stack, 'Network', { availabilityZones: azs, cidr: '10.90.0.0/16' });
const web = new WebTier(stack, 'Web', {
  vpc: network.vpc,
  capacity: { min: 3, max: 8 },
  userData: referenceAppUserData({ region, database: { hostname: '', port: 5432 } }),
  // A test deployment: nothing to keep when it is destroyed.
  deletionProtection: false,
  // The deploy waits for every instance's user data, which ends once /health answers.
  rollingUpdate: { waitForSignals: true },
});

// The assertions run in a stack of the same account and Region (they read the test stack's resources).
const assertionStack = new Stack(app, 'IntegWebTierAssertions', { env: { account, region } });
const integ = new IntegTest(app, 'WebTierInteg', { testCases: [stack], assertionStack, diffAssets: false, cdkCommandOptions: { destroy: { args: { force: true } } } });
integ.assertions
  .awsApiCall('ElasticLoadBalancingV2', 'describeTargetHealth', { TargetGroupArn: web.targetGroup.targetGroupArn })
  .expect(ExpectedResult.objectLike({ TargetHealthDescriptions: [{ TargetHealth: { State: 'healthy' } }, { TargetHealth: { State: 'healthy' } }, { TargetHealth: { State: 'healthy' } }, { TargetHealth: { State: 'healthy' } }, { TargetHealth: { State: 'healthy' } }, { TargetHealth: { State: 'healthy' } }] }))
  .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) });
integ.assertions
  .httpApiCall(`http://${web.alb.loadBalancerDnsName}/health`)
  .expect(ExpectedResult.objectLike({ status: 200, body: 'ok\n' }))
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) });
