import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ResilienceError, TenantApi, TenantOnboarding, TenantTier } from '../../lib';
import { errorOf, nagFindings, newStack, resourcesOfType, twoRegions } from '../helpers/app';

const REGIONS = ['us-east-1', 'us-west-2'];
const TIERS: TenantTier[] = [
  { name: 'basic', rateLimit: 10, burstLimit: 20, maxTenants: 10 },
  { name: 'premium', rateLimit: 100, burstLimit: 200, maxTenants: 2 },
];

/** Every statement of the onboarding function's policy. */
function statements(t: Template, stack: Stack): { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string }[] {
  const policies = resourcesOfType(t, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('OnboardingFunctionRole') || id.startsWith('OnboardingPlanLinks'));
  expect(policies).toHaveLength(2);
  return policies.flatMap(([, p]) => stack.resolve((p.Properties.PolicyDocument as { Statement: unknown }).Statement) as never[]);
}

describe('TenantOnboarding construct', () => {
  const { primary, recovery } = twoRegions();
  const east = new TenantApi(primary, 'Api', { apiName: 'orders', tiers: TIERS });
  const west = new TenantApi(recovery, 'Api', { apiName: 'orders', tiers: TIERS, keysFrom: east });
  const operator = new iam.Role(primary, 'Operator', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'orders-operator' });
  const ob = new TenantOnboarding(primary, 'Onboarding', { api: east, regions: REGIONS, operators: [operator] });
  ob.grantOperate(operator);
  new TenantOnboarding(recovery, 'Onboarding', { api: west, regions: REGIONS });
  const pt = Template.fromStack(primary);
  const rt = Template.fromStack(recovery);

  test("uses the API's registry: a global table with a replica in the recovery Region, PITR and deletion protection", () => {
    pt.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'orders-tenant-registry',
      Replicas: Match.arrayWith([Match.objectLike({ Region: 'us-west-2' }), Match.objectLike({ Region: 'us-east-1', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true })]),
    });
    rt.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    expect(ob.registryTableName).toBe('orders-tenant-registry');
  });

  test('a shared usage plan per tier, tagged as the API\'s, published for the function in each Region', () => {
    for (const t of [pt, rt]) {
      t.hasResourceProperties('AWS::ApiGateway::UsagePlan', { UsagePlanName: 'orders-basic', Tags: Match.arrayWith([{ Key: 'cdk-resilience:tenant-api', Value: 'orders' }]) });
      t.hasResourceProperties('AWS::ApiGateway::UsagePlan', { UsagePlanName: 'orders-premium' });
      t.hasResourceProperties('AWS::SSM::Parameter', { Name: '/cdk-resilience/tenant-api/orders/tier-plans' });
    }
  });

  test("the function knows each tier's budget, the identity, and the registry's home Region (in both Regions: the primary's)", () => {
    for (const t of [pt, rt]) {
      t.hasResourceProperties('AWS::Lambda::Function', {
        Description: 'Onboards tenants of orders',
        Environment: { Variables: Match.objectLike({ REGIONS: JSON.stringify(REGIONS), TIERS: JSON.stringify({ basic: { maxTenants: 10 }, premium: { maxTenants: 2 } }), IDENTITY: 'authorizer', SIGNING_SECRET: 'tenant-api-signing/orders', HOME_REGION: 'us-east-1', AUTHORIZER_CACHE_SECONDS: '60' }) },
      });
    }
    // Only the registrar serves CloudFormation events.
    pt.hasResourceProperties('AWS::Lambda::Function', { Description: 'Registers the deploy-time tenants of orders', Environment: { Variables: Match.objectLike({ REGISTRAR: 'true' }) } });
    for (const [, f] of resourcesOfType(pt, 'AWS::Lambda::Function').filter(([, x]) => x.Properties.Description === 'Onboards tenants of orders')) {
      expect((f.Properties.Environment as { Variables: Record<string, string> }).Variables.REGISTRAR).toBeUndefined();
    }
  });

  test("API Gateway permissions: keys created only with this API's tag, read, changed and deleted only when they carry it; plan links only on this Region's tier plans", () => {
    const s = statements(pt, primary);
    const find = (action: string, resource: string): { Condition?: unknown }[] =>
      s.filter((x) => [x.Action].flat().includes(action) && JSON.stringify(x.Resource).includes(resource));
    const create = find('apigateway:POST', '::/apikeys"');
    expect(create).toHaveLength(1);
    expect(create[0].Condition).toEqual({ StringEquals: { 'aws:RequestTag/cdk-resilience:tenant-api': 'orders' } });
    // CreateApiKey's tags are TagResource: PUT /tags/{arn}, with the same condition.
    const tag = find('apigateway:PUT', '::/tags/*');
    expect(tag).toHaveLength(1);
    expect(tag[0].Condition).toEqual({ StringEquals: { 'aws:RequestTag/cdk-resilience:tenant-api': 'orders' } });
    expect(find('apigateway:POST', '::/tags/*')).toEqual([]);
    const keyOps = find('apigateway:PATCH', '::/apikeys/*');
    expect(keyOps).toHaveLength(1);
    expect(keyOps[0].Condition).toEqual({ StringEquals: { 'aws:ResourceTag/cdk-resilience:tenant-api': 'orders' } });
    // No unconditioned statement reaches a key by id.
    for (const x of s.filter((y) => JSON.stringify(y.Resource).includes('/apikeys/*'))) expect(x.Condition).toBeDefined();
    // In this Region the plan links name the tier plans; nothing reaches every plan here.
    const planStatement = s.find((x) => JSON.stringify(x.Resource).includes('/usageplans/'))!;
    const rendered = JSON.stringify(planStatement.Resource);
    expect(rendered).not.toContain('us-east-1::/usageplans/*');
    for (const tier of ['ApiTierbasic', 'ApiTierpremium']) expect(rendered).toMatch(new RegExp(`us-east-1::/usageplans/\\",\\{\\"Ref\\":\\"${tier}[0-9A-F]{8}\\"\\},\\"/keys`));
  });

  test('the operator route: IAM-signed, and the resource policy denies it to every principal but the operator roles', () => {
    pt.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'AWS_IAM', ApiKeyRequired: false });
    const api = resourcesOfType(pt, 'AWS::ApiGateway::RestApi')[0][1];
    const policy = primary.resolve(api.Properties.Policy) as { Statement: { Effect: string; Resource: unknown; Condition?: unknown; Principal: unknown }[] };
    const deny = policy.Statement.find((x) => x.Effect === 'Deny')!;
    expect(deny.Resource).toBe('execute-api:/*/POST/admin/tenants');
    expect(deny.Principal).toEqual({ AWS: '*' });
    expect(JSON.stringify(deny.Condition)).toContain('ArnNotEquals');
    expect(JSON.stringify(deny.Condition)).toContain('Operator');
    // The operator's own policy: the route and the function, nothing wider.
    const operatorPolicy = resourcesOfType(pt, 'AWS::IAM::Policy').find(([id]) => id.startsWith('OperatorDefaultPolicy'))![1];
    const granted = primary.resolve((operatorPolicy.Properties.PolicyDocument as { Statement: unknown }).Statement) as { Action: string; Resource: unknown }[];
    expect(granted.map((g) => g.Action).sort()).toEqual(['execute-api:Invoke', 'lambda:InvokeFunction']);
    expect(JSON.stringify(granted)).not.toContain(':*"');
  });

  test('without operators there is no route (the function is invoked directly) and no resource policy', () => {
    rt.resourcePropertiesCountIs('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'AWS_IAM' }, 0);
    expect(resourcesOfType(rt, 'AWS::ApiGateway::RestApi')[0][1].Properties.Policy).toBeUndefined();
  });

  test('the operator route is throttled below the API Gateway control-plane limit, keeping the stage defaults', () => {
    pt.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 1000 }),
        Match.objectLike({ HttpMethod: 'POST', ResourcePath: '/~1admin~1tenants', ThrottlingRateLimit: 1, ThrottlingBurstLimit: 2, LoggingLevel: 'ERROR' }),
      ]),
    });
  });

  test.each([0, -1, 6])('an operator rate of %d is refused', (rate) => {
    const stack = newStack();
    const api = new TenantApi(stack, 'Api', { apiName: 'orders', tiers: TIERS });
    const err = errorOf(() => new TenantOnboarding(stack, 'Onboarding', { api, operatorRateLimit: rate }));
    expect(err).toBeInstanceOf(ResilienceError);
    expect(err.codes).toContain('TENANT_ONBOARDING_RATE');
    expect(err.message).toContain(`operatorRateLimit: must be above 0 and at most 5`);
    expect(err.message).toContain(`(got: ${rate})`);
  });

  test('cdk-nag clean in both Regions', () => {
    expect(nagFindings(primary)).toEqual([]);
    expect(nagFindings(recovery)).toEqual([]);
  });
});
