// Writes the reference app's resilience report to docs/resilience-report.example.md (npm run docs:report).
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildReferenceApp } from '../bin/reference-app';
import { renderReportMarkdown, resilienceReport } from '../lib/assessment/report';

const app = new App({ context: { ...JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')).context, ...JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.context.json'), 'utf8')) } });
buildReferenceApp(app);
fs.writeFileSync(path.join(__dirname, '..', 'docs', 'resilience-report.example.md'), renderReportMarkdown(resilienceReport(app)));
console.log('docs/resilience-report.example.md written');
