/**
 * Two estimates side by side (before and after a change): the totals, and the lines that moved. A line is the
 * same line in both when its key is (the item, and for per-resource lines the resource).
 */
import type { CostLine, Estimate } from "./estimate";

export interface MovedLine {
  readonly key: string;
  readonly before?: CostLine;
  readonly after?: CostLine;
  /** The change of the monthly amount (0 for usage-priced and unpriced lines). */
  readonly deltaUsd: number;
}

export interface Comparison {
  readonly before: Estimate;
  readonly after: Estimate;
  readonly deltaUsd: number;
  readonly moved: readonly MovedLine[];
}

const counts = (l: CostLine | undefined) => l !== undefined && l.kind !== "free";

/** Whether a line reads differently in the two estimates (amount, quantity, unit price or kind). */
function differs(a: CostLine, b: CostLine): boolean {
  return (
    a.kind !== b.kind ||
    a.item !== b.item ||
    Math.abs((a.monthlyUsd ?? 0) - (b.monthlyUsd ?? 0)) >= 0.005 ||
    a.quantityText !== b.quantityText ||
    a.unitPriceUsd !== b.unitPriceUsd
  );
}

export function compareEstimates(before: Estimate, after: Estimate): Comparison {
  const was = new Map(before.lines.map((l) => [l.key, l]));
  const now = new Map(after.lines.map((l) => [l.key, l]));
  const moved: MovedLine[] = [];
  for (const key of new Set([...was.keys(), ...now.keys()])) {
    const b = was.get(key);
    const a = now.get(key);
    // A no-charge line coming or going moves no money.
    if (!counts(b) && !counts(a)) continue;
    if (b && a && !differs(b, a)) continue;
    moved.push({
      key,
      before: counts(b) ? b : undefined,
      after: counts(a) ? a : undefined,
      deltaUsd: (a?.monthlyUsd ?? 0) - (b?.monthlyUsd ?? 0),
    });
  }
  moved.sort((x, y) => Math.abs(y.deltaUsd) - Math.abs(x.deltaUsd) || x.key.localeCompare(y.key));
  return { before, after, deltaUsd: after.totalUsd - before.totalUsd, moved };
}
