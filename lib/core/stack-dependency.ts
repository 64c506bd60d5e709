import { Stack } from 'aws-cdk-lib';

/** aws-cdk-lib 2.276+: `addStackDependency` replaces the deprecated `Stack#addDependency`. */
interface StackWithStackDependency {
  addStackDependency(target: Stack, reason?: string): void;
}

/**
 * Make `stack` deploy after `target`, on every aws-cdk-lib of the peer range:
 * `Stack#addStackDependency` where it exists (it replaces `Stack#addDependency`, which
 * prints a deprecation warning on every synth from 2.276 on), `Stack#addDependency` before.
 *
 * @param stack the stack that must wait
 * @param target the stack deployed first
 * @param reason why, shown by `cdk list --show-dependencies` and in errors
 */
export function addStackDependency(stack: Stack, target: Stack, reason: string): void {
  const modern = stack as unknown as Partial<StackWithStackDependency>;
  if (typeof modern.addStackDependency === 'function') modern.addStackDependency(target, reason);
  else stack.addDependency(target, reason);
}
