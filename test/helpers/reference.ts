/**
 * The reference app, built and synthesized once per test run and shared by every test that
 * reads it. Those tests live in test/reference-app/*.cases.ts and run in one jest file,
 * test/reference-app.test.ts: jest gives each test file its own module registry, so one
 * file is what lets them share one construct tree (the assessment, the dashboards and
 * cdk-nag read the tree, not only the templates).
 *
 * Tests that change the app (plant a finding, add a plugin) build their own with
 * `freshReferenceApp()`.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildReferenceApp, ReferenceWebStack } from '../../bin/reference-app';
import { newApp } from './app';

export interface ReferenceApp {
  readonly app: App;
  /** The building-block stacks: ResilienceRef-Primary, then ResilienceRef-Recovery. */
  readonly stacks: ReferenceWebStack[];
  /** Every stack of the app. */
  readonly allStacks: Stack[];
  /** The app synthesized once: every template and annotation below comes from it. */
  readonly assembly: CloudAssembly;
  /** A stack by its name. */
  stack(name: string): Stack;
  /** A stack's template (read from the one assembly). */
  template(nameOrStack: string | Stack): Template;
  /** The `cdk-resilience:*` warnings a stack carries in the assembly, as their ids. */
  warnings(stack: Stack): string[];
}

let shared: ReferenceApp | undefined;

/** A new reference app, built but not synthesized, for a test that changes it. */
export function freshReferenceApp(): { app: App; stacks: ReferenceWebStack[] } {
  const app = newApp();
  return { app, stacks: buildReferenceApp(app) };
}

/** The shared reference app: built and synthesized on first use, then the same object. */
export function referenceApp(): ReferenceApp {
  if (shared) return shared;
  const { app, stacks } = freshReferenceApp();
  const assembly = app.synth();
  const allStacks = app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
  const templates = new Map<string, Template>();
  const stack = (name: string): Stack => {
    const found = allStacks.find((s) => s.stackName === name);
    if (!found) throw new Error(`the reference app has no stack ${name}`);
    return found;
  };
  shared = {
    app,
    stacks,
    allStacks,
    assembly,
    stack,
    template: (nameOrStack) => {
      const s = typeof nameOrStack === 'string' ? stack(nameOrStack) : nameOrStack;
      let t = templates.get(s.artifactId);
      if (!t) {
        t = Template.fromJSON(assembly.getStackArtifact(s.artifactId).template);
        templates.set(s.artifactId, t);
      }
      return t;
    },
    // Annotations.fromStack re-synthesizes the whole app for every stack it is asked about
    // (synth with force); the messages are already in the one assembly.
    warnings: (s) =>
      assembly
        .getStackArtifact(s.artifactId)
        .messages.filter((m) => m.level === 'warning' && String(m.entry.data).includes('cdk-resilience:'))
        .map((m) => /\[ack: (cdk-resilience:\w+)\]/.exec(String(m.entry.data))?.[1] ?? String(m.entry.data)),
  };
  return shared;
}
