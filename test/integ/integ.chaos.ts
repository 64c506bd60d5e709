/**
 * Integration test (npx integ-runner; docs/integ.md): a WebTier running the reference
 * application, an InstanceTerminationScenario against it and a Drill of that experiment,
 * deployed for real with credentials (`npm run integ:deploy`), then asserted: the drill's
 * steady-state check is steady, and the drill itself, run once (it terminates a third of the
 * instances through FIS, measures the recovery against a 10-minute RTO, and reports), succeeds.
 * This one assertion changes something: it is the experiment the drill exists for, against the
 * test's own instances. Without credentials integ-runner only synthesizes this and compares the
 * committed snapshot.
 */
import { Duration } from 'aws-cdk-lib';
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { referenceAppUserData } from '../../bin/reference-user-data';
import { AlarmTopic, Drill, InstanceTerminationScenario, WebTier } from '../../lib';
import { singleRegionInteg } from './integ-app';
import { DRILL_BASELINE, DRILL_STEADY } from './strategy-integ';

const { stack, network, region, integ } = singleRegionInteg('Chaos', '10.86.0.0/16');
const web = new WebTier(stack, 'Web', {
  vpc: network.vpc,
  capacity: { min: 3, max: 9 },
  userData: referenceAppUserData({ region, database: { hostname: '', port: 5432 } }),
  deletionProtection: false,
  rollingUpdate: { waitForSignals: true },
});
const alerts = new AlarmTopic(stack, 'Alerts', { topicName: 'integ-chaos-alerts' });
const terminate = new InstanceTerminationScenario(stack, 'Terminate', { web, percentage: 33 });
const drill = new Drill(stack, 'TerminateDrill', { experiment: terminate.experiment, web, rto: Duration.minutes(10), alarmTopic: alerts.topic, pollInterval: Duration.seconds(30), maxDuration: Duration.minutes(40) });

const steady = integ.assertions
  .invokeFunction({ functionName: drill.function.functionName, payload: JSON.stringify(DRILL_BASELINE) })
  .expect(ExpectedResult.objectLike({ StatusCode: 200, Payload: Match.stringLikeRegexp(DRILL_STEADY) }))
  .waitForAssertions({ totalTimeout: Duration.minutes(20), interval: Duration.seconds(60) });
const start = integ.assertions.awsApiCall('StepFunctions', 'startExecution', { stateMachineArn: drill.stateMachine.stateMachineArn });
start.node.addDependency(steady);
// Only the status comes back (the execution's input and output would approach the 4 KB a custom
// resource may return).
integ.assertions
  .awsApiCall('StepFunctions', 'describeExecution', { executionArn: start.getAttString('executionArn') })
  .assertAtPath('status', ExpectedResult.stringLikeRegexp('^SUCCEEDED$'))
  .waitForAssertions({ totalTimeout: Duration.minutes(45), interval: Duration.seconds(60) });
