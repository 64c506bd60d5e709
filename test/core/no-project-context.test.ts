/**
 * The library in an app that is not this repo: no feature flags (cdk.json's context) and no
 * cdk.context.json. Every strategy and a WebTier given explicit AZs must synthesize with no
 * missing context (a missing value makes the CDK CLI call AWS, which fails without
 * credentials) and with zero unacknowledged AwsSolutions findings (acknowledgment ids built
 * from ARNs held the partition token and crashed synth with KeyMustResolveToString).
 */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ActiveActive, MultiAzVpc, PilotLight, ReplicaBucket, ReplicatedBucket, WarmStandby, WebTier } from '../../lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { strategyProps } from '../dr/stacks';
import { bareApp, nagFindings, TEST_AZS, TEST_ENV } from '../helpers/app';

describe('an app with no feature flags and no cdk.context.json', () => {
  test.each([
    ['PilotLight', PilotLight],
    ['WarmStandby', WarmStandby],
    ['ActiveActive', ActiveActive],
  ])('a %s synthesizes with no lookup and no unacknowledged cdk-nag finding', (_name, Strategy) => {
    const app = bareApp();
    expect(app.node.tryGetContext('@aws-cdk/core:enablePartitionLiterals')).toBeUndefined();
    new Strategy(app, 'Shop', strategyProps('shop'));
    const assembly = app.synth();
    expect(assembly.manifest.missing ?? []).toEqual([]);
    expect(nagFindings(app)).toEqual([]);
  });

  test('a WebTier given its AZs synthesizes with no lookup, and its subnets are in those AZs', () => {
    const app = bareApp();
    const stack = new Stack(app, 'Shop', { env: TEST_ENV });
    const web = new WebTier(stack, 'Web', { vpcProps: { availabilityZones: TEST_AZS }, capacity: { min: 4, max: 12 } });
    expect(app.synth().manifest.missing ?? []).toEqual([]);
    expect(web.vpc.availabilityZones).toEqual(TEST_AZS);
    // as aws-cdk-lib's getter does, literal AZs are acknowledged for CloudFormation validation (2.276+)
    expect(stack.node.metadata.map((m) => m.data)).toContainEqual(expect.objectContaining({ 'CloudFormation-Validate::W3010': expect.stringContaining('availabilityZones') }));
    // the stack answers with its own (looked-up) AZs again once the VPC is built
    expect(stack.availabilityZones).toEqual(['dummy1a', 'dummy1b', 'dummy1c']);
    expect(nagFindings(app)).toEqual([]);
  });

  test('a ReplicatedBucket logs to its access-log bucket by bucket policy (without the flag aws-cdk-lib set an ACL its ACL-less bucket refuses)', () => {
    const app = bareApp();
    const primary = new Stack(app, 'Primary', { env: TEST_ENV });
    const recovery = new Stack(app, 'Recovery', { env: { account: TEST_ENV.account, region: 'us-west-2' } });
    const replica = new ReplicaBucket(recovery, 'Assets', { bucketNamePrefix: 'shop-assets' });
    new ReplicatedBucket(primary, 'Assets', { bucketNamePrefix: 'shop-assets', destination: replica });
    app.synth();
    const t = Template.fromStack(primary);
    t.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { LogFilePrefix: 'shop-assets-111111111111-us-east-1/' } });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' })]) },
    });
    for (const [, bucket] of Object.entries(t.findResources('AWS::S3::Bucket'))) expect(bucket.Properties.AccessControl).toBeUndefined();
    expect(nagFindings(app)).toEqual([]);
  });

  test('a MultiAzVpc without AZ names still looks them up (the lookup is only skipped for given names)', () => {
    const app = bareApp();
    const stack = new Stack(app, 'Net', { env: TEST_ENV });
    new MultiAzVpc(stack, 'Vpc');
    expect((app.synth().manifest.missing ?? []).map((m) => m.provider)).toEqual(['availability-zones']);
  });

  test('AZs in the context keep aws-cdk-lib check that the given names exist', () => {
    const app = bareApp();
    app.node.setContext('availability-zones:account=111111111111:region=us-east-1', ['us-east-1a', 'us-east-1b']);
    const stack = new Stack(app, 'Net', { env: TEST_ENV });
    expect(() => new ec2.Vpc(stack, 'Plain', { availabilityZones: ['us-east-1c'] })).toThrow(/subset of the stack's availability zones/);
    expect(() => new MultiAzVpc(stack, 'Vpc', { availabilityZones: TEST_AZS })).toThrow(/subset of the stack's availability zones/);
  });
});
