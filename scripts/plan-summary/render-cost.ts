/**
 * The plan comment's monthly estimate: each stack's total before and after the change, and, folded, the lines
 * that moved. Where a plan has no estimate, it says why.
 */
import type { MovedLine } from "../../cost/compare";
import type { CostLine } from "../../cost/estimate";
import { PRICE_TABLE_FILE } from "../../cost/price-table";
import { deltaUsd, describeResources, unitUsd, usd } from "../../cost/render";
import type { StackReport } from "./render";

/** GitHub splits table rows on `|`. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

function amount(l: CostLine | undefined): string {
  if (!l) return "–";
  if (l.monthlyUsd !== undefined) return usd(l.monthlyUsd);
  if (l.kind === "usage-priced") return `by use, ${unitUsd(l.unitPriceUsd ?? 0)}/${l.unit}`;
  return l.kind;
}

function item(m: MovedLine): string {
  const was = m.before?.item;
  const now = m.after?.item;
  return was && now && was !== now ? `${was} → ${now}` : (now ?? was ?? m.key);
}

function movedRow(m: MovedLine): string {
  const resources = describeResources([
    ...new Set([...(m.before?.resources ?? []), ...(m.after?.resources ?? [])]),
  ]);
  const quantity = [m.before?.quantityText, m.after?.quantityText].filter(Boolean);
  const change =
    m.before?.quantityText !== m.after?.quantityText && quantity.length > 0
      ? ` (${quantity.join(" → ")})`
      : "";
  return `| ${cell(item(m))}${cell(change)} | ${cell(resources)} | ${amount(m.before)} | ${amount(m.after)} | ${deltaUsd(m.deltaUsd)} |`;
}

export function costSection(stacks: readonly StackReport[]): string[] {
  const rows: string[] = [];
  const details: string[] = [];
  let context: string | undefined;
  for (const stack of stacks) {
    const name = `\`${stack.name}\``;
    if (stack.failed) {
      rows.push(`| ${name} | – | – | plan failed |`);
      continue;
    }
    const cost = stack.cost;
    if (!cost) continue;
    if ("unavailable" in cost) {
      rows.push(`| ${name} | – | – | no estimate: ${cell(cost.unavailable)} |`);
      continue;
    }
    const { before, after, deltaUsd: delta, moved } = cost.comparison;
    const percent =
      before.totalUsd > 0
        ? ` (${delta >= 0 ? "+" : ""}${((delta / before.totalUsd) * 100).toFixed(1)}%)`
        : "";
    const change = Math.abs(delta) < 0.005 ? "no change" : `**${deltaUsd(delta)}**${percent}`;
    rows.push(`| ${name} | ${usd(before.totalUsd)} | ${usd(after.totalUsd)} | ${change} |`);
    context ??= `prices of ${after.region} as published ${after.asPublished} in \`${PRICE_TABLE_FILE}\``;
    if (moved.length > 0) {
      details.push(
        `<details><summary>${name}: ${moved.length} line${moved.length === 1 ? "" : "s"} moved</summary>`,
        "",
        "| Line | Resources | Before | After | Change |",
        "| --- | --- | ---: | ---: | ---: |",
        ...moved.map(movedRow),
        "",
        "</details>",
        "",
      );
    }
  }
  if (rows.length === 0) return [];
  return [
    "### Monthly estimate",
    "",
    "| Stack | Before | After | Change |",
    "| --- | ---: | ---: | ---: |",
    ...rows,
    "",
    ...details,
    ...(context
      ? [
          `<sub>Before: the resources as Terraform last recorded them; after: as this plan leaves them; both with the ` +
            `usage each environment file assumes (\`cost.usage\`), ${context} (AWS on-demand list prices, to be re-checked ` +
            `against each price's source page). Usage-priced lines are not in the totals; docs/cost.md says how it is made.</sub>`,
          "",
        ]
      : []),
  ];
}
