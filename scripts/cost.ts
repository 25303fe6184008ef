/**
 * `npm run cost -- <environment>`: the monthly estimate of the environment's synthesized stack, line by line, from
 * the price table in the repository (cost/prices.json); no network. `npm run cost -- --write-docs` regenerates
 * docs/cost.md (every environment on AWS, and the settings that change the estimate most), which a test keeps fresh.
 */
import { writeFileSync } from "node:fs";
import { renderText } from "../cost/render";
import { applyLocalOverrides } from "../config/local";
import { loadEnvironments } from "../config/load";
import { COST_DOC, costDoc } from "./cost/doc";
import { estimateEnvironment, usageSource } from "./cost/environment";
import { ENVIRONMENTS_DIR, environmentNamed } from "./lib/environments";

export const USAGE = `usage: npm run cost -- <environment>     the monthly estimate of the environment's stack
       npm run cost -- --write-docs       regenerate docs/cost.md`;

/** Returns the exit code; prints the estimate or the error. */
export function main(
  argv: string[],
  out: (text: string) => void = (text) => process.stdout.write(text),
): number {
  if (argv.includes("-h") || argv.includes("--help")) {
    out(`${USAGE}\n`);
    return 0;
  }
  const environments = loadEnvironments(ENVIRONMENTS_DIR);
  if (argv.length === 1 && argv[0] === "--write-docs") {
    writeFileSync(COST_DOC, costDoc(environments));
    out(`wrote ${COST_DOC}\n`);
    return 0;
  }
  if (argv.length !== 1 || argv[0].startsWith("-")) throw new Error(`expected one environment\n${USAGE}`);
  const env = applyLocalOverrides(environmentNamed(argv[0]), process.env);
  const { estimate } = estimateEnvironment(env, environments);
  const where = env.emulator
    ? ` (deployed to the local emulator, where it costs nothing: this is what it would cost on AWS)`
    : "";
  out(renderText(estimate, { title: `MyAmazingApp ${env.name}${where}`, usageSource: usageSource(env) }));
  return 0;
}

/** The command line (`npm run cost` runs the bundle of this file through scripts/run-bundled.js). */
export function run(argv: string[]): void {
  try {
    process.exitCode = main(argv);
  } catch (error) {
    console.error(`cost: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
