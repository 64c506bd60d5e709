import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * Library-wide defaults. Each is a function that returns a fresh value, so no caller
 * can mutate another's defaults. Merge order in every construct: these defaults, then
 * the user's props, then what the construct itself requires.
 */

/** Number of Availability Zones a multi-AZ tier spans unless told otherwise. */
export const DEFAULT_AZ_COUNT = 3;

/** Default VPC CIDR. Pick distinct CIDRs per Region if the VPCs are ever peered. */
export function defaultVpcCidr(): string {
  return '10.0.0.0/16';
}

/** Default subnet prefix lengths per tier (smaller number = bigger subnet). */
export function defaultSubnetMasks(): { public: number; private: number; isolated: number } {
  return { public: 24, private: 20, isolated: 24 };
}

/** Retention for operational logs (flow logs): long enough for a post-incident review. */
export function defaultLogRetention(): logs.RetentionDays {
  return logs.RetentionDays.ONE_YEAR;
}

/** Target-group health check defaults: fast enough to pull a bad instance within ~20 s. */
export function defaultTargetHealthCheck(): {
  path: string;
  interval: Duration;
  timeout: Duration;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  healthyHttpCodes: string;
} {
  return {
    path: '/health',
    interval: Duration.seconds(10),
    timeout: Duration.seconds(5),
    healthyThresholdCount: 2,
    unhealthyThresholdCount: 2,
    healthyHttpCodes: '200',
  };
}
