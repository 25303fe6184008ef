/**
 * Finding an environment by the name an operator types: the one lookup of `environments/<name>.json` for the
 * command-line tools, with an error that lists the environments there are.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type { EnvironmentConfig } from "../../config/environment";
import { loadEnvironment } from "../../config/load";
import { PROJECT_ROOT } from "./terraform";

export const ENVIRONMENTS_DIR = path.join(PROJECT_ROOT, "environments");

/** The environments there are: the settings files' names. */
export function environmentNames(dir = ENVIRONMENTS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !f.endsWith(".schema.json"))
    .map((f) => f.replace(/\.json$/, ""))
    .sort();
}

/** The validated settings of the environment an operator named, or an error naming the ones there are. */
export function environmentNamed(name: string | undefined, dir = ENVIRONMENTS_DIR): EnvironmentConfig {
  const known = environmentNames(dir);
  if (!name) throw new Error(`name an environment: one of ${known.join(", ")}`);
  const file = path.join(dir, `${name}.json`);
  if (!/^[a-z0-9-]+$/.test(name) || !existsSync(file)) {
    throw new Error(`unknown environment "${name}"; environments: ${known.join(", ")}`);
  }
  return loadEnvironment(file);
}
