/**
 * Given AZ names need no lookup (lib/core/availability-zones.ts): the stacks the library
 * creates get the supported context entry; a user's stack answers with the given names
 * only while its VPC is built, and keeps whatever override the user put on it.
 */
import { ContextProvider, Stack } from 'aws-cdk-lib';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { MultiAzVpc, ResilienceError, WarmStandby, useAvailabilityZones } from '../../lib';
import { withGivenAvailabilityZones } from '../../lib/core/availability-zones';
import { strategyProps } from '../dr/stacks';
import { bareApp, TEST_AZS, TEST_ENV } from '../helpers/app';

const W3010 = 'CloudFormation-Validate::W3010';
const azKey = (stack: Stack) => ContextProvider.getKey(stack, { provider: cxschema.ContextProvider.AVAILABILITY_ZONE_PROVIDER }).key;
const w3010Acks = (stack: Stack) => stack.node.metadata.filter((m) => typeof m.data === 'object' && m.data !== null && W3010 in (m.data as object)).length;

describe('given AZs', () => {
  test("a strategy's own stacks carry their AZs as the context entry a lookup would fill", () => {
    const app = bareApp();
    const props = strategyProps('shop');
    const s = new WarmStandby(app, 'Shop', props);
    expect(s.primaryStack.node.tryGetContext(azKey(s.primaryStack))).toEqual(props.primary.availabilityZones);
    expect(s.recoveryStack.node.tryGetContext(azKey(s.recoveryStack))).toEqual(props.recovery.availabilityZones);
    expect(s.primaryStack.availabilityZones).toEqual(props.primary.availabilityZones);
    expect(Object.prototype.hasOwnProperty.call(s.primaryStack, 'availabilityZones')).toBe(false);
    expect(app.synth().manifest.missing ?? []).toEqual([]);
  });

  test('a context entry already there (cdk.context.json, -c) is kept', () => {
    const app = bareApp();
    const stack = new Stack(app, 'Net', { env: TEST_ENV });
    stack.node.setContext(azKey(stack), ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d']);
    useAvailabilityZones(stack, TEST_AZS);
    expect(stack.availabilityZones).toHaveLength(4);
  });

  test('useAvailabilityZones: a plain ec2.Vpc given its AZs synthesizes with no lookup', () => {
    const app = bareApp();
    const stack = new Stack(app, 'Net', { env: TEST_ENV });
    useAvailabilityZones(stack, TEST_AZS);
    new ec2.Vpc(stack, 'Vpc', { availabilityZones: TEST_AZS });
    expect(app.synth().manifest.missing ?? []).toEqual([]);
  });

  test("an instance-level availabilityZones is the user's: kept as it is, nothing acknowledged", () => {
    const app = bareApp();
    const stack = new Stack(app, 'Net', { env: TEST_ENV });
    const mine = [...TEST_AZS];
    Object.defineProperty(stack, 'availabilityZones', { value: mine, configurable: true, writable: false });
    new MultiAzVpc(stack, 'Vpc', { availabilityZones: TEST_AZS });
    expect(Object.getOwnPropertyDescriptor(stack, 'availabilityZones')).toEqual({ value: mine, configurable: true, writable: false, enumerable: false });
    expect(w3010Acks(stack)).toBe(0);
    expect(app.synth().manifest.missing ?? []).toEqual([]);
  });

  test("a subclass's availabilityZones getter is kept", () => {
    class MyStack extends Stack {
      public get availabilityZones(): string[] {
        return TEST_AZS;
      }
    }
    const app = bareApp();
    const stack = new MyStack(app, 'Net', { env: TEST_ENV });
    new MultiAzVpc(stack, 'Vpc', { availabilityZones: TEST_AZS });
    expect(Object.prototype.hasOwnProperty.call(stack, 'availabilityZones')).toBe(false);
    expect(w3010Acks(stack)).toBe(0);
  });

  test('an exception inside the build restores the getter and acknowledges nothing', () => {
    const app = bareApp();
    const stack = new Stack(app, 'Net', { env: TEST_ENV });
    expect(() =>
      withGivenAvailabilityZones(stack, 'availabilityZones', stack, TEST_AZS, () => {
        expect(stack.availabilityZones).toEqual(TEST_AZS);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(Object.prototype.hasOwnProperty.call(stack, 'availabilityZones')).toBe(false);
    expect(stack.availabilityZones).toEqual(['dummy1a', 'dummy1b', 'dummy1c']);
    expect(w3010Acks(stack)).toBe(0);
  });

  test('two VPCs in one stack: one W3010 acknowledgment', () => {
    const app = bareApp();
    const stack = new Stack(app, 'Net', { env: TEST_ENV });
    new MultiAzVpc(stack, 'A', { availabilityZones: TEST_AZS, cidr: '10.0.0.0/16' });
    new MultiAzVpc(stack, 'B', { availabilityZones: TEST_AZS, cidr: '10.1.0.0/16' });
    expect(w3010Acks(stack)).toBe(1);
    expect(app.synth().manifest.missing ?? []).toEqual([]);
  });

  test("an AZ name not of the stack's Region: a ResilienceError naming the construct, prop, value and fix", () => {
    const app = bareApp();
    const stack = new Stack(app, 'Net', { env: TEST_ENV });
    let error: unknown;
    try {
      // MultiAzVpc's own check takes other Regions' names (VPC_AZ_NOT_IN_REGION); this one is a Region's name
      new MultiAzVpc(stack, 'Vpc', { availabilityZones: ['us-east-1a', 'us-east-1'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ResilienceError);
    const e = error as ResilienceError;
    expect(e.constructPath).toBe('Net/Vpc');
    expect(e.problems).toEqual([expect.objectContaining({ code: 'AZ_NOT_IN_REGION', prop: 'availabilityZones', value: ['us-east-1'], fix: expect.stringContaining('us-east-1a') })]);
    expect(() => useAvailabilityZones(new Stack(bareApp(), 'S', { env: TEST_ENV }), ['us-east-1'])).toThrow(/AZ_NOT_IN_REGION/);
  });

  test('a token Region: names are not checked, nothing is set', () => {
    const app = bareApp();
    const stack = new Stack(app, 'Agnostic');
    useAvailabilityZones(stack, ['anything']);
    new MultiAzVpc(stack, 'Vpc', { availabilityZones: ['zone-a', 'zone-b', 'zone-c'] });
    expect(app.synth().manifest.missing ?? []).toEqual([]);
  });
});
