/**
 * The budget follows the estimate: every synth reads each environment's synthesized budget and refuses one whose
 * actual-cost alert would fire every month at the estimated cost, unless cost.acceptBudgetBelowEstimate says to
 * keep it (then it warns); it warns when the forecast alert would fire every month.
 */
import { join } from "node:path";
import type { EnvironmentConfig } from "../config/environment";
import { loadEnvironment, loadEnvironments } from "../config/load";
import { budgetsOfStack, checkBudgets } from "../cost/budget";
import type { Values } from "../cost/resources";
import type { UsageAssumptions } from "../cost/usage";
import { checkEnvironmentBudgets } from "../stacks/budgets";
import { appStackName } from "../stacks/names";
import { ROOT, synthCheckedIn } from "./environment-stacks";

const NO_USE: UsageAssumptions = {
  requestsMillionsPerMonth: 0,
  loadBalancerGiBPerMonth: 0,
  natGiBPerMonth: 0,
  logsGiBPerMonth: 0,
  uploadsGiBPerDay: 0,
};

/** One NAT gateway and its address in us-east-1: 730 h × $0.045 + 730 h × $0.005 = $36.50 a month. */
function stackWithBudget(limit: string) {
  return {
    resource: {
      aws_eip: { nat: { domain: "vpc" } },
      aws_nat_gateway: { nat: { allocation_id: "${aws_eip.nat.id}" } },
      aws_budgets_budget: {
        monthly: {
          budget_type: "COST",
          time_unit: "MONTHLY",
          limit_amount: limit,
          limit_unit: "USD",
          notification: [
            { notification_type: "FORECASTED", threshold: 80, threshold_type: "PERCENTAGE" },
            { notification_type: "ACTUAL", threshold: 100, threshold_type: "PERCENTAGE" },
          ],
        },
      },
    },
  };
}

const check = (limit: string, acceptBelowEstimate = false) =>
  checkBudgets([
    {
      environment: "fixture",
      stack: stackWithBudget(limit),
      region: "us-east-1",
      usage: NO_USE,
      acceptBelowEstimate,
    },
  ]);

describe("the budget check on a fixture stack estimated at $36.50 a month", () => {
  it("reads the budget's limit and the shares its alerts fire at from the stack", () => {
    expect(budgetsOfStack(stackWithBudget("30"))).toEqual([
      { limitUsd: 30, actualPercents: [100], forecastPercents: [80] },
    ]);
  });

  it("refuses a budget below the estimate, naming the setting, the budget, the estimate and the way out", () => {
    const { refusals, warnings } = check("30");
    expect(warnings).toEqual([]);
    expect(refusals).toHaveLength(1);
    const [message] = refusals;
    expect(message).toContain('environment "fixture"');
    expect(message).toContain("cost.monthlyBudgetUsd = 30 USD");
    expect(message).toContain("$36.50");
    expect(message).toContain("at least 37");
    expect(message).toContain("cost.acceptBudgetBelowEstimate");
    expect(message).toContain("us-east-1");
  });

  it("keeps a budget below the estimate when the environment accepts it, and warns", () => {
    const { refusals, warnings } = check("30", true);
    expect(refusals).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Accepted: cost\.acceptBudgetBelowEstimate is true/);
  });

  it("warns when the forecast alert (80%) would fire every month, and says what budget keeps it quiet", () => {
    // 80% of $40 is $32, under $36.50; $36.50 / 0.8 = $45.63.
    const { refusals, warnings } = check("40");
    expect(refusals).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("80% of it ($32.00)");
    expect(warnings[0]).toContain("cost.monthlyBudgetUsd = 46 or more");
  });

  it("says nothing of a budget whose alerts stay quiet at the estimate", () => {
    expect(check("46")).toEqual({ warnings: [], refusals: [] });
  });
});

describe("the budget check of environment files (what every synth runs)", () => {
  const environments = loadEnvironments(join(ROOT, "environments"));
  const named = (name: string) => environments.find((e) => e.name === name) as EnvironmentConfig;
  const stackOf = (name: string) => JSON.parse(synthCheckedIn(name).text) as Values;
  const production = named("production");
  /** Production's stack with the budget a $100 setting makes (constructs/cost-controls.ts writes the limit). */
  const cheapStack = () => {
    const stack = stackOf("production");
    for (const budget of Object.values<Values>(stack.resource.aws_budgets_budget))
      budget.limit_amount = "100";
    return stack;
  };
  const cheap = (env: EnvironmentConfig, accept: boolean): EnvironmentConfig => ({
    ...env,
    cost: { ...env.cost, monthlyBudgetUsd: 100, acceptBudgetBelowEstimate: accept },
  });

  it("passes the checked-in environments on AWS: each budget is above its estimate", () => {
    const onAws = environments.filter((env) => !env.emulator);
    expect(onAws.map((e) => e.name)).toEqual(["production", "staging"]);
    const stacks = Object.fromEntries(onAws.map((env) => [appStackName(env.name), stackOf(env.name)]));
    expect(checkEnvironmentBudgets(onAws, stacks)).toEqual({ warnings: [], refusals: [] });
  });

  it("refuses production with a $100 budget, and keeps it with a warning when accepted", () => {
    const stacks = { [appStackName("production")]: cheapStack() };
    const refused = checkEnvironmentBudgets([cheap(production, false)], stacks);
    expect(refused.refusals).toEqual([
      expect.stringMatching(/^environment "production": the monthly budget cost\.monthlyBudgetUsd = 100 USD/),
    ]);
    const accepted = checkEnvironmentBudgets([cheap(production, true)], stacks);
    expect(accepted.refusals).toEqual([]);
    expect(accepted.warnings).toEqual([
      expect.stringContaining("Accepted: cost.acceptBudgetBelowEstimate is true"),
    ]);
  });

  it("does not check an environment on the emulator, which AWS never charges", () => {
    const local = cheap(named("local"), false);
    // The same $100 budget under the local stack's name: refused if it were checked.
    const stacks = { [appStackName("local")]: cheapStack() };
    expect(checkEnvironmentBudgets([local], stacks)).toEqual({ warnings: [], refusals: [] });
    expect(checkEnvironmentBudgets([{ ...local, emulator: undefined }], stacks).refusals).toHaveLength(1);
  });

  it("refuses an environment in a region the price table lacks, naming the region and the ones it has", () => {
    const wiring = loadEnvironment(join(ROOT, "test", "fixtures", "environments", "wiring.json"));
    const { refusals } = checkEnvironmentBudgets([wiring], { [appStackName("wiring")]: cheapStack() });
    expect(refusals).toEqual([
      expect.stringMatching(
        /environment "wiring".*no prices for region eu-west-1; it has us-east-1, us-west-2/,
      ),
    ]);
  });
});
