import { Stage, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Validator } from '../core/validation';

/** The routing policy of a record set. */
export enum RoutingPolicy {
  FAILOVER = 'failover',
  LATENCY = 'latency',
  WEIGHTED = 'weighted',
  GEOLOCATION = 'geolocation',
}

interface Entry {
  readonly policy: RoutingPolicy;
  readonly recordType: string;
  readonly setIdentifier: string;
  readonly path: string;
}

// One registry per app (or stage): records for one name may be spread over stacks.
const REGISTRIES = new WeakMap<IConstruct, Map<string, Entry[]>>();

function registryOf(scope: IConstruct): Map<string, Entry[]> {
  const root = Stage.of(scope) ?? scope.node.root;
  let map = REGISTRIES.get(root);
  if (!map) {
    map = new Map();
    REGISTRIES.set(root, map);
  }
  return map;
}

/**
 * Check a record against the others of the same zone and name across the whole app,
 * and register it: Route 53 rejects mixed routing policies on one name and type, and
 * duplicate set identifiers.
 */
export function checkAndRegisterRecord(
  v: Validator,
  scope: IConstruct,
  record: { hostedZoneId: string; name: string; recordType: string; policy: RoutingPolicy; setIdentifier: string; prop: string },
): () => void {
  if ([record.hostedZoneId, record.name, record.setIdentifier].some((x) => Token.isUnresolved(x))) return () => undefined;
  const key = `${record.hostedZoneId}|${record.name.toLowerCase()}`;
  const entries = registryOf(scope).get(key) ?? [];
  const other = entries.find((e) => e.policy !== record.policy);
  v.check(other !== undefined, {
    code: 'DNS_MIXED_POLICIES',
    prop: record.prop,
    value: `${record.policy} on ${record.name}`,
    message: `${record.name} already has ${other?.policy} records (${other?.path}); Route 53 allows one routing policy per name and type`,
    fix: 'use one routing policy for all records of a name, or give this record another name',
  });
  const dup = entries.find((e) => e.setIdentifier === record.setIdentifier);
  v.check(dup !== undefined, {
    code: 'DNS_DUPLICATE_SET_IDENTIFIER',
    prop: record.prop,
    value: record.setIdentifier,
    message: `set identifier already used for ${record.name} by ${dup?.path}`,
    fix: 'give every record of a name its own setIdentifier (the default is the Region or the failover role)',
  });
  const typeClash = entries.find((e) => e.recordType !== record.recordType && e.policy === record.policy);
  v.check(typeClash !== undefined, {
    code: 'DNS_RECORD_TYPE_MISMATCH',
    prop: record.prop,
    value: record.recordType,
    message: `${record.name} already has ${typeClash?.recordType} records (${typeClash?.path}) under this policy; the records of one name must agree on type`,
    fix: 'point every Region at the same kind of target (all aliases, or all CNAMEs)',
  });
  // Register only once the caller's validation passed.
  return () => {
    entries.push({ policy: record.policy, recordType: record.recordType, setIdentifier: record.setIdentifier, path: scope.node.path });
    registryOf(scope).set(key, entries);
  };
}
