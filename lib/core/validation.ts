import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ResilienceError, ResilienceProblem } from './errors';

/**
 * Collects every problem with a construct's props, then throws them together as one
 * {@link ResilienceError}. Checks skip values that are unresolved tokens, since their
 * value is only known at deploy time.
 *
 * @example
 * const v = new Validator(this);
 * v.integer('capacity.max', props.capacity.max, { min: 1 });
 * v.throwIfAny();
 */
export class Validator {
  private readonly problems: ResilienceProblem[] = [];

  constructor(private readonly scope: IConstruct) {}

  /** Record a problem unconditionally. */
  public add(problem: ResilienceProblem): this {
    this.problems.push(problem);
    return this;
  }

  /** Record a problem when `failed` is true. Returns whether the check passed. */
  public check(failed: boolean, problem: ResilienceProblem): boolean {
    if (failed) this.problems.push(problem);
    return !failed;
  }

  /**
   * An integer within bounds. Tokens are skipped.
   * Returns true when the value is a usable number (so dependent checks can run).
   */
  public integer(
    prop: string,
    value: number | undefined,
    opts: { code: string; min?: number; max?: number; fix?: string },
  ): boolean {
    if (value === undefined || isToken(value)) return false;
    const min = opts.min ?? Number.MIN_SAFE_INTEGER;
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    const range = describeRange(opts.min, opts.max);
    return this.check(!Number.isInteger(value) || value < min || value > max, {
      code: opts.code,
      prop,
      value,
      message: `must be an integer${range}`,
      fix: opts.fix ?? `set ${prop} to an integer${range}`,
    });
  }

  /** A duration within bounds, in seconds. Tokens are skipped. */
  public duration(
    prop: string,
    value: Duration | undefined,
    opts: { code: string; minSeconds?: number; maxSeconds?: number; fix?: string },
  ): boolean {
    if (value === undefined || value.isUnresolved()) return false;
    const s = value.toMilliseconds() / 1000;
    const min = opts.minSeconds ?? 0;
    const max = opts.maxSeconds ?? Number.MAX_SAFE_INTEGER;
    const range = describeRange(opts.minSeconds, opts.maxSeconds, ' s');
    return this.check(s < min || s > max, {
      code: opts.code,
      prop,
      value: `${s} s`,
      message: `must be a duration${range}`,
      fix: opts.fix ?? `set ${prop} to a Duration${range}`,
    });
  }

  /** Whether any problem has been recorded so far. */
  public get hasProblems(): boolean {
    return this.problems.length > 0;
  }

  /** Throw one {@link ResilienceError} with every recorded problem, if there is any. */
  public throwIfAny(): void {
    if (this.problems.length > 0) {
      throw new ResilienceError(this.scope, [...this.problems]);
    }
  }
}

/** True when the value (string, number, list, object) is or contains an unresolved CDK token. */
export function isToken(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  return Token.isUnresolved(value);
}

function describeRange(min?: number, max?: number, unit = ''): string {
  if (min !== undefined && max !== undefined) return ` between ${min}${unit} and ${max}${unit}`;
  if (min !== undefined) return ` of at least ${min}${unit}`;
  if (max !== undefined) return ` of at most ${max}${unit}`;
  return '';
}
