/**
 * Integration test (docs/integ.md): an ActiveActive pair running the reference application,
 * deployed for real with credentials (`npm run integ:deploy`), then asserted from the recovery
 * Region (test/integ/strategy-integ.ts): both Regions' health checks healthy, the write
 * failover runbook's `plan` accepted with steps and no refusal, the public name answering with
 * a page of the pair (latency records answer the Region nearest the asking Lambda), the
 * failover drill's steady-state check steady. Without credentials integ-runner only
 * synthesizes this and compares the committed snapshot.
 */
import { App, Duration } from 'aws-cdk-lib';
import { ActiveActive } from '../../lib';
import { integStrategyProps, strategyIntegTest } from './strategy-integ';

const app = new App();
const active = new ActiveActive(app, 'IntegActive', { ...integStrategyProps('integ-active', 96), trafficRto: Duration.minutes(5) });
strategyIntegTest(app, 'ActiveActiveInteg', active, { servedBy: 'either', recoveryServes: true });
