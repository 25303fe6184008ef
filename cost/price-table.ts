/**
 * The price table (cost/prices.json): AWS's on-demand prices per region, dated, each with the page it comes from.
 * Nothing here reaches the network; a region the table lacks is an error that names the regions it has.
 */
import table from "./prices.json";

/** Prices per region, e.g. `{ "us-east-1": 0.045 }`. */
type RegionalPrices = Readonly<Record<string, number>>;

export interface PriceEntry {
  /** What is charged, in AWS's words. */
  readonly description: string;
  /** What one unit of the price is: "hour", "GB-month", "million requests". */
  readonly unit: string;
  /** The AWS pricing page the price comes from. */
  readonly source: string;
  /** One price per region, for prices that do not depend on a variant. */
  readonly usd?: RegionalPrices;
  /** Prices per variant (instance class, architecture, storage class), each per region. */
  readonly byVariant?: Readonly<Record<string, RegionalPrices>>;
  /** What the price does not cover, or how sure it is. */
  readonly note?: string;
}

export interface PriceTable {
  readonly currency: string;
  /** The date the prices were taken as published (YYYY-MM-DD). */
  readonly asPublished: string;
  /** The table's header: where the prices come from and that they must be re-checked. */
  readonly recheck: string;
  /** Hours in the estimate's month. */
  readonly hoursPerMonth: number;
  /** Regions every price has a value for. */
  readonly regions: readonly string[];
  readonly prices: Readonly<Record<string, PriceEntry>>;
}

export const PRICE_TABLE: PriceTable = table;

/** The file the table lives in, as people should look for it. */
export const PRICE_TABLE_FILE = "cost/prices.json";

/** One price of one region: what the estimate multiplies by. */
export interface Price {
  readonly id: string;
  readonly variant?: string;
  readonly usd: number;
  readonly unit: string;
  readonly description: string;
  readonly source: string;
  readonly note?: string;
}

/** The prices of one region, looked up by id (and variant). */
export interface RegionalPriceList {
  readonly region: string;
  readonly table: PriceTable;
  /** The price, or undefined when the table has no such variant (an instance class it does not list). */
  find(id: string, variant?: string): Price | undefined;
  /** The price; a missing id or variant is a mistake in the pricers or the table. */
  get(id: string, variant?: string): Price;
}

/** Problems with the table's shape: a price without a value for one of its regions, a missing source. */
export function tableProblems(t: PriceTable): string[] {
  const problems: string[] = [];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(t.asPublished))
    problems.push(`asPublished "${t.asPublished}" is not a date`);
  for (const [id, entry] of Object.entries(t.prices)) {
    if (!/^https:\/\/aws\.amazon\.com\//.test(entry.source))
      problems.push(`${id}: source ${entry.source} is not an AWS pricing page`);
    const sets = entry.byVariant
      ? Object.entries(entry.byVariant).map(([v, p]) => [`${id} ${v}`, p] as const)
      : [[id, entry.usd] as const];
    if ((entry.usd === undefined) === (entry.byVariant === undefined))
      problems.push(`${id}: needs exactly one of usd and byVariant`);
    for (const [what, prices] of sets) {
      for (const region of t.regions) {
        const usd = prices?.[region];
        if (typeof usd !== "number" || !(usd >= 0)) problems.push(`${what}: no price for ${region}`);
      }
    }
  }
  return problems;
}

/** A region the table has no prices for. */
export class UnknownRegionError extends Error {
  constructor(
    readonly region: string,
    readonly known: readonly string[],
  ) {
    super(
      `the price table (${PRICE_TABLE_FILE}) has no prices for region ${region}; it has ${known.join(", ")}. ` +
        `Add ${region}'s prices from each price's source page to estimate an environment there.`,
    );
    this.name = "UnknownRegionError";
  }
}

/** The table's prices for a region; throws UnknownRegionError naming the regions it has. */
export function pricesFor(region: string, t: PriceTable = PRICE_TABLE): RegionalPriceList {
  if (!t.regions.includes(region)) throw new UnknownRegionError(region, t.regions);
  const find = (id: string, variant?: string): Price | undefined => {
    const entry = t.prices[id];
    if (entry === undefined) return undefined;
    const prices = variant === undefined ? entry.usd : entry.byVariant?.[variant];
    const usd = prices?.[region];
    if (usd === undefined) return undefined;
    const { description, unit, source, note } = entry;
    return { id, variant, usd, unit, description, source, note };
  };
  return {
    region,
    table: t,
    find,
    get(id, variant) {
      const price = find(id, variant);
      if (price === undefined)
        throw new Error(
          `${PRICE_TABLE_FILE} has no price ${id}${variant ? ` (${variant})` : ""} for ${region}`,
        );
      return price;
    },
  };
}
