import { CfnElement, Stack, Stage, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ResilienceError } from '../core/errors';
import { DrStrategy } from '../dr/strategy';
import { Charge, PRICERS, StackTemplate } from './cost-resources';
import { notPricedReason, PRICES, PriceTable } from './prices';

export type { StackTemplate, TemplateResource } from './cost-resources';

/** What one resource costs for one price row. */
export interface CostLineItem {
  /** The Region it is charged in (a global table's replica: the replica's Region). */
  readonly region: string;
  readonly stackName: string;
  readonly logicalId: string;
  readonly resourceType: string;
  /** The construct path (`aws:cdk:path` metadata, or the construct tree), when known. */
  readonly path?: string;
  /** The price row's id in `PRICES.rows`. */
  readonly price: string;
  /** The price row's unit. */
  readonly unit: string;
  /** How many units (instances, addresses, features, alarm metrics, GB). */
  readonly count: number;
  /** USD per unit and period. */
  readonly unitUsd: number;
  readonly per: 'hour' | 'month';
  /** USD a month: count x unit price (x hours a month for an hourly price). */
  readonly monthlyUsd: number;
  /** What the resource also costs by use, not in the figure. */
  readonly byUse?: string;
  /** How the count was read, e.g. `2 x t3.small (DesiredCapacity)`. */
  readonly detail?: string;
}

/** A charge the estimate could not count: never a silent zero. */
export interface CostUnknown {
  readonly region: string;
  readonly stackName: string;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly path?: string;
  readonly reason: string;
}

/** Resources with no fixed charge, by type and reason. */
export interface CostNotPriced {
  readonly resourceType: string;
  readonly count: number;
  readonly reason: string;
}

/** The fixed monthly cost of a set of stacks. */
export interface CostEstimate {
  /** USD a month, the sum of the line items: a lower bound when `unknown` or `unclassified` is not empty. */
  readonly monthlyUsd: number;
  /** Per Region, in the order the stacks list them. */
  readonly regions: { readonly region: string; readonly monthlyUsd: number; readonly unknown: number }[];
  readonly items: CostLineItem[];
  readonly unknown: CostUnknown[];
  readonly notPriced: CostNotPriced[];
  /** Resource types in neither the price table nor the not-priced list: a gap in the table. */
  readonly unclassified: string[];
  /** The stacks priced. */
  readonly stacks: string[];
  /** The price table's Region, date and note. */
  readonly prices: { readonly region: string; readonly asOf: string; readonly note: string };
}

/** Options of the cost estimate. */
export interface CostOptions {
  /**
   * The price table.
   * @default PRICES (us-east-1 on-demand, applied to every Region)
   */
  readonly prices?: PriceTable;
}

/** Floating-point noise off a dollar figure. */
const clean = (usd: number): number => Math.round(usd * 1e6) / 1e6;

/**
 * The fixed monthly cost of synthesized templates: every priced resource counted from what
 * the template states (instances by type and desired count, nodes, addresses, health check
 * features, alarm metrics), at the price table's figures; what has no fixed charge listed
 * with its reason; what cannot be counted listed as unknown.
 */
export function estimateCost(templates: readonly StackTemplate[], options: CostOptions = {}): CostEstimate {
  const table = options.prices ?? PRICES;
  const items: CostLineItem[] = [];
  const unknown: CostUnknown[] = [];
  const notPriced = new Map<string, CostNotPriced>();
  const unclassified = new Set<string>();
  const regions: string[] = [];
  const noteRegion = (r: string): void => void (regions.includes(r) || regions.push(r));
  for (const stack of templates) {
    noteRegion(stack.region);
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      const type = resource.Type;
      const path = (resource.Metadata?.['aws:cdk:path'] as string | undefined) ?? stack.paths?.[logicalId];
      const where = { stackName: stack.stackName, logicalId, resourceType: type, ...(path ? { path } : {}) };
      const pricer = PRICERS[type];
      const reason = pricer ? undefined : notPricedReason(type);
      const charges: Charge[] = pricer ? pricer({ logicalId, props: resource.Properties ?? {}, stack, all: templates }) : reason ? [{ kind: 'free', reason }] : [];
      if (!pricer && !reason) unclassified.add(type);
      for (const c of charges) {
        if (c.kind === 'free') {
          const key = `${type}\n${c.reason}`;
          const seen = notPriced.get(key);
          notPriced.set(key, { resourceType: type, count: (seen?.count ?? 0) + 1, reason: c.reason });
          continue;
        }
        const row = c.kind === 'price' ? table.rows[c.price] : undefined;
        const region = (c.kind === 'price' ? c.region : undefined) ?? stack.region;
        noteRegion(region);
        if (c.kind === 'unknown' || !row) {
          unknown.push({ region, ...where, reason: c.kind === 'unknown' ? c.reason : `${c.missing} is not in the price table (no row ${c.price})` });
          continue;
        }
        const monthlyUsd = clean(c.count * row.usd * (row.per === 'hour' ? table.hoursPerMonth : 1));
        items.push({ region, ...where, price: c.price, unit: row.unit, count: c.count, unitUsd: row.usd, per: row.per, monthlyUsd, ...(row.byUse ? { byUse: row.byUse } : {}), ...(c.detail ? { detail: c.detail } : {}) });
      }
    }
  }
  const sum = (xs: CostLineItem[]): number => clean(xs.reduce((a, x) => a + x.monthlyUsd, 0));
  return {
    monthlyUsd: sum(items),
    regions: regions.map((region) => ({ region, monthlyUsd: sum(items.filter((i) => i.region === region)), unknown: unknown.filter((u) => u.region === region).length })),
    items,
    unknown,
    notPriced: [...notPriced.values()].sort((a, b) => a.resourceType.localeCompare(b.resourceType) || a.reason.localeCompare(b.reason)),
    unclassified: [...unclassified].sort(),
    stacks: templates.map((t) => t.stackName),
    prices: { region: table.region, asOf: table.asOf, note: table.note },
  };
}

/**
 * The synthesized templates of stacks, with their construct paths. Each stack's Stage
 * (the App) synthesizes once: after `app.synth()` this reads the cached cloud assembly;
 * before it, it synthesizes the app.
 */
export function stackTemplates(stacks: readonly Stack[]): StackTemplate[] {
  return stacks.map((stack) => {
    const stage = Stage.of(stack);
    if (!stage) {
      throw new ResilienceError(stack, [{ code: 'COST_NO_STAGE', prop: 'stacks', value: stack.stackName, message: 'the stack is under no App or Stage, so there is no synthesized template to price', fix: 'create the stack under an App (or a Stage)' }]);
    }
    const template = stage.synth().getStackArtifact(stack.artifactId).template as StackTemplate['template'];
    const paths: Record<string, string> = {};
    for (const c of stack.node.findAll()) {
      if (CfnElement.isCfnElement(c) && c.stack === stack) paths[stack.resolve(c.logicalId) as string] = c.node.path;
    }
    return { stackName: stack.stackName, region: Token.isUnresolved(stack.region) ? 'env-agnostic' : stack.region, template, paths };
  });
}

/** The fixed monthly cost of stacks (every stack under an app: the whole app), from their synthesized templates. */
export function estimateStackCost(stacks: readonly Stack[], options: CostOptions = {}): CostEstimate {
  return estimateCost(stackTemplates(stacks), options);
}

/** Every stack under a scope (an App: the whole app). */
export function stacksUnder(scope: IConstruct): Stack[] {
  return scope.node.findAll().filter((c): c is Stack => Stack.isStack(c));
}

/**
 * A strategy's stacks: its primary, recovery and fence stacks, then every other stack that
 * only they depend on (directly or through each other), such as a recovery-Region data stack
 * its primary needs first, unless another strategy owns it. Dependencies are complete once
 * the app is synthesized (references add them).
 */
export function strategyStacks(strategy: DrStrategy): Stack[] {
  const owned = new Set<Stack>([strategy.primaryStack, strategy.recoveryStack, strategy.fenceStack]);
  const root = strategy.node.root;
  const others = new Set(root.node.findAll().filter((c): c is DrStrategy => c instanceof DrStrategy && c !== strategy).flatMap((s) => [s.primaryStack, s.recoveryStack, s.fenceStack]));
  const stacks = stacksUnder(root);
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of stacks.filter((x) => !owned.has(x) && !others.has(x))) {
      const dependents = stacks.filter((d) => d.dependencies.includes(s));
      if (dependents.length > 0 && dependents.every((d) => owned.has(d))) {
        owned.add(s);
        grew = true;
      }
    }
  }
  return [...owned];
}

/** The fixed monthly cost of a DR strategy: its own stacks (see `strategyStacks`), each Region. */
export function estimateStrategyCost(strategy: DrStrategy, options: CostOptions = {}): CostEstimate {
  // Synthesize first (cached when the app already was): references add stack dependencies.
  Stage.of(strategy)?.synth();
  return estimateStackCost(strategyStacks(strategy), options);
}
