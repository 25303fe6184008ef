import * as fs from "node:fs";
import * as path from "node:path";
import { isAlive } from "../lib/process";

/**
 * Who is deploying the local stack right now: the deploy script's pid and its Terraform child's, kept in
 * `.local/<stack>.deploy.<pid>.json`. A Terraform state lock whose recorded holders are all gone is stale (the
 * deploy was killed) and may be released; a lock with a live holder, or one this checkout did not take,
 * never is.
 */
export interface DeployMarker {
  readonly deployPid: number;
  terraformPid?: number;
  readonly startedAt: string;
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
  return marker !== undefined && !isAlive(marker.deployPid) && !isAlive(marker.terraformPid);
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

/**
 * One deploy or destroy per checkout at a time: they share the Terraform working folder, which two runs
 * would corrupt before either reached the S3 state lock. The lock file holds the owner's pid and appears with
 * it already inside (written to a draft, then hard-linked into place, which is atomic), so a second run never
 * reads an empty lock and takes it for a dead one's. One left by a dead process is taken over. Returns
 * undefined when acquired, else the live holder's pid (0 when a run is still writing it).
 */
export function tryAcquireRunLock(file: string, pid: number = process.pid): number | undefined {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    const draft = `${file}.${pid}.${process.hrtime.bigint()}`;
    fs.writeFileSync(draft, `${pid}\n`);
    try {
      fs.linkSync(draft, file);
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    } finally {
      fs.rmSync(draft, { force: true });
    }
    const holder = lockHolderPid(file);
    if (holder === "gone") continue; // released meanwhile: try again
    if (holder === "unwritten") return 0;
    if (isAlive(holder)) return holder;
    fs.rmSync(file, { force: true }); // left by a killed run; whoever links it first wins
  }
  const holder = lockHolderPid(file);
  return typeof holder === "number" ? holder : 0;
}

function lockHolderPid(file: string): number | "gone" | "unwritten" {
  let text: string;
  let age: number;
  try {
    text = fs.readFileSync(file, "utf8").trim();
    age = Date.now() - fs.statSync(file).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw err;
  }
  const pid = Number(text);
  if (text !== "" && Number.isInteger(pid)) return pid;
  // No pid: written by an older version of this script that created the file first and wrote it after.
  return age < UNWRITTEN_LOCK_MS ? "unwritten" : -1;
}

/** Releases the run lock if this process holds it. */
export function releaseRunLock(file: string, pid: number = process.pid): void {
  try {
    if (Number(fs.readFileSync(file, "utf8").trim()) === pid) fs.rmSync(file, { force: true });
  } catch {
    // already gone
  }
}
