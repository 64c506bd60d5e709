/**
 * The consumer app as `cdk synth` runs it: cdk-nag's AwsSolutions pack as a validation plugin,
 * wired the way that works on the installed aws-cdk-lib, so an unacknowledged finding fails
 * synth; cdk-resilience's ResilienceChecks as a report (its findings are the user's to
 * act on or acknowledge: here, alarms that notify nobody).
 */
import { App, IPolicyValidationPlugin, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NagPack } from 'cdk-nag';
import { NagPackOnScope, ResilienceChecks } from 'cdk-resilience';
import { buildConsumerApp } from '../lib/consumer-app';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdkVersion: string = require('aws-cdk-lib/package.json').version;
const minor = Number(cdkVersion.split('.')[1]);

const app = new App();
buildConsumerApp(app);
// From 2.258 a cdk-nag 3 pack is a validation plugin as it is; 2.257 does not hand plugins the
// construct tree, and the library's NagPackOnScope does.
const plugin = (pack: NagPack): IPolicyValidationPlugin => (minor >= 258 ? pack : new NagPackOnScope(app, pack));
Validations.of(app).addPlugins(plugin(new AwsSolutionsChecks(app)));
process.stderr.write(`consumer app: aws-cdk-lib ${cdkVersion}, cdk-nag as ${minor >= 258 ? 'plugins' : 'NagPackOnScope'}\n`);
app.synth();
const report = new ResilienceChecks(app).validateScope(app);
process.stderr.write(`consumer app: ResilienceChecks: ${report.violations.map((v) => `${v.ruleName} x${v.violatingResources.length}`).join(', ')}\n`);
