import { Stack } from 'aws-cdk-lib';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { DnsObservation, TrafficGates } from '../../protocol';
import { acknowledgeCustomResourceProvider } from '../core/nag';
import { HealthCheckLike } from '../routing/calculated-health-check';
import { HostedZoneReference } from '../routing/hosted-zone';
import { TRAFFIC_GATE_DELAY_SECONDS, TRAFFIC_GATE_METRIC, TrafficGate, trafficGateNamespace } from '../routing/traffic-gate';

/** The stacks of a strategy that traffic gates go in. */
export interface GateStacks {
  readonly primary: Stack;
  readonly recovery: Stack;
  /** A stack in the recovery Region that the primary stack deploys after. */
  readonly fence: Stack;
}

/** A strategy's traffic gates: what its records require, and what its runbooks write. */
export interface StrategyGates {
  /** Per Region: the gate health checks (in that Region's stack) its record requires. */
  readonly required: Record<string, HealthCheckLike[]>;
  /** Every gate, by gated Region, then holding Region. */
  readonly gates: Record<string, Record<string, TrafficGate>>;
  /** The gates as the runbooks' configuration names them. */
  readonly config: TrafficGates;
}

/**
 * Four traffic gates: for each Region X, a gate in each Region Y (alarm `<name>-gate-X-in-Y`,
 * in Y's stack), and in X's stack a health check on each, which X's record requires. The
 * primary's gate held in the recovery Region lives in `fence`, a recovery-Region stack the
 * primary stack deploys after, since Route 53 reads an alarm when a health check on it is made.
 * Every gate starts open: a new health check with no data is healthy.
 */
export function buildStrategyGates(name: string, stacks: GateStacks): StrategyGates {
  const p = stacks.primary.region;
  const r = stacks.recovery.region;
  const holders: Record<string, Record<string, Stack>> = {
    [p]: { [p]: stacks.primary, [r]: stacks.fence },
    [r]: { [p]: stacks.primary, [r]: stacks.recovery },
  };
  const gates: Record<string, Record<string, TrafficGate>> = { [p]: {}, [r]: {} };
  const required: Record<string, HealthCheckLike[]> = { [p]: [], [r]: [] };
  const alarms: TrafficGates['alarms'] = { [p]: {}, [r]: {} };
  for (const gated of [p, r]) {
    const ownStack = gated === p ? stacks.primary : stacks.recovery;
    for (const holding of [p, r]) {
      const gate = new TrafficGate(holders[gated][holding], `TrafficGate-${gated}`, { strategyName: name, gatedRegion: gated });
      gates[gated][holding] = gate;
      alarms[gated][holding] = { alarmName: gate.alarmName };
      const check = TrafficGate.healthCheck(ownStack, `TrafficGateCheck-${gated}-in-${holding}`, { alarmName: gate.alarmName, alarmRegion: holding });
      // In the same stack, the alarm must exist before Route 53 is asked to read it.
      if (Stack.of(gate) === ownStack) check.node.addDependency(gate);
      required[gated].push(check);
    }
  }
  return { gates, required, config: { namespace: trafficGateNamespace(name), metricName: TRAFFIC_GATE_METRIC.metricName, alarms, delaySeconds: TRAFFIC_GATE_DELAY_SECONDS } };
}

/**
 * The zone's name servers for a runbook in `stack`: as given, or read at deploy with
 * GetHostedZone (a Route 53 control-plane call, fine at deploy time; the runbook then only
 * queries the name servers, a data-plane read).
 */
export function zoneNameServers(stack: Stack, zone: HostedZoneReference): string[] {
  if (zone.nameServers) return [...zone.nameServers];
  const id = 'ZoneNameServers';
  const existing = stack.node.tryFindChild(id) as cr.AwsCustomResource | undefined;
  const lookup =
    existing ??
    new cr.AwsCustomResource(stack, id, {
      onUpdate: {
        service: 'Route53',
        action: 'getHostedZone',
        parameters: { Id: zone.hostedZoneId },
        region: 'us-east-1',
        physicalResourceId: cr.PhysicalResourceId.of(`name-servers-${zone.hostedZoneId}`),
        outputPaths: [0, 1, 2, 3].map((i) => `DelegationSet.NameServers.${i}`),
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [`arn:${stack.partition}:route53:::hostedzone/${zone.hostedZoneId}`] }),
      installLatestAwsSdk: false,
    });
  if (!existing) acknowledgeCustomResourceProvider(stack);
  return [0, 1, 2, 3].map((i) => lookup.getResponseField(`DelegationSet.NameServers.${i}`));
}

/** How a runbook observes traffic: the status records, on the zone's name servers. */
export function dnsObservation(stack: Stack, zone: HostedZoneReference, statusRecords: Record<string, string>, fenceRecords: Record<string, string>): DnsObservation {
  // An alias to a load balancer is answered with the load balancer's own TTL (60 s).
  return { nameServers: zoneNameServers(stack, zone), statusRecords, fenceRecords, ttlSeconds: 60 };
}
