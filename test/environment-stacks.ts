/**
 * The AWS stack of an environment file, synthesized the way the real synth writes it (aspects applied, construct
 * paths kept, which Testing.synth drops), once per file and test process. The stack tests and the policy-rule
 * tests read the same synthesized stacks.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
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

/** What a synthesized stack depends on besides its environment file: the program's sources and the packages. */
const SOURCES = [
  "constructs",
  "stacks",
  "config",
  "scripts",
  "rules",
  "cost",
  "main.ts",
  "package-lock.json",
];

/** The size and modification time of every file under the sources and the environment's folder, hashed. */
function sourcesFingerprint(environmentDir: string): string {
  const hash = createHash("sha1");
  const visit = (path: string): void => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) visit(join(path, entry));
    } else hash.update(`${path} ${stat.size} ${stat.mtimeMs}\n`);
  };
  for (const source of SOURCES) visit(join(ROOT, source));
  visit(environmentDir);
  return hash.digest("hex");
}

/** The key of an environment file's synthesized JSON in the run's memo: the file, its content, the sources. */
export function memoKey(file: string): string {
  return `${file}\n${readFileSync(file, "utf8")}\n${sourcesFingerprint(dirname(file))}`;
}

/**
 * The synthesized JSON shared by the test files of one jest run (test/jest/run-memo.js), keyed by the
 * environment file's content and the sources' fingerprint; undefined outside that environment.
 */
const workerMemo = (
  globalThis as {
    __workerMemo?: { get(key: string): string | undefined; set(key: string, value: string): unknown };
  }
).__workerMemo;

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
  const key = workerMemo && memoKey(file);
  const text = key === undefined ? undefined : workerMemo?.get(key);
  let result: EnvironmentStack;
  if (text === undefined) {
    const { env, stack } = buildEnvironmentStack(file);
    result = { env, text: JSON.stringify(stack.toTerraform()) };
    if (key !== undefined) workerMemo?.set(key, result.text);
  } else {
    result = { env: loadEnvironment(file), text };
  }
  cache.set(file, result);
  return result;
}

/** The synthesized AWS stack of a checked-in environment, `environments/<name>.json`. */
export function synthCheckedIn(name: string): EnvironmentStack {
  return synthEnvironmentFile(join(ROOT, "environments", `${name}.json`));
}
