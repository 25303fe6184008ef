import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { join } from "node:path";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { emulatorCertificate } from "../../scripts/lib/emulator";
import { loadEnvironment } from "../../config/load";
import { LOCAL_ENVIRONMENT, LOCAL_ENVIRONMENT_FILE } from "../../scripts/local/session";
import { appStackName } from "../../stacks/names";

/** Helpers for the end-to-end test: run the README's local commands as a user would. */
export const ROOT = join(__dirname, "..", "..");
/** The local environment's region, where the SDK clients look. */
export const REGION = loadEnvironment(LOCAL_ENVIRONMENT_FILE).region;
export const STACK = appStackName(LOCAL_ENVIRONMENT);
export const WORK_DIR = join(ROOT, ".local", "work", STACK);

export interface RunResult {
  code: number;
  output: string;
}

/** Starts `scripts/local/deploy.ts <command>` in its own process group (so a test can kill all of it). */
export function startLocal(
  command: "deploy" | "destroy" | "destroy --keep-emulator",
  env: NodeJS.ProcessEnv = {},
): {
  child: ChildProcess;
  done: Promise<RunResult>;
  output: () => string;
} {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "scripts", "local", "deploy.ts"), ...command.split(" ")],
    { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  const done = new Promise<RunResult>((resolve) =>
    child.on("close", (code) => resolve({ code: code ?? 1, output })),
  );
  return { child, done, output: () => output };
}

export function runLocal(
  command: "deploy" | "destroy" | "destroy --keep-emulator",
  env: NodeJS.ProcessEnv = {},
): Promise<RunResult> {
  return startLocal(command, env).done;
}

/** Resolves once `predicate(output)` holds, polling; rejects when the process ends first. */
export async function waitForOutput(
  run: ReturnType<typeof startLocal>,
  predicate: (output: string) => boolean,
  timeoutMs: number,
): Promise<void> {
  let ended = false;
  void run.done.then(() => (ended = true));
  const deadline = Date.now() + timeoutMs;
  while (!predicate(run.output())) {
    if (ended) throw new Error(`process ended before the expected output:\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for output:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Trusts the emulator's own certificate, and nothing is switched off. */
function emulatorAgent(): Agent {
  return new Agent({ ca: readFileSync(emulatorCertificate(ROOT).cert) });
}

/** SDK client settings for the emulator on `port`. */
export function clientConfig(port: number) {
  return {
    region: REGION,
    endpoint: `https://127.0.0.1:${port}`,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    forcePathStyle: true,
    maxAttempts: 2,
    requestHandler: new NodeHttpHandler({ httpsAgent: emulatorAgent() }),
  };
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One plain HTTPS request, as a browser makes it with a presigned URL (no SDK involved). */
export function httpsRequest(url: string, method: string, body?: Buffer | string): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: emulatorAgent() }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}
