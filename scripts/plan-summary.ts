/**
 * Prints one Markdown pull-request comment summarising Terraform plans, one per stack.
 *
 *   npx tsx scripts/plan-summary.ts [--commit=SHA] [--run-url=URL] [--failed=<stack>] <stack>=<plan.json>[:<plan.txt>] ...
 *
 * plan.json is `terraform show -json plan.out`, or the pull-request workflow's cut of it (plan-summary/
 * artifact.jq, which adds the environment's region and usage for the monthly estimate before and after); the
 * optional plan.txt is `terraform show -no-color plan.out`, shown collapsed. The text file is split off at the last ":" so JSON paths must not contain one.
 * `--failed=<stack>` (repeatable) lists a stack whose plan did not complete: it is shown as "plan failed".
 * A plan file that is missing is still an error, so a wrong path is never mistaken for a failed plan.
 */
import { readFileSync } from "node:fs";
import { costOfPlan } from "./plan-summary/cost";
import { renderComment, type RenderOptions } from "./plan-summary/render";
import { parsePlanJson, PlanFormatError, summarizePlan } from "./plan-summary/summarize";

export { COMMENT_MARKER, renderComment } from "./plan-summary/render";
export type { FailedStack, PlannedStack, RenderOptions, StackReport } from "./plan-summary/render";
export {
  hasChanges,
  parsePlanJson,
  PlanFormatError,
  statefulLosses,
  summarizePlan,
} from "./plan-summary/summarize";
export type { PlanCounts, PlanSummary, ResourceChangeSummary } from "./plan-summary/summarize";

const USAGE =
  "usage: plan-summary [--commit=SHA] [--run-url=URL] [--failed=<stack>] <stack>=<plan.json>[:<plan.txt>] ...\n" +
  "  plan.json: `terraform show -json plan.out`; plan.txt: `terraform show -no-color plan.out`\n" +
  "  --failed=<stack>: a stack whose plan did not complete (repeatable)";

export interface StackArg {
  name: string;
  jsonPath: string;
  textPath?: string;
}

/** A stack argument: its plan files, or `failed` for a stack whose plan did not complete. */
type StackInput = StackArg | { name: string; failed: true };

class UsageError extends Error {}

export function parseStackArg(arg: string): StackArg {
  const eq = arg.indexOf("=");
  if (eq <= 0 || eq === arg.length - 1)
    throw new UsageError(`expected <stack>=<plan.json>[:<plan.txt>], got "${arg}"`);
  const name = arg.slice(0, eq);
  const files = arg.slice(eq + 1);
  const colon = files.lastIndexOf(":");
  if (colon === -1) return { name, jsonPath: files };
  if (colon === 0 || colon === files.length - 1) throw new UsageError(`empty file name in "${arg}"`);
  return { name, jsonPath: files.slice(0, colon), textPath: files.slice(colon + 1) };
}

export interface Io {
  readFile: (path: string) => string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const realIo: Io = {
  readFile: (path) => readFileSync(path, "utf8"),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

function read(io: Io, path: string, what: string): string {
  try {
    return io.readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PlanFormatError(`cannot read ${what} ${path}${code ? ` (${code})` : ""}`);
  }
}

/** Returns the process exit code; everything it needs from the outside goes through io. */
export function main(argv: string[], io: Io = realIo): number {
  try {
    const options: RenderOptions = {};
    const stackArgs: StackInput[] = [];
    for (const arg of argv) {
      if (arg === "-h" || arg === "--help") {
        io.stdout(`${USAGE}\n`);
        return 0;
      } else if (arg.startsWith("--commit=")) {
        options.commitSha = arg.slice("--commit=".length);
      } else if (arg.startsWith("--run-url=")) {
        options.runUrl = arg.slice("--run-url=".length);
      } else if (arg.startsWith("--failed=")) {
        const name = arg.slice("--failed=".length);
        if (name === "") throw new UsageError("--failed needs a stack name");
        stackArgs.push({ name, failed: true });
      } else if (arg.startsWith("-")) {
        throw new UsageError(`unknown option ${arg}`);
      } else {
        stackArgs.push(parseStackArg(arg));
      }
    }
    if (stackArgs.length === 0) throw new UsageError("no stacks given");
    const duplicate = stackArgs.find((s, i) => stackArgs.findIndex((t) => t.name === s.name) !== i);
    if (duplicate) throw new UsageError(`stack "${duplicate.name}" given twice`);

    const stacks = stackArgs.map((stack) => {
      if ("failed" in stack) return stack;
      const { name, jsonPath, textPath } = stack;
      try {
        const json = parsePlanJson(read(io, jsonPath, "plan JSON"), jsonPath);
        const planText = textPath === undefined ? undefined : read(io, textPath, "plan text");
        return { name, summary: summarizePlan(json), planText, cost: costOfPlan(json) };
      } catch (error) {
        if (error instanceof PlanFormatError) throw new PlanFormatError(`stack "${name}": ${error.message}`);
        throw error;
      }
    });
    io.stdout(renderComment(stacks, options));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`plan-summary: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof PlanFormatError) {
      io.stderr(`plan-summary: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
