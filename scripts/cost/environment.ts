/**
 * The estimate of an environment: its stack synthesized in the process from its settings (scripts/lib/
 * environment-stack.ts), priced with its usage assumptions. A variant changes the settings, the synthesized
 * stack (for what no setting says yet) or the usage, and is estimated the same way.
 */
import type { EnvironmentConfig } from "../../config/environment";
import { type Estimate, estimateStack } from "../../cost/estimate";
import type { Values } from "../../cost/resources";
import type { UsageAssumptions } from "../../cost/usage";
import { synthAppStack } from "../lib/environment-stack";

export interface EnvironmentEstimate {
  readonly env: EnvironmentConfig;
  readonly stack: Values;
  readonly estimate: Estimate;
}

/** Where an environment's usage assumptions are set, for the estimate's header. */
export const usageSource = (env: EnvironmentConfig) => `environments/${env.name}.json cost.usage`;

// One synth per environment and settings in a process: the docs and the command line price the same stacks.
const synthesized = new Map<string, EnvironmentEstimate>();

export function estimateEnvironment(
  env: EnvironmentConfig,
  environments: readonly EnvironmentConfig[],
): EnvironmentEstimate {
  const key = JSON.stringify([env, environments]);
  const known = synthesized.get(key);
  if (known) return known;
  const stack = synthAppStack(env, environments);
  const result = {
    env,
    stack,
    estimate: estimateStack(stack, { region: env.region, usage: env.cost.usage }),
  };
  synthesized.set(key, result);
  return result;
}

/** The same estimate of a changed stack or changed usage (no new synth). */
export function reestimate(
  base: EnvironmentEstimate,
  change: { stack?: (stack: Values) => Values; usage?: (usage: UsageAssumptions) => UsageAssumptions },
): Estimate {
  const stack = change.stack ? change.stack(structuredClone(base.stack)) : base.stack;
  const usage = change.usage ? change.usage(base.env.cost.usage) : base.env.cost.usage;
  return estimateStack(stack, { region: base.env.region, usage });
}
