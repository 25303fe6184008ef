/**
 * The budget follows the estimate. The stack's monthly cost budget alerts at a share of its limit on the actual cost
 * and on the forecast (constructs/cost-controls.ts: 100% and 80%); read from the synthesized budget, those shares
 * tell whether an alert would fire every month at the estimated cost. An actual-cost alert that would is refused
 * unless the environment accepts it; a forecast alert that would is warned of.
 */
import { type Estimate, estimateStack } from "./estimate";
import { UnknownRegionError } from "./price-table";
import { usd } from "./render";
import { blocks, num, type Values } from "./resources";
import type { UsageAssumptions } from "./usage";

/** The settings the messages name: the budget's amount, and the one that keeps a budget below the estimate. */
export const BUDGET_SETTING = "cost.monthlyBudgetUsd";
export const ACCEPT_SETTING = "cost.acceptBudgetBelowEstimate";

/** A monthly cost budget of the stack: its limit and the percentages its alerts fire at. */
export interface StackBudget {
  readonly limitUsd: number;
  readonly actualPercents: readonly number[];
  readonly forecastPercents: readonly number[];
}

/** The stack's monthly cost budgets (aws_budgets_budget, COST, MONTHLY, in USD). */
export function budgetsOfStack(config: Values): StackBudget[] {
  return Object.values<Values>(config.resource?.aws_budgets_budget ?? {})
    .filter(
      (b) =>
        b.budget_type === "COST" &&
        (b.time_unit ?? "MONTHLY") === "MONTHLY" &&
        (b.limit_unit ?? "USD") === "USD",
    )
    .flatMap((b) => {
      const limitUsd = num(b.limit_amount);
      if (limitUsd === undefined) return [];
      const percents = (type: string) =>
        blocks(b.notification)
          .filter((n) => n.notification_type === type && (n.threshold_type ?? "PERCENTAGE") === "PERCENTAGE")
          .map((n) => num(n.threshold))
          .filter((t): t is number => t !== undefined);
      return [{ limitUsd, actualPercents: percents("ACTUAL"), forecastPercents: percents("FORECASTED") }];
    });
}

export interface BudgetInput {
  /** The environment, for the message. */
  readonly environment: string;
  readonly budget: StackBudget;
  /** The ACCEPT_SETTING: keep a budget whose actual-cost alert fires at the estimate, with a warning. */
  readonly acceptBelowEstimate: boolean;
  readonly estimate: Estimate;
}

export interface BudgetVerdict {
  readonly level: "ok" | "warn" | "refuse";
  readonly message?: string;
}

/** Whether the budget's alerts would fire every month at the estimated cost, and what to do about it. */
export function budgetVerdict(input: BudgetInput): BudgetVerdict {
  const { environment, budget, acceptBelowEstimate, estimate } = input;
  const total = estimate.totalUsd;
  const at = (percent: number) => (budget.limitUsd * percent) / 100;
  const lowest = (percents: readonly number[]) => (percents.length > 0 ? Math.min(...percents) : undefined);
  const estimateText =
    `the estimated monthly cost of ${usd(total)} (npm run cost -- ${environment}; ` +
    `prices of ${estimate.region} as published ${estimate.asPublished})`;
  const needed = (percent: number) => Math.ceil((total * 100) / percent);

  const actual = lowest(budget.actualPercents);
  if (actual !== undefined && at(actual) < total) {
    const message =
      `environment "${environment}": the monthly budget ${BUDGET_SETTING} = ${budget.limitUsd} USD alerts when the ` +
      `month's actual cost passes ${actual}% of it (${usd(at(actual))}), below ${estimateText}: it would alert every ` +
      `month. Raise ${BUDGET_SETTING} to at least ${needed(actual)}, or set ${ACCEPT_SETTING} to true to keep it.`;
    return acceptBelowEstimate
      ? { level: "warn", message: `${message} Accepted: ${ACCEPT_SETTING} is true.` }
      : { level: "refuse", message };
  }
  const forecast = lowest(budget.forecastPercents);
  if (forecast !== undefined && at(forecast) < total) {
    return {
      level: "warn",
      message:
        `environment "${environment}": the monthly budget ${BUDGET_SETTING} = ${budget.limitUsd} USD warns when the ` +
        `month is forecast to cost over ${forecast}% of it (${usd(at(forecast))}), below ${estimateText}: it would warn ` +
        `every month. ${BUDGET_SETTING} = ${needed(forecast)} or more keeps it quiet.`,
    };
  }
  return { level: "ok" };
}

/** An environment whose budget the synth checks against its estimate. */
export interface BudgetCheck {
  readonly environment: string;
  /** Its synthesized stack. */
  readonly stack: Values;
  readonly region: string;
  readonly usage: UsageAssumptions;
  readonly acceptBelowEstimate: boolean;
}

/**
 * Every environment's budget against its estimate: warnings to print, and refusals that stop the synth. A region
 * the price table lacks is a refusal too: without prices the budget cannot follow the estimate.
 */
export function checkBudgets(checks: readonly BudgetCheck[]): { warnings: string[]; refusals: string[] } {
  const warnings: string[] = [];
  const refusals: string[] = [];
  for (const check of checks) {
    let estimate: Estimate;
    try {
      estimate = estimateStack(check.stack, { region: check.region, usage: check.usage });
    } catch (error) {
      if (!(error instanceof UnknownRegionError)) throw error;
      refusals.push(`environment "${check.environment}": no budget check, ${error.message}`);
      continue;
    }
    for (const budget of budgetsOfStack(check.stack)) {
      const verdict = budgetVerdict({
        environment: check.environment,
        budget,
        acceptBelowEstimate: check.acceptBelowEstimate,
        estimate,
      });
      if (verdict.level === "refuse") refusals.push(verdict.message ?? "");
      if (verdict.level === "warn") warnings.push(verdict.message ?? "");
    }
  }
  return { warnings, refusals };
}
