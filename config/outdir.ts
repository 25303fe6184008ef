import { existsSync, renameSync, rmSync } from "node:fs";

/**
 * Runs `synth` into a fresh sibling of `outdir` and swaps it in only when synth succeeded, so a failed
 * run leaves the previous output intact and never a half-written mix (or a removed stack's leftovers).
 */
export function synthAtomically(outdir: string, synth: (tmpOutdir: string) => void): void {
  const tmp = `${outdir}.tmp-${process.pid}`;
  const old = `${outdir}.old-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    synth(tmp);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  if (existsSync(outdir)) renameSync(outdir, old);
  renameSync(tmp, outdir);
  rmSync(old, { recursive: true, force: true });
}
