/**
 * Integration test (docs/integ.md): a WarmStandby across two Regions running the reference
 * application, deployed for real with credentials (`npm run integ:deploy`), then asserted from
 * the recovery Region (test/integ/strategy-integ.ts): both Regions' health checks healthy, the
 * failover runbook's `plan` accepted with steps and no refusal, the public name answering with
 * the primary's page, the failover drill's steady-state check steady. Without credentials
 * integ-runner only synthesizes this and compares the committed snapshot.
 */
import { App } from 'aws-cdk-lib';
import { WarmStandby } from '../../lib';
import { integStrategyProps, strategyIntegTest } from './strategy-integ';

const app = new App();
const warm = new WarmStandby(app, 'IntegWarm', integStrategyProps('integ-warm', 92));
strategyIntegTest(app, 'WarmStandbyInteg', warm, { servedBy: 'primary', recoveryServes: true });
