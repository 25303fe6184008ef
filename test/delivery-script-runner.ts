import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";

/** Where the delivery steps' scripts live. */
export const SCRIPTS = join(__dirname, "..", "constructs", "delivery");
const STUB = join(__dirname, "stubs", "command-stub.js");

/** The script a synthesized buildspec runs: its one command's heredoc, with Terraform's escapes undone. */
export function scriptOf(spec: Record<string, any>): string {
  const [command]: string[] = spec.phases.build.commands;
  const match = /^cat > \S+ <<'(\w+)'\n([^]*)\1\nbash \S+$/.exec(command);
  if (!match) throw new Error(`not a script-carrying command: ${command.slice(0, 80)}`);
  return match[2].replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}

/** The variables a script requires: its `: "${NAME:?...}"` lines. */
export function requiredVariables(script: string): string[] {
  return [...script.matchAll(/^: "\$\{([A-Z_]+):\?/gm)].map((m) => m[1]);
}

/** An answer of a stubbed command: what it prints and its exit code. */
export interface Answer {
  readonly stdout?: unknown;
  readonly stderr?: string;
  readonly exit?: number;
}

/** What a stubbed command answers to calls whose arguments start with `match`. */
export type Rule = { readonly match: string } & (Answer | { readonly responses: Answer[] });

export interface Call {
  readonly command: string;
  readonly args: string[];
  readonly files: Record<string, string>;
  readonly stdin?: string;
}

export interface ScriptRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Every call to a stubbed command, in order. */
  readonly calls: Call[];
  /** The folder the script ran in (its output files are there). */
  readonly dir: string;
  /** Calls of one command whose arguments start with `prefix`. */
  callsTo(command: string, prefix: string): Call[];
  /** A JSON file the script wrote, or undefined. */
  output(file: string): unknown;
}

function requireTool(tool: string, install: string): void {
  if (spawnSync(tool, ["--version"], { stdio: "ignore" }).status !== 0) {
    throw new Error(`${tool} is required to run the delivery scripts' tests: ${install}`);
  }
}

/**
 * Runs a script with bash in a fresh folder holding `files`, with the `commands` it calls (by default `aws` and
 * `docker`) replaced by stubs that answer from `scenario` and record their calls. jq and node are the real ones:
 * they compute, they call nothing. `script` is a delivery script's name, or a path.
 */
export function runScript(
  script: string,
  opts: {
    env: Record<string, string>;
    scenario: Record<string, Rule[]>;
    files?: Record<string, string>;
    args?: string[];
    commands?: string[];
  },
): ScriptRun {
  requireTool("jq", "install it with your package manager (Debian: apt-get install jq)");
  const dir = mkdtempSync(join(tmpdir(), "delivery-script-"));
  const bin = join(dir, ".bin");
  mkdirSync(bin);
  for (const command of opts.commands ?? ["aws", "docker"]) {
    const wrapper = join(bin, command);
    writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${STUB}" ${command} "$@"\n`);
    chmodSync(wrapper, 0o755);
  }
  const scenarioFile = join(bin, "scenario.json");
  const log = join(bin, "calls.jsonl");
  writeFileSync(scenarioFile, JSON.stringify(opts.scenario));
  for (const [name, content] of Object.entries(opts.files ?? {})) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const path = isAbsolute(script) ? script : join(SCRIPTS, script);
  const result = spawnSync("bash", [path, ...(opts.args ?? [])], {
    cwd: dir,
    env: {
      PATH: `${bin}:${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
      HOME: dir,
      STUB_SCENARIO: scenarioFile,
      STUB_LOG: log,
      ...opts.env,
    },
    encoding: "utf8",
    timeout: 60_000,
  });
  const calls: Call[] = existsSync(log)
    ? readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Call)
    : [];
  return {
    code: result.status ?? 1,
    stdout: result.stdout,
    stderr: result.stderr,
    calls,
    dir,
    callsTo: (command, prefix) =>
      calls.filter((c) => c.command === command && `${c.args.join(" ")} `.startsWith(`${prefix} `)),
    output: (file) =>
      existsSync(join(dir, file))
        ? (JSON.parse(readFileSync(join(dir, file), "utf8")) as unknown)
        : undefined,
  };
}
