import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';

/**
 * What a Region's record points at: an ALB, an API Gateway custom domain, another record
 * of the same hosted zone (by name), or a CNAME / IP addresses.
 */
export class RecordEndpoint {
  /** Alias A record to an Application (or Network) Load Balancer. */
  public static loadBalancer(lb: elbv2.ILoadBalancerV2): RecordEndpoint {
    return new RecordEndpoint('alias', route53.RecordType.A, lb.loadBalancerDnsName, (_zone, evaluateTargetHealth) => new targets.LoadBalancerTarget(lb, { evaluateTargetHealth }));
  }

  /** Alias A record to a (Regional) API Gateway custom domain name. */
  public static apiGatewayDomain(domain: apigw.IDomainName): RecordEndpoint {
    return new RecordEndpoint('alias', route53.RecordType.A, domain.domainNameAliasDomainName, (_zone, evaluateTargetHealth) => {
      const inner = new targets.ApiGatewayDomain(domain);
      return { bind: (record, zone) => ({ ...inner.bind(record, zone), evaluateTargetHealth }) };
    });
  }

  /**
   * Alias A record to another record of the same hosted zone, by its fully qualified
   * name: a plain string, so the target may belong to another Region's stack (the
   * record's stack must then depend on it).
   */
  public static recordInZone(fqdn: string): RecordEndpoint {
    return new RecordEndpoint('alias', route53.RecordType.A, fqdn, (zone, evaluateTargetHealth) => ({
      bind: () => ({ dnsName: fqdn, hostedZoneId: zone.hostedZoneId, evaluateTargetHealth }),
    }));
  }

  /** CNAME record to a domain name (no alias: the record has a TTL). */
  public static cname(domainName: string): RecordEndpoint {
    return new RecordEndpoint('values', route53.RecordType.CNAME, domainName, () => undefined, [domainName]);
  }

  /** A record with IP addresses (no alias: the record has a TTL). */
  public static ipAddresses(...addresses: string[]): RecordEndpoint {
    return new RecordEndpoint('values', route53.RecordType.A, undefined, () => undefined, addresses);
  }

  private constructor(
    /** Whether the record is an alias (no TTL) or carries values (TTL). */
    public readonly kind: 'alias' | 'values',
    /** The record type. */
    public readonly recordType: route53.RecordType,
    /** The name a health check should probe, when there is one. */
    public readonly healthCheckFqdn: string | undefined,
    private readonly aliasFactory: (zone: route53.IHostedZone, evaluateTargetHealth: boolean) => route53.IAliasRecordTarget | undefined,
    private readonly values: string[] = [],
  ) {}

  /** Whether the record is an alias. */
  public get isAlias(): boolean {
    return this.kind === 'alias';
  }

  /** The record target in a zone. */
  public target(zone: route53.IHostedZone, evaluateTargetHealth = true): route53.RecordTarget {
    const alias = this.aliasFactory(zone, evaluateTargetHealth);
    return alias ? route53.RecordTarget.fromAlias(alias) : route53.RecordTarget.fromValues(...this.values);
  }
}
