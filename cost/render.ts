/**
 * An estimate for people: as text for the terminal (`npm run cost`), or as Markdown (docs/cost.md, pull
 * requests). Both print the region and the price table's date with every estimate, and say what the total leaves out.
 */
import type { CostLine, Estimate } from "./estimate";
import { PRICE_TABLE_FILE } from "./price-table";
import { describeUsage } from "./usage";

/** Dollars to the cent, with thousands separated: $1,234.56. */
export function usd(amount: number): string {
  const sign = amount < 0 ? "-" : "";
  return `${sign}$${Math.abs(amount).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A unit price without float noise: $0.04048, $0.0516. */
export function unitUsd(amount: number): string {
  return `$${Number(amount.toPrecision(amount < 1 ? 4 : 6)).toString()}`;
}

/** A signed change: +$12.30, -$4.00. */
export function deltaUsd(amount: number): string {
  return amount >= 0 ? `+${usd(amount)}` : usd(amount);
}

/** The resources of a line, short: one address, or `type ×n` for several of a type. */
export function describeResources(addresses: readonly string[]): string {
  const byType = new Map<string, string[]>();
  for (const a of addresses) {
    const type = a.slice(0, a.indexOf("."));
    byType.set(type, [...(byType.get(type) ?? []), a]);
  }
  return [...byType.entries()]
    .map(([type, of]) => (of.length === 1 ? of[0] : `${type} ×${of.length}`))
    .join(", ");
}

/** The line about the prices that goes with every estimate: the table, the region, the date, the re-check. */
export function pricesLine(e: Estimate): string {
  return (
    `Prices: ${PRICE_TABLE_FILE}, region ${e.region}, as published ${e.asPublished}; AWS on-demand list prices, ` +
    `to be re-checked against each price's source page.`
  );
}

/** The usage the estimate assumes, and where it is set. */
export function usageLine(e: Estimate, usageSource: string): string {
  return `Month: ${e.hoursPerMonth} hours. Usage assumed (${usageSource}): ${describeUsage(e.usage)}.`;
}

const priced = (l: CostLine) => l.kind === "fixed" || l.kind === "assumed";
const unitPrice = (l: CostLine) =>
  l.unitPriceUsd === undefined ? "" : `${unitUsd(l.unitPriceUsd)}/${l.unit}`;

export interface RenderOptions {
  /** The heading, e.g. "MyAmazingApp production". */
  readonly title: string;
  /** Where the usage assumptions are set, e.g. "environments/production.json cost.usage". */
  readonly usageSource: string;
}

function pad(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i >= r.length - 2 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd(),
  );
}

/** The estimate as terminal text: one line per charge, notes indented below, the total, then the rest. */
export function renderText(e: Estimate, options: RenderOptions): string {
  const lines = e.lines.filter(priced);
  const rows = [
    ["Charge", "Resources", "Quantity", "Unit price", "Monthly"],
    ...lines.map((l) => [
      l.item,
      describeResources(l.resources),
      l.quantityText ?? "",
      unitPrice(l),
      usd(l.monthlyUsd ?? 0),
    ]),
  ];
  const table = pad(rows);
  const out = [
    `${options.title}: estimated monthly cost in ${e.region}`,
    pricesLine(e),
    usageLine(e, options.usageSource),
    "",
    table[0],
  ];
  lines.forEach((l, i) => {
    out.push(table[i + 1]);
    if (l.note) out.push(`    ${l.note}`);
    if (l.priceNote) out.push(`    price: ${l.priceNote}`);
  });
  out.push(
    "",
    `Total: ${usd(e.totalUsd)} a month (${usd(e.fixedUsd)} from the settings alone, ${usd(e.totalUsd - e.fixedUsd)} from the usage assumed)`,
  );
  const usagePriced = e.lines.filter((l) => l.kind === "usage-priced");
  if (usagePriced.length > 0) {
    out.push("", "Usage-priced, not in the total (the use is not assumed):");
    for (const l of usagePriced)
      out.push(
        `  ${l.item}: ${unitPrice(l)} (${describeResources(l.resources)})${l.note ? `; ${l.note}` : ""}`,
      );
  }
  const unpriced = e.lines.filter((l) => l.kind === "unpriced");
  out.push("", unpriced.length > 0 ? "UNPRICED, not in the total:" : "Unpriced: none.");
  for (const l of unpriced) out.push(`  ${l.item} (${describeResources(l.resources)}): ${l.note ?? ""}`);
  const free = e.lines.filter((l) => l.kind === "free");
  if (free.length > 0) {
    out.push(
      "",
      `No charge: ${free.map((l) => `${l.item.replace(/ \(no charge\)$/, "")} (${describeResources(l.resources)})`).join("; ")}.`,
    );
  }
  out.push("", "Sources:", ...Object.entries(e.sources).map(([id, url]) => `  ${id}: ${url}`));
  return out.join("\n") + "\n";
}

/** A line's note and the price's own note. */
const notes = (l: CostLine) =>
  [l.note, l.priceNote ? `price: ${l.priceNote}` : ""].filter(Boolean).join("; ");

/** GitHub splits table rows on `|`. */
const cell = (text: string) => text.replace(/\|/g, "\\|");

/** The estimate as a Markdown section: the table of charges with their notes, the total, the rest in lists. */
export function renderMarkdown(e: Estimate, options: RenderOptions, headingLevel = 3): string {
  const h = "#".repeat(headingLevel);
  const lines = e.lines.filter(priced);
  const out = [
    `${h} ${options.title}: ${usd(e.totalUsd)} a month`,
    "",
    `${pricesLine(e)} ${usageLine(e, options.usageSource)}`,
    "",
    "| Charge | Resources | Quantity | Unit price | Monthly | Note |",
    "| --- | --- | --- | ---: | ---: | --- |",
    ...lines.map(
      (l) =>
        `| ${cell(l.item)} | ${cell(describeResources(l.resources))} | ${cell(l.quantityText ?? "")} | ${cell(unitPrice(l))} | ${usd(l.monthlyUsd ?? 0)} | ${cell(notes(l))} |`,
    ),
    `| **Total** | | | | **${usd(e.totalUsd)}** | ${usd(e.fixedUsd)} from the settings alone, ${usd(e.totalUsd - e.fixedUsd)} from the usage assumed |`,
    "",
  ];
  const usagePriced = e.lines.filter((l) => l.kind === "usage-priced");
  if (usagePriced.length > 0) {
    out.push("Usage-priced, not in the total (the use is not assumed):", "");
    for (const l of usagePriced)
      out.push(
        `- ${l.item}: ${unitPrice(l)} (${describeResources(l.resources)})${l.note ? `; ${l.note}` : ""}`,
      );
    out.push("");
  }
  const unpriced = e.lines.filter((l) => l.kind === "unpriced");
  out.push(unpriced.length > 0 ? "**Unpriced**, not in the total:" : "Unpriced: none.", "");
  if (unpriced.length > 0) {
    for (const l of unpriced) out.push(`- ${l.item} (${describeResources(l.resources)}): ${l.note ?? ""}`);
    out.push("");
  }
  const free = e.lines.filter((l) => l.kind === "free");
  if (free.length > 0) {
    const count = free.reduce((n, l) => n + l.resources.length, 0);
    out.push(
      `No charge (${count} resources): ${free.map((l) => l.item.replace(/ \(no charge\)$/, "")).join(", ")}.`,
      "",
    );
  }
  return out.join("\n");
}

/** The source pages of the prices an estimate used, as a Markdown list. */
export function renderSources(sources: Readonly<Record<string, string>>): string {
  return Object.entries(sources)
    .map(([id, url]) => `- \`${id}\`: <${url}>`)
    .join("\n");
}
