/**
 * What jest.config.js adds to jest for speed must not change what the tests see: modules compiled once per worker
 * are still evaluated anew for each load, with their own lines in stack traces; cdktf's archiver is replaced by a
 * module that fails loudly if used, cdktf's matchers are registered without loading cdktf until one is used, and the synthesized stacks a worker keeps for its later test files are keyed
 * by everything they depend on, so a changed source or environment file is synthesized again.
 */
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoKey, ROOT, synthEnvironmentFile } from "./environment-stacks";
import { CDKTF_MATCHERS, cdktfMatchers } from "./setup";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runMemo = require("./jest/run-memo") as {
  setup(): void;
  teardown(): void;
  VARIABLE: string;
  RunMemo: new (dir: string | undefined) => {
    get(key: string): string | undefined;
    set(key: string, value: string): unknown;
  };
};
const { RunMemo } = runMemo;
const { VARIABLE } = runMemo;

describe("the test harness (test/jest/)", () => {
  it("maps cdktf's archiver to a module that fails, naming the mapping, if a test makes a file asset", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const archiver = require("archiver") as (format: string) => unknown;
    expect(() => archiver("zip")).toThrow(/archiver-unused\.js.*TerraformAsset/s);
  });

  it("registers each of cdktf's matchers, cdktf's own behind each name (test/setup.ts loads cdktf at the first use)", () => {
    expect(Object.keys(cdktfMatchers()).sort()).toEqual([...CDKTF_MATCHERS].sort());
    // A stand-in hands the call to cdktf's matcher: it reads the synthesized JSON and names what it missed.
    expect(() => expect("{}").toHaveResource({ tfResourceType: "aws_s3_bucket" })).toThrow(/aws_s3_bucket/);
    expect("{}").not.toHaveResource({ tfResourceType: "aws_s3_bucket" });
  });

  it("evaluates a module anew at each load, from code compiled once per worker, its own lines and columns in stack traces", () => {
    type Fixture = { load(): number; fail(): never };
    const fresh = (): Fixture => {
      let loaded: Fixture | undefined;
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        loaded = require("./fixtures/harness/module-state") as Fixture;
      });
      return loaded!;
    };
    // test/jest/runtime.js runs one compiled script for both loads: each load still gets its own module state.
    const first = fresh();
    const second = fresh();
    expect(second).not.toBe(first);
    expect([first.load(), first.load(), second.load()]).toEqual([1, 2, 1]);
    // The wrapper around the module takes no line or column: the error is where the file says.
    let stack = "";
    try {
      second.fail();
    } catch (error) {
      stack = (error as Error).stack ?? "";
    }
    expect(stack).toMatch(/thrown at line 6, column 9\n\s+at .*module-state\.js:6:9\)/);
  });

  it("gives each test file the run's memo, which the other worker reads from the run's folder", () => {
    const memo = (globalThis as { __workerMemo?: { set(k: string, v: string): unknown } }).__workerMemo;
    const dir = process.env[VARIABLE];
    expect(dir).toBeDefined();
    const key = `test-harness ${process.pid} ${Date.now()}`;
    memo!.set(key, "the value");
    // Another worker's memo over the same folder: it has not computed the value, and reads it.
    expect(new RunMemo(dir).get(key)).toBe("the value");
    expect(new RunMemo(dir).get(`${key} other`)).toBeUndefined();
    // Without a run's folder (jest run without its globalSetup), a memo is the worker's alone.
    expect(new RunMemo(undefined).get(key)).toBeUndefined();
  });

  it("keeps nothing from one run to the next: each run gets a new folder, removed when it ends", () => {
    const saved = process.env[VARIABLE];
    try {
      runMemo.setup();
      const first = process.env[VARIABLE]!;
      new RunMemo(first).set("k", "v");
      runMemo.teardown();
      expect(existsSync(first)).toBe(false);
      runMemo.setup();
      expect(process.env[VARIABLE]).not.toBe(first);
      expect(new RunMemo(process.env[VARIABLE]).get("k")).toBeUndefined();
      runMemo.teardown();
    } finally {
      process.env[VARIABLE] = saved;
    }
  });

  describe("the memo's key for a synthesized environment", () => {
    let dir: string;
    let file: string;
    beforeAll(() => {
      // A copy of the environments folder: production is read with the files it promotes from.
      dir = mkdtempSync(join(tmpdir(), "memo-key-"));
      cpSync(join(ROOT, "environments"), dir, { recursive: true });
      file = join(dir, "production.json");
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("stays the same while nothing changes", () => {
      expect(memoKey(file)).toBe(memoKey(file));
    });

    it("changes with the environment file's content", () => {
      const before = memoKey(file);
      writeFileSync(file, `${readFileSync(file, "utf8")}\n`);
      expect(memoKey(file)).not.toBe(before);
    });

    it.each(["constructs/private-bucket.ts", "stacks/app-stack.ts", "config/load.ts", "rules/check.ts"])(
      "changes when a source file changes (%s)",
      (source) => {
        const path = join(ROOT, source);
        const { atime, mtime } = statSync(path);
        const before = memoKey(file);
        try {
          utimesSync(path, atime, new Date(mtime.getTime() + 1000));
          expect(memoKey(file)).not.toBe(before);
        } finally {
          utimesSync(path, atime, mtime);
        }
      },
    );

    it("serves the same JSON a fresh synth writes", () => {
      const memo = (globalThis as { __workerMemo?: { get(key: string): string | undefined } }).__workerMemo;
      const first = synthEnvironmentFile(file).text;
      expect(memo?.get(memoKey(file))).toBe(first);
    });
  });
});
