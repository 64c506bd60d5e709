/**
 * Integration test (docs/integ.md): a PilotLight across two Regions running the reference
 * application, deployed for real with credentials (`npm run integ:deploy`), then asserted from
 * the recovery Region (test/integ/strategy-integ.ts): the primary's health check healthy (the
 * recovery Region runs no instance until a failover), the failover runbook's `plan` accepted
 * with steps and no refusal, the public name answering with the primary's page, the failover
 * drill's steady-state check steady. Without credentials integ-runner only synthesizes this and
 * compares the committed snapshot.
 */
import { App } from 'aws-cdk-lib';
import { PilotLight } from '../../lib';
import { integStrategyProps, strategyIntegTest } from './strategy-integ';

const app = new App();
const pilot = new PilotLight(app, 'IntegPilot', integStrategyProps('integ-pilot', 94));
strategyIntegTest(app, 'PilotLightInteg', pilot, { servedBy: 'primary', recoveryServes: false });
