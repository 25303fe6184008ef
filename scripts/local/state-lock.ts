import * as fs from "node:fs";
import * as path from "node:path";
import { identify, type ProcessIdentity, startedAt, stillRunning } from "../lib/process";

/**
 * Who is deploying the local stack right now: the deploy script's pid and its Terraform child's, kept in
 * `.local/<stack>.deploy.<pid>.json`. A Terraform state lock whose recorded holders are all gone is stale (the
 * deploy was killed) and may be released; a lock with a live holder, or one this checkout did not take,
 * never is.
 */
export interface DeployMarker {
  readonly deployPid: number;
  /** When the deploy process started (lib/process.ts), so that a later process with its pid is not taken for it. */
  readonly deployStart?: string;
  terraformPid?: number;
  terraformStart?: string;
  readonly startedAt: string;
  /** Set when the run was interrupted: the next deploy recovers as from a killed one. */
  interrupted?: boolean;
}

export function markerFile(localDir: string, stack: string, pid: number): string {
  return path.join(localDir, `${stack}.deploy.${pid}.json`);
}

export function readMarker(file: string): DeployMarker | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as DeployMarker;
  } catch {
    return undefined;
  }
}

export function writeMarker(file: string, marker: DeployMarker): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(marker)}\n`);
}

/** True when a recorded deploy exists and neither it nor its Terraform child is running any more. */
export function markerIsStale(marker: DeployMarker | undefined): boolean {
  if (marker === undefined) return false;
  const deploy = { pid: marker.deployPid, start: marker.deployStart };
  const terraform =
    marker.terraformPid === undefined
      ? undefined
      : { pid: marker.terraformPid, start: marker.terraformStart };
  return !stillRunning(deploy) && !stillRunning(terraform);
}

/** The lock id from Terraform's "Error acquiring the state lock" message, if that is what failed. */
export function lockIdFromError(output: string): string | undefined {
  if (!/Error acquiring the state lock/.test(output)) return undefined;
  return /^\s*ID:\s+(\S+)/m.exec(output)?.[1];
}

/** One readable line about the holder of a lock, from Terraform's "Lock Info" block. */
export function lockHolder(output: string): string {
  const field = (name: string) => new RegExp(`^\\s*${name}:\\s+(.+)$`, "m").exec(output)?.[1]?.trim();
  const parts = [
    field("Operation"),
    field("Who") && `by ${field("Who")}`,
    field("Created") && `since ${field("Created")}`,
  ];
  return parts.filter(Boolean).join(" ") || "another Terraform run";
}

/** A lock file without a pid is one being written by a run that is starting, for at most this long. */
export const UNWRITTEN_LOCK_MS = 10_000;

/** Who holds the run lock: the run (pid 0: one still writing the file), and the Terraform it runs, if any. */
export interface RunLockHolder {
  readonly run: ProcessIdentity;
  readonly terraform?: ProcessIdentity;
}

/**
 * One deploy or destroy per checkout at a time: they share the Terraform working folder, which two runs
 * would corrupt before either reached the S3 state lock. The lock file holds the owner's identity (pid and start
 * time) and, while it runs one, its Terraform child's; it appears with the owner already inside (written to a
 * draft, then hard-linked into place, which is atomic), so a second run never reads an empty lock and takes it
 * for a dead one's. The lock is held while the run or its Terraform lives: a Terraform that outlived a killed
 * run still applies. A lock whose processes are gone, or whose pid now belongs to another process (started
 * after the lock was written), is taken over. Returns undefined when acquired, else the live holder.
 */
export function tryAcquireRunLock(
  file: string,
  owner: ProcessIdentity = identify(),
): RunLockHolder | undefined {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    const draft = `${file}.${owner.pid}.${process.hrtime.bigint()}`;
    fs.writeFileSync(draft, `${JSON.stringify({ run: owner })}\n`);
    try {
      fs.linkSync(draft, file);
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    } finally {
      fs.rmSync(draft, { force: true });
    }
    const holder = runLockHolder(file);
    if (holder === "gone") continue; // released meanwhile: try again
    if (holder === "unwritten") return { run: { pid: 0 } };
    if (stillRunning(holder.run) || stillRunning(holder.terraform)) return holder;
    fs.rmSync(file, { force: true }); // left by a killed run; whoever links it first wins
  }
  const holder = runLockHolder(file);
  return typeof holder === "object" ? holder : { run: { pid: 0 } };
}

/** The holder a run lock file names; a plain pid (older versions) is checked against the file's age. */
export function runLockHolder(file: string): RunLockHolder | "gone" | "unwritten" {
  let text: string;
  let modified: number;
  try {
    text = fs.readFileSync(file, "utf8").trim();
    modified = fs.statSync(file).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw err;
  }
  if (text.startsWith("{")) {
    try {
      return JSON.parse(text) as RunLockHolder;
    } catch {
      // cut short: treated as not yet written, below
    }
  }
  const pid = Number(text);
  if (text !== "" && Number.isInteger(pid)) {
    // No start time recorded: a process that started after the lock was written cannot be the one that wrote it.
    const started = startedAt(pid);
    const reused = started !== undefined && started * 1000 > modified + 2000;
    return { run: reused ? { pid, start: "not-this-process" } : { pid } }; // a start no process has
  }
  // No pid: written by an older version of this script that created the file first and wrote it after.
  return Date.now() - modified < UNWRITTEN_LOCK_MS ? "unwritten" : { run: { pid: -1 } };
}

/** Records the Terraform child of the run that holds the lock (replacing the file atomically). */
export function recordRunLockChild(file: string, owner: ProcessIdentity, terraform: ProcessIdentity): void {
  const holder = runLockHolder(file);
  if (typeof holder !== "object" || holder.run.pid !== owner.pid) return;
  const draft = `${file}.${owner.pid}.${process.hrtime.bigint()}`;
  fs.writeFileSync(draft, `${JSON.stringify({ run: holder.run, terraform })}\n`);
  fs.renameSync(draft, file);
}

/** Releases the run lock if this process holds it. */
export function releaseRunLock(file: string, pid: number = process.pid): void {
  const holder = runLockHolder(file);
  if (typeof holder === "object" && holder.run.pid === pid) fs.rmSync(file, { force: true });
}

/** What to tell a second run: who holds the lock, and what to delete when nobody really does. */
export function runLockMessage(file: string, holder: RunLockHolder): string {
  const who =
    holder.run.pid > 0
      ? `a run (pid ${holder.run.pid}${holder.terraform ? `, its Terraform pid ${holder.terraform.pid}` : ""})`
      : "a run that is starting";
  return (
    `The local state is locked: ${who} is using this checkout. Another deploy or destroy is running; wait for ` +
    `it to finish, then run again. Nothing was changed by this run. If no deploy, destroy or Terraform of this ` +
    `checkout is running, the lock is left over: delete ${file}`
  );
}
