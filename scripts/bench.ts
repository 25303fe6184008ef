/**
 * `npm run bench [-- options]`: the speed and memory figures of docs/development.md, each printed beside its goal,
 * with the machine they were measured on (cores, CPU, load). Wall time is what the goals are about; each Node
 * process's CPU time is printed beside it, since it barely moves on a busy machine while wall time does.
 *
 *   (always)          floor (a one-bucket cdktf app), `npm run synth` (goal: within 4x the floor), its peak
 *                     memory, and `npm run test:unit` (goal: under 20 s; the median of three runs)
 *   --baseline REV    also synthesizes REV, for the goal "peak memory unchanged or lower", and runs its unit tests
 *   --local           `npm run deploy:local` from a synthesized stack (goal: under 90 s), then `destroy:local`
 *                     (goal: under 45 s), on LOCAL_AWS_PORT's emulator
 *   --e2e             the end-to-end test file, with the phases it records
 *   --clean-clone     `npm test` in a fresh clone of HEAD after `npm ci` (goal: under 7 minutes)
 *   --all             all of the above (a baseline only with --baseline)
 *
 * Figures from a loaded machine are not comparable: the header says when the load is high.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..");
const RUNS = 3;
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name) || args.includes("--all");
const baselineAt = args.indexOf("--baseline");
const baseline = baselineAt >= 0 ? args[baselineAt + 1] : undefined;
const work = mkdtempSync(join(tmpdir(), "myamazingapp-bench-"));

/** Writes the child's peak resident memory and CPU time to BENCH_USAGE_FILE when it exits. */
const usageReporter = join(work, "usage.js");
writeFileSync(
  usageReporter,
  `process.on("exit", () => { const u = process.resourceUsage();
     require("fs").writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({ peakBytes: u.maxRSS * 1024,
       cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6 })); });`,
);

interface Run {
  seconds: number;
  /** Peak resident memory of the Node process (bytes); 0 when it was not Node. */
  peakBytes: number;
  /** User and system CPU time of the Node process; its children (Terraform, esbuild) are not counted. */
  cpuSeconds: number;
  output: string;
}

function timed(cmd: string, cmdArgs: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Run {
  const usageFile = join(work, "usage.json");
  rmSync(usageFile, { force: true });
  const start = process.hrtime.bigint();
  const result = spawnSync(cmd, cmdArgs, {
    cwd: opts.cwd ?? ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      ...opts.env,
      BENCH_USAGE_FILE: usageFile,
      NODE_OPTIONS: `--require ${usageReporter}`,
    },
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const output = `${result.stdout?.toString() ?? ""}${result.stderr?.toString() ?? ""}`;
  if (result.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(" ")} failed:\n${output}`);
  let usage = { peakBytes: 0, cpuSeconds: 0 };
  try {
    usage = JSON.parse(readFileSync(usageFile, "utf8")) as typeof usage;
  } catch {
    // not a Node process, or it did not exit normally
  }
  return { seconds, ...usage, output };
}

function median(runs: Run[]): Run {
  const at = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return {
    seconds: at(runs.map((r) => r.seconds)),
    cpuSeconds: at(runs.map((r) => r.cpuSeconds)),
    peakBytes: Math.max(...runs.map((r) => r.peakBytes)),
    output: runs[0].output,
  };
}

const rows: Array<[string, string, string, boolean]> = [];
const fmt = (s: number) => `${s.toFixed(2)} s`;
const mib = (b: number) => `${(b / 1024 ** 2).toFixed(0)} MiB`;
const cpu = (r: Run) => (r.cpuSeconds > 0 ? ` (CPU ${fmt(r.cpuSeconds)})` : "");

const cores = availableParallelism();
const before = loadavg()[0];
console.log(`machine: ${cores} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), node ${process.version}`);
console.log(`load average at the start: ${before.toFixed(2)}`);

function oneBucketApp(): string {
  const file = join(work, "one-bucket.js");
  const mod = (p: string) => JSON.stringify(join(ROOT, "node_modules", p));
  writeFileSync(
    file,
    `const { App, TerraformStack } = require(${mod("cdktf")});
const { AwsProvider } = require(${mod("@cdktf/provider-aws/lib/provider")});
const { S3Bucket } = require(${mod("@cdktf/provider-aws/lib/s3-bucket")});
const app = new App({ outdir: ${JSON.stringify(join(work, "floor-out"))} });
const stack = new TerraformStack(app, "one");
new AwsProvider(stack, "aws", { region: "us-west-2" });
new S3Bucket(stack, "bucket", { bucket: "one-bucket" });
app.synth();
`,
  );
  return file;
}

/** One synth of the project in `projectDir`, into its own output folder. */
function synthOnce(projectDir: string, label: string): Run {
  return timed(process.execPath, [join(projectDir, "scripts", "synth.js")], {
    cwd: projectDir,
    env: { CDKTF_OUTDIR: join(work, `synth-${label}`), LOCAL_AWS_PORT: "" },
  });
}

/** The baseline's sources in a folder of their own, with this checkout's packages. */
function baselineCopy(rev: string): string {
  const dir = join(work, "baseline");
  spawnSync("mkdir", ["-p", dir]);
  const archive = spawnSync("git", ["archive", "--format=tar", rev], { cwd: ROOT, maxBuffer: 1 << 28 });
  if (archive.status !== 0) throw new Error(`git archive ${rev} failed: ${archive.stderr.toString()}`);
  spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

const baselineDir = baseline ? baselineCopy(baseline) : undefined;
// A first synth fills the caches every later one uses (the settings validators); it is not measured.
synthOnce(ROOT, "warm");
if (baselineDir) synthOnce(baselineDir, "warm-baseline");
// The floor, the synth and the baseline's synth take turns, so that a change in the host's speed during the
// bench (this machine's host is shared) weighs on all three alike, and the ratio to the floor holds.
const runs = { floor: [] as Run[], synth: [] as Run[], old: [] as Run[] };
for (let i = 0; i < RUNS; i++) {
  runs.floor.push(timed(process.execPath, [oneBucketApp()]));
  runs.synth.push(synthOnce(ROOT, "now"));
  if (baselineDir) runs.old.push(synthOnce(baselineDir, "baseline"));
}
const floor = median(runs.floor);
const synth = median(runs.synth);
rows.push(["floor: one-bucket cdktf app (node)", `${fmt(floor.seconds)}${cpu(floor)}`, "-", true]);
const stacks = readFileSync(join(work, "synth-now", "manifest.json"), "utf8").match(/"name":/g)?.length ?? 0;
rows.push([
  `npm run synth, all environments (${stacks} stacks)`,
  `${fmt(synth.seconds)} = ${(synth.seconds / floor.seconds).toFixed(1)}x floor${cpu(synth)}`,
  `<= 4x floor (${fmt(4 * floor.seconds)})`,
  synth.seconds <= 4 * floor.seconds,
]);

if (baselineDir) {
  const old = median(runs.old);
  rows.push([`  synth of ${baseline}`, `${fmt(old.seconds)}${cpu(old)}, ${mib(old.peakBytes)}`, "-", true]);
  rows.push([
    "synth peak memory",
    mib(synth.peakBytes),
    `<= ${baseline} (${mib(old.peakBytes)})`,
    synth.peakBytes <= old.peakBytes,
  ]);
} else {
  rows.push(["synth peak memory", mib(synth.peakBytes), "<= before (run with --baseline REV)", true]);
}

/**
 * A project's `npm run test:unit` once. The bench takes the median of three runs after one that fills jest's
 * transform cache (a single run of a 20 s two-worker job moves by seconds with the machine's neighbours), and runs
 * the baseline's in turn with this checkout's, so that both meet the same host.
 */
const unitTestsOnce = (projectDir: string) =>
  timed("npm", ["run", "test:unit", "--", "--silent"], { cwd: projectDir });

unitTestsOnce(ROOT);
if (baselineDir) unitTestsOnce(baselineDir);
const unitRuns = { now: [] as Run[], old: [] as Run[] };
for (let i = 0; i < RUNS; i++) {
  unitRuns.now.push(unitTestsOnce(ROOT));
  if (baselineDir) unitRuns.old.push(unitTestsOnce(baselineDir));
}
const unit = median(unitRuns.now);
rows.push(["npm run test:unit (median of 3)", fmt(unit.seconds), "< 20 s", unit.seconds < 20]);
if (baselineDir) {
  const old = median(unitRuns.old);
  rows.push([`  test:unit of ${baseline} (median of 3)`, fmt(old.seconds), "-", true]);
}

/** Seconds a `deploy.ts` stage took, from its "[n/t] Title ... done in X s" lines. */
function stageSeconds(output: string, title: string): number {
  const match = new RegExp(`\\] ${title}\\n(?:.*\\n)*?\\s+done in ([\\d.]+) s`).exec(output);
  return match ? Number(match[1]) : 0;
}

if (flag("--local")) {
  const deploy = timed("npm", ["run", "deploy:local"]);
  const synthStage = stageSeconds(deploy.output, "Synthesizing");
  const fromSynthesized = deploy.seconds - synthStage;
  rows.push([
    "npm run deploy:local, from a synthesized stack",
    `${fmt(fromSynthesized)} (+ ${fmt(synthStage)} synth)`,
    "< 90 s",
    fromSynthesized < 90,
  ]);
  const destroy = timed("npm", ["run", "destroy:local"]);
  rows.push(["npm run destroy:local", fmt(destroy.seconds), "< 45 s", destroy.seconds < 45]);
}

if (flag("--e2e")) {
  const jest = join(ROOT, "node_modules", "jest", "bin", "jest.js");
  const all = timed(process.execPath, [jest, "--silent", "test/e2e-local.test.ts"]);
  // The test records each phase of the core run; the fault cases around it are reported as a whole.
  const phases = JSON.parse(readFileSync(join(ROOT, ".local", "e2e-timings.json"), "utf8")) as Record<
    string,
    number
  >;
  const names = ["deploy", "verify", "archive", "upload", "plan", "destroy"];
  for (const p of names) rows.push([`  e2e ${p}`, fmt(phases[p]), "-", true]);
  const core = names.reduce((sum, p) => sum + (phases[p] ?? NaN), 0);
  rows.push(["end to end: deploy, verify, archive, upload, plan, destroy", fmt(core), "< 300 s", core < 300]);
  for (const p of ["release", "second-deploy", "second-destroy"]) {
    rows.push([`  e2e ${p}`, fmt(phases[p]), "-", true]);
  }
  const second = (phases["second-deploy"] ?? NaN) + (phases["second-destroy"] ?? NaN);
  rows.push(["a second environment beside local: deploy and destroy", fmt(second), "-", true]);
  rows.push(["whole e2e test file, fault cases included", fmt(all.seconds), "-", true]);
}

if (flag("--clean-clone")) {
  const clone = join(work, "clone");
  const cloned = spawnSync("git", ["clone", "--quiet", "--no-hardlinks", ROOT, clone]);
  if (cloned.status !== 0) throw new Error(`git clone failed: ${cloned.stderr.toString()}`);
  const install = timed("npm", ["ci", "--no-audit", "--no-fund"], { cwd: clone });
  rows.push(["  npm ci in a clean clone", fmt(install.seconds), "-", true]);
  const test = timed("npm", ["test"], { cwd: clone });
  rows.push(["npm test on a clean clone", fmt(test.seconds), "< 420 s", test.seconds < 420]);
}

rmSync(work, { recursive: true, force: true });
const after = loadavg()[0];
const width = Math.max(...rows.map((r) => r[0].length));
const valueWidth = Math.max(...rows.map((r) => r[1].length));
console.log(`\n${"figure".padEnd(width)}  ${"measured".padEnd(valueWidth)}  goal`);
for (const [name, value, goal, ok] of rows) {
  console.log(
    `${name.padEnd(width)}  ${value.padEnd(valueWidth)}  ${goal}${goal === "-" ? "" : ok ? "  ok" : "  MISSED"}`,
  );
}
console.log(`\nload average at the end: ${after.toFixed(2)} on ${cores} cores`);
if (Math.max(before, after) > 0.5 * cores) {
  console.log("The machine was busy: wall times above are not comparable (CPU times are closer to it).");
}
