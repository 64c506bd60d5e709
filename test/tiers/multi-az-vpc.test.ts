import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { MultiAzVpc } from '../../lib';
import { newApp, newStack, refId, resilienceWarnings, resourcesOfType, TEST_AZS } from '../helpers/app';

function subnetsByType(template: Template): Record<string, { id: string; az: string }[]> {
  const out: Record<string, { id: string; az: string }[]> = {};
  for (const [id, res] of resourcesOfType(template, 'AWS::EC2::Subnet')) {
    const tags = res.Properties.Tags as { Key: string; Value: string }[];
    const type = tags.find((t) => t.Key === 'aws-cdk:subnet-type')!.Value;
    (out[type] ??= []).push({ id, az: res.Properties.AvailabilityZone as string });
  }
  return out;
}

describe('MultiAzVpc defaults', () => {
  const stack = newStack();
  const network = new MultiAzVpc(stack, 'Network', { availabilityZones: TEST_AZS });
  const template = Template.fromStack(stack);
  const subnets = subnetsByType(template);

  test('public, private and isolated subnets in each of the 3 AZs', () => {
    for (const type of ['Public', 'Private', 'Isolated']) {
      expect(subnets[type].map((s) => s.az).sort()).toEqual(TEST_AZS);
    }
    template.resourceCountIs('AWS::EC2::Subnet', 9);
    expect(network.availabilityZones).toEqual(TEST_AZS);
  });

  test('one NAT gateway per AZ, each in its own AZ\'s public subnet', () => {
    const nats = resourcesOfType(template, 'AWS::EC2::NatGateway');
    expect(nats).toHaveLength(3);
    const publicAzById = new Map(subnets.Public.map((s) => [s.id, s.az]));
    const natAzs = nats.map(([, n]) => publicAzById.get(refId(n.Properties.SubnetId)!));
    expect(natAzs.sort()).toEqual(TEST_AZS);
    expect(network.natGatewayCount).toBe(3);
  });

  test('each private subnet routes 0.0.0.0/0 through the NAT gateway of its own AZ', () => {
    const publicAzById = new Map(subnets.Public.map((s) => [s.id, s.az]));
    const natAz = new Map(
      resourcesOfType(template, 'AWS::EC2::NatGateway').map(([id, n]) => [id, publicAzById.get(refId(n.Properties.SubnetId)!)]),
    );
    const assoc = resourcesOfType(template, 'AWS::EC2::SubnetRouteTableAssociation');
    const routes = resourcesOfType(template, 'AWS::EC2::Route');
    for (const priv of subnets.Private) {
      const rt = refId(assoc.find(([, a]) => refId(a.Properties.SubnetId) === priv.id)![1].Properties.RouteTableId);
      const route = routes.find(([, r]) => refId(r.Properties.RouteTableId) === rt && r.Properties.DestinationCidrBlock === '0.0.0.0/0');
      expect(route).toBeDefined();
      expect(natAz.get(refId(route![1].Properties.NatGatewayId)!)).toBe(priv.az);
    }
  });

  test('isolated subnets have no route to the internet', () => {
    const assoc = resourcesOfType(template, 'AWS::EC2::SubnetRouteTableAssociation');
    const routes = resourcesOfType(template, 'AWS::EC2::Route');
    for (const iso of subnets.Isolated) {
      const rt = refId(assoc.find(([, a]) => refId(a.Properties.SubnetId) === iso.id)![1].Properties.RouteTableId);
      expect(routes.filter(([, r]) => refId(r.Properties.RouteTableId) === rt)).toHaveLength(0);
    }
  });

  test('flow logs of all traffic go to a log group kept for a year', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: Match.stringLikeRegexp('NetworkFlowLogs') },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('gateway endpoints for S3 and DynamoDB on the private and isolated route tables', () => {
    const endpoints = resourcesOfType(template, 'AWS::EC2::VPCEndpoint');
    expect(endpoints).toHaveLength(2);
    const services = endpoints.map(([, e]) => JSON.stringify(e.Properties.ServiceName));
    expect(services.some((s) => s.includes('.s3'))).toBe(true);
    expect(services.some((s) => s.includes('.dynamodb'))).toBe(true);
    for (const [, e] of endpoints) {
      expect(e.Properties.VpcEndpointType).toBe('Gateway');
      expect((e.Properties.RouteTableIds as unknown[]).length).toBeGreaterThanOrEqual(6);
    }
  });

  test('the default security group is restricted and public subnets do not map public IPs', () => {
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
    for (const [, s] of resourcesOfType(template, 'AWS::EC2::Subnet')) {
      expect(s.Properties.MapPublicIpOnLaunch).toBe(false);
    }
  });

  test('emits no warning with the defaults', () => {
    expect(resilienceWarnings(stack)).toEqual([]);
  });
});

describe('MultiAzVpc options', () => {
  test('default AZs are the first three of the Region, from the committed context', () => {
    const stack = newStack();
    const network = new MultiAzVpc(stack, 'Network');
    expect(network.availabilityZones).toEqual(TEST_AZS);
  });

  test('fewer NAT gateways is an explicit opt-in that warns', () => {
    const stack = newStack();
    new MultiAzVpc(stack, 'Network', { availabilityZones: TEST_AZS, natGateways: 1 });
    Template.fromStack(stack).resourceCountIs('AWS::EC2::NatGateway', 1);
    expect(resilienceWarnings(stack)).toEqual(['cdk-resilience:SharedNatGateway']);
  });

  test('two AZs work but warn', () => {
    const stack = newStack();
    new MultiAzVpc(stack, 'Network', { availabilityZones: TEST_AZS.slice(0, 2) });
    Template.fromStack(stack).resourceCountIs('AWS::EC2::Subnet', 6);
    expect(resilienceWarnings(stack)).toEqual(['cdk-resilience:TwoAzsOnly']);
  });

  test('custom CIDR, masks, flow-log options and no gateway endpoints', () => {
    const stack = newStack();
    new MultiAzVpc(stack, 'Network', {
      availabilityZones: TEST_AZS,
      cidr: '10.30.0.0/20',
      subnetMasks: { public: 26, private: 23, isolated: 26 },
      flowLogs: { trafficType: ec2.FlowLogTrafficType.REJECT, retention: logs.RetentionDays.ONE_MONTH },
      gatewayEndpoints: false,
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.30.0.0/20' });
    t.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: Match.stringLikeRegexp('/23$') });
    t.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    t.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test('an environment-agnostic stack must name its AZs', () => {
    const stack = new Stack(newApp(), 'Agnostic');
    expect(() => new MultiAzVpc(stack, 'Network')).toThrow(/\[VPC_AZS_UNKNOWN\] availabilityZones/);
    const ok = new Stack(newApp(), 'Agnostic2');
    expect(() => new MultiAzVpc(ok, 'Network', { availabilityZones: TEST_AZS })).not.toThrow();
  });
});
