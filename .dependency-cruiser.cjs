/**
 * The import rules of cdk-resilience (DESIGN.md in the project's shared folder, "Layout"), checked by
 * dependency-cruiser in `npm test` (test/architecture.test.ts) and by `npm run deps`.
 *
 * Parts: lib/ (constructs: core, tiers, data, routing, tenancy, chaos, observability, dr,
 * assessment), protocol/ (what lib, lambda and cli share), lambda/ (handlers, run in Lambda),
 * cli/ (the operator CLI), bin/ (the reference app), test/, bench/, scripts/.
 *
 * Type-only imports count (tsPreCompilationDeps): a cycle or a forbidden import through
 * `import type` is still a design dependency.
 */

/** Packages of the CDK: only lib/ and bin/ (and tests) may load them. */
const CDK_PACKAGES = '(^|/)node_modules/(aws-cdk-lib|constructs|cdk-nag)/';
/** The building blocks a DR strategy composes. */
const BUILDING_BLOCKS = '^lib/(tiers|data|routing|tenancy|chaos|observability)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No cycles, type-only imports included: a cycle is two modules that cannot be understood, tested or moved apart.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-is-a-leaf',
      severity: 'error',
      comment: 'lib/core is what every part builds on; it imports no other part of the project.',
      from: { path: '^lib/core/' },
      to: { path: '^(lib/(?!core/)|protocol/|lambda/|cli/|bin/|test/|bench/|scripts/)' },
    },
    {
      name: 'building-blocks-never-import-dr',
      severity: 'error',
      comment: 'The dependency direction is dr -> {tiers, data, routing, tenancy, chaos, observability} -> core.',
      from: { path: BUILDING_BLOCKS },
      to: { path: '^lib/dr/' },
    },
    {
      name: 'nothing-imports-assessment',
      severity: 'error',
      comment: 'The assessment reads the construct tree; no construct imports it (only the public index re-exports it).',
      from: { path: '^lib/', pathNot: '^lib/(assessment/|index\\.ts$)' },
      to: { path: '^lib/assessment/' },
    },
    {
      name: 'lib-stays-in-lib',
      severity: 'error',
      comment: 'lib/ ships to users: it imports lib/, protocol/ and packages, never the reference app, tests, benches, scripts, the CLI or handler code (only the bundle path).',
      from: { path: '^lib/' },
      to: { path: '^(bin|test|bench|scripts|lambda|cli)/' },
    },
    {
      name: 'protocol-is-pure',
      severity: 'error',
      comment: 'protocol/ is pure TypeScript shared by lib, lambda and cli: it imports nothing but protocol/ (no aws-cdk-lib, no AWS SDK, no Node.js modules).',
      from: { path: '^protocol/' },
      to: { pathNot: '^protocol/' },
    },
    {
      name: 'lambda-never-imports-lib-or-cdk',
      severity: 'error',
      comment: 'Handlers run in Lambda: they import protocol/, lambda/shared/ and the SDK, never lib/, the CLI, the reference app or the CDK.',
      from: { path: '^lambda/' },
      to: { path: `^(lib|cli|bin|test|bench|scripts)/|${CDK_PACKAGES}` },
    },
    {
      name: 'handlers-are-independent',
      severity: 'error',
      comment: 'A handler imports lambda/shared/ and protocol/, not another handler: what two handlers share belongs in lambda/shared/.',
      from: { path: '^lambda/([^/]+)/' },
      to: { path: '^lambda/', pathNot: ['^lambda/shared/', '^lambda/$1/'] },
    },
    {
      name: 'cli-needs-neither-handlers-nor-cdk',
      severity: 'error',
      comment: 'The CLI runs on an operator machine at 3 a.m.: it imports protocol/ and the SDK, never handler code, lib/ or the CDK.',
      from: { path: '^cli/' },
      to: { path: `^(lambda|lib|bin|test|bench|scripts)/|${CDK_PACKAGES}` },
    },
    {
      name: 'shipped-code-uses-declared-dependencies',
      severity: 'error',
      comment: 'lib/, protocol/ and cli/ run in the user\'s install, where devDependencies are absent: they import only dependencies, peerDependencies and Node.js.',
      from: { path: '^(lib|protocol|cli)/' },
      to: { dependencyTypes: ['npm-dev', 'npm-no-pkg', 'npm-unknown'], dependencyTypesNot: ['npm', 'npm-peer'] },
    },
    {
      name: 'declared-packages-only',
      severity: 'error',
      comment: 'Every package a file imports is declared in package.json (handlers are bundled from the declared versions; the rest runs on them).',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing breaks at run time.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Packages are not followed, but they stay in the graph: the rules on aws-cdk-lib, the SDK
    // and devDependencies need to see the imports that reach them.
    exclude: { path: '^(build|dist|cdk\\.out|coverage|test/consumer)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
