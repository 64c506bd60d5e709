/** Test constructs for the runbook tests: a runbook in a stack, a strategy's props. */
import { Duration, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { RunbookConfig } from '../../protocol';
import { DatabaseEngine, DrStrategyProps } from '../../lib';
import { Runbook } from '../../lib/dr/runbook';
import { newApp, RECOVERY_AZS, TEST_AZS } from '../helpers/app';
import { ACCOUNT, NAME_SERVERS } from './fixtures';

/** A runbook construct for a configuration, in a stack of the target Region. */
export function testRunbook(config: RunbookConfig): { stack: Stack; runbook: Runbook } {
  const stack = new Stack(newApp(), 'Runbook', { env: { account: ACCOUNT, region: config.targetRegion } });
  const topic = new sns.Topic(stack, 'Notify', { enforceSSL: true });
  const runbook = new Runbook(stack, 'Failover', { config, notifyTopic: topic });
  return { stack, runbook };
}

/** Props of a two-Region strategy in the example account. */
export function strategyProps(name: string, overrides: Partial<DrStrategyProps> = {}): DrStrategyProps {
  return {
    name,
    primary: { env: { account: ACCOUNT, region: 'us-east-1' }, availabilityZones: TEST_AZS },
    recovery: { env: { account: ACCOUNT, region: 'us-west-2' }, availabilityZones: RECOVERY_AZS },
    domain: { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com', recordName: name, nameServers: NAME_SERVERS },
    web: { capacity: { min: 4, max: 12 } },
    database: { engine: DatabaseEngine.auroraPostgres('16.4') },
    rto: Duration.minutes(15),
    rpo: Duration.seconds(30),
    ...overrides,
  };
}
