/**
 * The lines of an estimate, and what the pricers (cost/pricers/) that make them are given: a line is made only
 * through the builders here, so every line carries its resources, quantity, unit price and price ids alike.
 */
import type { Price, RegionalPriceList } from "./price-table";
import type { CostResource } from "./resources";
import type { UsageAssumptions } from "./usage";

/**
 * fixed: priced from the resource's settings alone. assumed: priced from the usage assumptions. usage-priced: its
 * unit price, but no amount (the use is not assumed). free: no charge. unpriced: the table has no price for it.
 */
export type LineKind = "fixed" | "assumed" | "usage-priced" | "free" | "unpriced";

export interface CostLine {
  /** Identifies the line between two estimates (before and after a change). */
  readonly key: string;
  /** What is charged, e.g. "NAT gateway hours". */
  readonly item: string;
  /** Addresses of the resources the line is for. */
  readonly resources: readonly string[];
  readonly kind: LineKind;
  /** Units charged in a month (fixed and assumed lines). */
  readonly quantity?: number;
  /** How the quantity is made, e.g. "3 × 730 h". */
  readonly quantityText?: string;
  readonly unit?: string;
  readonly unitPriceUsd?: number;
  /** Ids of the price table's entries the unit price comes from (their source pages). */
  readonly priceIds: readonly string[];
  /** The month's amount (fixed and assumed lines only). */
  readonly monthlyUsd?: number;
  readonly note?: string;
  /** The price table's own note on the price: what it does not cover, or that it is unsure. */
  readonly priceNote?: string;
}

/** What a pricer sees: the stack's resources, the region's prices and the usage assumptions. */
export interface PricingContext {
  readonly prices: RegionalPriceList;
  readonly usage: UsageAssumptions;
  readonly hours: number;
  readonly resources: readonly CostResource[];
  /** The resources of a type. */
  of(type: string): CostResource[];
}

/** A pricer: the resource types it accounts for, and their lines. */
export interface Pricer {
  readonly types: readonly string[];
  lines(ctx: PricingContext): CostLine[];
}

/** The line builders the pricers use, so every line is made the same way. */
export const line = {
  /** A charge known from the settings: quantity × the price. */
  fixed(
    item: string,
    resources: CostResource[],
    quantity: number,
    quantityText: string,
    price: Price,
    note?: string,
  ) {
    return charged("fixed", item, resources, quantity, quantityText, price, note);
  },
  /** A charge from the usage assumptions: quantity × the price. */
  assumed(
    item: string,
    resources: CostResource[],
    quantity: number,
    quantityText: string,
    price: Price,
    note?: string,
  ) {
    return charged("assumed", item, resources, quantity, quantityText, price, note);
  },
  /** A charge by use that the estimate does not assume: its unit price, no amount. */
  usagePriced(
    item: string,
    resources: CostResource[],
    usd: number,
    unit: string,
    priceIds: string[],
    note?: string,
  ): CostLine {
    return {
      key: item,
      item,
      resources: addresses(resources),
      kind: "usage-priced",
      unit,
      unitPriceUsd: usd,
      priceIds,
      note,
    };
  },
  /** No charge, with why. */
  free(item: string, resources: CostResource[], note: string): CostLine {
    return {
      key: item,
      item,
      resources: addresses(resources),
      kind: "free",
      priceIds: [],
      monthlyUsd: 0,
      note,
    };
  },
  /** A charge the table has no price for: listed, never in the total. */
  unpriced(item: string, resources: CostResource[], note: string): CostLine {
    return { key: item, item, resources: addresses(resources), kind: "unpriced", priceIds: [], note };
  },
  /**
   * The same line, told apart from others of its kind by its resource (one line per database, per service);
   * `keyItem` keeps the key when the item names a setting that may change (the instance class).
   */
  of(l: CostLine, resource: CostResource, keyItem?: string): CostLine {
    return { ...l, key: `${keyItem ?? l.item} (${resource.address})` };
  },
};

function charged(
  kind: "fixed" | "assumed",
  item: string,
  resources: CostResource[],
  quantity: number,
  quantityText: string,
  price: Price,
  note: string | undefined,
): CostLine {
  return {
    key: item,
    item,
    resources: addresses(resources),
    kind,
    quantity,
    quantityText,
    unit: price.unit,
    unitPriceUsd: price.usd,
    priceIds: [price.id],
    monthlyUsd: quantity * price.usd,
    note,
    priceNote: price.note,
  };
}

const addresses = (resources: CostResource[]) => [...new Set(resources.map((r) => r.address))];
