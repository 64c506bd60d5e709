import { Template } from 'aws-cdk-lib/assertions';
import { ActiveActive, AlarmTopic, ResilienceError, WEB_TIER_MANAGED_RULE_GROUPS, WebTier, WebTierProps, WebTierWebAcl } from '../../lib';
import { strategyProps } from '../dr/stacks';
import { errorOf, nagFindings, newApp, newStack, resourcesOfType, TEST_AZS } from '../helpers/app';

function build(props: Partial<WebTierProps> = {}): { t: Template; web: WebTier; stack: ReturnType<typeof newStack> } {
  const stack = newStack();
  const web = new WebTier(stack, 'Web', { vpcProps: { availabilityZones: TEST_AZS }, capacity: { min: 2, max: 4 }, alarms: { topic: new AlarmTopic(stack, 'Alarms').topic }, ...props });
  return { t: Template.fromStack(stack), web, stack };
}

describe('a regional web ACL on the load balancer (the direct path to an origin behind a CDN)', () => {
  test('managed rules: the IP reputation list, the core rule set and known bad inputs, then a rate rule per IP, associated with the load balancer', () => {
    const { t, web, stack } = build({ webAcl: WebTierWebAcl.managedRules() });
    const acl = resourcesOfType(t, 'AWS::WAFv2::WebACL');
    expect(acl).toHaveLength(1);
    const p = acl[0][1].Properties as { Scope: string; DefaultAction: unknown; Rules: { Name: string; Priority: number; OverrideAction?: unknown; Action?: unknown; Statement: Record<string, { Name?: string; VendorName?: string; Limit?: number }> }[] };
    expect(p.Scope).toBe('REGIONAL');
    expect(p.DefaultAction).toEqual({ Allow: {} });
    expect(p.Rules.map((r) => [r.Name, r.Priority])).toEqual([...WEB_TIER_MANAGED_RULE_GROUPS.map((g, i) => [g, i]), ['RatePerIp', 3]]);
    for (const r of p.Rules.slice(0, 3)) {
      expect(r.OverrideAction).toEqual({ None: {} });
      expect(r.Statement.ManagedRuleGroupStatement).toEqual({ VendorName: 'AWS', Name: r.Name });
    }
    expect(p.Rules[3]).toMatchObject({ Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } } });
    const assoc = resourcesOfType(t, 'AWS::WAFv2::WebACLAssociation');
    expect(assoc).toHaveLength(1);
    expect(assoc[0][1].Properties).toEqual({ ResourceArn: stack.resolve(web.alb.loadBalancerArn), WebACLArn: { 'Fn::GetAtt': [acl[0][0], 'Arn'] } });
    expect(web.webAcl).toBeDefined();
    expect(nagFindings(stack)).toEqual([]);
  });

  test('countOnly counts instead of blocking; rateLimitPerIp false drops the rate rule', () => {
    const { t } = build({ webAcl: WebTierWebAcl.managedRules({ countOnly: true, rateLimitPerIp: false }) });
    const rules = resourcesOfType(t, 'AWS::WAFv2::WebACL')[0][1].Properties.Rules as { Name: string; OverrideAction?: unknown }[];
    expect(rules.map((r) => r.Name)).toEqual(WEB_TIER_MANAGED_RULE_GROUPS);
    for (const r of rules) expect(r.OverrideAction).toEqual({ Count: {} });
  });

  test('a web ACL of your own is associated by ARN; none is built', () => {
    const arn = 'arn:aws:wafv2:us-east-1:111111111111:regional/webacl/mine/abc';
    const { t, web } = build({ webAcl: WebTierWebAcl.fromArn(arn) });
    t.resourceCountIs('AWS::WAFv2::WebACL', 0);
    t.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: arn });
    expect(web.webAcl).toBeUndefined();
  });

  test('none by default', () => {
    const { t } = build();
    t.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });

  test.each([
    [10, true],
    [9, false],
    [2_000_000_000, true],
    [2_000_000_001, false],
  ])('a rate limit per IP of %d: accepted %s', (limit, accepted) => {
    const run = (): unknown => build({ webAcl: WebTierWebAcl.managedRules({ rateLimitPerIp: limit }) });
    if (accepted) expect(run).not.toThrow();
    else {
      const err = errorOf(run);
      expect(err).toBeInstanceOf(ResilienceError);
      expect(err.codes).toEqual(['WEB_TIER_WAF']);
      expect(err.message).toContain(`webAcl.rateLimitPerIp`);
    }
  });

  test("a strategy's webAcl reaches both Regions' load balancers", () => {
    const aa = new ActiveActive(newApp(), 'Aa', strategyProps('aa', { web: { capacity: { min: 4, max: 12 }, webAcl: WebTierWebAcl.managedRules() } }));
    for (const stack of [aa.primaryStack, aa.recoveryStack]) {
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::WAFv2::WebACL', 1);
      t.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    }
  });
});
