import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ResilienceError } from '../../lib/core/errors';
import { aliasOrderViolations, StackTemplate, TemplateJson, topicKeyViolations } from './deploy-rules';

const root = path.join(__dirname, '..', '..');

/** The context `cdk synth` uses: cdk.json's feature flags plus the committed cdk.context.json. */
export function projectContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8'));
  const cached = JSON.parse(fs.readFileSync(path.join(root, 'cdk.context.json'), 'utf8'));
  return { ...cdkJson.context, ...cached };
}

/**
 * Where this process's apps synthesize: one directory per app under one per process, removed
 * when the process exits. An App without an outdir makes a `cdk.outXXXX` directory in the
 * system's temp directory, with a copy of every Lambda bundle, and never removes it: thousands
 * of simulated runbooks (the property tests, the bench, each mutant of a mutation run) filled
 * the disk.
 */
let outRoot: string | undefined;
function outdir(): string {
  if (!outRoot) {
    // One per process (a jest worker runs many test files, each with fresh modules); jest's
    // global teardown (test/helpers/teardown.js) removes what a killed worker leaves.
    const dir = path.join(os.tmpdir(), `${TEST_OUTDIR_PREFIX}${process.pid}`);
    fs.mkdirSync(dir, { recursive: true });
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    outRoot = dir;
  }
  return fs.mkdtempSync(path.join(outRoot, 'app-'));
}

/** The prefix of the directories test apps synthesize in (under the system's temp directory). */
export const TEST_OUTDIR_PREFIX = 'cdk-resilience-test-';

/** A new App with the project's context, as `cdk synth` would build it. */
export function newApp(): App {
  return new App({ context: projectContext(), outdir: outdir() });
}

/**
 * A new App with no context at all: no feature flags and no cached lookups, as in a user's
 * fresh app without a `cdk.context.json`.
 */
export function bareApp(): App {
  return new App({ outdir: outdir() });
}

export const TEST_ENV = { account: '111111111111', region: 'us-east-1' };
export const TEST_AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/** A stack in us-east-1 of the example account, for construct tests. */
export function newStack(id = 'Test'): Stack {
  return new Stack(newApp(), id, { env: TEST_ENV });
}

/** The `cdk-resilience:*` warnings on a stack, as their ids. */
export function resilienceWarnings(stack: Stack): string[] {
  return Annotations.fromStack(stack)
    .findWarning('*', Match.stringLikeRegexp('cdk-resilience:'))
    .map((w) => /\[ack: (cdk-resilience:\w+)\]/.exec(String(w.entry.data))?.[1] ?? String(w.entry.data));
}

/** Resolve a `{ Ref: X }` to the logical id X (or undefined). */
export function refId(value: unknown): string | undefined {
  if (value && typeof value === 'object' && 'Ref' in value) return String((value as { Ref: string }).Ref);
  return undefined;
}

/** The template's resources of one type, as [logicalId, resource] pairs. */
export function resourcesOfType(template: Template, type: string): [string, { Properties: Record<string, unknown> }][] {
  return Object.entries(template.findResources(type)) as [string, { Properties: Record<string, unknown> }][];
}

export const RECOVERY_ENV = { account: '111111111111', region: 'us-west-2' };
export const RECOVERY_AZS = ['us-west-2a', 'us-west-2b', 'us-west-2c'];

/** Two stacks of one app, in us-east-1 and us-west-2 of the example account. */
export function twoRegions(): { app: App; primary: Stack; recovery: Stack } {
  const app = newApp();
  return {
    app,
    primary: new Stack(app, 'Primary', { env: TEST_ENV }),
    recovery: new Stack(app, 'Recovery', { env: RECOVERY_ENV }),
  };
}

/** The AwsSolutions findings of a scope, as readable lines (empty when clean). */
export function nagFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks(scope, { verbose: true }).validateScope(scope);
  const nag = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}: ${v.description}`));
  return [...nag, ...deployRuleViolations(scope)];
}

/**
 * The deploy-time rules (test/helpers/deploy-rules.ts: alias order, topic keys) on the templates
 * of the stacks under `scope` (or its stack): every construct test that asserts no cdk-nag
 * finding asserts these too.
 */
export function deployRuleViolations(scope: IConstruct): string[] {
  const stacks = Stack.isStack(scope) ? [scope] : scope.node.findAll().filter((c): c is Stack => Stack.isStack(c));
  const templateOf = (stack: Stack): TemplateJson | undefined => {
    try {
      return Template.fromStack(stack).toJSON() as TemplateJson;
    } catch (e) {
      // A test that changes an app after synthesizing it (to plant a finding) has no template
      // left to read; cdk-nag still reads its construct tree above.
      if (/ConstructTreeModifiedAfterSynth|modified after the first synth/.test(String((e as Error).message))) return undefined;
      throw e;
    }
  };
  const literal = (v: string): string | undefined => (Token.isUnresolved(v) ? undefined : v);
  const described = (stack: Stack): StackTemplate | undefined => {
    const template = templateOf(stack);
    return template ? { name: stack.stackName, template, account: literal(stack.account), region: literal(stack.region) } : undefined;
  };
  // Topics referenced by ARN may live in any stack of the app (another Region's, for example).
  const everyStack = stacks[0] ? stacks[0].node.root.node.findAll().filter((c): c is Stack => Stack.isStack(c)) : [];
  const others = everyStack.filter((s) => !stacks.includes(s)).map(described).filter((x): x is StackTemplate => x !== undefined);
  const mine = stacks.map(described).filter((x): x is StackTemplate => x !== undefined);
  return mine.flatMap((s) =>
    [...aliasOrderViolations(s.template), ...topicKeyViolations(s.template, { account: s.account, region: s.region, others: [...mine.filter((x) => x !== s), ...others] })].map((v) => `DEPLOY at ${s.name}: ${v}`),
  );
}

/** The ResilienceError a function throws (fails the test when it throws nothing or something else). */
export function errorOf(fn: () => unknown): ResilienceError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ResilienceError) return e;
    throw e;
  }
  throw new Error('expected a ResilienceError');
}

/**
 * A rendered configuration with its tokens (Ref, Fn::GetAtt, Fn::Join) turned into stable
 * strings of their logical ids, as a handler would read it from its environment: the same
 * reference always becomes the same string.
 */
export function flattenTokens<T>(value: T): T {
  const isToken = (v: unknown): boolean => !!v && typeof v === 'object' && !Array.isArray(v) && ['Ref', 'Fn::GetAtt', 'Fn::Join'].some((k) => k in (v as object));
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (isToken(v) ? JSON.stringify(v).replace(/\W/g, '') : v))) as T;
}
