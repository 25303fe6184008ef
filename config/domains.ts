import type { EnvironmentConfig } from "./environment";

/**
 * The domains other environments serve under this one's (staging.myamazingapp.cdlib.org under
 * myamazingapp.cdlib.org): this environment's deploy role may change records of its own domain and its subdomains,
 * but not of those, nor the delegation that points to them (which lives in the parent's zone, whatever account
 * the other environment is in). Emulator environments serve no real domain.
 */
export function foreignSubdomains(env: EnvironmentConfig, all: readonly EnvironmentConfig[]): string[] {
  const own = env.domain.name;
  return all
    .filter((other) => other.name !== env.name && !other.emulator && other.domain.name.endsWith(`.${own}`))
    .map((other) => other.domain.name)
    .sort();
}
