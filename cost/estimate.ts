/**
 * The monthly estimate of a stack: every resource goes to a line (a fixed charge, a charge from the environment's
 * usage assumptions, a usage-priced charge with its unit price but no amount, no charge, or unpriced), and the
 * total adds the first two. Nothing is left out: a resource type no pricer knows becomes an unpriced line.
 */
import { FREE_TYPES } from "./free";
import { type CostLine, line, type LineKind, type PricingContext } from "./lines";
import { PRICE_TABLE, pricesFor, type PriceTable } from "./price-table";
import { PRICERS } from "./pricers";
import {
  type CostResource,
  resourcesOfPlan,
  resourcesOfStack,
  type PlanSide,
  type Values,
} from "./resources";
import type { UsageAssumptions } from "./usage";

export type { CostLine, LineKind } from "./lines";

export interface Estimate {
  readonly region: string;
  readonly asPublished: string;
  readonly recheck: string;
  readonly hoursPerMonth: number;
  readonly usage: UsageAssumptions;
  readonly lines: readonly CostLine[];
  /** Fixed plus assumed lines. */
  readonly totalUsd: number;
  /** Fixed lines only: what the stack costs with no use at all. */
  readonly fixedUsd: number;
  /** The source page of each price a line uses, by id. */
  readonly sources: Readonly<Record<string, string>>;
}

export interface EstimateOptions {
  readonly region: string;
  readonly usage: UsageAssumptions;
  /** @default the repository's price table */
  readonly table?: PriceTable;
}

/** The estimate of a list of resources (of a stack, or of one side of a plan). */
export function estimateResources(resources: readonly CostResource[], options: EstimateOptions): Estimate {
  const table = options.table ?? PRICE_TABLE;
  const prices = pricesFor(options.region, table);
  const byType = new Map<string, CostResource[]>();
  for (const r of resources) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
  const ctx: PricingContext = {
    prices,
    usage: options.usage,
    hours: table.hoursPerMonth,
    resources,
    of: (type) => byType.get(type) ?? [],
  };

  const lines = PRICERS.flatMap((p) => p.lines(ctx));
  const known = new Set([...PRICERS.flatMap((p) => p.types), ...Object.keys(FREE_TYPES)]);
  for (const [type, of] of byType) {
    if (type in FREE_TYPES) lines.push(line.free(`${type} (no charge)`, of, FREE_TYPES[type]));
    else if (!known.has(type))
      lines.push(
        line.unpriced(
          `${type} (unknown to the estimate)`,
          of,
          "no price for this resource type in the estimate: its cost is not in the total",
        ),
      );
  }
  const repeated = resources.filter((r) => r.repeatUnknown);
  if (repeated.length > 0) {
    lines.push(
      line.unpriced(
        "Resources repeated by count or for_each",
        repeated,
        "the number of copies is an expression the estimate cannot evaluate; each is priced once",
      ),
    );
  }

  const sum = (kinds: LineKind[]) =>
    lines.filter((l) => kinds.includes(l.kind)).reduce((total, l) => total + (l.monthlyUsd ?? 0), 0);
  const sources = Object.fromEntries(
    [...new Set(lines.flatMap((l) => l.priceIds))].sort().map((id) => [id, table.prices[id].source]),
  );
  return {
    region: prices.region,
    asPublished: table.asPublished,
    recheck: table.recheck,
    hoursPerMonth: table.hoursPerMonth,
    usage: options.usage,
    lines,
    totalUsd: sum(["fixed", "assumed"]),
    fixedUsd: sum(["fixed"]),
    sources,
  };
}

/** The estimate of a synthesized stack (cdk.tf.json). */
export function estimateStack(config: Values, options: EstimateOptions): Estimate {
  return estimateResources(resourcesOfStack(config), options);
}

/** The estimate of one side of a plan: `before` (what exists) or `after` (what the plan makes). */
export function estimatePlanSide(plan: Values, side: PlanSide, options: EstimateOptions): Estimate {
  return estimateResources(resourcesOfPlan(plan, side), options);
}
