/**
 * The import rules of the design (DESIGN.md, "Layout"), as dependency-cruiser checks them
 * (.dependency-cruiser.cjs): the project's own tree has no violation, and every rule
 * catches a violation planted on purpose in a small tree beside it (so no rule can pass
 * by matching nothing), while the imports the design allows stay allowed.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');
const CONFIG = path.join(root, '.dependency-cruiser.cjs');
const CLI = path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const PARTS = ['lib', 'protocol', 'lambda', 'cli', 'bin', 'bench', 'scripts', 'test'];

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

interface Cruise {
  /** The violations, as `rule: from -> to` lines. */
  readonly violations: string[];
  /** Every import edge, as `from -> to` lines. */
  readonly edges: string[];
}

/** Run dependency-cruiser's own CLI in `cwd` over `parts`. */
function cruise(cwd: string, parts: string[]): Cruise {
  let out: string;
  try {
    out = execFileSync(process.execPath, [CLI, '--config', CONFIG, '--output-type', 'json', ...parts], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    // It exits non-zero when it finds errors; the JSON report is on stdout all the same.
    out = (e as { stdout?: string }).stdout ?? '';
    if (!out.trim().startsWith('{')) throw e;
  }
  const report = JSON.parse(out) as { summary: { violations: Violation[] }; modules: { source: string; dependencies: { resolved: string }[] }[] };
  // Packages resolve to wherever node_modules really is: keep the part from node_modules on.
  const local = (p: string): string => p.replace(/^.*?(node_modules\/)/, '$1');
  return {
    violations: report.summary.violations.map((v) => `${v.rule.name}: ${local(v.from)} -> ${local(v.to)}`).sort(),
    edges: report.modules.flatMap((m) => m.dependencies.map((d) => `${local(m.source)} -> ${local(d.resolved)}`)),
  };
}

describe('import rules (dependency-cruiser)', () => {
  const project = cruise(root, PARTS);

  test('the project has no forbidden import, no cycle (type-only imports included) and no unresolvable import', () => {
    expect(project.violations).toEqual([]);
  });

  test('the rules see imports of packages, not only of the project\'s own files', () => {
    // The package rules (CDK out of handlers and the CLI, no devDependency in shipped code)
    // match nothing if packages drop out of the graph.
    expect(project.edges).toContainEqual(expect.stringMatching(/^lib\/\S+ -> node_modules\/aws-cdk-lib\//));
    expect(project.edges).toContainEqual(expect.stringMatching(/^lambda\/\S+ -> node_modules\/@aws-sdk\//));
    expect(project.edges).toContainEqual(expect.stringMatching(/^cli\/\S+ -> node_modules\/@aws-sdk\//));
  });

  describe('each rule fails on a planted forbidden import', () => {
    let dir: string;
    const plant = (file: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    };

    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depcruise-plants-'));
      // The project's manifest and compiler settings; its packages through a link.
      fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
      fs.copyFileSync(path.join(root, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
      fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');

      // Allowed: the design's direction, handlers on shared code and the SDK, the CLI on protocol.
      plant('protocol/config.ts', "export interface Config { readonly name: string }\n");
      plant('protocol/index.ts', "export * from './config';\n");
      plant('lib/core/leaf.ts', "import { Duration } from 'aws-cdk-lib';\nexport const d = Duration.seconds(1);\n");
      plant('lib/tiers/tier.ts', "import { d } from '../core/leaf';\nexport const tier = d;\n");
      plant('lib/dr/strategy.ts', "import type { Config } from '../../protocol';\nimport { tier } from '../tiers/tier';\nexport const s: Config = { name: String(tier) };\n");
      plant('lib/assessment/model.ts', "import { s } from '../dr/strategy';\nexport const m = s;\n");
      plant('lib/index.ts', "export * from './dr/strategy';\nexport * from './assessment/model';\n");
      plant('lambda/shared/state.ts', "import { RDSClient } from '@aws-sdk/client-rds';\nimport type { Config } from '../../protocol';\nexport const read = (c: Config): RDSClient => new RDSClient({ region: c.name });\n");
      plant('lambda/runbook-good/index.ts', "import { read } from '../shared/state';\nexport const handler = read;\n");
      plant('cli/index.ts', "import { SSMClient } from '@aws-sdk/client-ssm';\nimport type { Config } from '../protocol';\nexport const c = (x: Config): SSMClient => new SSMClient({ region: x.name });\n");
      plant('bin/app.ts', "import { s } from '../lib';\nexport const app = s;\n");

      // Forbidden, one plant per rule.
      plant('lib/tiers/cycle-a.ts', "import type { B } from './cycle-b';\nexport interface A { readonly b?: B }\n");
      plant('lib/tiers/cycle-b.ts', "import type { A } from './cycle-a';\nexport interface B { readonly a?: A }\n");
      plant('lib/core/climbs.ts', "import { tier } from '../tiers/tier';\nexport const c = tier;\n");
      plant('lib/observability/dashboard.ts', "import { s } from '../dr/strategy';\nexport const dash = s;\n");
      plant('lib/dr/reads-assessment.ts', "import { m } from '../assessment/model';\nexport const r = m;\n");
      plant('lib/chaos/drill.ts', "import { read } from '../../lambda/shared/state';\nimport { app } from '../../bin/app';\nexport const drill = [read, app];\n");
      plant('protocol/impure.ts', "import type { Duration } from 'aws-cdk-lib';\nimport * as fs from 'fs';\nexport type D = Duration;\nexport const f = fs.existsSync;\n");
      plant('lambda/runbook-bad/index.ts', "import { Stack } from 'aws-cdk-lib';\nimport { tier } from '../../lib/tiers/tier';\nimport { handler } from '../runbook-good';\nexport const h = [Stack, tier, handler];\n");
      plant('cli/commands.ts', "import { read } from '../lambda/shared/state';\nimport { Stack } from 'aws-cdk-lib';\nimport { s } from '../lib';\nexport const cmd = [read, Stack, s];\n");
      plant('lib/data/uses-dev-dependency.ts', "import { RDSClient } from '@aws-sdk/client-rds';\nexport const client = RDSClient;\n");
      plant('lib/tiers/missing.ts', "import { nothing } from './does-not-exist';\nexport const x = nothing;\n");
      plant('lambda/runbook-undeclared/index.ts', "import * as pkg from '@jest/expect-utils';\nexport const handler = pkg;\n");
    });

    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('every planted import is reported under its rule, and nothing the design allows is', () => {
      expect(cruise(dir, ['lib', 'protocol', 'lambda', 'cli', 'bin']).violations).toEqual(
        [
          'no-circular: lib/tiers/cycle-a.ts -> lib/tiers/cycle-b.ts', // a cycle of type-only imports, reported once
          'core-is-a-leaf: lib/core/climbs.ts -> lib/tiers/tier.ts',
          'building-blocks-never-import-dr: lib/observability/dashboard.ts -> lib/dr/strategy.ts',
          'nothing-imports-assessment: lib/dr/reads-assessment.ts -> lib/assessment/model.ts',
          'lib-stays-in-lib: lib/chaos/drill.ts -> lambda/shared/state.ts',
          'lib-stays-in-lib: lib/chaos/drill.ts -> bin/app.ts',
          'protocol-is-pure: protocol/impure.ts -> node_modules/aws-cdk-lib/index.js',
          'protocol-is-pure: protocol/impure.ts -> fs',
          'lambda-never-imports-lib-or-cdk: lambda/runbook-bad/index.ts -> node_modules/aws-cdk-lib/index.js',
          'lambda-never-imports-lib-or-cdk: lambda/runbook-bad/index.ts -> lib/tiers/tier.ts',
          'handlers-are-independent: lambda/runbook-bad/index.ts -> lambda/runbook-good/index.ts',
          'cli-needs-neither-handlers-nor-cdk: cli/commands.ts -> lambda/shared/state.ts',
          'cli-needs-neither-handlers-nor-cdk: cli/commands.ts -> node_modules/aws-cdk-lib/index.js',
          'cli-needs-neither-handlers-nor-cdk: cli/commands.ts -> lib/index.ts',
          'shipped-code-uses-declared-dependencies: lib/data/uses-dev-dependency.ts -> node_modules/@aws-sdk/client-rds/dist-cjs/index.js',
          'no-unresolvable: lib/tiers/missing.ts -> ./does-not-exist',
          'declared-packages-only: lambda/runbook-undeclared/index.ts -> node_modules/@jest/expect-utils/build/index.js',
        ].sort(),
      );
    });
  });
});
