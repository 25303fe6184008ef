/**
 * The AWS stack of an environment file, synthesized the way the real synth writes it (aspects applied, construct
 * paths kept, which Testing.synth drops), once per file and test process. The stack tests and the policy-rule
 * tests read the same synthesized stacks.
 */
import { dirname, join } from "node:path";
import type { EnvironmentConfig } from "../config/environment";
import { loadEnvironment, loadEnvironments } from "../config/load";
import { buildAppStack } from "../scripts/lib/environment-stack";
import type { AppStack } from "../stacks/app-stack";

export const ROOT = join(__dirname, "..");

export interface EnvironmentStack {
  readonly env: EnvironmentConfig;
  /** The stack's Terraform JSON. */
  readonly text: string;
}

const cache = new Map<string, EnvironmentStack>();

/** The AWS stack of an environment file, built as main.ts builds it, with its aspects applied. */
export function buildEnvironmentStack(file: string): { env: EnvironmentConfig; stack: AppStack } {
  const env = loadEnvironment(file);
  // The promotions between environments are read from every file of the folder, as main.ts does.
  return { env, stack: buildAppStack(env, loadEnvironments(dirname(file))) };
}

/** The synthesized AWS stack of an environment file. */
export function synthEnvironmentFile(file: string): EnvironmentStack {
  const hit = cache.get(file);
  if (hit) return hit;
  const { env, stack } = buildEnvironmentStack(file);
  const result = { env, text: JSON.stringify(stack.toTerraform()) };
  cache.set(file, result);
  return result;
}

/** The synthesized AWS stack of a checked-in environment, `environments/<name>.json`. */
export function synthCheckedIn(name: string): EnvironmentStack {
  return synthEnvironmentFile(join(ROOT, "environments", `${name}.json`));
}
