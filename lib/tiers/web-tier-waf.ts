import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { Validator } from '../core/validation';

/** Options of {@link WebTierWebAcl.managedRules}. */
export interface WebTierManagedWebAclOptions {
  /**
   * A rate-based rule: requests per 5 minutes one IP address may send before WAF blocks it
   * (10 to 2,000,000,000); `false` for none. Behind a CDN, turn it off: the source address of
   * the CDN's requests is an edge server's, shared by many viewers (limit viewers at the edge).
   * @default 2000
   */
  readonly rateLimitPerIp?: number | false;
  /**
   * Count instead of block (a first deploy, to see what the rules would stop).
   * @default false
   */
  readonly countOnly?: boolean;
}

/**
 * A regional AWS WAF web ACL on a web tier's load balancer: the protection of the direct path
 * to the origin, so that a CDN's web ACL in front (EdgeFailover's) cannot be bypassed by
 * calling the load balancer's own name.
 */
export class WebTierWebAcl {
  /**
   * A web ACL built with the load balancer: AWS managed rule groups (core rule set, known bad
   * inputs, Amazon IP reputation list) and a rate rule per IP.
   */
  public static managedRules(options: WebTierManagedWebAclOptions = {}): WebTierWebAcl {
    return new WebTierWebAcl(undefined, options);
  }

  /** A web ACL of your own (its ARN; a REGIONAL web ACL in the load balancer's Region). */
  public static fromArn(webAclArn: string): WebTierWebAcl {
    return new WebTierWebAcl(webAclArn, undefined);
  }

  private constructor(
    /** The ARN of a web ACL given, or undefined. */
    public readonly webAclArn: string | undefined,
    /** The managed web ACL's options, or undefined. */
    public readonly managed: WebTierManagedWebAclOptions | undefined,
  ) {}
}

/** The AWS managed rule groups of {@link WebTierWebAcl.managedRules}, in evaluation order. */
export const WEB_TIER_MANAGED_RULE_GROUPS = ['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'];

/**
 * Attach a web ACL to a load balancer: the given one, or one built here. Returns the web ACL
 * built (undefined for one given by ARN). @internal
 */
export function attachWebAcl(scope: Construct, alb: elbv2.IApplicationLoadBalancer, acl: WebTierWebAcl, name: string): wafv2.CfnWebACL | undefined {
  let arn = acl.webAclArn;
  let built: wafv2.CfnWebACL | undefined;
  if (acl.managed) {
    const o = acl.managed;
    const v = new Validator(scope);
    if (o.rateLimitPerIp !== undefined && o.rateLimitPerIp !== false) v.integer('webAcl.rateLimitPerIp', o.rateLimitPerIp, { code: 'WEB_TIER_WAF', min: 10, max: 2_000_000_000 });
    v.throwIfAny();
    const visibility = (metric: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({ cloudWatchMetricsEnabled: true, metricName: `${name}-${metric}`, sampledRequestsEnabled: true });
    const rules: wafv2.CfnWebACL.RuleProperty[] = WEB_TIER_MANAGED_RULE_GROUPS.map((group, i) => ({
      name: group,
      priority: i,
      overrideAction: o.countOnly ? { count: {} } : { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: group } },
      visibilityConfig: visibility(group),
    }));
    if (o.rateLimitPerIp !== false) {
      rules.push({
        name: 'RatePerIp',
        priority: rules.length,
        action: o.countOnly ? { count: {} } : { block: {} },
        statement: { rateBasedStatement: { limit: o.rateLimitPerIp ?? 2000, aggregateKeyType: 'IP' } },
        visibilityConfig: visibility('rate-per-ip'),
      });
    }
    built = new wafv2.CfnWebACL(scope, 'WebAcl', { scope: 'REGIONAL', defaultAction: { allow: {} }, visibilityConfig: visibility('waf'), rules });
    arn = built.attrArn;
  }
  new wafv2.CfnWebACLAssociation(scope, 'WebAclAssociation', { resourceArn: alb.loadBalancerArn, webAclArn: arn! });
  return built;
}
