/**
 * Ctrl-C and kill during `npm run deploy:local`, for real: the deploy script runs in a process group of its own
 * (as a terminal starts it) in a scratch copy of the project, with its own emulator, and a stub `terraform` that
 * records what it receives. Ctrl-C signals the whole group: Terraform must get that one interrupt, not a second
 * one (which makes it exit at once, without saving state), and the marker that lets the next deploy recover must
 * stay. A run killed while its Terraform lives on must leave the checkout locked.
 */
import { spawn } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { emulatorCertificate, stopEmulator } from "../scripts/lib/emulator";
import { ensureEmulatorCertificate } from "../scripts/lib/emulator-certificate";
import { isAlive } from "../scripts/lib/process";

const ROOT = join(__dirname, "..");
const STACK = "myamazingapp-local";

/** A scratch project: its own scripts/ (where the local folder is found from), the rest linked. */
function scratchProject(): string {
  const root = mkdtempSync(join(tmpdir(), "local-interrupt-"));
  cpSync(join(ROOT, "scripts"), join(root, "scripts"), { recursive: true });
  for (const entry of [
    "backend.tf.json",
    "cdktf.json",
    "config",
    "constructs",
    "environments",
    "main.ts",
    "node_modules",
    "package.json",
    "rules",
    "stacks",
    "tsconfig.json",
  ]) {
    symlinkSync(join(ROOT, entry), join(root, entry));
  }
  const project = ensureEmulatorCertificate(); // the project's, copied: no new certificate to make
  const own = emulatorCertificate(root);
  mkdirSync(dirname(own.cert), { recursive: true });
  copyFileSync(project.cert, own.cert);
  copyFileSync(project.key, own.key);
  const bin = join(root, "bin");
  mkdirSync(bin);
  const stub = join(__dirname, "stubs", "terraform-stub.js");
  writeFileSync(join(bin, "terraform"), `#!/bin/sh\nexec "${process.execPath}" "${stub}" "$@"\n`);
  chmodSync(join(bin, "terraform"), 0o755);
  return root;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

interface Run {
  readonly pid: number;
  output(): string;
  readonly exited: Promise<number | null>;
}

function deploy(root: string, port: number): Run {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(root, "scripts", "local", "deploy.ts"), "deploy"],
    {
      cwd: root,
      env: {
        ...process.env,
        PATH: `${join(root, "bin")}:${process.env.PATH}`,
        LOCAL_AWS_PORT: String(port),
        TERRAFORM_STUB_LOG: join(root, "terraform.log"),
      },
      detached: true, // its own process group, as a terminal runs a command
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  return {
    pid: child.pid!,
    output: () => output,
    exited: new Promise((resolve) => child.on("close", (code) => resolve(code))),
  };
}

const terraformLog = (root: string): string[] =>
  existsSync(join(root, "terraform.log"))
    ? readFileSync(join(root, "terraform.log"), "utf8").trim().split("\n")
    : [];

/** Waits until the stub runs `terraform init` (the deploy's first command after synth); its pid. */
async function initStarted(root: string, run: Run): Promise<number> {
  for (let i = 0; i < 1_800; i++) {
    const started = terraformLog(root).find((l) => l.startsWith("start init "));
    if (started) return Number(started.split(" ")[2]);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`terraform init never started:\n${run.output()}`);
}

describe("interrupting the local deploy", () => {
  let root: string;
  let port: number;
  /** Every process a test started (deploy runs, by their groups, and Terraform stubs), ended at the end. */
  const groups: number[] = [];
  const leftovers: number[] = [];
  const start = (freshLog = true) => {
    if (freshLog) writeFileSync(join(root, "terraform.log"), "");
    const run = deploy(root, port);
    groups.push(run.pid);
    return run;
  };
  beforeAll(async () => {
    root = scratchProject();
    port = await freePort();
  });
  afterAll(async () => {
    for (const group of groups) if (isAlive(group)) process.kill(-group, "SIGKILL");
    for (const pid of leftovers) if (isAlive(pid)) process.kill(pid, "SIGKILL");
    await stopEmulator({ projectRoot: root });
  });

  it("Ctrl-C: Terraform gets one interrupt, stops gracefully, and the marker for the next deploy stays", async () => {
    const run = start();
    const terraform = await initStarted(root, run);
    leftovers.push(terraform);
    process.kill(-run.pid, "SIGINT"); // what the terminal does: the whole foreground process group
    expect(await run.exited).toBe(1);
    expect(terraformLog(root).filter((l) => !l.startsWith("start"))).toEqual([
      "SIGINT 1",
      "stopped gracefully",
    ]);
    const markers = readdirSync(join(root, ".local")).filter((f) => f.startsWith(`${STACK}.deploy.`));
    expect(markers).toEqual([`${STACK}.deploy.${run.pid}.json`]);
    expect(JSON.parse(readFileSync(join(root, ".local", markers[0]), "utf8"))).toMatchObject({
      deployPid: run.pid,
      terraformPid: terraform,
      interrupted: true,
    });
    expect(existsSync(join(root, ".local", `${STACK}.run.lock`))).toBe(false); // nothing runs any more
  }, 240_000);

  it("SIGTERM, sent to the deploy script alone, reaches Terraform as one interrupt, however often it comes", async () => {
    const run = start();
    const terraform = await initStarted(root, run);
    leftovers.push(terraform);
    process.kill(run.pid, "SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    process.kill(run.pid, "SIGTERM"); // an impatient supervisor
    expect(await run.exited).toBe(1);
    expect(terraformLog(root).filter((l) => !l.startsWith("start"))).toEqual([
      "SIGINT 1",
      "stopped gracefully",
    ]);
    expect(run.output()).toContain("stopping Terraform; the next deploy recovers from this run");
  }, 240_000);

  it("a run killed while its Terraform lives on keeps the checkout locked, naming both", async () => {
    const run = start();
    const terraform = await initStarted(root, run);
    leftovers.push(terraform);
    process.kill(run.pid, "SIGKILL"); // the deploy script alone: its Terraform goes on
    await run.exited;
    expect(isAlive(terraform)).toBe(true);
    const second = start(false);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(
      `The local state is locked: a run (pid ${run.pid}, its Terraform pid ${terraform}) is using this checkout.`,
    );
    expect(second.output()).toContain(`delete .local/${STACK}.run.lock`);
    expect(terraformLog(root).filter((l) => l.startsWith("start init"))).toHaveLength(1);
  }, 240_000);
});
