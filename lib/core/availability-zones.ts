import { ContextProvider, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';

/**
 * Run `build` (the construction of an `ec2.Vpc` given explicit AZs) so that it does not
 * look the stack's AZs up.
 *
 * `ec2.Vpc` checks given AZs against `stack.availabilityZones`. In a stack with an account
 * and a Region that is a context lookup: when `cdk.context.json` has no entry for them,
 * synth records a missing context value and the CDK CLI then calls EC2 for it, which fails
 * without AWS credentials ("Need to perform AWS calls for account ..."). The names were
 * given, so the lookup adds nothing but that dependency: while `build` runs, the stack
 * answers with the given names. A stack whose AZs are in the context (a committed
 * `cdk.context.json`, or `-c`) keeps aws-cdk-lib's check against them; a stack that
 * overrides `availabilityZones` itself is left alone. Like aws-cdk-lib's getter, it
 * acknowledges CloudFormation validation's literal-AZ warning (W3010) for the stack.
 *
 * @param stack the stack the VPC is built in
 * @param azs the AZ names given (none: the stack's own, looked up as usual)
 * @param build builds the VPC
 */
export function withGivenAvailabilityZones<T>(stack: Stack, azs: string[], build: () => T): T {
  if (azs.length === 0 || azs.some((az) => Token.isUnresolved(az)) || !lookupWouldBeMissing(stack)) return build();
  Object.defineProperty(stack, 'availabilityZones', { value: [...azs], configurable: true, enumerable: false });
  try {
    return build();
  } finally {
    delete (stack as { availabilityZones?: string[] }).availabilityZones;
    // What aws-cdk-lib's own getter does when read (2.276+): literal AZs that come from the
    // stack's AZs are expected, so CloudFormation validation's W3010 ("avoid hardcoding
    // availability zones", one warning per subnet and instance) is acknowledged for the stack.
    Validations.of(stack).acknowledge({ id: AZ_LITERAL_RULE, reason: 'Literal AZs in the template are the AZs given to cdk-resilience (availabilityZones), so synth needs no lookup; this is expected and safe' });
  }
}

/** CloudFormation validation's rule on literal AZs (aws-cdk-lib 2.276+). */
const AZ_LITERAL_RULE = 'CloudFormation-Validate::W3010';

/** True when reading `stack.availabilityZones` would record a missing context value. */
function lookupWouldBeMissing(stack: Stack): boolean {
  if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) return false; // Fn::GetAZs, no lookup
  for (let p = Object.getPrototypeOf(stack); p && p !== Stack.prototype; p = Object.getPrototypeOf(p)) {
    if (Object.getOwnPropertyDescriptor(p, 'availabilityZones')) return false; // the user's own override
  }
  const key = ContextProvider.getKey(stack, { provider: cxschema.ContextProvider.AVAILABILITY_ZONE_PROVIDER }).key;
  return stack.node.tryGetContext(key) === undefined;
}
