/**
 * What the strategy integration tests (integ.pilot-light.ts, integ.warm-standby.ts,
 * integ.active-active.ts) share: the props of a small strategy running the reference
 * application, and the assertions that run after a real deploy (docs/integ.md).
 *
 * A deploy needs a public hosted zone and, for HTTPS, an ACM certificate per Region for
 * `*.<zone>`: CDK_INTEG_ZONE_ID, CDK_INTEG_ZONE_NAME, CDK_INTEG_CERT_PRIMARY,
 * CDK_INTEG_CERT_RECOVERY. Without them the tests synthesize with placeholders (for the
 * snapshot) and serve HTTP.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { referenceAppUserData } from '../../bin/reference-user-data';
import { REFERENCE_ENGINE_VERSIONS } from '../../bin/engine-versions';
import { DatabaseEngine, DrStrategy, DrStrategyProps } from '../../lib';
import { assertAtPaths } from './assert-at-paths';
import { INTEG_TEST_OPTIONS } from './integ-app';

const env = process.env;
const account = env.CDK_DEFAULT_ACCOUNT ?? '111111111111';
/** The pair every strategy test deploys to. */
export const INTEG_REGIONS = { primary: 'us-east-1', recovery: 'us-west-2' } as const;
const azs = (r: string): string[] => ['a', 'b', 'c'].map((z) => `${r}${z}`);
const zoneId = env.CDK_INTEG_ZONE_ID ?? 'Z0123456789EXAMPLE';
const zoneName = env.CDK_INTEG_ZONE_NAME ?? 'example.com';

/**
 * A small strategy: 3 AZs, 3 to 8 instances a Region, the maintained Aurora
 * version with a managed RPO, the reference application, and no deletion protection (the
 * runner destroys what it deployed).
 */
export function integStrategyProps(name: string, octet: number, overrides: Partial<DrStrategyProps> = {}): DrStrategyProps {
  return {
    name,
    primary: { env: { account, region: INTEG_REGIONS.primary }, availabilityZones: azs(INTEG_REGIONS.primary), cidr: `10.${octet}.0.0/16`, certificateArn: env.CDK_INTEG_CERT_PRIMARY },
    recovery: { env: { account, region: INTEG_REGIONS.recovery }, availabilityZones: azs(INTEG_REGIONS.recovery), cidr: `10.${octet + 1}.0.0/16`, certificateArn: env.CDK_INTEG_CERT_RECOVERY },
    domain: {
      hostedZoneId: zoneId,
      zoneName,
      recordName: name,
      // Read at deploy (GetHostedZone) when a real zone is given; fixed for the snapshot otherwise.
      nameServers: env.CDK_INTEG_ZONE_ID ? undefined : ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.co.uk'],
    },
    web: { capacity: { min: 3, max: 8 }, userData: referenceAppUserData, rollingUpdate: { waitForSignals: true } },
    database: { engine: DatabaseEngine.auroraPostgres(REFERENCE_ENGINE_VERSIONS.auroraPostgres), managedRpo: Duration.seconds(20) },
    rto: Duration.minutes(30),
    rpo: Duration.seconds(30),
    deletionProtection: false,
    ...overrides,
  };
}

/** The request the runbook assertion sends: a plan of a planned switchover (changes nothing). */
export const PLAN_REQUEST = { action: 'plan', mode: 'planned', requestId: 'integ-plan', reason: 'integ-runner: the plan answers' } as const;
/** What its answer (the Lambda payload, compact JSON) must match: accepted, with steps, and no refusal anywhere. */
export const PLAN_ACCEPTED = '^(?!.*"refusal")(?=.*"steps":\\[").*"accepted":true';
/** The event the drill assertion sends: the steady-state check, which only reads. */
export const DRILL_BASELINE = { step: 'baseline' } as const;
/** What its answer must match: steady (every steady-state alarm OK). */
export const DRILL_STEADY = '"steady":true';

/** Which Region the public name should answer from once deployed. */
export type ExpectedServer = 'primary' | 'either';

/**
 * The IntegTest of a strategy, and its assertions, all read-only:
 *
 * - the Route 53 health check of each serving Region's endpoint is healthy (three of its
 *   checkers report success), so its record can take traffic;
 * - the failover runbook answers a `plan` with steps, accepted, and no refusal;
 * - the public name answers, through DNS and the load balancer, with the reference page of the
 *   expected Region (`primary`; `either` for latency records, which answer the Region nearest
 *   the asking Lambda);
 * - the failover drill's steady-state check (its `baseline` step, which only reads) is steady.
 *
 * The assertions live in a stack of their own in the recovery Region (the runbook and the drill
 * are there); a test stack holding them would change its snapshot on every run (their salt).
 * It reads the primary Region's health check through CDK cross-Region references.
 */
export function strategyIntegTest(app: App, id: string, strategy: DrStrategy, options: { readonly servedBy: ExpectedServer; readonly recoveryServes: boolean }): IntegTest {
  const drill = strategy.drills[0] ?? strategy.addFailoverDrill();
  const assertionStack = new Stack(app, `${id}Assertions`, { env: { account, region: INTEG_REGIONS.recovery }, crossRegionReferences: true });
  const integ = new IntegTest(app, id, {
    testCases: [strategy.primaryStack, strategy.fenceStack, strategy.recoveryStack],
    assertionStack,
    ...INTEG_TEST_OPTIONS,
  });
  const sites = options.recoveryServes ? [strategy.primary, strategy.recovery] : [strategy.primary];
  for (const site of sites) {
    const healthCheckId = site.record.endpointHealthCheck?.healthCheckId;
    if (healthCheckId === undefined) throw new Error(`${strategy.node.path}: the ${site.stack.region} record has no endpoint health check to assert`);
    // Three checkers' reports, one field each (the whole answer, one observation per checker
    // Region, is near the 4 KB a custom resource may return: test/integ/assert-at-paths.ts).
    assertAtPaths(integ, 'Route53', 'getHealthCheckStatus', { HealthCheckId: healthCheckId }, [0, 1, 2].map((i) => [`HealthCheckObservations.${i}.StatusReport.Status`, ExpectedResult.stringLikeRegexp('^Success')] as const), { totalTimeout: Duration.minutes(20), interval: Duration.seconds(60) });
  }
  integ.assertions
    .invokeFunction({
      functionName: strategy.runbook.failover!.entryFunction.functionName,
      payload: JSON.stringify(PLAN_REQUEST),
    })
    .expect(ExpectedResult.objectLike({ StatusCode: 200, Payload: Match.stringLikeRegexp(PLAN_ACCEPTED) }))
    .waitForAssertions({ totalTimeout: Duration.minutes(20), interval: Duration.seconds(60) });
  const scheme = strategy.primary.web.redirectListener ? 'https' : 'http';
  const region = options.servedBy === 'primary' ? strategy.primaryStack.region : Match.stringLikeRegexp(`^(${strategy.primaryStack.region}|${strategy.recoveryStack.region})$`);
  integ.assertions
    .httpApiCall(`${scheme}://${strategy.primary.record.domainName}/`)
    .expect(ExpectedResult.objectLike({ status: 200, body: { region } }))
    .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) });
  integ.assertions
    .invokeFunction({ functionName: drill.function.functionName, payload: JSON.stringify(DRILL_BASELINE) })
    .expect(ExpectedResult.objectLike({ StatusCode: 200, Payload: Match.stringLikeRegexp(DRILL_STEADY) }))
    .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(60) });
  return integ;
}
