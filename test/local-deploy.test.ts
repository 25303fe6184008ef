import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { plannedChanges, type PlanJson } from "../scripts/local/plan-check";
import { localTerraformEnv } from "../scripts/local/session";
import { identify, isAlive } from "../scripts/lib/process";
import {
  lockHolder,
  lockIdFromError,
  markerFile,
  markerIsStale,
  readMarker,
  recordRunLockChild,
  releaseRunLock,
  runLockMessage,
  tryAcquireRunLock,
  UNWRITTEN_LOCK_MS,
  writeMarker,
} from "../scripts/local/state-lock";

describe("Terraform's environment for the local stack", () => {
  const quiet = () => undefined;

  it("points every AWS service at the emulator through AWS_ENDPOINT_URL, on LOCAL_AWS_PORT's port", () => {
    const env = localTerraformEnv(quiet, { ...process.env, LOCAL_AWS_PORT: "4711" });
    expect(env.AWS_ENDPOINT_URL).toBe("https://127.0.0.1:4711");
    expect(env.AWS_CA_BUNDLE).toMatch(/cert\.pem$/);
  });

  it("drops what would send a service elsewhere, or make the SDK ignore the emulator's address", () => {
    const env = localTerraformEnv(quiet, {
      ...process.env,
      LOCAL_AWS_PORT: "4711",
      AWS_ENDPOINT_URL: "https://example.com",
      AWS_ENDPOINT_URL_S3: "https://example.com",
      AWS_ENDPOINT_URL_STS: "https://example.com",
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true",
    });
    expect(env.AWS_ENDPOINT_URL).toBe("https://127.0.0.1:4711");
    expect(Object.keys(env).filter((k) => /^AWS_(ENDPOINT_URL_|IGNORE_CONFIGURED)/.test(k))).toEqual([]);
  });
});

function update(type: string, before: Record<string, unknown>, after: Record<string, unknown>) {
  return { address: `${type}.x`, type, change: { actions: ["update"], before, after } };
}

describe("converging after the first apply", () => {
  it("lists planned changes and ignores no-ops and reads", () => {
    const description = update(
      "aws_vpc_security_group_ingress_rule",
      { description: null, from_port: 5432 },
      { description: "From the app tasks", from_port: 5432 },
    );
    const plan: PlanJson = {
      resource_changes: [
        description,
        { address: "aws_vpc.v", type: "aws_vpc", change: { actions: ["no-op"], before: {}, after: {} } },
        {
          address: "data.aws_region.r",
          type: "aws_region",
          change: { actions: ["read"], before: null, after: {} },
        },
        {
          ...description,
          address: "aws_db_instance.db",
          change: { ...description.change, actions: ["delete", "create"] },
        },
      ],
    };
    expect(plannedChanges(plan)).toEqual([
      "aws_vpc_security_group_ingress_rule.x (update)",
      "aws_db_instance.db (delete+create)",
    ]);
    expect(plannedChanges({})).toEqual([]);
  });
});

describe("state lock", () => {
  const lockError = `
Error: Error acquiring the state lock

Error message: operation error S3: PutObject, https response error StatusCode: 412, PreconditionFailed
Lock Info:
  ID:        4c4bd2a1-7a1e-2b9c-31f4-0d1e8f6a9b2c
  Path:      myamazingapp-terraform-state/myamazingapp/myamazingapp-local.tfstate
  Operation: OperationTypeApply
  Who:       dev@laptop
  Version:   1.11.4
  Created:   2026-11-27 07:00:00 +0000 UTC
`;

  it("reads the lock id and holder from Terraform's message", () => {
    expect(lockIdFromError(lockError)).toBe("4c4bd2a1-7a1e-2b9c-31f4-0d1e8f6a9b2c");
    expect(lockHolder(lockError)).toBe(
      "OperationTypeApply by dev@laptop since 2026-11-27 07:00:00 +0000 UTC",
    );
    expect(lockIdFromError("Error: creating S3 Bucket: BucketAlreadyExists")).toBeUndefined();
  });

  it("calls a recorded deploy stale only when it and its Terraform are both gone", () => {
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid ?? 0; // exited and reaped
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(dead)).toBe(false);
    expect(markerIsStale({ deployPid: dead, terraformPid: dead, startedAt: "" })).toBe(true);
    expect(markerIsStale({ deployPid: dead, terraformPid: process.pid, startedAt: "" })).toBe(false);
    expect(markerIsStale({ deployPid: process.pid, startedAt: "" })).toBe(false);
    expect(markerIsStale(undefined)).toBe(false);
  });

  it("keeps one marker file per deploy process", () => {
    const dir = mkdtempSync(join(tmpdir(), "marker-"));
    const file = markerFile(dir, "myamazingapp-local", 1234);
    expect(file).toBe(join(dir, "myamazingapp-local.deploy.1234.json"));
    writeMarker(file, { deployPid: 1234, terraformPid: 5678, startedAt: "now" });
    expect(readMarker(file)).toEqual({ deployPid: 1234, terraformPid: 5678, startedAt: "now" });
    expect(readMarker(join(dir, "missing.json"))).toBeUndefined();
  });

  it("lets one run at a time use the checkout, and takes over a lock left by a dead run", () => {
    const file = join(mkdtempSync(join(tmpdir(), "runlock-")), "stack.run.lock");
    const me = identify();
    expect(tryAcquireRunLock(file)).toBeUndefined();
    expect(tryAcquireRunLock(file, { pid: 4242 })?.run).toEqual(me); // a second run sees the live holder
    releaseRunLock(file, 4242); // not the holder: nothing happens
    expect(tryAcquireRunLock(file, { pid: 4242 })?.run).toEqual(me);
    releaseRunLock(file);
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid ?? 0;
    expect(tryAcquireRunLock(file, { pid: dead })).toBeUndefined(); // a killed run's lock...
    expect(tryAcquireRunLock(file)).toBeUndefined(); // ...is taken over
    // The lock appears with its holder inside, and no draft is left beside it.
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ run: me });
    expect(readdirSync(dirname(file))).toEqual(["stack.run.lock"]);
  });

  describe("a run's Terraform and a reused pid", () => {
    let sleeper: ChildProcess;
    beforeAll(() => {
      sleeper = spawn("sleep", ["60"], { stdio: "ignore" });
    });
    afterAll(() => sleeper.kill("SIGKILL"));
    const dead = () => spawnSync(process.execPath, ["-e", "0"]).pid ?? 0;

    it("stays held while the Terraform of a killed run still runs, and says what to delete once truly stale", () => {
      const file = join(mkdtempSync(join(tmpdir(), "runlock-")), "stack.run.lock");
      const killed = { pid: dead() };
      expect(tryAcquireRunLock(file, killed)).toBeUndefined();
      recordRunLockChild(file, killed, identify(sleeper.pid!)); // the run started Terraform, then was killed
      const holder = tryAcquireRunLock(file);
      expect(holder).toEqual({ run: killed, terraform: identify(sleeper.pid!) });
      expect(runLockMessage(".local/stack.run.lock", holder!)).toBe(
        `The local state is locked: a run (pid ${killed.pid}, its Terraform pid ${sleeper.pid}) is using this ` +
          "checkout. Another deploy or destroy is running; wait for it to finish, then run again. Nothing was " +
          "changed by this run. If no deploy, destroy or Terraform of this checkout is running, the lock is left " +
          "over: delete .local/stack.run.lock",
      );
    });

    it("is taken over when its pid now belongs to a process that started after the lock was written", () => {
      const file = join(mkdtempSync(join(tmpdir(), "runlock-")), "stack.run.lock");
      // Recorded with its start time: the same pid with another start is another process.
      writeFileSync(file, JSON.stringify({ run: { pid: sleeper.pid, start: "1" } }));
      expect(tryAcquireRunLock(file)).toBeUndefined();
      // An older lock holds the pid alone: a process started after the file was written is not its writer.
      writeFileSync(file, `${sleeper.pid}\n`);
      const hourAgo = (Date.now() - 3_600_000) / 1000;
      utimesSync(file, hourAgo, hourAgo);
      expect(tryAcquireRunLock(file)).toBeUndefined();
      // ... while one written after the process started is its.
      writeFileSync(file, `${sleeper.pid}\n`);
      expect(tryAcquireRunLock(file)?.run.pid).toBe(sleeper.pid);
    });

    it("calls a marker stale only when neither its run nor its Terraform is that same process any more", () => {
      const running = identify(sleeper.pid!);
      expect(
        markerIsStale({
          deployPid: dead(),
          terraformPid: running.pid,
          terraformStart: running.start,
          startedAt: "",
        }),
      ).toBe(false);
      expect(
        markerIsStale({ deployPid: dead(), terraformPid: running.pid, terraformStart: "1", startedAt: "" }),
      ).toBe(true);
      expect(markerIsStale({ deployPid: running.pid, deployStart: "1", startedAt: "" })).toBe(true);
    });
  });

  it("does not take a lock without a pid for a dead run's while a run may still be writing it", () => {
    // Two deploys started together once both ran: the second read the first's lock before its pid was in it.
    const file = join(mkdtempSync(join(tmpdir(), "runlock-")), "stack.run.lock");
    writeFileSync(file, "");
    expect(tryAcquireRunLock(file)).toEqual({ run: { pid: 0 } });
    const old = (Date.now() - UNWRITTEN_LOCK_MS - 1000) / 1000;
    utimesSync(file, old, old);
    expect(tryAcquireRunLock(file)).toBeUndefined();
  });
});
