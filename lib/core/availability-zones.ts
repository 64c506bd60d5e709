import { ContextProvider, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import { Construct } from 'constructs';
import { ResilienceError } from './errors';

/** The context key aws-cdk-lib reads for a stack's AZs (`availability-zones:account=...:region=...`). */
function azContextKey(stack: Stack): string {
  return ContextProvider.getKey(stack, { provider: cxschema.ContextProvider.AVAILABILITY_ZONE_PROVIDER }).key;
}

/**
 * Throw a {@link ResilienceError} when a given AZ name is not an AZ of the stack's Region
 * (`<region><letter>`, e.g. `eu-west-1a`). Skipped for a token Region or a token name.
 */
export function validateAvailabilityZoneNames(scope: Construct, prop: string, region: string, azs: string[]): void {
  if (Token.isUnresolved(region)) return;
  const pattern = new RegExp(`^${region.replace(/[^a-z0-9-]/g, '')}[a-z]$`);
  const bad = azs.filter((az) => !Token.isUnresolved(az) && !pattern.test(az));
  if (bad.length === 0) return;
  throw new ResilienceError(scope, [
    {
      code: 'AZ_NOT_IN_REGION',
      prop,
      value: bad,
      message: `${bad.length === 1 ? 'this is not an AZ name' : 'these are not AZ names'} of the stack's Region ${region} (an AZ name is the Region followed by one letter)`,
      fix: `give AZ names of ${region}, e.g. ${region}a, ${region}b, ${region}c, or put the construct in a stack of the AZs' Region`,
    },
  ]);
}

/**
 * Tell a stack its AZs, so that nothing in it looks them up: synth needs no AWS
 * credentials and no `cdk.context.json`.
 *
 * In a stack with a concrete account and Region, `stack.availabilityZones` is a context
 * lookup, and an `ec2.Vpc` given `availabilityZones` checks them against it: without an
 * entry in `cdk.context.json` the CDK CLI calls EC2 for it, which fails without credentials
 * ("Need to perform AWS calls for account ..."). This sets that context entry (the one
 * `cdk.context.json` or `-c` would hold) to the given names, the supported way to skip the
 * lookup. Call it right after `new Stack(...)`, before anything is added to the stack (the
 * CDK refuses context on a construct that has children). An entry already there (a committed
 * `cdk.context.json`, `-c`) is kept. A stack with a token account or Region needs nothing
 * (its AZs are `Fn::GetAZs`), so the call does nothing there.
 *
 * cdk-resilience calls this for the stacks it creates (the strategies' Region stacks);
 * `MultiAzVpc` and `WebTier` given `availabilityZones` need no call. Use it when you build
 * your own `ec2.Vpc` with explicit AZs, or read `stack.availabilityZones` yourself.
 *
 * @example
 * const stack = new Stack(app, 'Network', { env: { account: '123456789012', region: 'eu-west-1' } });
 * useAvailabilityZones(stack, ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
 * new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] });
 *
 * @param stack the stack, with no children yet
 * @param azs the AZ names of the stack's Region
 * @throws ResilienceError when a name is not an AZ of the stack's Region
 */
export function useAvailabilityZones(stack: Stack, azs: string[]): void {
  setStackAvailabilityZones(stack, 'availabilityZones', stack, azs);
}

/**
 * {@link useAvailabilityZones} with the construct and prop errors name.
 * @internal
 */
export function setStackAvailabilityZones(scope: Construct, prop: string, stack: Stack, azs: string[]): void {
  validateAvailabilityZoneNames(scope, prop, stack.region, azs);
  if (azs.length === 0 || Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) return;
  const key = azContextKey(stack);
  if (stack.node.tryGetContext(key) === undefined) stack.node.setContext(key, [...azs]);
}

/** Stacks whose W3010 acknowledgment was added (once per stack). */
const acknowledged = new WeakSet<Stack>();

/**
 * Run `build` (the construction of an `ec2.Vpc` given explicit AZs) so that it does not
 * look the stack's AZs up, in a stack the user created (so its context may no longer be
 * set: it has children).
 *
 * `ec2.Vpc` checks given AZs against `stack.availabilityZones`, a context lookup (see
 * {@link useAvailabilityZones}). The names were given, so the lookup adds nothing but a
 * dependency on credentials: while `build` runs, the stack answers with the given names
 * (an own property, removed or restored afterwards, also when `build` throws). Left alone:
 * a stack whose AZs are in the context (aws-cdk-lib's check against them is kept), and a
 * stack that overrides `availabilityZones` itself, on its class or on the instance. After a
 * successful build, like aws-cdk-lib's getter, it acknowledges CloudFormation validation's
 * literal-AZ warning (W3010) for the stack, once.
 *
 * @param scope the construct building the VPC (for errors)
 * @param prop the prop holding the names (for errors)
 * @param stack the stack the VPC is built in
 * @param azs the AZ names given (none: the stack's own, looked up as usual)
 * @param build builds the VPC
 */
export function withGivenAvailabilityZones<T>(scope: Construct, prop: string, stack: Stack, azs: string[], build: () => T): T {
  if (azs.length > 0) validateAvailabilityZoneNames(scope, prop, stack.region, azs);
  if (azs.length === 0 || azs.some((az) => Token.isUnresolved(az)) || !lookupWouldBeMissing(stack)) return build();
  const own = Object.getOwnPropertyDescriptor(stack, 'availabilityZones');
  Object.defineProperty(stack, 'availabilityZones', { value: [...azs], configurable: true, enumerable: false });
  let result: T;
  try {
    result = build();
  } finally {
    if (own) Object.defineProperty(stack, 'availabilityZones', own);
    else delete (stack as { availabilityZones?: string[] }).availabilityZones;
  }
  if (!acknowledged.has(stack)) {
    acknowledged.add(stack);
    // What aws-cdk-lib's own getter does when read (2.276+): literal AZs that come from the
    // stack's AZs are expected, so CloudFormation validation's W3010 ("avoid hardcoding
    // availability zones", one warning per subnet and instance) is acknowledged for the stack.
    Validations.of(stack).acknowledge({ id: AZ_LITERAL_RULE, reason: 'Literal AZs in the template are the AZs given to cdk-resilience (availabilityZones), so synth needs no lookup; this is expected and safe' });
  }
  return result;
}

/** CloudFormation validation's rule on literal AZs (aws-cdk-lib 2.276+). */
const AZ_LITERAL_RULE = 'CloudFormation-Validate::W3010';

/** True when reading `stack.availabilityZones` would record a missing context value. */
function lookupWouldBeMissing(stack: Stack): boolean {
  if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) return false; // Fn::GetAZs, no lookup
  if (Object.prototype.hasOwnProperty.call(stack, 'availabilityZones')) return false; // the user's own, on the instance
  for (let p = Object.getPrototypeOf(stack); p && p !== Stack.prototype; p = Object.getPrototypeOf(p)) {
    if (Object.getOwnPropertyDescriptor(p, 'availabilityZones')) return false; // the user's own override
  }
  return stack.node.tryGetContext(azContextKey(stack)) === undefined;
}
