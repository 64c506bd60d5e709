/**
 * Integration test (npx integ-runner; docs/integ.md): a MultiAzVpc and a WebTier running the
 * reference application, deployed for real with credentials (`npm run integ:deploy`), then
 * asserted: every target healthy behind the load balancer, and `/health` answering 200 through
 * it. Without credentials integ-runner only synthesizes this and compares the committed snapshot.
 */
import { Duration } from 'aws-cdk-lib';
import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import { referenceAppUserData } from '../../bin/reference-user-data';
import { WebTier } from '../../lib';
import { singleRegionInteg } from './integ-app';

const { stack, network, region, integ } = singleRegionInteg('WebTier', '10.90.0.0/16');
const web = new WebTier(stack, 'Web', {
  vpc: network.vpc,
  capacity: { min: 3, max: 8 },
  userData: referenceAppUserData({ region, database: { hostname: '', port: 5432 } }),
  // A test deployment: nothing to keep when it is destroyed.
  deletionProtection: false,
  // The deploy waits for every instance's user data, which ends once /health answers.
  rollingUpdate: { waitForSignals: true },
});

integ.assertions
  .awsApiCall('ElasticLoadBalancingV2', 'describeTargetHealth', { TargetGroupArn: web.targetGroup.targetGroupArn })
  .expect(ExpectedResult.objectLike({ TargetHealthDescriptions: [{ TargetHealth: { State: 'healthy' } }, { TargetHealth: { State: 'healthy' } }, { TargetHealth: { State: 'healthy' } }, { TargetHealth: { State: 'healthy' } }, { TargetHealth: { State: 'healthy' } }, { TargetHealth: { State: 'healthy' } }] }))
  .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) });
integ.assertions
  .httpApiCall(`http://${web.alb.loadBalancerDnsName}/health`)
  .expect(ExpectedResult.objectLike({ status: 200, body: 'ok\n' }))
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) });
