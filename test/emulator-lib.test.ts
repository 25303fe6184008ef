/**
 * Pure and loopback-only parts of scripts/lib/{terraform,emulator}.ts. No emulator, no Terraform needed:
 * a fake `terraform` script stands in for the CLI, and small servers on random loopback ports stand in for
 * "something else listening".
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { parsePort } from "../config/local";
import {
  emulatorLog,
  emulatorProblems,
  emulatorProblemsSince,
  ownedEmulatorPid,
  probeEmulator,
  startEmulator,
  stopEmulator,
} from "../scripts/lib/emulator";
import { emulatorCertificate, ensureEmulatorCertificate } from "../scripts/lib/emulator-certificate";
import { isAlive } from "../scripts/lib/process";
import { LOCAL_ENVIRONMENT_FILE, localEmulatorPort } from "../scripts/local/session";
import {
  cliConfigContent,
  localPaths,
  parseTerraformVersion,
  requireTerraform,
  runTerraform,
  terraformEnv,
  versionAtLeast,
} from "../scripts/lib/terraform";

const tmpDirs: string[] = [];
function tmpDir(prefix = "emulator-lib-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A directory holding an executable `terraform` shell script with the given body. */
function fakeTerraform(body: string): string {
  const bin = tmpDir("fake-tf-");
  fs.writeFileSync(path.join(bin, "terraform"), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return bin;
}
const envWithPath = (bin: string): NodeJS.ProcessEnv => ({ PATH: `${bin}:/usr/bin:/bin` });

describe("emulator port (LOCAL_AWS_PORT)", () => {
  const endpoint = JSON.parse(fs.readFileSync(LOCAL_ENVIRONMENT_FILE, "utf8")).emulator.endpoint as string;

  it("is the port of environments/local.json's endpoint when LOCAL_AWS_PORT is unset or blank", () => {
    expect(localEmulatorPort({})).toBe(Number(/:(\d+)$/.exec(endpoint)?.[1]));
    expect(localEmulatorPort({ LOCAL_AWS_PORT: "  " })).toBe(localEmulatorPort({}));
  });

  it("accepts 1..65535, surrounding whitespace allowed", () => {
    expect(localEmulatorPort({ LOCAL_AWS_PORT: "4590" })).toBe(4590);
    expect(parsePort(" 1 ")).toBe(1);
    expect(parsePort("65535")).toBe(65535);
  });

  it.each(["0", "65536", "-1", "abc", "45.5", "4566x", "1e3", "0x10"])(
    "rejects %p naming LOCAL_AWS_PORT",
    (v) => {
      expect(() => localEmulatorPort({ LOCAL_AWS_PORT: v })).toThrow(
        /LOCAL_AWS_PORT: .* is not a TCP port; allowed: 1 to 65535/,
      );
    },
  );
});

describe("Terraform CLI configuration", () => {
  it("installs hashicorp/* from the mirror only, everything else directly", () => {
    const hcl = cliConfigContent("/opt/mirror");
    expect(hcl).toMatch(/provider_installation\s*{/);
    expect(hcl).toMatch(
      /filesystem_mirror\s*{\s*path\s*=\s*"\/opt\/mirror"\s*include\s*=\s*\["registry\.terraform\.io\/hashicorp\/\*"\]\s*}/,
    );
    expect(hcl).toMatch(/direct\s*{\s*exclude\s*=\s*\["registry\.terraform\.io\/hashicorp\/\*"\]\s*}/);
  });

  it("escapes quotes and backslashes in the mirror path", () => {
    expect(cliConfigContent('/odd "dir"\\x')).toContain('path    = "/odd \\"dir\\"\\\\x"');
  });
});

describe("terraformEnv", () => {
  it("with TF_PROVIDER_MIRROR: writes .local/terraformrc and points TF_CLI_CONFIG_FILE at it", () => {
    const root = tmpDir();
    const mirror = tmpDir("mirror-");
    const base = { TF_PROVIDER_MIRROR: mirror, TF_CLI_CONFIG_FILE: "/nonexistent/terraformrc", KEEP: "me" };
    const warnings: string[] = [];
    const env = terraformEnv({ projectRoot: root, baseEnv: base, warn: (m) => warnings.push(m) });

    const { cliConfig, pluginCache } = localPaths(root);
    expect(env.TF_CLI_CONFIG_FILE).toBe(cliConfig);
    expect(fs.readFileSync(cliConfig, "utf8")).toBe(cliConfigContent(mirror));
    expect(env).toMatchObject({ CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", KEEP: "me" });
    expect(env.TF_PLUGIN_CACHE_DIR).toBe(pluginCache);
    expect(fs.statSync(pluginCache).isDirectory()).toBe(true);
    expect(base.TF_CLI_CONFIG_FILE).toBe("/nonexistent/terraformrc"); // input not mutated
    expect(warnings).toEqual([]); // a missing inherited file is simply superseded
  });

  it("with TF_PROVIDER_MIRROR naming a missing directory: throws naming the variable", () => {
    const root = tmpDir();
    expect(() =>
      terraformEnv({
        projectRoot: root,
        baseEnv: { TF_PROVIDER_MIRROR: path.join(root, "nope") },
        warn: () => {},
      }),
    ).toThrow(/TF_PROVIDER_MIRROR=.*nope is not a directory/);
  });

  it("without a mirror: drops an inherited TF_CLI_CONFIG_FILE that does not exist, with a warning", () => {
    const root = tmpDir();
    const warnings: string[] = [];
    const env = terraformEnv({
      projectRoot: root,
      baseEnv: { TF_CLI_CONFIG_FILE: "/root/.terraformrc-missing" },
      warn: (m) => warnings.push(m),
    });
    expect("TF_CLI_CONFIG_FILE" in env).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("/root/.terraformrc-missing");
    expect(fs.existsSync(localPaths(root).cliConfig)).toBe(false);
    expect(env.CHECKPOINT_DISABLE).toBe("1");
  });

  it("without a mirror: keeps an inherited TF_CLI_CONFIG_FILE that exists, and an inherited plugin cache", () => {
    const root = tmpDir();
    const rc = path.join(root, "my.tfrc");
    fs.writeFileSync(rc, "");
    const warnings: string[] = [];
    const env = terraformEnv({
      projectRoot: root,
      baseEnv: { TF_CLI_CONFIG_FILE: rc, TF_PLUGIN_CACHE_DIR: "/elsewhere/cache" },
      warn: (m) => warnings.push(m),
    });
    expect(env.TF_CLI_CONFIG_FILE).toBe(rc);
    expect(env.TF_PLUGIN_CACHE_DIR).toBe("/elsewhere/cache");
    expect(warnings).toEqual([]);
  });
});

describe("Terraform version checks", () => {
  it("parses `terraform version -json` and the plain text form", () => {
    expect(parseTerraformVersion('{"terraform_version":"1.11.4","platform":"linux_amd64"}')).toBe("1.11.4");
    expect(parseTerraformVersion("Terraform v1.9.8\non linux_amd64")).toBe("1.9.8");
    expect(parseTerraformVersion("garbage")).toBeUndefined();
  });

  it("compares numerically, not as strings", () => {
    expect(versionAtLeast("1.9.8", "1.10.0")).toBe(false);
    expect(versionAtLeast("1.10.0", "1.10.0")).toBe(true);
    expect(versionAtLeast("1.11.4", "1.10.0")).toBe(true);
    expect(versionAtLeast("2.0.0", "1.10.0")).toBe(true);
    expect(versionAtLeast("0.15.5", "1.10.0")).toBe(false);
  });

  it("requireTerraform: clear error when terraform is not on PATH", () => {
    expect(() => requireTerraform(envWithPath(tmpDir("empty-bin-")))).toThrow(
      /Terraform >= 1\.10 not found on PATH.*install it from https:\/\//,
    );
  });

  it("requireTerraform: rejects 1.9 (use_lockfile needs 1.10) and accepts 1.11", () => {
    const old = fakeTerraform(`echo '{"terraform_version":"1.9.8"}'`);
    expect(() => requireTerraform(envWithPath(old))).toThrow(
      /not found on PATH: found 1\.9\.8.*use_lockfile/,
    );
    const ok = fakeTerraform(`echo '{"terraform_version":"1.11.4"}'`);
    expect(requireTerraform(envWithPath(ok))).toBe("1.11.4");
  });
});

describe("runTerraform", () => {
  it("resolves with exit code, stdout, stderr and passes args, cwd and env through", async () => {
    const bin = fakeTerraform('echo "args:$*"; echo "cwd:$(pwd)"; echo "x:$X"; echo oops >&2; exit 3');
    const cwd = fs.realpathSync(tmpDir());
    const lines: string[] = [];
    const res = await runTerraform(["plan", "-input=false"], {
      cwd,
      env: { ...envWithPath(bin), X: "42" },
      onLine: (l) => lines.push(l),
    });
    expect(res).toEqual({
      code: 3,
      stdout: `args:plan -input=false\ncwd:${cwd}\nx:42\n`,
      stderr: "oops\n",
      timedOut: false,
    });
    expect(lines).toEqual(["args:plan -input=false", `cwd:${cwd}`, "x:42"]);
  });

  it("interrupts a run that exceeds timeoutMs", async () => {
    const bin = fakeTerraform("exec sleep 30");
    const started = Date.now();
    const res = await runTerraform(["apply"], { cwd: tmpDir(), env: envWithPath(bin), timeoutMs: 200 });
    expect(res.timedOut).toBe(true);
    expect(res.code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("rejects with an install hint when terraform is missing", async () => {
    await expect(runTerraform(["version"], { cwd: tmpDir(), env: envWithPath(tmpDir()) })).rejects.toThrow(
      /cannot run terraform version.*install Terraform/,
    );
  });
});

describe("probeEmulator (loopback only)", () => {
  const servers: net.Server[] = [];
  const sockets: net.Socket[] = [];
  afterEach(async () => {
    sockets.splice(0).forEach((s) => s.destroy());
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  async function listen(server: net.Server): Promise<number> {
    servers.push(server);
    server.on("connection", (sock: net.Socket) => sockets.push(sock));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return (server.address() as net.AddressInfo).port;
  }

  it("'free' for a port nobody listens on", async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise((r) => s.close(r));
    expect(await probeEmulator(port)).toBe("free");
  });

  it("'other' for a plain HTTP server", async () => {
    const port = await listen(
      http.createServer((_req, res) => res.writeHead(200, { "Content-Type": "text/plain" }).end("hello")),
    );
    expect(await probeEmulator(port)).toBe("other");
  });

  it("'other' for a TCP server that never answers, within the probe timeout", async () => {
    const port = await listen(net.createServer(() => undefined));
    const started = Date.now();
    expect(await probeEmulator(port, 300)).toBe("other");
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("'other' for a TCP server that hangs up at once", async () => {
    const port = await listen(net.createServer((sock) => sock.destroy()));
    expect(await probeEmulator(port)).toBe("other");
  });
});

describe("emulator process bookkeeping", () => {
  function pidFile(root: string): string {
    fs.mkdirSync(localPaths(root).dir, { recursive: true });
    return path.join(localPaths(root).dir, "moto.pid");
  }

  it("stopEmulator without a pid file does nothing", async () => {
    expect(await stopEmulator({ projectRoot: tmpDir() })).toBe(false);
  });

  it("stopEmulator never kills a process that is not moto (pid reuse)", async () => {
    const root = tmpDir();
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      fs.writeFileSync(pidFile(root), `${child.pid}\n`);
      expect(await stopEmulator({ projectRoot: root })).toBe(false);
      await new Promise((r) => setTimeout(r, 300)); // a SIGTERM would have been reaped by now
      expect(child.signalCode).toBeNull();
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("restarts an emulator it started from an older launcher, and reuses one from the same", async () => {
    const root = tmpDir();
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    // The project's certificate, which the probe trusts, for an emulator whose bookkeeping is this folder's.
    const project = ensureEmulatorCertificate();
    const own = emulatorCertificate(root);
    fs.mkdirSync(path.dirname(own.cert), { recursive: true });
    fs.copyFileSync(project.cert, own.cert);
    fs.copyFileSync(project.key, own.key);
    const first = await startEmulator(port, { projectRoot: root });
    try {
      expect(first.started).toBe(true);
      expect((await startEmulator(port, { projectRoot: root })).started).toBe(false);
      // As if it had been started before scripts/emulator/moto_server.py changed.
      fs.writeFileSync(path.join(localPaths(root).dir, "moto.launcher"), "an older launcher\n");
      const errors = jest.spyOn(console, "error").mockImplementation(() => undefined);
      const second = await startEmulator(port, { projectRoot: root });
      expect(errors.mock.calls[0][0]).toMatch(
        /runs an older scripts\/emulator\/moto_server.py: restarting it/,
      );
      errors.mockRestore();
      expect(second.started).toBe(true);
      expect(second.pid).not.toBe(first.pid);
      expect(isAlive(first.pid!)).toBe(false);
      expect(await probeEmulator(port)).toBe("moto");
    } finally {
      await stopEmulator({ projectRoot: root });
    }
  }, 60_000);

  it("ownedEmulatorPid ignores a pid file whose process is gone", async () => {
    const root = tmpDir();
    const child = spawn("true", [], { stdio: "ignore" });
    await new Promise((r) => child.on("exit", r));
    fs.writeFileSync(pidFile(root), `${child.pid}\n`);
    expect(ownedEmulatorPid({ projectRoot: root })).toBeUndefined();
  });
});

describe("what the emulator's log says went wrong (named by a failed local deploy)", () => {
  const log = [
    '127.0.0.1 - - [28/Nov/2026 21:42:02] "POST / HTTP/1.1" 200 -',
    "Error on request:",
    "Traceback (most recent call last):",
    '  File "/site-packages/moto/core/responses.py", line 563, in call_action',
    '    raise NotImplementedError(f"The {action} action has not been implemented")',
    "NotImplementedError: The validate_state_machine_definition action has not been implemented",
    '127.0.0.1 - - [28/Nov/2026 21:42:02] "POST / HTTP/1.1" 500 -',
    "replayed the answer (200 OK) to retry 2 of 83a72c98-0c1d-4871-a515-749fea5653cd",
    '127.0.0.1 - - [28/Nov/2026 21:42:03] "POST / HTTP/1.1" 200 -',
  ].join("\n");

  it("names each failed request's exception and each replayed retry, in order", () => {
    expect(emulatorProblems(log)).toEqual([
      "server error: NotImplementedError: The validate_state_machine_definition action has not been implemented",
      "replayed the answer (200 OK) to retry 2 of 83a72c98-0c1d-4871-a515-749fea5653cd",
    ]);
  });

  it("names the exception that ended each traceback, whatever its name, and only that request's", () => {
    const chained = [
      "Error on request:",
      "Traceback (most recent call last):",
      "KeyError: 'sg-1'",
      "",
      "During handling of the above exception, another exception occurred:",
      "",
      "Traceback (most recent call last):",
      "moto.ec2.exceptions.InvalidGroupNotFound: The security group 'sg-1' does not exist",
      '127.0.0.1 - - [28/Nov/2026 21:42:02] "POST / HTTP/1.1" 500 -',
      "Error on request:",
      "Traceback (most recent call last):",
      "StopIteration",
      '127.0.0.1 - - [28/Nov/2026 21:42:03] "POST / HTTP/1.1" 500 -',
      "NotImplementedError: a later request's, not the first's",
    ].join("\n");
    expect(emulatorProblems(chained)).toEqual([
      "server error: moto.ec2.exceptions.InvalidGroupNotFound: The security group 'sg-1' does not exist",
      "server error: StopIteration",
    ]);
  });

  it("finds nothing in a log of answered requests", () => {
    expect(emulatorProblems(log.split("\n")[0])).toEqual([]);
  });

  it("reads only what was logged since the run began, and all of a log that was started anew", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "emulog-"));
    const file = emulatorLog(root);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const before = "Error on request:\nKeyError: 'old'\n";
    fs.writeFileSync(file, before + log);
    expect(emulatorProblemsSince(before.length, root)).toHaveLength(2);
    expect(emulatorProblemsSince(0, root)).toHaveLength(3);
    expect(emulatorProblemsSince(10 ** 9, root)).toHaveLength(3);
    expect(emulatorProblemsSince(0, path.join(root, "none"))).toEqual([]);
  });
});
