import { Validator } from '../core/validation';

/** The FIS resource types the typed actions target. */
export enum FisResourceType {
  /** EC2 instances (`aws:ec2:instance`). */
  EC2_INSTANCE = 'aws:ec2:instance',
  /** EC2 Auto Scaling groups (`aws:ec2:autoscaling-group`). */
  AUTOSCALING_GROUP = 'aws:ec2:autoscaling-group',
  /** VPC subnets (`aws:ec2:subnet`). */
  SUBNET = 'aws:ec2:subnet',
  /** Aurora and Multi-AZ DB clusters (`aws:rds:cluster`). */
  RDS_CLUSTER = 'aws:rds:cluster',
  /** RDS DB instances (`aws:rds:db`). */
  RDS_INSTANCE = 'aws:rds:db',
  /** IAM roles, for API fault injection (`aws:iam:role`). */
  IAM_ROLE = 'aws:iam:role',
}

/**
 * How many of the resolved resources an action acts on: `ALL`, `COUNT(n)` or `PERCENT(n)`.
 */
export class SelectionMode {
  /** Every resolved resource. */
  public static all(): SelectionMode {
    return new SelectionMode('ALL');
  }

  /** `n` resources, chosen at random (n ≥ 1). */
  public static count(n: number): SelectionMode {
    return new SelectionMode(`COUNT(${n})`, 'count', n);
  }

  /** `n` percent of the resources, chosen at random (1–100). */
  public static percent(n: number): SelectionMode {
    return new SelectionMode(`PERCENT(${n})`, 'percent', n);
  }

  private constructor(
    /** The rendered mode, e.g. `PERCENT(30)`. */
    public readonly value: string,
    private readonly kind?: 'count' | 'percent',
    private readonly n?: number,
  ) {}

  /** @internal */
  public _validate(v: Validator, prop: string): void {
    if (this.kind === 'percent') {
      v.check(!Number.isInteger(this.n) || this.n! < 1 || this.n! > 100, {
        code: 'FIS_PERCENT',
        prop,
        value: this.value,
        message: 'a percentage must be an integer from 1 to 100',
        fix: 'use SelectionMode.percent(1..100), or SelectionMode.all()',
      });
    } else if (this.kind === 'count') {
      v.check(!Number.isInteger(this.n) || this.n! < 1, {
        code: 'FIS_COUNT',
        prop,
        value: this.value,
        message: 'a count must be an integer of at least 1',
        fix: 'use SelectionMode.count(1) or more',
      });
    }
  }
}

/** A filter on a resolved resource's attributes, e.g. `Placement.AvailabilityZone`. */
export interface TargetFilter {
  /** Attribute path, as in the FIS resource type's filter reference. */
  readonly path: string;
  /** Accepted values (any of). */
  readonly values: string[];
}

/** Options shared by every way of choosing a target. */
export interface TargetOptions {
  /**
   * How many of the resolved resources to act on.
   * @default SelectionMode.all()
   */
  readonly selection?: SelectionMode;
  /**
   * Filters on the resolved resources (all must match).
   * @default - none
   */
  readonly filters?: TargetFilter[];
  /**
   * Target parameters of the resource type, e.g. `writerAvailabilityZoneIdentifiers` for
   * `aws:rds:cluster` or `availabilityZoneIdentifier` for `aws:ec2:subnet`.
   * @default - none
   */
  readonly parameters?: Record<string, string>;
}

/**
 * The resources an action acts on. Always scoped: by ARNs, or by tags (optionally narrowed
 * by filters). A target of only filters would reach every resource of the type in the
 * account, so it is refused.
 */
export class ExperimentTarget {
  /** The resources with these ARNs. */
  public static byArns(resourceType: FisResourceType, arns: string[], options: TargetOptions = {}): ExperimentTarget {
    return new ExperimentTarget(resourceType, arns, undefined, options);
  }

  /** The resources that carry all these tags. */
  public static byTags(resourceType: FisResourceType, tags: Record<string, string>, options: TargetOptions = {}): ExperimentTarget {
    return new ExperimentTarget(resourceType, undefined, tags, options);
  }

  /** The selection mode. */
  public readonly selection: SelectionMode;

  private constructor(
    /** The FIS resource type. */
    public readonly resourceType: FisResourceType,
    /** ARNs, when chosen by ARN. */
    public readonly arns: string[] | undefined,
    /** Tags, when chosen by tag. */
    public readonly tags: Record<string, string> | undefined,
    private readonly options: TargetOptions,
  ) {
    this.selection = options.selection ?? SelectionMode.all();
  }

  /** The filters. */
  public get filters(): TargetFilter[] {
    return this.options.filters ?? [];
  }

  /** @internal */
  public _validate(v: Validator, prop: string): void {
    const scoped = (this.arns?.length ?? 0) > 0 || Object.keys(this.tags ?? {}).length > 0;
    v.check(!scoped, {
      code: 'FIS_TARGET_SCOPE',
      prop,
      value: { resourceType: this.resourceType, arns: this.arns ?? [], tags: this.tags ?? {} },
      message: 'the target has no scope: no ARNs and no tags, so it would reach every resource of its type in the account',
      fix: 'choose the target with ExperimentTarget.byArns([...]) or byTags({ key: value })',
    });
    for (const [i, f] of this.filters.entries()) {
      v.check(f.values.length === 0 || !f.path, {
        code: 'FIS_TARGET_FILTER',
        prop: `${prop}.filters[${i}]`,
        value: f,
        message: 'a filter needs a path and at least one value',
        fix: "e.g. { path: 'Placement.AvailabilityZone', values: ['us-east-1a'] }",
      });
    }
    v.check((this.arns?.length ?? 0) > 0 && this.filters.length > 0, {
      code: 'FIS_TARGET_FILTER',
      prop: `${prop}.filters`,
      value: this.filters,
      message: 'FIS does not combine resource ARNs with filters in one target',
      fix: 'narrow the ARNs themselves, or choose the target by tags with filters',
    });
    this.selection._validate(v, `${prop}.selection`);
  }

  /** The CloudFormation `Targets` entry. @internal */
  public _render(): Record<string, unknown> {
    return {
      resourceType: this.resourceType,
      resourceArns: this.arns,
      resourceTags: this.tags,
      filters: this.filters.length ? this.filters.map((f) => ({ path: f.path, values: f.values })) : undefined,
      parameters: this.options.parameters && Object.keys(this.options.parameters).length ? this.options.parameters : undefined,
      selectionMode: this.selection.value,
    };
  }

  /** Whether the ARNs are known (so IAM can be scoped to them). @internal */
  public get _hasArns(): boolean {
    return (this.arns?.length ?? 0) > 0;
  }
}
