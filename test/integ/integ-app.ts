/**
 * What the single-Region integration tests share (integ.web-tier.ts, integ.database.ts,
 * integ.chaos.ts): the App, a test stack with given AZs (nothing is looked up), a MultiAzVpc in
 * it, and the IntegTest with its assertions in a stack of their own (a test stack holding them
 * would change its snapshot on every run: their salt). The strategy tests use the same options.
 */
import { App, Stack } from 'aws-cdk-lib';
import { IntegTest, IntegTestProps } from '@aws-cdk/integ-tests-alpha';
import { MultiAzVpc } from '../../lib';
import { setStackAvailabilityZones } from '../../lib/core/availability-zones';

/** The IntegTest options every test here uses: templates compared, not assets; destroy without asking. */
export const INTEG_TEST_OPTIONS: Pick<IntegTestProps, 'diffAssets' | 'cdkCommandOptions'> = { diffAssets: false, cdkCommandOptions: { destroy: { args: { force: true } } } };

/** A single-Region integration test's app, stack, network and IntegTest. */
export interface SingleRegionInteg {
  readonly app: App;
  readonly stack: Stack;
  readonly network: MultiAzVpc;
  readonly region: string;
  readonly azs: string[];
  readonly integ: IntegTest;
}

/** `Integ<name>` (the test stack), `Integ<name>Assertions` and the IntegTest `<name>Integ`, with a MultiAzVpc of `cidr`. */
export function singleRegionInteg(name: string, cidr: string): SingleRegionInteg {
  const account = process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111';
  // integ-runner sets CDK_DEFAULT_REGION (a placeholder when it only synthesizes); a deploy takes the profile's.
  const region = process.env.CDK_DEFAULT_REGION ?? 'us-east-1';
  const azs = ['a', 'b', 'c'].map((z) => `${region}${z}`);
  const app = new App();
  const stack = new Stack(app, `Integ${name}`, { env: { account, region } });
  setStackAvailabilityZones(stack, 'availabilityZones', stack, azs);
  const network = new MultiAzVpc(stack, 'Network', { availabilityZones: azs, cidr });
  // The assertions run in a stack of the same account and Region (they read the test stack's resources).
  const assertionStack = new Stack(app, `Integ${name}Assertions`, { env: { account, region } });
  const integ = new IntegTest(app, `${name}Integ`, { testCases: [stack], assertionStack, ...INTEG_TEST_OPTIONS });
  return { app, stack, network, region, azs, integ };
}
