import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import * as ts from 'typescript';

const root = path.join(__dirname, '..');

/** The ```ts blocks of a Markdown file. */
function tsBlocks(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** Run a README example as a user would, with `cdk-resilience` resolved to this package. */
function run(source: string): Record<string, unknown> {
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const mod = { exports: {} as Record<string, unknown> };
  const localRequire = (id: string): unknown => require(id === 'cdk-resilience' ? path.join(root, 'lib') : id);
  vm.runInNewContext(`(function (require, module, exports) {\n${js}\n})`, {})(localRequire, mod, mod.exports);
  return mod.exports;
}

describe('README', () => {
  test('the example builds a web tier that synthesizes', () => {
    const [example] = tsBlocks('README.md');
    expect(example).toMatch(/new WebTier\(/);
    // A complete app, as `npm run test:consumer` runs it in a fresh app: nothing to fill in.
    expect(example).toMatch(/app\.synth\(\);\n$/);
    const source = example.concat('\nmodule.exports = { app, stack, web };\n');
    const { app, web } = run(source) as { app: import('aws-cdk-lib').App; web: import('../lib').WebTier };
    expect(web.capacityPlan.groupMin).toBe(6);
    expect(() => app.synth()).not.toThrow();
  });

  test('names the two commands', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toContain('npm ci && npx cdk synth');
    expect(readme).toContain('npm ci && npm test');
    expect(readme).toContain('npm run test:consumer');
    expect(readme).toMatch(/npm install cdk-resilience aws-cdk-lib constructs cdk-nag/);
    expect(fs.readFileSync(path.join(root, '.ci', 'run'), 'utf8')).toMatch(/npm ci\nnpm test\n/);
  });
});

describe('docs', () => {
  test.each(['docs/multi-az-vpc.md', 'docs/web-tier.md', 'docs/database.md', 'docs/global-database.md', 'docs/cross-region-read-replica.md', 'docs/backup.md', 'docs/dr-strategies.md', 'docs/alarm-topic.md', 'docs/tenant-api.md', 'docs/chaos.md', 'docs/observability.md', 'docs/edge-failover.md', 'docs/global-table.md', 'docs/decoupled-queue.md', 'docs/session-cache.md', 'docs/replicated-bucket.md'])('%s has a diagram, props, defaults and what it survives', (file) => {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    expect(text).toMatch(/```mermaid/);
    expect(text).toMatch(/## Props/);
    expect(text).toMatch(/default/i);
    expect(text).toMatch(/## What it survives/);
  });

  test.each([
    ['docs/multi-az-vpc.md', 'lib/tiers/multi-az-vpc.ts'],
    ['docs/web-tier.md', 'lib/tiers/web-tier.ts'],
    ['docs/database.md', 'lib/data/database.ts'],
    ['docs/global-database.md', 'lib/data/global-database.ts'],
    ['docs/cross-region-read-replica.md', 'lib/data/cross-region-read-replica.ts'],
    ['docs/cross-region-read-replica.md', 'lib/data/cross-region-replica-cluster.ts'],
    ['docs/backup.md', 'lib/data/backup.ts'],
    ['docs/routing.md', 'lib/routing', /^edge-/],
    ['docs/edge-failover.md', 'lib/routing/edge-failover.ts'],
    ['docs/global-table.md', 'lib/data/global-table.ts|lib/data/global-table-replica-key.ts'],
    ['docs/decoupled-queue.md', 'lib/tiers/decoupled-queue.ts'],
    ['docs/session-cache.md', 'lib/data/session-cache.ts|lib/data/session-cache-secondary.ts'],
    ['docs/replicated-bucket.md', 'lib/data/replicated-bucket.ts|lib/data/replica-bucket.ts'],
    ['docs/dr-strategies.md', 'lib/dr/strategy.ts'],
    ['docs/tenant-api.md', 'lib/tenancy'],
    ['docs/chaos.md', 'lib/chaos'],
    ['docs/observability.md', 'lib/observability'],
  ] as [string, string, RegExp?][])('%s lists every error code its construct can throw', (doc, source, ...rest) => {
    // A rest parameter: a third declared parameter would make jest treat it as a done callback.
    const exclude = rest[0] as RegExp | undefined;
    const files = source.split('|').flatMap((src) =>
      fs.statSync(path.join(root, src)).isDirectory() ? fs.readdirSync(path.join(root, src)).filter((f) => !exclude?.test(f)).map((f) => path.join(src, f)) : [src],
    );
    const text0 = files.map((f) => fs.readFileSync(path.join(root, f), 'utf8')).join('\n');
    const codes = new Set([...text0.matchAll(/code: '([A-Z_]+)'|\[(DNS_[A-Z_]+)\]/g)].map((m) => m[1] ?? m[2]));
    const text = fs.readFileSync(path.join(root, doc), 'utf8');
    expect(codes.size).toBeGreaterThan(2);
    for (const code of codes) expect(text).toContain(code);
  });
});

test('docs/routing.md covers a diagram, detection time with its source, data vs control plane, and when to choose routing controls', () => {
  const text = fs.readFileSync(path.join(root, 'docs/routing.md'), 'utf8');
  expect(text).toMatch(/```mermaid/);
  expect(text).toMatch(/request interval x failure threshold/);
  expect(text).toContain('https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/best-practices-dns.html');
  expect(text).toMatch(/data plane/);
  expect(text).toMatch(/control plane/);
  expect(text).toMatch(/when routing controls are worth it/i);
});

test('docs/runbooks.md covers invoking (with a CLI example), plan mode, each step, failures, failback and the drill checklist', () => {
  const text = fs.readFileSync(path.join(root, 'docs/runbooks.md'), 'utf8');
  expect(text).toMatch(/aws lambda invoke/);
  for (const heading of ['## Invoke', '## Plan mode', '## What each step does', '## When a step fails', '## Failback', '## Drill checklist']) expect(text).toContain(heading);
  // Every state of the state machine is explained.
  const { RUNBOOK_STATES } = require('../lib/dr/runbook') as typeof import('../lib/dr/runbook');
  for (const state of ['preflight', 'database', 'compute', 'traffic', 'trafficWait', 'verify', 'notify', 'notifyFailure'] as const) expect(text).toContain(RUNBOOK_STATES[state]);
});

test('docs/runbooks.md lists every error code a runbook can throw: at synth and at run time', () => {
  const text = fs.readFileSync(path.join(root, 'docs/runbooks.md'), 'utf8');
  const synth = [...fs.readFileSync(path.join(root, 'lib/dr/runbook.ts'), 'utf8').matchAll(/code: '([A-Z_]+)'/g)].map((m) => m[1]);
  const sources = ['lambda/shared', 'lambda/runbook-entry', 'lambda/runbook-preflight', 'lambda/runbook-database', 'lambda/runbook-compute', 'lambda/runbook-traffic', 'lambda/runbook-verify', 'lambda/runbook-notify'].flatMap((dir) =>
    fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.ts')).map((f) => fs.readFileSync(path.join(root, dir, f), 'utf8')),
  );
  const runtime = sources.flatMap((src) => [...src.matchAll(/RunbookRefused\(\s*'([A-Za-z]+)'|code: '([A-Za-z]+)'|\? '([A-Za-z]+Refused)' : '([A-Za-z]+Refused)'|name = '(\w+)'/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5]).concat(...[...src.matchAll(/: '([A-Za-z]+Refused)'/g)].map((m) => m[1])));
  const codes = new Set([...synth, ...runtime].filter((c) => c !== 'RunbookRefused'));
  expect(synth.length).toBeGreaterThanOrEqual(2);
  expect(codes.size).toBeGreaterThan(12);
  for (const code of codes) expect(text).toContain(`\`${code}\``);
});

describe('recovery figures in the docs', () => {
  test.each([
    ['docs/database.md', ['rdsMultiAzInstanceFailover', 'rdsMultiAzClusterFailover', 'auroraFailoverWithReplica']],
    ['docs/global-database.md', ['auroraGlobalSecondaryPromotion']],
    ['docs/assessment.md', ['pointInTimeRestoreLag', 'rdsMultiAzInstanceFailover']],
    ['docs/global-table.md', ['dynamoGlobalTableReplication']],
    ['docs/replicated-bucket.md', ['s3ReplicationTimeControl']],
    ['docs/session-cache.md', ['elasticacheMultiAzFailover', 'elasticacheGlobalReplicationLag']],
  ] as const)('%s cites the source of each figure the code uses', (doc, keys) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { AWS_FIGURES } = require('../lib/core/aws-figures') as typeof import('../lib/core/aws-figures');
    const text = fs.readFileSync(path.join(root, doc), 'utf8');
    for (const key of keys) {
      const source = AWS_FIGURES[key].source;
      const url = source.match(/https:\/\/[^\s;]+/)?.[0] ?? source.split(';')[0];
      expect(text).toContain(url.replace(/[).,]+$/, ''));
    }
  });
});

test('docs/chaos.md covers each scenario\'s hypothesis, what it breaks, its stop condition, and how to run it safely', () => {
  const text = fs.readFileSync(path.join(root, 'docs/chaos.md'), 'utf8');
  const lib = require('../lib') as Record<string, unknown>;
  const scenarios = Object.keys(lib).filter((k) => k.endsWith('Scenario'));
  expect(scenarios.length).toBeGreaterThanOrEqual(6);
  for (const s of scenarios) expect(text).toContain(`\`${s}(`);
  expect(text).toMatch(/\| scenario \| hypothesis \| what it breaks \| stop condition \|/);
  expect(text).toContain('## Running an experiment safely');
  expect(text).toContain('aws fis stop-experiment');
});

test('docs/assessment.md carries the generated rule table of every ResilienceChecks rule (npm run docs:rules)', () => {
  const text = fs.readFileSync(path.join(root, 'docs/assessment.md'), 'utf8');
  const { renderRuleTable, RULE_TABLE_BEGIN, RULE_TABLE_END } = require('../lib/assessment/rule-table') as typeof import('../lib/assessment/rule-table');
  const between = text.slice(text.indexOf(RULE_TABLE_BEGIN) + RULE_TABLE_BEGIN.length, text.indexOf(RULE_TABLE_END)).trim();
  expect(between).toBe(renderRuleTable());
});

// docs/observability.md's dashboard layout is checked against the reference app in test/reference-app/dashboards.cases.ts.

test('docs/operator-guide.md covers every command, every exit code and the IAM an operator needs', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { EXIT } = require('../cli/errors') as typeof import('../cli/errors');
  const text = fs.readFileSync(path.join(root, 'docs/operator-guide.md'), 'utf8');
  for (const command of ['plan', 'failover', 'failback', 'drill', 'status']) expect(text).toContain(`| \`${command}\` |`);
  for (const code of Object.values(EXIT)) expect(text).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  expect(text).toContain('"Action": "ssm:GetParameter"');
  expect(text).toContain('## What it survives');
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  expect(readme).toContain('## Quick start for operators');
  expect(readme).toContain('npx cdk-resilience failover --strategy');
});

test('every relative link in README and docs/ points at a file and a heading that exist', () => {
  // GitHub's anchor of a heading: lowercased, punctuation dropped, spaces to hyphens.
  const slug = (heading: string): string => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
  const anchors = (file: string): Set<string> =>
    new Set([...fs.readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1])));
  const files = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const broken: string[] = [];
  let checked = 0;
  for (const file of files) {
    const text = fs.readFileSync(path.join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [rel, anchor] = target.split('#');
      const dest = rel ? path.join(root, path.dirname(file), rel) : path.join(root, file);
      checked++;
      if (!fs.existsSync(dest)) broken.push(`${file}: ${target} (no such file)`);
      else if (anchor && dest.endsWith('.md') && !anchors(dest).has(anchor)) broken.push(`${file}: ${target} (no such heading)`);
    }
  }
  expect(checked).toBeGreaterThan(20);
  expect(broken).toEqual([]);
});
