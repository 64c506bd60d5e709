import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeCustomResourceProvider, acknowledgeNagFinding } from '../core/nag';

/** Options of {@link WebTierOriginAccess.cloudFrontOnly}. */
export interface CloudFrontOnlyOptions {
  /** The header name CloudFront adds (`EdgeOriginSecret.headerName`). */
  readonly headerName: string;
  /** The header's value, a dynamic reference (`EdgeOriginSecret.headerValue`). */
  readonly headerValue: string;
  /**
   * Also admit Route 53's health checkers (their managed prefix list) to the health check path,
   * without the header: a strategy's DNS failover checks each load balancer directly.
   * @default true
   */
  readonly allowRoute53HealthChecks?: boolean;
}

/** Who may reach a web tier's load balancer. */
export class WebTierOriginAccess {
  /** The load balancer admits `ingressCidrs` (the default: everyone). */
  public static open(): WebTierOriginAccess {
    return new WebTierOriginAccess(undefined);
  }

  /**
   * Only CloudFront: the load balancer's security group admits CloudFront's origin-facing
   * managed prefix list on 443 only (it weighs 55 rules of a security group's default 60), and
   * the HTTPS listener forwards only requests carrying the origin header, answering 403 to the
   * rest. Route 53's health checkers (their Region's managed prefix list, 25 rules, in a second
   * security group) may reach the health check path. The prefix list ids are looked up at deploy
   * (EC2 DescribeManagedPrefixLists), not at synth. Needs a certificate (443 only).
   */
  public static cloudFrontOnly(options: CloudFrontOnlyOptions): WebTierOriginAccess {
    return new WebTierOriginAccess(options);
  }

  private constructor(
    /** The CloudFront-only options, or undefined for open access. */
    public readonly cloudFrontOnlyOptions: CloudFrontOnlyOptions | undefined,
  ) {}
}

/** The prefix lists CloudFront-only access admits (AWS-managed; names from the VPC user guide). */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = 'com.amazonaws.global.cloudfront.origin-facing';
export const route53HealthChecksPrefixList = (region: string): string => `com.amazonaws.${region}.route53-healthchecks`;

/** An AWS-managed prefix list's id, looked up at deploy in this stack's Region. */
function prefixListId(scope: Construct, id: string, name: string): string {
  const lookup = {
    service: 'EC2',
    action: 'describeManagedPrefixLists',
    parameters: { Filters: [{ Name: 'prefix-list-name', Values: [name] }] },
    physicalResourceId: cr.PhysicalResourceId.of(name),
    outputPaths: ['PrefixLists.0.PrefixListId'],
  };
  const resource = new cr.AwsCustomResource(scope, id, {
    onCreate: lookup,
    onUpdate: lookup,
    installLatestAwsSdk: false,
    policy: cr.AwsCustomResourcePolicy.fromStatements([
      new iam.PolicyStatement({ actions: ['ec2:DescribeManagedPrefixLists'], resources: ['*'] }), // DescribeManagedPrefixLists supports no resource-level permissions
    ]),
  });
  acknowledgeCustomResourceProvider(Stack.of(scope));
  const policy = resource.node.tryFindChild('CustomResourcePolicy');
  if (policy) acknowledgeNagFinding(policy, 'AwsSolutions-IAM5[Resource::*]', 'ec2:DescribeManagedPrefixLists supports no resource-level permissions; it only reads the id of an AWS-managed prefix list.');
  return resource.getResponseField('PrefixLists.0.PrefixListId');
}

/**
 * Close a load balancer to everything but CloudFront (and Route 53's health checkers on the
 * health check path). @internal
 */
export function cloudFrontOnly(
  scope: Construct,
  alb: elbv2.ApplicationLoadBalancer,
  albSecurityGroup: ec2.SecurityGroup,
  vpc: ec2.IVpc,
  listener: elbv2.ApplicationListener,
  targetGroup: elbv2.ApplicationTargetGroup,
  healthCheckPath: string,
  options: CloudFrontOnlyOptions,
): void {
  const region = Stack.of(scope).region;
  albSecurityGroup.addIngressRule(ec2.Peer.prefixList(prefixListId(scope, 'CloudFrontPrefixList', CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST)), ec2.Port.tcp(443), 'CloudFront origin-facing servers to HTTPS');
  const rules: { id: string; priority: number; conditions: elbv2.ListenerCondition[] }[] = [
    { id: 'FromCloudFront', priority: 1, conditions: [elbv2.ListenerCondition.httpHeader(options.headerName, [options.headerValue])] },
  ];
  if (options.allowRoute53HealthChecks ?? true) {
    const checkers = new ec2.SecurityGroup(scope, 'AlbHealthCheckerSecurityGroup', { vpc, description: 'Route 53 health checkers to the load balancer (health check path only)', allowAllOutbound: false });
    checkers.addIngressRule(ec2.Peer.prefixList(prefixListId(scope, 'Route53HealthChecksPrefixList', route53HealthChecksPrefixList(region))), ec2.Port.tcp(443), 'Route 53 health checkers to HTTPS');
    alb.addSecurityGroup(checkers);
    rules.push({ id: 'HealthChecks', priority: 2, conditions: [elbv2.ListenerCondition.pathPatterns([healthCheckPath])] });
  }
  for (const r of rules) listener.addAction(r.id, { priority: r.priority, conditions: r.conditions, action: elbv2.ListenerAction.forward([targetGroup]) });
  // Everything else: refused by the listener (a request that reached it without the header).
  const cfn = listener.node.defaultChild as elbv2.CfnListener;
  cfn.defaultActions = [{ type: 'fixed-response', fixedResponseConfig: { statusCode: '403', contentType: 'text/plain', messageBody: 'Forbidden' } }];
}
