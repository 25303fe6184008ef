import * as fs from "node:fs";

/** True while the process runs; a zombie (exited, not yet reaped by its parent) counts as gone. */
export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 1) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  const fields = statFields(pid);
  return fields === undefined || fields[0] !== "Z"; // no /proc (not Linux): kill(0) is all we know
}

/** The fields of /proc/<pid>/stat after "pid (comm)": state first; undefined without /proc. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/**
 * A process, told apart from a later one that got the same pid: its pid and when it started (clock ticks after
 * boot, from /proc; absent where there is no /proc, and then the pid alone).
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly start?: string;
}

/** When a process started, as /proc/<pid>/stat says (field 22, clock ticks after boot); undefined if unknown. */
export function processStart(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** The identity of a running process (this one by default). */
export function identify(pid: number = process.pid): ProcessIdentity {
  const start = processStart(pid);
  return start === undefined ? { pid } : { pid, start };
}

/** True while that very process runs: alive, and not another process that was given its pid since. */
export function stillRunning(id: ProcessIdentity | undefined): boolean {
  if (!id || !isAlive(id.pid)) return false;
  if (id.start === undefined) return true;
  const start = processStart(id.pid);
  return start === undefined || start === id.start;
}

/** Seconds since the epoch when a running process started; undefined without /proc. */
export function startedAt(pid: number): number | undefined {
  const ticks = Number(processStart(pid));
  if (!Number.isFinite(ticks)) return undefined;
  try {
    const bootTime = Number(/^btime (\d+)$/m.exec(fs.readFileSync("/proc/stat", "utf8"))?.[1]);
    // The kernel counts in USER_HZ, 100 a second on every Linux architecture Node runs on.
    return Number.isFinite(bootTime) ? bootTime + ticks / 100 : undefined;
  } catch {
    return undefined;
  }
}
