import { Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { RegionalRecord } from '../routing/regional-record';
import { MultiAzVpc } from '../tiers/multi-az-vpc';
import { WebTier } from '../tiers/web-tier';

/** One Region of a deployed strategy. */
export class StrategySite {
  constructor(
    /** The Region's stack. */
    public readonly stack: Stack,
    /** The network. */
    public readonly network: MultiAzVpc,
    /** The web tier. */
    public readonly web: WebTier,
    /** Alerts and runbook notifications (KMS-encrypted). */
    public readonly topic: sns.Topic,
    /** The Region's DNS record. */
    public readonly record: RegionalRecord,
  ) {}
}
