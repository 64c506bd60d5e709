import { CfnResource } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { NagMessageLevel, NagRuleCompliance, ResilienceRule, resolved } from './rule';

/** RES-SFN1: A state machine has Task states without a Retry. */
export const RULE_SFN1: ResilienceRule = {
  id: 'SFN1',
  info: 'A state machine has Task states without a Retry.',
  explanation:
    'Transient errors (throttling, Lambda service errors) fail the whole execution. Give every Task a Retry with backoff and jitter on the transient errors.',
  level: NagMessageLevel.ERROR,
  check(node: CfnResource): NagRuleCompliance {
    if (!(node instanceof sfn.CfnStateMachine)) return NagRuleCompliance.NOT_APPLICABLE;
    const definition = renderDefinition(resolved(node, node.definitionString) ?? resolved(node, node.definition));
    if (!definition) return NagRuleCompliance.NOT_APPLICABLE;
    return tasksWithoutRetry(definition).length === 0 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};

interface AslState {
  readonly Type?: string;
  readonly Retry?: unknown[];
  readonly Branches?: { States?: Record<string, AslState> }[];
  readonly Iterator?: { States?: Record<string, AslState> };
  readonly ItemProcessor?: { States?: Record<string, AslState> };
}

/** The ASL of a definition: a literal, or a join of literals and tokens (rendered as placeholders). */
function renderDefinition(value: unknown): { States?: Record<string, AslState> } | undefined {
  let text: string | undefined;
  if (typeof value === 'string') text = value;
  else if (value && typeof value === 'object' && 'Fn::Join' in value) {
    const [sep, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    text = parts.map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(sep);
  } else if (value && typeof value === 'object') return value as { States?: Record<string, AslState> };
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as { States?: Record<string, AslState> };
  } catch {
    return undefined;
  }
}

/** Names of Task states (also inside Parallel and Map states) without a Retry. */
export function tasksWithoutRetry(def: { States?: Record<string, AslState> }): string[] {
  return Object.entries(def.States ?? {}).flatMap(([name, s]) => [
    ...(s.Type === 'Task' && !(s.Retry && s.Retry.length > 0) ? [name] : []),
    ...(s.Branches ?? []).flatMap((b) => tasksWithoutRetry(b)),
    ...(s.Iterator ? tasksWithoutRetry(s.Iterator) : []),
    ...(s.ItemProcessor ? tasksWithoutRetry(s.ItemProcessor) : []),
  ]);
}
