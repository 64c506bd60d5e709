import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** One rule of the ResilienceChecks pack: a stable id, why it exists, and the check. */
export interface ResilienceRule {
  /** Stable id within the pack, e.g. `RDS1` (reported as `RES-RDS1`). */
  readonly id: string;
  /** What the finding means, one line. */
  readonly info: string;
  /** Why the rule exists and how to fix a finding. */
  readonly explanation: string;
  /** ERROR for a single point of failure or lost data; WARN where a design may have reasons. */
  readonly level: NagMessageLevel;
  /** The check, on every CfnResource of an app. */
  check(node: CfnResource): NagRuleCompliance;
}

/** A property value resolved within its stack (tokens of other resources stay objects). */
export function resolved(node: CfnResource, value: unknown): unknown {
  return Stack.of(node).resolve(value);
}

/** A literal number, or undefined when absent or not known at synth. */
export function literalNumber(node: CfnResource, value: unknown): number | undefined {
  const v = resolved(node, value);
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Token.isUnresolved(v) && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}

/** A literal boolean (CloudFormation also takes "true"/"false"), or undefined. */
export function literalBool(node: CfnResource, value: unknown): boolean | undefined {
  const v = resolved(node, value);
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  return undefined;
}

/** The CfnResources of the node's stack of a CloudFormation type. */
export function siblings(node: IConstruct, cfnType: string): CfnResource[] {
  return Stack.of(node)
    .node.findAll()
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === cfnType);
}

/** Whether a resolved value refers to the given resource (Ref or GetAtt of its logical id). */
export function refersTo(value: unknown, target: CfnResource): boolean {
  const id = Stack.of(target).getLogicalId(target);
  const text = JSON.stringify(value ?? null);
  return text.includes(`"Ref":"${id}"`) || text.includes(`"Fn::GetAtt":["${id}"`);
}

/** A list property's length when it is known at synth (a literal list), else undefined. */
export function literalLength(node: CfnResource, value: unknown): number | undefined {
  const v = resolved(node, value);
  return Array.isArray(v) ? v.length : undefined;
}

export { NagMessageLevel, NagRuleCompliance };
