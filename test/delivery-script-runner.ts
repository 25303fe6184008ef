import { spawn, spawnSync } from "node:child_process";
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
  /** How long the command takes before it answers, ms (a wait that is interrupted meanwhile). */
  readonly delayMs?: number;
}

/** What a stubbed command answers to calls whose arguments start with `match`. */
export type Rule = { readonly match: string } & (Answer | { readonly responses: Answer[] });

export interface Call {
  readonly command: string;
  readonly args: string[];
  readonly files: Record<string, string>;
  readonly stdin?: string;
  /** The folder it was called in, and AWS_REGION and AWS_DEFAULT_REGION as it saw them. */
  readonly cwd: string;
  readonly region?: string;
  readonly defaultRegion?: string;
}

export interface ScriptRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Every call to a stubbed command, in order. */
  readonly calls: Call[];
  /** The folder the script ran in (its output files are there). */
  readonly dir: string;
  /** The SSM parameters when it ended. */
  readonly ssm: Record<string, string>;
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

/** Stubs of the commands (by default `aws` and `docker`) in `<dir>/.bin`, answering from `scenario`, and SSM parameters kept in a file. */
export interface Stubs {
  /** The folder to put first on PATH. */
  readonly bin: string;
  /** The variables the stubs read (where the scenario, the call log and the parameters are). */
  readonly env: Record<string, string>;
  /** Every call so far, in order. */
  calls(): Call[];
  /** The SSM parameters as they are now. */
  ssm(): Record<string, string>;
}

export function makeStubs(
  dir: string,
  scenario: Record<string, Rule[]>,
  ssm: Record<string, string> = {},
  commands: readonly string[] = ["aws", "docker"],
): Stubs {
  const bin = join(dir, ".bin");
  mkdirSync(bin, { recursive: true });
  for (const command of commands) {
    const wrapper = join(bin, command);
    writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${STUB}" ${command} "$@"\n`);
    chmodSync(wrapper, 0o755);
  }
  const scenarioFile = join(bin, "scenario.json");
  const log = join(bin, "calls.jsonl");
  const parameters = join(bin, "ssm.json");
  writeFileSync(scenarioFile, JSON.stringify(scenario));
  writeFileSync(parameters, JSON.stringify(ssm));
  return {
    bin,
    env: { STUB_SCENARIO: scenarioFile, STUB_LOG: log, STUB_SSM: parameters },
    calls: () =>
      existsSync(log)
        ? readFileSync(log, "utf8")
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l) as Call)
        : [],
    ssm: () => JSON.parse(readFileSync(parameters, "utf8")) as Record<string, string>,
  };
}

interface ScriptOptions {
  env: Record<string, string>;
  scenario: Record<string, Rule[]>;
  files?: Record<string, string>;
  ssm?: Record<string, string>;
  /** Arguments of the script. */
  args?: string[];
  /** The commands replaced by stubs. @default ["aws", "docker"] */
  commands?: string[];
}

/** A fresh folder holding `files`, stubs for its commands, and how bash runs `script` there. */
function prepare(script: string, opts: ScriptOptions) {
  requireTool("jq", "install it with your package manager (Debian: apt-get install jq)");
  const dir = mkdtempSync(join(tmpdir(), "delivery-script-"));
  const stubs = makeStubs(dir, opts.scenario, opts.ssm, opts.commands);
  for (const [name, content] of Object.entries(opts.files ?? {})) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const env = {
    PATH: `${stubs.bin}:${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: dir,
    ...stubs.env,
    ...opts.env,
  };
  const result = (code: number, stdout: string, stderr: string): ScriptRun => {
    const calls = stubs.calls();
    return {
      code,
      stdout,
      stderr,
      calls,
      dir,
      ssm: stubs.ssm(),
      callsTo: (command, prefix) =>
        calls.filter((c) => c.command === command && `${c.args.join(" ")} `.startsWith(`${prefix} `)),
      output: (file) =>
        existsSync(join(dir, file))
          ? (JSON.parse(readFileSync(join(dir, file), "utf8")) as unknown)
          : undefined,
    };
  };
  const path = isAbsolute(script) ? script : join(SCRIPTS, script);
  return { args: [path, ...(opts.args ?? [])], dir, env, result, stubs };
}

/**
 * Runs a script with bash in a fresh folder holding `files`, with the `commands` it calls (by default `aws` and
 * `docker`) replaced by stubs that answer from `scenario` and record their calls, and SSM's parameters starting
 * as `ssm`. jq and node are the real ones: they compute, they call nothing. `script` is a delivery script's
 * name, or a path.
 */
export function runScript(script: string, opts: ScriptOptions): ScriptRun {
  const { args, dir, env, result } = prepare(script, opts);
  const run = spawnSync("bash", args, { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
  return result(run.status ?? 1, run.stdout, run.stderr);
}

/**
 * Starts the same in a process group of its own, as a terminal runs a command (Ctrl-C signals the group);
 * `done` resolves when it ends.
 */
export function startScript(
  script: string,
  opts: ScriptOptions,
): { pid: number; calls: () => Call[]; done: Promise<ScriptRun> } {
  const { args, dir, env, result, stubs } = prepare(script, opts);
  const child = spawn("bash", args, { cwd: dir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<ScriptRun>((resolve) =>
    child.on("close", (code, signal) => resolve(result(code ?? (signal ? 128 : 1), stdout, stderr))),
  );
  return { pid: child.pid!, calls: stubs.calls, done };
}
