/**
 * `npm run synth:diff -- [--base REV] [--check] [stack ...]`: what a change does to the synthesized Terraform.
 *
 * Synthesizes the project as it was at REV (default HEAD, i.e. the last commit) and as it is in the working
 * tree, then prints every difference per stack: resources added or removed, attributes changed, and resources
 * that only moved (a `moved` block). Without stack names it compares every stack the two have in common. A
 * refactor should print nothing but the fixes it means to make; `--check` exits 1 when anything differs.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { diffConfigurations, formatDifference, type TerraformJson } from "./synth-diff/diff";

const ROOT = join(__dirname, "..");
const USAGE = "usage: synth-diff [--base REV] [--check] [stack ...]";

function synth(projectDir: string, outdir: string): void {
  execFileSync(process.execPath, [join(projectDir, "scripts", "synth.js")], {
    cwd: projectDir,
    env: { ...process.env, CDKTF_OUTDIR: outdir, LOCAL_AWS_PORT: "" },
    stdio: ["ignore", "ignore", "pipe"],
  });
}

/** The project at `rev`, unpacked beside the working tree's node_modules. */
function checkout(rev: string, into: string): void {
  const archive = execFileSync("git", ["archive", "--format=tar", rev], { cwd: ROOT, maxBuffer: 1 << 28 });
  execFileSync("tar", ["-x", "-C", into], { input: archive });
  symlinkSync(join(ROOT, "node_modules"), join(into, "node_modules"), "dir");
}

function stacksIn(outdir: string): string[] {
  const dir = join(outdir, "stacks");
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

function load(outdir: string, stack: string): TerraformJson {
  return JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as TerraformJson;
}

function main(args: string[]): number {
  let base = "HEAD";
  let check = false;
  const wanted: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--base" && args[i + 1]) base = args[++i];
    else if (args[i] === "--check") check = true;
    else if (args[i].startsWith("-")) throw new Error(USAGE);
    else wanted.push(args[i]);
  }
  const work = mkdtempSync(join(tmpdir(), "synth-diff-"));
  try {
    const old = join(work, "base");
    mkdirSync(old);
    checkout(base, old);
    synth(old, join(work, "before"));
    synth(ROOT, join(work, "after"));
    const before = stacksIn(join(work, "before"));
    const after = stacksIn(join(work, "after"));
    const stacks = wanted.length > 0 ? wanted : before.filter((s) => after.includes(s));
    let total = 0;
    for (const s of before.filter((x) => !after.includes(x))) console.log(`- stack ${s} is gone`);
    for (const s of after.filter((x) => !before.includes(x))) console.log(`+ stack ${s} is new`);
    for (const stack of stacks) {
      if (!before.includes(stack) || !after.includes(stack)) throw new Error(`no stack ${stack} in both`);
      const diffs = diffConfigurations(load(join(work, "before"), stack), load(join(work, "after"), stack));
      total += diffs.length;
      console.log(`\n${stack} (${base} -> working tree): ${diffs.length} difference(s)`);
      for (const d of diffs) console.log(`  ${formatDifference(d)}`);
    }
    return check && total > 0 ? 1 : 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    const e = err as Error & { stderr?: Buffer };
    console.error(e.stderr?.toString() || e.message);
    process.exitCode = 2;
  }
}
