import { IConstruct } from 'constructs';

/**
 * One problem found while validating a construct's props.
 */
export interface ResilienceProblem {
  /** Stable, documented code, e.g. `VPC_TOO_FEW_AZS`. Tests and users can match on it. */
  readonly code: string;
  /** The prop that is wrong, as a dotted path from the construct's props, e.g. `capacity.max`. */
  readonly prop: string;
  /** The offending value, rendered for humans ("got: ..."). */
  readonly value: unknown;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/**
 * Render a value for an error message: short, deterministic, never `[object Object]`.
 */
export function renderValue(value: unknown): string {
  let text: string;
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/**
 * The error every cdk-resilience construct throws for invalid input, at synth time.
 *
 * It names the construct path, and for each problem the stable code, the prop,
 * the bad value and the fix. All problems of one construct are reported together.
 */
export class ResilienceError extends Error {
  /** The construct path, e.g. `Primary/Web`. */
  public readonly constructPath: string;
  /** Every problem found, in the order found. */
  public readonly problems: ResilienceProblem[];

  constructor(scope: IConstruct | string, problems: ResilienceProblem[]) {
    const path = typeof scope === 'string' ? scope : scope.node.path;
    const lines = problems.map(
      (p) => `  - [${p.code}] ${p.prop}: ${p.message} (got: ${renderValue(p.value)}). Fix: ${p.fix}`,
    );
    const noun = problems.length === 1 ? 'problem' : 'problems';
    super(`cdk-resilience: invalid props for ${path} (${problems.length} ${noun}):\n${lines.join('\n')}`);
    this.name = 'ResilienceError';
    this.constructPath = path;
    this.problems = problems;
    Object.setPrototypeOf(this, ResilienceError.prototype);
  }

  /** The codes of all problems, for matching in tests and tooling. */
  public get codes(): string[] {
    return this.problems.map((p) => p.code);
  }
}
