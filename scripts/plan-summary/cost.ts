/**
 * The monthly estimate of a plan, before and after: `before` from the values Terraform last recorded (what exists),
 * `after` from the values the plan leaves (what will exist), both priced with the environment's region and usage
 * assumptions, which the pull-request workflow adds to the plan as `cost_context` (artifact.jq). One plan holds both
 * sides, so no second synth is needed, and the base branch's code can price a pull request's plan.
 */
import { type Comparison, compareEstimates } from "../../cost/compare";
import { estimatePlanSide } from "../../cost/estimate";
import { UnknownRegionError } from "../../cost/price-table";
import type { Values } from "../../cost/resources";
import type { UsageAssumptions } from "../../cost/usage";

/** The estimate of a plan, or why there is none. */
export type PlanCost = { readonly comparison: Comparison } | { readonly unavailable: string };

const USAGE_KEYS: ReadonlyArray<keyof UsageAssumptions> = [
  "requestsMillionsPerMonth",
  "loadBalancerGiBPerMonth",
  "natGiBPerMonth",
  "logsGiBPerMonth",
  "uploadsGiBPerDay",
];

function usageOf(raw: unknown): UsageAssumptions | undefined {
  if (raw === null || typeof raw !== "object") return undefined;
  const u = raw as Record<string, unknown>;
  if (!USAGE_KEYS.every((k) => typeof u[k] === "number" && (u[k] as number) >= 0)) return undefined;
  return Object.fromEntries(USAGE_KEYS.map((k) => [k, u[k]])) as unknown as UsageAssumptions;
}

export function costOfPlan(plan: unknown): PlanCost {
  const p = (plan ?? {}) as Values;
  const context = p.cost_context as Values | null | undefined;
  if (!context)
    return { unavailable: "the plan carries no cost context (the environment's region and usage)" };
  const usage = usageOf(context.usage);
  if (typeof context.region !== "string" || !usage)
    return { unavailable: "the plan's cost context lacks the region or one of the usage assumptions" };
  const changes = (p.resource_changes ?? []) as Values[];
  const managed = changes.filter((c) => c.mode !== "data");
  if (managed.some((c) => !(c.change && "before" in c.change && "after" in c.change)))
    return { unavailable: "the plan carries no resource values before and after the change" };
  try {
    const options = { region: context.region, usage };
    return {
      comparison: compareEstimates(
        estimatePlanSide(p, "before", options),
        estimatePlanSide(p, "after", options),
      ),
    };
  } catch (error) {
    if (error instanceof UnknownRegionError) return { unavailable: error.message };
    throw error;
  }
}
