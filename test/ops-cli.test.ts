/**
 * The operator's commands run as an operator runs them: as processes, with what the terminal gives them (an
 * open standard input, a terminal) and without AWS credentials, checking what they print. The behaviour behind
 * them is tested with recorded AWS answers (test/ops.test.ts, test/ops-secrets.test.ts).
 */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";

const ROOT = join(__dirname, "..");
const OPS = join(ROOT, "scripts", "ops.ts");
const BOOTSTRAP = join(ROOT, "scripts", "bootstrap.ts");

/** An operator's shell with no AWS credentials anywhere, no instance metadata to wait for, no SDK switches. */
const noCredentials: NodeJS.ProcessEnv = {
  ...process.env,
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_CONFIG_FILE: "/nonexistent/config",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
};
for (const name of [
  "AWS_PROFILE",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED",
]) {
  delete noCredentials[name];
}

/** Runs a script with tsx; resolves with its exit code (null when killed after `timeoutMs`) and output. */
function run(
  script: string,
  args: string[],
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: ROOT,
    env: noCredentials,
    stdio: ["pipe", "pipe", "pipe"], // standard input stays open and empty: a read would wait for ever
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, stdout, stderr });
    });
  });
}

describe(`the operator's output on Node ${process.versions.node}`, () => {
  it("ops status says there are no credentials, and nothing about the SDK's Node versions", async () => {
    const { code, stderr } = await run(OPS, ["status", "production"]);
    expect(stderr).toContain(
      "ops: no AWS credentials for production (account 111111111111): sign in first, e.g. aws sso login",
    );
    expect(stderr).not.toMatch(/NodeVersionSupportWarning|require node >=/);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(code).toBe(1);
  }, 40_000);

  it("bootstrap says there are no credentials, and nothing about the SDK's Node versions", async () => {
    const { code, stderr } = await run(BOOTSTRAP, ["production"]);
    expect(stderr).toMatch(
      /^bootstrap: no AWS credentials for production \(account 111111111111\): sign in first/,
    );
    expect(stderr).not.toMatch(/NodeVersionSupportWarning|require node >=/);
    expect(code).toBe(1);
  }, 40_000);
});

describe("secrets set", () => {
  it("refuses a mistyped name at once, though standard input stays open and empty", async () => {
    const { code, stderr } = await run(OPS, ["secrets", "production", "set", "NOPE"]);
    expect(stderr).toContain('ops: secrets set: "NOPE" is not a secret of production');
    expect(code).toBe(2);
  }, 40_000);

  it("refuses to read a terminal", () => {
    if (spawnSync("script", ["--version"], { stdio: "ignore" }).error) {
      throw new Error(
        "script (util-linux) is required to give the command a terminal: apt-get install util-linux",
      );
    }
    const command = `${process.execPath} --import tsx ${OPS} secrets production set ORCID_CLIENT_SECRET`;
    const result = spawnSync("script", ["-qec", command, "/dev/null"], {
      cwd: ROOT,
      env: noCredentials,
      encoding: "utf8",
      timeout: 30_000,
      input: "", // script's own input; the command's is the terminal script gives it
    });
    expect(result.stdout).toContain("a terminal would show it as typed");
    expect(result.status).toBe(2);
  }, 40_000);
});
