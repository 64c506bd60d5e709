// `npm run test:consumer`: the package as a user gets it. Packs the project (prepare builds
// it), asserts the tarball's file list and that of a git dependency (npm pack git+file:...#HEAD,
// the path `npm install <git url>` takes: only `prepare` runs), then for the lowest and the newest supported
// aws-cdk-lib installs the tarball into a fresh app in a temporary folder outside the repo
// (test/consumer/app: no feature flags, no cdk.context.json) and there:
//   1. compiles the app, its test and the README's first example against the shipped
//      declarations (tsc, strict);
//   2. synthesizes the README example and the app through the CDK CLI that reads that
//      aws-cdk-lib's cloud-assembly schema, with every AWS_* variable unset and an empty
//      HOME (no ~/.aws): no lookup, no credentials; AwsSolutions and ResilienceChecks run as
//      validation plugins; the output carries no deprecation our code can avoid and each
//      warning's [ack: ...] hint once;
//      then synthesizes both again with the `cdk init` recommended feature flags of that
//      aws-cdk-lib in cdk.json;
//   3. runs the consumer's own jest test (Template assertions);
//   4. runs `npx cdk-resilience --help`.
// Prints `consumer <aws-cdk-lib>: ok ...` per end. `KEEP_CONSUMER=1` keeps the folders;
// `-- --pack-only` stops after the file list; `-- 2.276.0` runs one end.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/**
 * The ends of the peer range `aws-cdk-lib ^2.257.0`, each with the CLI that reads the cloud
 * assembly schema it writes (2.257 writes 53, 2.276 writes 55; a 2.1xxx CLI, never the npm
 * tag aws-cdk@3.0.0) and the versions the consumer installs beside it.
 */
export const ENDS = [
  { cdkLib: '2.257.0', cli: '2.1115.1', schema: '53.0.0' },
  { cdkLib: '2.276.0', cli: '2.1148.1', schema: '55.0.0' },
];
const SHARED = {
  constructs: pkg.devDependencies.constructs,
  'cdk-nag': pkg.devDependencies['cdk-nag'],
  typescript: pkg.devDependencies.typescript,
  jest: pkg.devDependencies.jest,
  'ts-jest': pkg.devDependencies['ts-jest'],
  '@types/jest': pkg.devDependencies['@types/jest'],
  '@types/node': pkg.devDependencies['@types/node'],
};
/** Deprecation lines synth may print that our code cannot avoid (see docs/global-table.md). */
const UNAVOIDABLE_DEPRECATIONS = {
  '2.257.0': [/aws-cdk-lib\.aws_dynamodb\.TableGrantsProps#(encryptedResource|policyResource) is deprecated/],
};

const started = Date.now();
const args = process.argv.slice(2);
const packOnly = args.includes('--pack-only');
const only = args.filter((a) => !a.startsWith('--')); // e.g. `npm run test:consumer -- 2.276.0`
const ends = packOnly ? [] : only.length ? ENDS.filter((e) => only.includes(e.cdkLib)) : ENDS;
if (only.length > 0 && ends.length !== only.length) throw new Error(`test:consumer: unknown end in ${only.join(', ')}; the ends are ${ENDS.map((e) => e.cdkLib).join(', ')}`);
const work = mkdtempSync(join(tmpdir(), 'cdk-resilience-consumer-'));
if (!relative(root, work).startsWith('..')) throw new Error(`the consumer folder ${work} must be outside the repo`);
const keep = process.env.KEEP_CONSUMER === '1';
let failed = false;

function fail(message) {
  process.stderr.write(`test:consumer: FAIL ${message}\n`);
  failed = true;
}

/** Run a command; throw with its output when it fails. */
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${opts.cwd ?? process.cwd()}) exited ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  }
  return `${r.stdout}${r.stderr}`;
}

/**
 * The environment of a user's shell with no AWS configuration at all: no AWS_* variable, no
 * CDK_* variable of this machine (CDK_DEFAULT_ACCOUNT, CDK_CONTEXT_JSON, CDK_OUTDIR... would
 * feed the app what a user's shell does not), no instance metadata (the CLI would probe it
 * for a Region: a runner on EC2 would hand it one), and deprecations printed as warnings
 * whatever JSII_DEPRECATED this shell has (the checks below read them).
 */
function noAwsEnv(home) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('CDK_') && k !== 'JSII_DEPRECATED'));
  return { ...env, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', JSII_DEPRECATED: 'warn', CDK_DISABLE_CLI_TELEMETRY: 'true' };
}

// --- pack -----------------------------------------------------------------------------------
process.stderr.write('test:consumer: npm pack (prepare builds the package)\n');
const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 }))[0];
const tarball = join(work, packed.filename);
const files = packed.files.map((f) => f.path).sort();
checkFileList(files);
process.stderr.write(`test:consumer: ${packed.filename}: ${files.length} files, ${(packed.size / 1024).toFixed(0)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked\n`);

/** The tarball is the product: compiled code with declarations, the bundles, README, LICENSE; nothing else. */
function checkFileList(list, what = 'the tarball') {
  const handlers = readdirSync(join(root, 'lambda'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'shared' && existsSync(join(root, 'lambda', d.name, 'index.ts')))
    .map((d) => d.name);
  const required = [
    'package.json',
    'README.md',
    'LICENSE',
    'dist/lib/index.js',
    'dist/lib/index.d.ts',
    'dist/protocol/index.js',
    'dist/protocol/index.d.ts',
    'dist/cli/index.js',
    ...handlers.map((h) => `build/lambda/${h}/index.js`),
  ];
  for (const f of required) if (!list.includes(f)) fail(`${what}: the tarball has no ${f}`);
  const allowed = /^(package\.json|README\.md|LICENSE|dist\/(lib|protocol|cli)\/.+\.(js|d\.ts)|build\/lambda\/[a-z0-9-]+\/index\.js)$/;
  for (const f of list.filter((x) => !allowed.test(x))) fail(`${what}: the tarball ships ${f} (only dist/{lib,protocol,cli}, build/lambda bundles, README, LICENSE)`);
  for (const f of list.filter((x) => /(^|\/)(test|bench|bin|scripts|docs)\//.test(x) || /\.test\.|reference-app|\.tsbuildinfo$/.test(x))) {
    fail(`${what}: the tarball ships ${f}: tests, benches and the reference app stay in the repo`);
  }
  if (list.filter((f) => f.startsWith('build/lambda/')).length !== handlers.length) fail(`${what}: the tarball's bundles are not exactly the ${handlers.length} handlers`);
}

// --- a git dependency --------------------------------------------------------------------
// `npm install git+https://...` clones, installs the clone's dependencies, runs ONLY `prepare`
// (never `prepack`) and packs the clone. `npm pack git+file://<repo>#<ref>` takes exactly that
// path offline, so its file list is the package a git dependency installs. It packs the
// committed ref (HEAD, or CONSUMER_GIT_REF), not the working tree.
const gitRef = process.env.CONSUMER_GIT_REF ?? 'HEAD';
{
  const t0 = Date.now();
  const gitDir = join(work, 'git-pack');
  mkdirSync(gitDir, { recursive: true });
  if (gitRef === 'HEAD' && run('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root }).trim() !== '') {
    process.stderr.write('test:consumer: note: the git-dependency check packs HEAD; uncommitted changes are not in it\n');
  }
  try {
    const r = spawnSync('npm', ['pack', '--json', '--prefer-offline', '--loglevel=error', '--pack-destination', gitDir, `git+file://${root}#${gitRef}`], { cwd: gitDir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`npm pack exited ${r.status ?? r.signal}\n${r.stderr.slice(-3000)}`);
    const gitPacked = JSON.parse(r.stdout)[0];
    const before = failed;
    failed = false;
    checkFileList(gitPacked.files.map((f) => f.path).sort(), `git dependency (${gitRef})`);
    process.stdout.write(`consumer git-dependency: ${failed ? 'FAILED' : 'ok'} ref=${gitRef} files=${gitPacked.files.length} time_s=${((Date.now() - t0) / 1000).toFixed(1)}\n`);
    failed = failed || before;
  } catch (e) {
    fail(`git dependency (${gitRef}): ${e.message}`);
  }
}

// --- README's first example -------------------------------------------------------------------
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const firstTs = /```ts\n([\s\S]*?)```/.exec(readme);
if (!firstTs) throw new Error('README.md has no ```ts block');
const readmeExample = firstTs[1];

// --- every TypeScript block of README.md and docs/*.md ----------------------------------------
/**
 * The doc blocks as files of the consumer app. A block is a complete app unless the line
 * before it is a marker, `<!-- fragment: stack, web -->`: the listed names come from
 * test/consumer/app/doc-blocks/prelude.ts (one fresh app per block) and the block may use the
 * imports of its page's earlier blocks. `<!-- fragment, compile-only: ... -->` is compiled
 * and not run (it needs a value only a strategy builds). Every block is compiled (tsc, strict,
 * against the shipped declarations), and every block but those is run and synthesized.
 */
/** Import lines, each named import once: `import { a } from 'm'` and `import { a, b } from 'm'` become one line. */
function mergeImports(lines) {
  const named = new Map();
  const other = new Set();
  for (const line of lines) {
    const m = /^import \{([^}]*)\} from '([^']+)';$/.exec(line.trim());
    if (!m) other.add(line.trim());
    else for (const n of m[1].split(',').map((x) => x.trim()).filter(Boolean)) named.set(m[2], new Set([...(named.get(m[2]) ?? []), n]));
  }
  return [...other, ...[...named].map(([mod, names]) => `import { ${[...names].join(', ')} } from '${mod}';`)];
}

function docBlocks() {
  const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
  const blocks = [];
  for (const page of pages) {
    const text = readFileSync(join(root, page), 'utf8');
    const pageImports = [];
    let n = 0;
    for (const m of text.matchAll(/(?:<!-- fragment(, compile-only)?: ([^>]*?) -->\n)?```ts\n([\s\S]*?)```/g)) {
      n += 1;
      const [, compileOnly, names, body] = m;
      const lines = body.split('\n');
      const imports = lines.filter((l) => /^import /.test(l));
      const code = lines.filter((l) => !/^import /.test(l)).join('\n');
      const name = `${page.replace(/^docs\//, '').replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-')}-${n}`;
      let source;
      if (names === undefined) {
        // a complete app: as it is, synthesized if it builds an app and does not synthesize it itself
        source = `${body}${/\bconst app = new App\(/.test(body) && !/\.synth\(/.test(body) ? '\napp.synth();\n' : ''}\nexport {};\n`;
      } else {
        const uses = names.split(',').map((x) => x.trim()).filter(Boolean);
        source = [
          ...mergeImports([...pageImports, ...imports]),
          `import { prelude } from './prelude';`,
          'const __prelude = prelude();',
          uses.length ? `const { ${uses.join(', ')} } = __prelude;` : '',
          code,
          '__prelude.app.synth();',
          'export {};',
          '',
        ].join('\n');
      }
      pageImports.push(...imports);
      if (page === 'README.md' && n === 1) continue; // synthesized through the CDK CLI below
      blocks.push({ name, page, n, source, run: !compileOnly });
    }
  }
  return blocks;
}
const blocks = docBlocks();

// --- each end of the range ----------------------------------------------------------------
for (const end of ends) {
  const t0 = Date.now();
  const dir = join(work, `app-${end.cdkLib}`);
  const home = join(work, `home-${end.cdkLib}`);
  mkdirSync(home, { recursive: true });
  cpSync(join(root, 'test', 'consumer', 'app'), dir, { recursive: true });
  // The deploy-time rules (test/helpers/deploy-rules.ts: pure TypeScript, no import) judge the
  // consumer's own templates, on its aws-cdk-lib and its feature flags.
  cpSync(join(root, 'test', 'helpers', 'deploy-rules.ts'), join(dir, 'test', 'deploy-rules.ts'));
  mkdirSync(join(dir, 'doc-blocks'), { recursive: true });
  writeFileSync(join(dir, 'doc-blocks', 'readme-example.ts'), readmeExample);
  for (const b of blocks) writeFileSync(join(dir, 'doc-blocks', `${b.name}.ts`), b.source);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'consumer-app',
        version: '0.0.0',
        private: true,
        dependencies: { 'aws-cdk-lib': end.cdkLib, constructs: SHARED.constructs, 'cdk-nag': SHARED['cdk-nag'], 'cdk-resilience': `file:${tarball}` },
        devDependencies: {
          'aws-cdk': end.cli,
          typescript: SHARED.typescript,
          jest: SHARED.jest,
          'ts-jest': SHARED['ts-jest'],
          '@types/jest': SHARED['@types/jest'],
          '@types/node': SHARED['@types/node'],
        },
      },
      null,
      2,
    ),
  );
  try {
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: dir });
    const installed = JSON.parse(readFileSync(join(dir, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf8')).version;
    if (installed !== end.cdkLib) throw new Error(`installed aws-cdk-lib ${installed}, wanted ${end.cdkLib}`);
    run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir });

    const cdk = join(dir, 'node_modules', 'aws-cdk', 'bin', 'cdk');
    const synth = (app, out) => {
      const r = spawnSync(process.execPath, [cdk, 'synth', '--app', app, '--output', out, '--no-notices', '--no-version-reporting', '--quiet'], {
        cwd: dir,
        env: noAwsEnv(home),
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
      const output = `${r.stdout}${r.stderr}`;
      if (r.status !== 0) throw new Error(`cdk synth --app '${app}' exited ${r.status}:\n${output}`);
      // a lookup the CLI answered (from somewhere) would be cached here
      if (existsSync(join(dir, 'cdk.context.json'))) fail(`${end.cdkLib}: synth of '${app}' wrote cdk.context.json: ${readFileSync(join(dir, 'cdk.context.json'), 'utf8').slice(0, 500)}`);
      const manifest = JSON.parse(readFileSync(join(dir, out, 'manifest.json'), 'utf8'));
      if (manifest.version !== end.schema) fail(`${end.cdkLib}: the assembly is schema ${manifest.version}, expected ${end.schema}`);
      if ((manifest.missing ?? []).length > 0) fail(`${end.cdkLib}: synth of '${app}' needed lookups: ${JSON.stringify(manifest.missing)}`);
      const allowed = UNAVOIDABLE_DEPRECATIONS[end.cdkLib] ?? [];
      for (const line of output.split('\n').filter((l) => /deprecated/i.test(l) && !allowed.some((a) => a.test(l)))) fail(`${end.cdkLib}: synth printed a deprecation: ${line.trim()}`);
      for (const line of output.split('\n').filter((l) => (l.match(/\[ack: /g) ?? []).length > 1)) fail(`${end.cdkLib}: a warning repeats its ack text: ${line.trim()}`);
      const literalAz = output.split('\n').filter((l) => /Avoid hardcoding availability zones/.test(l)).length;
      if (literalAz > 0) fail(`${end.cdkLib}: synth printed ${literalAz} literal-AZ warnings (W3010) for AZs the app gave on purpose`);
      return { output, stacks: Object.values(manifest.artifacts).filter((a) => a.type === 'aws:cloudformation:stack').length };
    };
    const example = synth('node dist/doc-blocks/readme-example.js', 'cdk.out.readme');
    const full = synth('node dist/bin/app.js', 'cdk.out');
    if (!/cdk-nag as (plugins|NagPackOnScope)/.test(full.output)) fail(`${end.cdkLib}: the app did not report its cdk-nag wiring`);

    // Again with the flags `cdk init` writes into a new app's cdk.json: that aws-cdk-lib's
    // recommended-feature-flags.json (2.276's include @aws-cdk/core:validateAgainstDefaultRules,
    // which makes CloudFormation validation findings synth errors, and
    // @aws-cdk/core:defaultCrossStackReferences "weak").
    const cdkJson = join(dir, 'cdk.json');
    const plainCdkJson = readFileSync(cdkJson, 'utf8');
    const recommended = JSON.parse(readFileSync(join(dir, 'node_modules', 'aws-cdk-lib', 'recommended-feature-flags.json'), 'utf8'));
    writeFileSync(cdkJson, JSON.stringify({ ...JSON.parse(plainCdkJson), context: recommended }, null, 2));
    let flagged;
    try {
      synth('node dist/doc-blocks/readme-example.js', 'cdk.out.readme-recommended');
      flagged = synth('node dist/bin/app.js', 'cdk.out.recommended');
    } catch (e) {
      throw new Error(`with the recommended feature flags (${Object.keys(recommended).length}): ${e.message}`);
    } finally {
      writeFileSync(cdkJson, plainCdkJson);
    }
    const templates = readdirSync(join(dir, 'cdk.out')).filter((f) => f.endsWith('.template.json'));
    if (templates.every((f) => readFileSync(join(dir, 'cdk.out', f), 'utf8') === readFileSync(join(dir, 'cdk.out.recommended', f), 'utf8'))) {
      fail(`${end.cdkLib}: the recommended flags changed no template: were they applied?`);
    }
    if (flagged.stacks !== full.stacks) fail(`${end.cdkLib}: with the recommended flags the app has ${flagged.stacks} stacks, without ${full.stacks}`);

    // Every doc block that runs: built and synthesized in one process (a fresh app each).
    const runner = [
      `const failures = [];`,
      `for (const b of ${JSON.stringify(blocks.filter((b) => b.run).map((b) => b.name))}) {`,
      `  try { require('./dist/doc-blocks/' + b + '.js'); } catch (e) { failures.push(b + ': ' + (e && e.message)); }`,
      `}`,
      `require('fs').writeFileSync(process.env.DOC_BLOCKS_RESULT, JSON.stringify(failures));`,
    ].join('\n');
    const outdir = join(work, `doc-blocks-out-${end.cdkLib}`);
    const result = join(work, `doc-blocks-${end.cdkLib}.json`);
    const docRun = spawnSync(process.execPath, ['-e', runner], { cwd: dir, env: { ...noAwsEnv(home), CDK_OUTDIR: outdir, DOC_BLOCKS_RESULT: result }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (docRun.status !== 0 || !existsSync(result)) fail(`${end.cdkLib}: the doc blocks' runner exited ${docRun.status}: ${docRun.stderr.slice(-2000)}`);
    else for (const f of JSON.parse(readFileSync(result, 'utf8'))) fail(`${end.cdkLib}: doc block ${f}`);
    rmSync(outdir, { recursive: true, force: true });

    run(process.execPath, [join(dir, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci'], { cwd: dir, env: noAwsEnv(home) });
    const help = run('npx', ['--no-install', 'cdk-resilience', '--help'], { cwd: dir });
    if (!/^Usage: cdk-resilience/m.test(help)) fail(`${end.cdkLib}: npx cdk-resilience --help printed:\n${help}`);

    process.stdout.write(
      `consumer ${end.cdkLib}: ok cli=${end.cli} schema=${end.schema} readme_stacks=${example.stacks} app_stacks=${full.stacks} recommended_flags=${Object.keys(recommended).length} doc_blocks=${blocks.length + 1} doc_blocks_run=${blocks.filter((b) => b.run).length + 1} jest=passed npx_help=ok time_s=${((Date.now() - t0) / 1000).toFixed(1)}\n`,
    );
  } catch (e) {
    fail(`${end.cdkLib}: ${e.message}`);
  }
}

if (!keep) rmSync(work, { recursive: true, force: true });
else process.stderr.write(`test:consumer: kept ${work}\n`);
process.stdout.write(`test:consumer: ${failed ? 'FAILED' : 'passed'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
process.exit(failed ? 1 : 0);
