import { App, Stack } from 'aws-cdk-lib';
import { addStackDependency } from '../../lib/core/stack-dependency';

describe('addStackDependency', () => {
  test('orders the stacks, with the reason, on the installed aws-cdk-lib', () => {
    const app = new App();
    const first = new Stack(app, 'First');
    const second = new Stack(app, 'Second');
    addStackDependency(second, first, 'the replica needs its source');
    expect(second.dependencies).toEqual([first]);
  });

  test('calls addStackDependency where aws-cdk-lib has it (2.276+: addDependency is deprecated there)', () => {
    const calls: string[] = [];
    const target = new Stack(new App(), 'Target');
    const modern = {
      addStackDependency: (t: Stack, reason?: string) => calls.push(`addStackDependency ${t.stackName} ${reason}`),
      addDependency: () => calls.push('addDependency'),
    } as unknown as Stack;
    addStackDependency(modern, target, 'why');
    expect(calls).toEqual(['addStackDependency Target why']);
  });
});
