// Writes the reference app's resilience report to docs/resilience-report.example.md, and its
// trade-off table (and the price table) into README.md and docs/assessment.md between their
// markers (npm run docs:report).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildReferenceApp } from '../bin/reference-app';
import { PRICE_TABLE_BEGIN, PRICE_TABLE_END, renderPriceTable, renderStackCostTable, STACK_COST_TABLE_BEGIN, STACK_COST_TABLE_END, TRADEOFF_TABLE_BEGIN, TRADEOFF_TABLE_END } from '../lib/assessment/cost-report';
import { renderReportMarkdown, renderTradeoffTable, resilienceReport } from '../lib/assessment/report';

const root = path.join(__dirname, '..');
// The cost estimate reads the synthesized templates: synthesize into a directory removed after.
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'render-report-'));
const app = new App({ outdir, context: { ...JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8')).context, ...JSON.parse(fs.readFileSync(path.join(root, 'cdk.context.json'), 'utf8')) } });
buildReferenceApp(app);
const report = resilienceReport(app);
fs.rmSync(outdir, { recursive: true, force: true });
fs.writeFileSync(path.join(root, 'docs', 'resilience-report.example.md'), renderReportMarkdown(report));
console.log('docs/resilience-report.example.md written');

/** Replace what is between two markers of a file. */
function between(file: string, begin: string, end: string, content: string): void {
  const full = path.join(root, file);
  const text = fs.readFileSync(full, 'utf8');
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`${file}: markers ${begin} ... ${end} not found`);
  fs.writeFileSync(full, `${text.slice(0, start + begin.length)}\n${content}\n${text.slice(stop)}`);
  console.log(`${file}: ${begin.replace(/^<!-- |:.*$/g, '')} written`);
}
for (const file of ['README.md', 'docs/assessment.md']) between(file, TRADEOFF_TABLE_BEGIN, TRADEOFF_TABLE_END, renderTradeoffTable(report));
between('docs/assessment.md', PRICE_TABLE_BEGIN, PRICE_TABLE_END, renderPriceTable());
between('README.md', STACK_COST_TABLE_BEGIN, STACK_COST_TABLE_END, renderStackCostTable(report.cost));
