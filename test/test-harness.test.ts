/**
 * What jest.config.js adds to jest for speed must not change what the tests see: cdktf's archiver is replaced by a
 * module that fails loudly if used, cdktf's matchers are registered without loading cdktf until one is used, and the synthesized stacks a worker keeps for its later test files are keyed
 * by everything they depend on, so a changed source or environment file is synthesized again.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoKey, ROOT, synthEnvironmentFile } from "./environment-stacks";
import { CDKTF_MATCHERS, cdktfMatchers } from "./setup";

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

  it("gives each test file the worker's memo", () => {
    // The Map belongs to the worker's realm, so instanceof this file's Map would be false.
    const memo = (globalThis as { __workerMemo?: unknown }).__workerMemo;
    expect(Object.prototype.toString.call(memo)).toBe("[object Map]");
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
      const memo = (globalThis as { __workerMemo?: Map<string, string> }).__workerMemo;
      const first = synthEnvironmentFile(file).text;
      expect(memo?.get(memoKey(file))).toBe(first);
    });
  });
});
