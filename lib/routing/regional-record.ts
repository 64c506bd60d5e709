import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { Validator } from '../core/validation';
import { addWarning, WarningId } from '../core/warnings';
import { CalculatedHealthCheck, HealthCheckDetection, HealthCheckLike } from './calculated-health-check';
import { EndpointHealthCheck, EndpointHealthCheckOptions, validateHealthCheckOptions } from './endpoint-health-check';
import { HostedZoneReference, importHostedZone, qualifiedName } from './hosted-zone';
import { RecordEndpoint } from './record-endpoint';
import { checkAndRegisterRecord, RoutingPolicy } from './record-registry';

/** The failover role of a record. */
export enum FailoverRole {
  /** Answers while healthy. */
  PRIMARY = 'PRIMARY',
  /** Answers when the primary is unhealthy. */
  SECONDARY = 'SECONDARY',
}

/** What every Region's record takes, whatever the routing policy. */
export interface RegionalEndpointOptions {
  /** What the Region's record points at. */
  readonly endpoint: RecordEndpoint;
  /**
   * The Region's health check against the endpoint. `false` for none (never allowed for
   * a failover PRIMARY or an active-active Region).
   * @default - an HTTPS check of `/health` every 10 s, failing after 3 misses
   */
  readonly healthCheck?: EndpointHealthCheckOptions | false;
  /**
   * Use this health check instead of building one (a calculated, alarm or
   * routing-control check). Give this or `healthCheck`, not both.
   * @default - none
   */
  readonly existingHealthCheck?: HealthCheckLike;
  /**
   * Set identifier of the record.
   * @default - the failover role (failover) or the Region (other policies)
   */
  readonly setIdentifier?: string;
  /**
   * TTL of a non-alias record, at most 300 s; above 60 s the construct warns, because
   * resolvers keep answering the failed Region for the TTL.
   * @default Duration.seconds(60)
   */
  readonly ttl?: Duration;
  /**
   * Also publish `<region>.<recordName>`: a plain alias to this Region's endpoint, for
   * per-Region health checks, drills and routing-control records in another stack.
   * @default true
   */
  readonly regionalRecord?: boolean;
  /**
   * Other health checks the record needs to pass besides its own (traffic gates, a
   * dependency's check): the record's health check becomes a CALCULATED check that is
   * healthy only while all of them are.
   * @default - none: the record's own health check alone
   */
  readonly requireHealthChecks?: HealthCheckLike[];
  /**
   * Also publish `_status.<region>.<recordName>`: a TXT failover pair that Route 53 answers
   * `serving` while this record's health check passes and `withdrawn` otherwise, so whether
   * Route 53 sends traffic to the Region can be read with a DNS query on the zone's name
   * servers (a data-plane read; runbooks verify a move with it).
   * @default false
   */
  readonly statusRecord?: boolean;
  /**
   * Also publish `_fence.<region>.<recordName>`: a TXT failover pair that Route 53 answers
   * `open` while every required health check (`requireHealthChecks`: the traffic gates)
   * passes and `closed` otherwise, whatever the endpoint's health. Whether a fence is in
   * force as Route 53 reads it: the status record alone cannot tell a fenced Region from one
   * that is down.
   * @default false
   */
  readonly fenceRecord?: boolean;
  /**
   * Whether Route 53 withdraws the record when its endpoint fails. `false`, for a failover
   * SECONDARY with `requireHealthChecks` only: the required checks (traffic gates) alone decide,
   * and the alias does not evaluate the target's health. The endpoint health check is still
   * built (its status alarm, its detection time) but the record does not use it. This keeps a
   * fenced PRIMARY from being answered when the SECONDARY's endpoint fails: Route 53 answers
   * the PRIMARY whenever the SECONDARY is unhealthy, whatever the PRIMARY's health.
   * @default true
   */
  readonly routeOnEndpointHealth?: boolean;
}

/** Props for {@link RegionalRecord}. */
export interface RegionalRecordProps extends RegionalEndpointOptions {
  /** The hosted zone. */
  readonly zone: HostedZoneReference;
  /** Record name, relative to the zone (`shop`) or fully qualified. */
  readonly recordName: string;
  /** The routing policy. */
  readonly policy: RoutingPolicy;
  /**
   * Failover role (FAILOVER policy only).
   * @default - none
   */
  readonly failoverRole?: FailoverRole;
  /**
   * Weight 0-255 (WEIGHTED policy only).
   * @default - none
   */
  readonly weight?: number;
  /**
   * Location (GEOLOCATION policy only).
   * @default - none
   */
  readonly geoLocation?: route53.GeoLocation;
  /**
   * For alias records: answer only while the target is healthy (the ALB has healthy
   * targets, the aliased record's own health check passes).
   * @default true
   */
  readonly evaluateTargetHealth?: boolean;
  /**
   * The Region this record stands for, when the record lives in another Region's stack
   * (routing-control records gathered in the control stack).
   * @default - the stack's Region
   */
  readonly region?: string;
}

/**
 * One Region's record in a multi-Region name: the record with its routing policy, its
 * own health check (with a status alarm in us-east-1), and a plain per-Region record.
 * It lives in its Region's stack; nothing in it references another Region.
 */
export class RegionalRecord extends Construct {
  /** The record. */
  public readonly record: route53.RecordSet;
  /** The health check built for it. */
  public readonly endpointHealthCheck?: EndpointHealthCheck;
  /** The health check id the record uses, if any. */
  public readonly healthCheckId?: string;
  /** How long the record's health check takes to read unhealthy after a failure, when known. */
  public readonly detection?: HealthCheckDetection;
  /** The record's fully qualified name. */
  public readonly domainName: string;
  /** `<region>.<name>`, when `regionalRecord` is on. */
  public readonly regionalDomainName?: string;
  /** The plain per-Region record (`<region>.<name>`), when `regionalRecord` is on: what routing-control records alias. */
  public readonly regionalRecordSet?: route53.RecordSet;
  /** The set identifier. */
  public readonly setIdentifier: string;
  /** The Region. */
  public readonly region: string;
  /** `_status.<region>.<name>`, when `statusRecord` is on. */
  public readonly statusDomainName?: string;
  /** `_fence.<region>.<name>`, when `fenceRecord` is on. */
  public readonly fenceDomainName?: string;

  constructor(scope: Construct, id: string, props: RegionalRecordProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.region = props.region ?? stack.region;
    this.domainName = qualifiedName(props.recordName, props.zone.zoneName);
    this.setIdentifier = props.setIdentifier ?? (props.policy === RoutingPolicy.FAILOVER ? (props.failoverRole ?? 'PRIMARY') : this.region);

    const v = new Validator(this);
    v.check(Token.isUnresolved(this.region), {
      code: 'DNS_ENV',
      prop: 'scope',
      value: stack.node.path,
      message: "a Region's record needs its stack's Region as a literal (set identifier, latency Region, per-Region name)",
      fix: 'give the stack an env with a region',
    });
    v.check(props.healthCheck !== undefined && props.healthCheck !== false && props.existingHealthCheck !== undefined, {
      code: 'DNS_HEALTH_CHECK_CONFLICT',
      prop: 'existingHealthCheck',
      value: 'both healthCheck and existingHealthCheck',
      message: 'a health check to build and an existing one were both given',
      fix: 'pass healthCheck options or existingHealthCheck, not both',
    });
    const builds = props.existingHealthCheck === undefined && props.healthCheck !== false;
    const hasHealthCheck = builds || props.existingHealthCheck !== undefined;
    if (builds && props.healthCheck) validateHealthCheckOptions(v, props.healthCheck, 'healthCheck.');
    v.check(builds && props.endpoint.healthCheckFqdn === undefined, {
      code: 'DNS_HEALTH_CHECK_TARGET',
      prop: 'healthCheck',
      value: props.endpoint.recordType,
      message: 'the endpoint is a list of IP addresses, which a single endpoint health check cannot probe',
      fix: 'pass existingHealthCheck (e.g. a CalculatedHealthCheck over per-address checks), or an ALB / API endpoint',
    });
    if (props.policy === RoutingPolicy.FAILOVER) {
      v.check(props.failoverRole === FailoverRole.PRIMARY && !hasHealthCheck, {
        code: 'DNS_PRIMARY_WITHOUT_HEALTH_CHECK',
        prop: 'healthCheck',
        value: false,
        message: 'a failover PRIMARY without a health check is never considered unhealthy, so traffic never fails over',
        fix: 'keep the default health check, or pass healthCheck options or existingHealthCheck',
      });
    } else {
      v.check(!hasHealthCheck, {
        code: 'DNS_REGION_WITHOUT_HEALTH_CHECK',
        prop: 'healthCheck',
        value: false,
        message: `a ${props.policy} record without a health check keeps answering for a failed Region`,
        fix: 'keep the default health check, or pass healthCheck options or existingHealthCheck',
      });
    }
    const gatedOnly = props.routeOnEndpointHealth === false;
    v.check(gatedOnly && !(props.policy === RoutingPolicy.FAILOVER && props.failoverRole === FailoverRole.SECONDARY), {
      code: 'DNS_ROUTE_ON_ENDPOINT',
      prop: 'routeOnEndpointHealth',
      value: false,
      message: 'only a failover SECONDARY may ignore its endpoint\'s health: a PRIMARY would never fail over, and a latency, weighted or geolocation record would keep answering for a failed Region',
      fix: 'drop routeOnEndpointHealth, or use it on the SECONDARY',
    });
    v.check(gatedOnly && (props.requireHealthChecks ?? []).length === 0, {
      code: 'DNS_ROUTE_ON_ENDPOINT',
      prop: 'requireHealthChecks',
      value: [],
      message: 'a record that ignores its endpoint\'s health is decided by its required health checks, and it has none',
      fix: 'pass requireHealthChecks (e.g. traffic gates), or drop routeOnEndpointHealth',
    });
    v.check(gatedOnly && props.evaluateTargetHealth === true, {
      code: 'DNS_ROUTE_ON_ENDPOINT',
      prop: 'evaluateTargetHealth',
      value: true,
      message: 'evaluating the alias target\'s health is routing on the endpoint\'s health',
      fix: 'drop evaluateTargetHealth',
    });
    v.check(!hasHealthCheck && ((props.requireHealthChecks ?? []).length > 0 || props.statusRecord === true), {
      code: 'DNS_HEALTH_CHECK_REQUIRED',
      prop: (props.requireHealthChecks ?? []).length > 0 ? 'requireHealthChecks' : 'statusRecord',
      value: 'healthCheck: false',
      message: 'required health checks and a status record combine with the record\'s own health check, and it has none',
      fix: 'keep the default health check, or pass healthCheck options or existingHealthCheck',
    });
    v.check(props.fenceRecord === true && (props.requireHealthChecks ?? []).length === 0, {
      code: 'DNS_HEALTH_CHECK_REQUIRED',
      prop: 'fenceRecord',
      value: true,
      message: 'a fence record answers on the required health checks, and there are none',
      fix: 'pass requireHealthChecks (the traffic gates), or drop fenceRecord',
    });
    v.check((props.requireHealthChecks ?? []).length > 255, {
      code: 'DNS_HEALTH_CHECK_REQUIRED',
      prop: 'requireHealthChecks',
      value: (props.requireHealthChecks ?? []).length,
      message: 'a calculated health check has at most 256 children, one of them the record\'s own',
      fix: 'require at most 255 other health checks',
    });
    v.check(props.weight !== undefined && props.policy !== RoutingPolicy.WEIGHTED, {
      code: 'DNS_POLICY_OPTION',
      prop: 'weight',
      value: props.weight,
      message: 'weight applies to weighted records only',
      fix: 'drop weight, or use the WEIGHTED policy',
    });
    if (props.policy === RoutingPolicy.WEIGHTED) {
      v.integer('weight', props.weight ?? -1, { code: 'DNS_POLICY_OPTION', min: 0, max: 255, fix: 'give every weighted Region a weight of 0-255' });
    }
    v.check(props.policy === RoutingPolicy.GEOLOCATION && props.geoLocation === undefined, {
      code: 'DNS_POLICY_OPTION',
      prop: 'geoLocation',
      value: undefined,
      message: 'a geolocation record needs a location',
      fix: 'pass geoLocation, e.g. route53.GeoLocation.continent(route53.Continent.EUROPE), or GeoLocation.default()',
    });
    if (props.ttl !== undefined && !props.ttl.isUnresolved()) {
      v.check(props.endpoint.isAlias, {
        code: 'DNS_TTL',
        prop: 'ttl',
        value: `${props.ttl.toSeconds()} s`,
        message: 'alias records have no TTL: Route 53 uses the target\'s',
        fix: 'drop ttl',
      });
      v.duration('ttl', props.ttl, {
        code: 'DNS_TTL',
        minSeconds: 0,
        maxSeconds: 300,
        fix: 'use a TTL of at most 300 s (60 s is recommended for failover): resolvers keep the failed answer that long',
      });
    }
    if (!Token.isUnresolved(this.setIdentifier)) {
      v.check(this.setIdentifier.length < 1 || this.setIdentifier.length > 128, {
        code: 'DNS_SET_IDENTIFIER',
        prop: 'setIdentifier',
        value: this.setIdentifier,
        message: 'must be 1-128 characters',
        fix: 'use a short identifier such as the Region',
      });
    }
    const register = checkAndRegisterRecord(v, this, {
      hostedZoneId: props.zone.hostedZoneId,
      name: this.domainName,
      recordType: props.endpoint.recordType,
      policy: props.policy,
      setIdentifier: this.setIdentifier,
      prop: 'recordName',
    });
    v.throwIfAny();
    register();

    if (props.ttl && !props.ttl.isUnresolved() && props.ttl.toSeconds() > 60) {
      addWarning(
        this,
        WarningId.LONG_DNS_TTL,
        `TTL ${props.ttl.toSeconds()} s: resolvers keep answering the failed Region up to that long after Route 53 fails over. 60 s or less is recommended.`,
      );
    }

    const zone = importHostedZone(this, 'Zone', props.zone);
    if (props.existingHealthCheck) {
      this.healthCheckId = props.existingHealthCheck.healthCheckId;
      this.detection = props.existingHealthCheck.detection;
    } else if (builds) {
      this.endpointHealthCheck = new EndpointHealthCheck(this, 'HealthCheck', {
        ...(props.healthCheck || {}),
        fqdn: props.endpoint.healthCheckFqdn!,
        name: `${this.domainName}-${this.setIdentifier}`.replace(/[^A-Za-z0-9._-]/g, '-'),
      });
      this.healthCheckId = this.endpointHealthCheck.healthCheckId;
      this.detection = this.endpointHealthCheck.detection;
    }
    let gatesCheckId: string | undefined;
    if (this.healthCheckId && (props.requireHealthChecks ?? []).length > 0) {
      const own: HealthCheckLike = { healthCheckId: this.healthCheckId, detection: this.detection };
      const all = new CalculatedHealthCheck(this, 'RequiredHealthCheck', { children: gatedOnly ? [...props.requireHealthChecks!] : [own, ...props.requireHealthChecks!] });
      this.healthCheckId = all.healthCheckId;
      // Gated only: the record turns when its gates do; the endpoint check's detection stays on endpointHealthCheck.
      this.detection = all.detection;
      if (gatedOnly) gatesCheckId = all.healthCheckId;
      else if (props.fenceRecord) gatesCheckId = new CalculatedHealthCheck(this, 'FenceHealthCheck', { children: [...props.requireHealthChecks!] }).healthCheckId;
    }
    const evaluateTargetHealth = props.evaluateTargetHealth ?? true;

    const ttl = props.endpoint.isAlias ? undefined : (props.ttl ?? Duration.seconds(60));
    this.record = new route53.RecordSet(this, 'Record', {
      zone,
      recordName: this.domainName,
      recordType: props.endpoint.recordType,
      target: props.endpoint.target(zone, evaluateTargetHealth),
      ttl,
      setIdentifier: this.setIdentifier,
      failover: props.policy === RoutingPolicy.FAILOVER ? (props.failoverRole === FailoverRole.SECONDARY ? route53.Failover.SECONDARY : route53.Failover.PRIMARY) : undefined,
      region: props.policy === RoutingPolicy.LATENCY ? this.region : undefined,
      weight: props.policy === RoutingPolicy.WEIGHTED ? props.weight : undefined,
      geoLocation: props.policy === RoutingPolicy.GEOLOCATION ? props.geoLocation : undefined,
      healthCheck: this.healthCheckId ? route53.HealthCheck.fromHealthCheckId(this, 'RecordHealthCheck', this.healthCheckId) : undefined,
    });
    if (gatedOnly && props.endpoint.isAlias) {
      // aws-cdk-lib refuses a failover alias without EvaluateTargetHealth; Route 53 does not
      // (it is a choice: "Select Yes if you want Route 53 to ... check the health of the
      // resource", and a CloudFront target must say No):
      // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-failover-alias.html
      (this.record.node.defaultChild as route53.CfnRecordSet).addPropertyOverride('AliasTarget.EvaluateTargetHealth', false);
    }

    if (props.regionalRecord ?? true) {
      this.regionalDomainName = `${this.region}.${this.domainName}`;
      this.regionalRecordSet = new route53.RecordSet(this, 'RegionalRecord', {
        zone,
        recordName: this.regionalDomainName,
        recordType: props.endpoint.recordType,
        target: props.endpoint.target(zone, props.evaluateTargetHealth ?? true),
        ttl,
      });
    }

    // A TXT failover pair whose PRIMARY answers `up` while the check passes; the SECONDARY has
    // no health check, so Route 53 answers it whenever the PRIMARY is unhealthy.
    const pair = (prefix: string, domainName: string, up: string, down: string, healthCheckId?: string): void => {
      const txt = (id: string, value: string, failover: route53.Failover, check?: string): route53.RecordSet =>
        new route53.RecordSet(this, `${prefix}${id}`, {
          zone,
          recordName: domainName,
          recordType: route53.RecordType.TXT,
          target: route53.RecordTarget.fromValues(`"${value}"`),
          ttl: Duration.seconds(10),
          setIdentifier: value,
          failover,
          healthCheck: check ? route53.HealthCheck.fromHealthCheckId(this, `${prefix}${id}HealthCheck`, check) : undefined,
        });
      txt(up.charAt(0).toUpperCase() + up.slice(1), up, route53.Failover.PRIMARY, healthCheckId);
      txt(down.charAt(0).toUpperCase() + down.slice(1), down, route53.Failover.SECONDARY);
    };
    if (props.statusRecord) {
      this.statusDomainName = `_status.${this.region}.${this.domainName}`;
      pair('Status', this.statusDomainName, 'serving', 'withdrawn', this.healthCheckId);
    }
    if (props.fenceRecord && gatesCheckId) {
      this.fenceDomainName = `_fence.${this.region}.${this.domainName}`;
      pair('Fence', this.fenceDomainName, 'open', 'closed', gatesCheckId);
    }
  }
}
