/**
 * The synth runs one bundle of main.ts and its packages (scripts/lib/fresh-bundle.js `bundleSelfContained`) with
 * V8's code cache kept beside it (scripts/lib/code-cache.js): the bundled cdktf has its creation stacks off unless
 * CDKTF_CREATION_STACKS=1, archiver stays outside the bundle, and the cache is taken while it matches the bundle,
 * rejected and written again when the bundle changes. Each run is a fresh node, as a synth is.
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheFileOf } from "../scripts/lib/code-cache";
import { bundleSelfContained } from "../scripts/lib/fresh-bundle";
import { ROOT } from "./environment-stacks";

const dir = join(ROOT, ".local", "test-synth-bundle", String(process.pid));
const entry = join(dir, "entry.ts");
const outfile = join(dir, "out", "main.js");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the bundle as scripts/synth.js does; returns its output and whether V8 took the code cache. */
function run(env: NodeJS.ProcessEnv = {}): { printed: string; cached: boolean } {
  const script =
    `const { requireWithCodeCache } = require(${JSON.stringify(join(ROOT, "scripts", "lib", "code-cache"))});` +
    `const { cached } = requireWithCodeCache(${JSON.stringify(outfile)}); console.log("cached=" + cached);`;
  const inherited = { ...process.env };
  delete inherited.CDKTF_CREATION_STACKS;
  const result = spawnSync(process.execPath, ["-e", script], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...inherited, ...env },
  });
  if (result.status !== 0) throw new Error(result.stderr);
  const lines = result.stdout.trim().split("\n");
  return { printed: lines.slice(0, -1).join("\n"), cached: lines[lines.length - 1] === "cached=true" };
}

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  // A token made in the bundle, and where cdktf says it was made; and whether archiver was bundled.
  writeFileSync(
    entry,
    [
      'import { Lazy, Tokenization } from "cdktf";',
      'const token = Tokenization.reverseString(Lazy.stringValue({ produce: () => "x" })).firstToken!;',
      'console.log(token.creationStack.join(" | "));',
      'console.log(Object.keys(require.cache).some((f) => f.includes("/node_modules/archiver/")));',
    ].join("\n"),
  );
  await bundleSelfContained(ROOT, entry, outfile);
}, 60_000);

describe("the synth's bundle", () => {
  it("holds cdktf, with its creation stacks off by default and on with CDKTF_CREATION_STACKS=1", () => {
    const bundle = readFileSync(outfile, "utf8");
    // esbuild heads each module it bundles with a comment naming its file.
    expect(bundle).toMatch(/^\/\/ node_modules\/cdktf\/lib\/tokens\/private\/stack-trace\.js$/m);
    const [off] = run().printed.split("\n");
    expect(off).toMatch(/^\(creation stack not recorded: run again with CDKTF_CREATION_STACKS=1/);
    const [on] = run({ CDKTF_CREATION_STACKS: "1" }).printed.split("\n");
    expect(on).toContain(outfile);
    expect(on).not.toContain("not recorded");
  });

  it("leaves archiver outside, where the synth's stand-in defers it", () => {
    expect(readFileSync(outfile, "utf8")).not.toMatch(/^\/\/ node_modules\/archiver\//m);
    // cdktf's require("archiver") loaded the real one here: no stand-in in this run, and still not bundled.
    expect(run().printed.split("\n")[1]).toBe("true");
  });
});

describe("the code cache (scripts/lib/code-cache.js)", () => {
  it("is written by a run without one, taken by the next, and rejected and written again when the bundle changes", () => {
    rmSync(cacheFileOf(outfile), { force: true });
    const first = run();
    expect(first.cached).toBe(false);
    expect(existsSync(cacheFileOf(outfile))).toBe(true);
    const second = run();
    expect(second.cached).toBe(true);
    expect(second.printed).toBe(first.printed);

    appendFileSync(outfile, "\nconsole.log('changed');\n");
    const changed = run();
    expect(changed.cached).toBe(false);
    expect(changed.printed).toBe(`${first.printed}\nchanged`);
    expect(run().cached).toBe(true);
  });
});
