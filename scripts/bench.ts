/**
 * `npm run bench [-- --e2e]`: speed and memory figures, each printed beside its goal.
 *
 *   floor        a one-bucket cdktf app run with node (the smallest cdktf synth there is)
 *   synth        `npm run synth` of every environment: goal within 5x the floor, under 1 GiB peak memory
 *   unit tests   jest without Terraform or the emulator: goal under 30 s
 *   e2e          (with --e2e) deploy, verify, plan, destroy on the local emulator: goal under 5 min
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..");
const RUNS = 3;
const work = mkdtempSync(join(tmpdir(), "myamazingapp-bench-"));

/** Writes the child's peak resident memory (bytes) to BENCH_RSS_FILE when it exits. */
const rssReporter = join(work, "rss.js");
writeFileSync(
  rssReporter,
  `process.on("exit", () => require("fs").writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS * 1024)));`,
);

interface Run {
  seconds: number;
  peakBytes: number;
}

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const rssFile = join(work, "rss.txt");
  rmSync(rssFile, { force: true });
  const start = process.hrtime.bigint();
  const result = spawnSync(cmd, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env, BENCH_RSS_FILE: rssFile, NODE_OPTIONS: `--require ${rssReporter}` },
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed:\n${result.stderr.toString()}${result.stdout.toString()}`,
    );
  }
  let peakBytes = 0;
  try {
    peakBytes = Number(readFileSync(rssFile, "utf8"));
  } catch {
    // the command was not node, or did not exit normally
  }
  return { seconds, peakBytes };
}

function median(runs: Run[]): Run {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  return {
    seconds: sorted[Math.floor(sorted.length / 2)].seconds,
    peakBytes: Math.max(...runs.map((r) => r.peakBytes)),
  };
}

function repeat(n: number, fn: () => Run): Run {
  return median(Array.from({ length: n }, fn));
}

const floorApp = join(work, "one-bucket.js");
writeFileSync(
  floorApp,
  `const { App, TerraformStack } = require(${JSON.stringify(join(ROOT, "node_modules", "cdktf"))});
const { AwsProvider } = require(${JSON.stringify(join(ROOT, "node_modules/@cdktf/provider-aws/lib/provider"))});
const { S3Bucket } = require(${JSON.stringify(join(ROOT, "node_modules/@cdktf/provider-aws/lib/s3-bucket"))});
const app = new App({ outdir: ${JSON.stringify(join(work, "floor-out"))} });
const stack = new TerraformStack(app, "one");
new AwsProvider(stack, "aws", { region: "us-west-2" });
new S3Bucket(stack, "bucket", { bucket: "one-bucket" });
app.synth();
`,
);

const rows: Array<[string, string, string, boolean]> = [];
const fmt = (s: number) => `${s.toFixed(2)} s`;
const mib = (b: number) => `${(b / 1024 ** 2).toFixed(0)} MiB`;

const floor = repeat(RUNS, () => timed(process.execPath, [floorApp]));
rows.push(["floor: one-bucket cdktf app (node)", fmt(floor.seconds), "-", true]);

const synthOut = join(work, "synth-out");
const synth = repeat(RUNS, () =>
  timed(process.execPath, [join(ROOT, "scripts", "synth.js")], { CDKTF_OUTDIR: synthOut }),
);
const stacks = readFileSync(join(synthOut, "manifest.json"), "utf8").match(/"name":/g)?.length ?? 0;
rows.push([
  `synth, all environments (${stacks} stacks)`,
  `${fmt(synth.seconds)} = ${(synth.seconds / floor.seconds).toFixed(1)}x floor`,
  `<= 5x floor (${fmt(5 * floor.seconds)})`,
  synth.seconds <= 5 * floor.seconds,
]);
rows.push(["synth peak memory", mib(synth.peakBytes), "< 1024 MiB", synth.peakBytes < 1024 ** 3]);

const unit = timed(process.execPath, [
  join(ROOT, "node_modules", "jest", "bin", "jest.js"),
  "--silent",
  "--testPathIgnorePatterns",
  "terraform-validate",
  "e2e",
]);
rows.push(["unit tests (jest, 2 workers)", fmt(unit.seconds), "< 30 s", unit.seconds < 30]);

if (process.argv.includes("--e2e")) {
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
  for (const p of ["take-over", "release", "second-deploy", "second-destroy"]) {
    rows.push([`  e2e ${p}`, fmt(phases[p]), "-", true]);
  }
  const second = (phases["second-deploy"] ?? NaN) + (phases["second-destroy"] ?? NaN);
  rows.push(["a second environment beside local: deploy and destroy", fmt(second), "-", true]);
  rows.push(["whole e2e test file, fault cases included", fmt(all.seconds), "-", true]);
}

rmSync(work, { recursive: true, force: true });
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`${"figure".padEnd(width)}  ${"measured".padEnd(28)}  goal`);
for (const [name, value, goal, ok] of rows) {
  console.log(
    `${name.padEnd(width)}  ${value.padEnd(28)}  ${goal}${goal === "-" ? "" : ok ? "  ok" : "  MISSED"}`,
  );
}
