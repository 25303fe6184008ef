/**
 * Where an environment's settings meet the estimate of its synthesized stack: the budget check every synth runs
 * (cost/budget.ts). An environment on the emulator is charged nothing, so its budget is not checked.
 */
import type { EnvironmentConfig } from "../config/environment";
import { checkBudgets } from "../cost/budget";
import type { Values } from "../cost/resources";
import { appStackName } from "./names";

/** Warnings to print and refusals that stop the synth, for the environments' synthesized stacks by name. */
export function checkEnvironmentBudgets(
  environments: readonly EnvironmentConfig[],
  stacks: Readonly<Record<string, Values>>,
): { warnings: string[]; refusals: string[] } {
  return checkBudgets(
    environments
      .filter((env) => !env.emulator)
      .map((env) => ({
        environment: env.name,
        stack: stacks[appStackName(env.name)],
        region: env.region,
        usage: env.cost.usage,
        acceptBelowEstimate: env.cost.acceptBudgetBelowEstimate,
      })),
  );
}
