import { Duration, Fn, Lazy, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { MultiAzVpc, MultiAzVpcProps, ResilienceError, WebTier, WebTierProps } from '../../lib';
import { newStack, TEST_AZS } from '../helpers/app';

function vpcError(props: MultiAzVpcProps): ResilienceError {
  const stack = newStack();
  try {
    new MultiAzVpc(stack, 'Network', props);
  } catch (e) {
    return e as ResilienceError;
  }
  throw new Error('expected a ResilienceError');
}

function webError(props: Partial<WebTierProps>, setup?: (stack: Stack) => Partial<WebTierProps>): ResilienceError {
  const stack = newStack();
  const extra = setup ? setup(stack) : {};
  try {
    new WebTier(stack, 'Web', {
      vpcProps: { availabilityZones: TEST_AZS },
      capacity: { min: 4, max: 12 },
      alarms: {},
      ...extra,
      ...props,
    } as WebTierProps);
  } catch (e) {
    return e as ResilienceError;
  }
  throw new Error('expected a ResilienceError');
}

describe('MultiAzVpc rejects invalid props', () => {
  test.each<[string, MultiAzVpcProps, string, RegExp]>([
    ['one AZ', { availabilityZones: ['us-east-1a'] }, 'VPC_TOO_FEW_AZS', /availabilityZones: a multi-AZ VPC needs at least 2 .* \(got: \["us-east-1a"\]\)/],
    ['a duplicated AZ', { availabilityZones: ['us-east-1a', 'us-east-1a', 'us-east-1b'] }, 'VPC_DUPLICATE_AZ', /listed twice/],
    ['an AZ of another Region', { availabilityZones: ['us-east-1a', 'us-west-2b', 'us-east-1c'] }, 'VPC_AZ_NOT_IN_REGION', /not in the stack's Region us-east-1 \(got: \["us-west-2b"\]\)/],
    ['a CIDR that is not one', { availabilityZones: TEST_AZS, cidr: 'banana' }, 'VPC_INVALID_CIDR', /cidr: is not an IPv4 CIDR .* \(got: "banana"\)/],
    ['host bits set', { availabilityZones: TEST_AZS, cidr: '10.0.0.1/16' }, 'VPC_INVALID_CIDR', /got: "10.0.0.1\/16"/],
    ['a /8 VPC', { availabilityZones: TEST_AZS, cidr: '10.0.0.0/8' }, 'VPC_CIDR_SIZE', /between \/16 .* and \/24/],
    ['a VPC too small for its subnets', { availabilityZones: TEST_AZS, cidr: '10.0.0.0/22' }, 'VPC_CIDR_TOO_SMALL', /need \d+ addresses, the block has 1024/],
    ['an overlap with the peer VPC', { availabilityZones: TEST_AZS, cidr: '10.0.0.0/16', mustNotOverlap: ['10.0.128.0/17'] }, 'VPC_CIDR_OVERLAP', /overlaps 10.0.128.0\/17/],
    ['a public subnet too small for an ALB', { availabilityZones: TEST_AZS, subnetMasks: { public: 28 } }, 'VPC_SUBNET_MASK', /subnetMasks.public: .*got: 28.*ALB needs at least a \/27/],
    ['zero NAT gateways', { availabilityZones: TEST_AZS, natGateways: 0 }, 'VPC_NAT_GATEWAYS', /natGateways: must be an integer between 1 and 3 \(got: 0\)/],
    ['more NAT gateways than AZs', { availabilityZones: TEST_AZS, natGateways: 4 }, 'VPC_NAT_GATEWAYS', /got: 4/],
  ])('%s', (_name, props, code, message) => {
    const err = vpcError(props);
    expect(err).toBeInstanceOf(ResilienceError);
    expect(err.codes).toContain(code);
    expect(err.message).toMatch(message);
    expect(err.constructPath).toBe('Test/Network');
    expect(err.message).toMatch(/^cdk-resilience: invalid props for Test\/Network/);
    expect(err.message).toMatch(/Fix: /);
  });
});

describe('WebTier rejects invalid props', () => {
  test.each<[string, Partial<WebTierProps>, string, RegExp, ((s: Stack) => Partial<WebTierProps>) | null]>([
    ['an existing VPC and VPC props', {}, 'WEB_VPC_CONFLICT', /vpc: an existing VPC and props for a new one were both given.*Fix: pass vpc .* or vpcProps/, (s) => ({ vpc: new ec2.Vpc(s, 'Other', { maxAzs: 3 }), vpcProps: { availabilityZones: TEST_AZS } })],
    ['zero declared capacity', { capacity: { min: 0, max: 3 } }, 'WEB_CAPACITY', /capacity.min: must be an integer of at least 1 \(got: 0\)/, null],
    ['a maximum below the AZ-loss floor', { capacity: { min: 4, max: 5 } }, 'WEB_CAPACITY', /capacity.max: is below the group minimum 6 \(2 per AZ x 3 AZs.*\(got: 5\).*raise capacity.max to at least 6, or set reserveForAzLoss: false/, null],
    ['no headroom for a rolling update', { capacity: { min: 2, max: 3 } }, 'WEB_ROLLING_UPDATE', /leaves no headroom for a rolling update: 3 instances must stay in service/, null],
    ['running more than the planned floor', { runningCapacity: 7 }, 'WEB_CAPACITY', /runningCapacity: is above the planned group minimum 6/, null],
    ['a health-check path without a slash', { healthCheck: { path: 'health' } }, 'WEB_HEALTH_CHECK', /healthCheck.path: must start with \/ .*\(got: "health"\)/, null],
    ['a health-check timeout longer than the interval', { healthCheck: { interval: Duration.seconds(10), timeout: Duration.seconds(10) } }, 'WEB_HEALTH_CHECK', /healthCheck.timeout: the timeout must be shorter than the interval/, null],
    ['a 1 s health-check interval', { healthCheck: { interval: Duration.seconds(1) } }, 'WEB_HEALTH_CHECK', /healthCheck.interval: must be a duration between 5 s and 300 s \(got: "1 s"\)/, null],
    ['an unhealthy threshold of 1', { healthCheck: { unhealthyThresholdCount: 1 } }, 'WEB_HEALTH_CHECK', /unhealthyThresholdCount: must be an integer between 2 and 10/, null],
    ['a TLS policy without a certificate', { sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS }, 'WEB_TLS', /sslPolicy: a TLS policy was given without a certificate/, null],
    ['an ingress CIDR without a prefix', { ingressCidrs: ['0.0.0.0'] }, 'WEB_INGRESS_CIDR', /ingressCidrs\[0\]: is not an IPv4 CIDR/, null],
    ['no ingress CIDR at all', { ingressCidrs: [] }, 'WEB_INGRESS_CIDR', /ingressCidrs: no CIDR may reach the load balancer/, null],
    ['a two-hour deregistration delay', { deregistrationDelay: Duration.hours(2) }, 'WEB_DEREGISTRATION_DELAY', /between 0 s and 3600 s \(got: "7200 s"\)/, null],
    ['a 150 % CPU target', { scaling: { cpuTargetPercent: 150 } }, 'WEB_SCALING', /scaling.cpuTargetPercent: must be an integer between 1 and 100/, null],
    ['a scheduled action with min above max', { scaling: { scheduled: [{ id: 'A', schedule: autoscaling.Schedule.cron({ hour: '1' }), minCapacity: 8, maxCapacity: 6 }] } }, 'WEB_SCALING', /scheduled\[0\].minCapacity: exceeds the action's maxCapacity 6/, null],
    ['a scheduled action that changes nothing', { scaling: { scheduled: [{ id: 'A', schedule: autoscaling.Schedule.cron({ hour: '1' }) }] } }, 'WEB_SCALING', /must change minCapacity or maxCapacity/, null],
    ['a 0 % error-rate alarm', { alarms: { serverErrorRatePercent: 0 } }, 'WEB_ALARMS', /strictly between 0 and 100/, null],
    ['a maintenance range wider than 100', { instanceMaintenance: { minHealthyPercentage: 50, maxHealthyPercentage: 200 } }, 'WEB_INSTANCE_MAINTENANCE', /more than 100 above minHealthyPercentage 50/, null],
    ['a single-AZ existing VPC', {}, 'WEB_VPC_SUBNETS', /public subnets in at least 2 AZs/, (s) => ({ vpcProps: undefined, vpc: new ec2.Vpc(s, 'Tiny', { availabilityZones: ['us-east-1a'] }) })],
  ])('%s', (_name, props, code, message, setup) => {
    const err = webError(props, setup ?? undefined);
    expect(err).toBeInstanceOf(ResilienceError);
    expect(err.codes).toContain(code);
    expect(err.message).toMatch(message);
    expect(err.constructPath).toBe('Test/Web');
  });

  test('reports every problem at once, before building anything', () => {
    const stack = newStack();
    let err: ResilienceError | undefined;
    try {
      new WebTier(stack, 'Web', {
        vpcProps: { availabilityZones: TEST_AZS },
        capacity: { min: 0, max: 3 },
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        healthCheck: { path: 'nope' },
      });
    } catch (e) {
      err = e as ResilienceError;
    }
    expect(err?.codes.sort()).toEqual(['WEB_CAPACITY', 'WEB_HEALTH_CHECK', 'WEB_TLS']);
    expect(err?.message).toMatch(/\(3 problems\)/);
    expect(stack.node.tryFindChild('Web')?.node.children ?? []).toHaveLength(0);
  });

  test('unresolved tokens are not validated', () => {
    const stack = newStack();
    expect(
      () =>
        new WebTier(stack, 'Web', {
          vpcProps: { availabilityZones: TEST_AZS, mustNotOverlap: [Fn.importValue('PeerCidr')] },
          capacity: { min: 4, max: Lazy.number({ produce: () => 12 }) },
          ingressCidrs: [Fn.importValue('OfficeCidr')],
          alarms: {},
        }),
    ).not.toThrow();
  });
});
