import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Stable ids of the warnings cdk-resilience emits. Each can be acknowledged with
 * `Annotations.of(scope).acknowledgeWarning('cdk-resilience:<id>', reason)`.
 */
export enum WarningId {
  /** Fewer NAT gateways than AZs: one AZ's loss can cut egress for the others. */
  SHARED_NAT_GATEWAY = 'SharedNatGateway',
  /** Only two AZs: losing one leaves a single AZ with no further redundancy. */
  TWO_AZS_ONLY = 'TwoAzsOnly',
  /** A web tier without a TLS certificate serves plain HTTP. */
  NO_TLS_CERTIFICATE = 'NoTlsCertificate',
  /** Capacity was not pre-provisioned for the loss of an AZ. */
  NOT_STATICALLY_STABLE = 'NotStaticallyStable',
  /** Alarms exist but notify nobody. */
  ALARMS_WITHOUT_ACTIONS = 'AlarmsWithoutActions',
  /** A DNS record whose TTL keeps resolvers on a failed Region for more than 60 s. */
  LONG_DNS_TTL = 'LongDnsTtl',
  /** A database without a standby or replica to fail over to in its Region. */
  NO_DATABASE_REPLICA = 'NoDatabaseReplica',
  /** Backups stay in one Region: losing the Region loses them too. */
  NO_CROSS_REGION_BACKUP_COPY = 'NoCrossRegionBackupCopy',
  /** A FIS experiment without a stop condition: nothing halts it if it goes too far. */
  NO_STOP_CONDITION = 'NoStopCondition',
  /** A DR strategy whose RTO or RPO estimate misses its target, accepted with warnOnly. */
  OBJECTIVE_MISSED = 'ObjectiveMissed',
  /**
   * A DR strategy whose RTO (for an active-active pair: for writes) only the typical case
   * meets: the worst case misses it. Acknowledge it, with the reason, to accept the risk.
   */
  OBJECTIVE_AT_RISK = 'ObjectiveAtRisk',
  /**
   * A DR strategy whose RPO nothing bounds (no managed RPO, an asynchronous replica): its
   * typical figure may meet the target, nothing keeps it there. Its own id, so accepting it
   * never hides an RTO at risk.
   */
  RPO_UNBOUNDED = 'RpoUnbounded',
  /** An active-active pair whose traffic RTO only the typical case meets. */
  TRAFFIC_OBJECTIVE_AT_RISK = 'TrafficObjectiveAtRisk',
  /** A service must publish to a topic whose KMS key is imported: the construct cannot grant it the key. */
  TOPIC_KEY_NOT_GRANTED = 'TopicKeyNotGranted',
  /**
   * A TenantApi whose tenants are known only by their API key (TenantIdentity.apiKeyOnly): a
   * leaked key impersonates its tenant and anyone with `apigateway:GET` can read every key.
   */
  TENANT_IDENTITY_API_KEY_ONLY = 'TenantIdentityApiKeyOnly',
}

/** The full id under which a warning is emitted, e.g. `cdk-resilience:SharedNatGateway`. */
export function warningId(id: WarningId): string {
  return `cdk-resilience:${id}`;
}

/**
 * Emit a cdk-resilience warning on a construct. Never print to the console: warnings are
 * annotations, so users can acknowledge them and tests can assert them. aws-cdk-lib appends
 * the acknowledgment hint (`[ack: cdk-resilience:<id>]`) itself, so the message does not.
 */
export function addWarning(scope: IConstruct, id: WarningId, message: string): void {
  Annotations.of(scope).addWarningV2(warningId(id), message);
}
