/**
 * Local AWS emulator (moto_server) management for the local deploy scripts: Node built-ins, and the bucket
 * name rule of constructs/limits.ts.
 */
import { spawn, spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as https from "https";
import * as path from "path";
import { emulatorCa, ensureEmulatorCertificate } from "./emulator-certificate";
import { isAlive } from "./process";
import { localPaths, PROJECT_ROOT } from "./terraform";

export { emulatorCertificate } from "./emulator-certificate";

export const EMULATOR_HOST = "127.0.0.1";
export const MOTO_INSTALL_HINT = "install Python 3 and moto: pip install 'moto[server]'";

/**
 * Environment for moto_server.
 * - MOTO_IAM_LOAD_MANAGED_POLICIES: AWS managed policies (e.g. AmazonECSTaskExecutionRolePolicy) exist.
 * - MOTO_ACM_VALIDATION_WAIT=0: DNS-validated certificates are ISSUED on the first describe (default 60 s).
 */
export const MOTO_ENV: Readonly<Record<string, string>> = {
  MOTO_IAM_LOAD_MANAGED_POLICIES: "true",
  MOTO_ACM_VALIDATION_WAIT: "0",
};

export type ProbeResult = "free" | "moto" | "other";

/** A Python that can import moto (the one behind `moto_server`), for the project's launcher. */
function motoPython(): string {
  for (const candidate of [process.env.MOTO_PYTHON, "python3", "python"]) {
    if (!candidate) continue;
    const probe = spawnSync(candidate, ["-c", "import moto.server"], { stdio: "ignore" });
    if (probe.status === 0) return candidate;
  }
  throw new Error(`Cannot start the AWS emulator (no Python with moto found): ${MOTO_INSTALL_HINT}`);
}

export function emulatorEndpoint(port: number): string {
  return `https://${EMULATOR_HOST}:${port}`;
}

interface HttpReply {
  status: number;
  body: string;
}

function request(
  port: number,
  method: string,
  urlPath: string,
  opts: { body?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: EMULATOR_HOST,
        ca: emulatorCa(),
        port,
        method,
        path: urlPath,
        agent: false,
        timeout: opts.timeoutMs ?? 5000,
        headers: {
          ...(opts.body !== undefined ? { "Content-Length": Buffer.byteLength(opts.body) } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout after ${opts.timeoutMs ?? 5000} ms`)));
    req.on("error", reject);
    req.end(opts.body);
  });
}

/**
 * What listens on 127.0.0.1:port? 'free' (connection refused), 'moto' (GET /moto-api/config answers with
 * moto's JSON config, which has a "batch" key), or 'other' (anything else, including non-HTTP servers).
 */
export async function probeEmulator(port: number, timeoutMs = 2000): Promise<ProbeResult> {
  try {
    const reply = await request(port, "GET", "/moto-api/config", { timeoutMs });
    if (reply.status < 200 || reply.status >= 300) return "other";
    const parsed: unknown = JSON.parse(reply.body);
    return parsed !== null && typeof parsed === "object" && "batch" in parsed ? "moto" : "other";
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ECONNREFUSED" ? "free" : "other";
  }
}

function takenError(port: number): Error {
  return new Error(
    `Port ${port} on ${EMULATOR_HOST} is taken by something that is not this project's emulator (moto over ` +
      `HTTPS with the certificate in .local/emulator); stop it or choose another port with LOCAL_AWS_PORT`,
  );
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/** The emulator's log file of a project folder. */
export function emulatorLog(projectRoot: string = PROJECT_ROOT): string {
  return path.join(localPaths(projectRoot).dir, "moto.log");
}

/** How long the emulator's log is now: a run reads what it added from there on (emulatorProblemsSince). */
export function emulatorLogSize(projectRoot: string = PROJECT_ROOT): number {
  try {
    return fs.statSync(emulatorLog(projectRoot)).size;
  } catch {
    return 0;
  }
}

/**
 * What went wrong inside the emulator in a piece of its log: each request it failed on (the exception's last
 * line) and each retry it answered from a lost first answer. A deploy that fails names them, since Terraform
 * only sees a 500 or the consequence of a retry.
 */
export function emulatorProblems(log: string): string[] {
  const problems: string[] = [];
  const lines = log.split("\n");
  lines.forEach((line, i) => {
    if (line.startsWith("replayed the answer")) problems.push(line.trim());
    if (line.startsWith("Error on request:")) {
      // The traceback runs to the next request line or error; its last unindented line is the exception raised.
      const rest = lines.slice(i + 1);
      const end = rest.findIndex((l) => /^\d+\.\d+\.\d+\.\d+ - - |^Error on request:/.test(l));
      const raised = (end === -1 ? rest : rest.slice(0, end)).filter(
        (l) => /^\S/.test(l) && !/^(Traceback |During handling |The above exception )/.test(l),
      );
      if (raised.length > 0) problems.push(`server error: ${raised[raised.length - 1].trim()}`);
    }
  });
  return problems;
}

/** emulatorProblems of what the emulator logged since `offset` (emulatorLogSize at the start of a run). */
export function emulatorProblemsSince(offset: number, projectRoot: string = PROJECT_ROOT): string[] {
  try {
    const fd = fs.openSync(emulatorLog(projectRoot), "r");
    try {
      const size = fs.fstatSync(fd).size;
      const start = offset <= size ? offset : 0; // a new log (the emulator was restarted): all of it
      const buffer = Buffer.alloc(size - start);
      fs.readSync(fd, buffer, 0, buffer.length, start);
      return emulatorProblems(buffer.toString("utf8"));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return [];
  }
}

export interface StartedEmulator {
  port: number;
  /** False when a moto server was already listening (it is reused and not ours to stop). */
  started: boolean;
  pid?: number;
}

/**
 * Ensures moto listens on 127.0.0.1:port. Reuses a running moto (one this project started from an older launcher
 * is restarted); otherwise starts `moto_server` detached,
 * records its pid in `.local/moto.pid`, logs to `.local/moto.log`, and waits until it answers.
 */
export async function startEmulator(
  port: number,
  opts: { projectRoot?: string; readyTimeoutMs?: number } = {},
): Promise<StartedEmulator> {
  const { dir } = localPaths(opts.projectRoot ?? PROJECT_ROOT);
  const launcher = path.join(PROJECT_ROOT, "scripts", "emulator", "moto_server.py");
  const launcherFile = path.join(dir, "moto.launcher");
  const launcherHash = createHash("sha256").update(fs.readFileSync(launcher)).digest("hex");
  let state = await probeEmulator(port);
  if (state === "moto" && ownedEmulatorPid(opts) !== undefined) {
    // An emulator this project started from an older launcher lacks its newer patches: start it anew (what it
    // held is gone, as the local environment is disposable).
    const runningHash = fs.existsSync(launcherFile) ? fs.readFileSync(launcherFile, "utf8").trim() : "";
    if (runningHash !== launcherHash) {
      console.error(
        `The emulator on port ${port} runs an older scripts/emulator/moto_server.py: restarting it (it starts empty).`,
      );
      await stopEmulator(opts);
      state = await probeEmulator(port);
    }
  }
  if (state === "moto") return { port, started: false };
  if (state === "other") throw takenError(port);

  fs.mkdirSync(dir, { recursive: true });
  const logFile = emulatorLog(opts.projectRoot ?? PROJECT_ROOT);
  const pidFile = path.join(dir, "moto.pid");
  const log = fs.openSync(logFile, "a");
  const { cert, key } = ensureEmulatorCertificate(opts.projectRoot ?? PROJECT_ROOT);
  const python = motoPython();
  const args = [launcher, "-H", EMULATOR_HOST, "-p", String(port), "-c", cert, "-k", key];
  const child = spawn(python, args, {
    detached: true,
    stdio: ["ignore", log, log],
    env: { ...process.env, ...MOTO_ENV },
  });
  fs.closeSync(log);

  let spawnError: NodeJS.ErrnoException | undefined;
  let exited: number | null | undefined;
  child.on("error", (e: NodeJS.ErrnoException) => (spawnError = e));
  child.on("exit", (code) => (exited = code));
  if (child.pid === undefined) {
    await sleep(0); // the 'error' event is emitted on the next tick
    const reason =
      spawnError?.code === "ENOENT" ? "moto_server not found on PATH" : String(spawnError?.message);
    throw new Error(`Cannot start the AWS emulator (${reason}): ${MOTO_INSTALL_HINT}`);
  }
  child.unref();
  fs.writeFileSync(pidFile, `${child.pid}\n`);
  fs.writeFileSync(launcherFile, `${launcherHash}\n`);

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      fs.rmSync(pidFile, { force: true });
      throw new Error(
        `moto_server exited with code ${exited} before answering; ${logFile}:\n${tail(logFile)}`,
      );
    }
    if ((await probeEmulator(port, 1000)) === "moto") return { port, started: true, pid: child.pid };
    await sleep(200);
  }
  await stopEmulator({ projectRoot: opts.projectRoot });
  throw new Error(
    `moto_server did not answer on port ${port} within the timeout; ${logFile}:\n${tail(logFile)}`,
  );
}

/** Stops the moto_server recorded in `.local/moto.pid` (only that one). Returns true if it was running. */
export async function stopEmulator(opts: { projectRoot?: string } = {}): Promise<boolean> {
  const pidFile = path.join(localPaths(opts.projectRoot ?? PROJECT_ROOT).dir, "moto.pid");
  if (!fs.existsSync(pidFile)) return false;
  const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
  fs.rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 1 || !isAlive(pid)) return false;
  // Guard against pid reuse where /proc exists (Linux): the process must still be moto.
  const cmdline = `/proc/${pid}/cmdline`;
  if (fs.existsSync(cmdline) && !fs.readFileSync(cmdline, "utf8").includes("moto")) return false;

  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
  return true;
}

/** The pid of the moto_server this project started (recorded in `.local/moto.pid`), if it still runs. */
export function ownedEmulatorPid(opts: { projectRoot?: string } = {}): number | undefined {
  const pidFile = path.join(localPaths(opts.projectRoot ?? PROJECT_ROOT).dir, "moto.pid");
  if (!fs.existsSync(pidFile)) return undefined;
  const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
  return Number.isInteger(pid) && pid > 1 && isAlive(pid) ? pid : undefined;
}

/** Empties the emulator (every service, every account): only for an emulator this project started. */
export async function resetEmulator(port: number): Promise<void> {
  const reply = await request(port, "POST", "/moto-api/reset", { timeoutMs: 30_000 });
  if (reply.status !== 200)
    throw new Error(`resetting the emulator failed (HTTP ${reply.status}): ${reply.body}`);
}
