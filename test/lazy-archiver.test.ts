/**
 * The synth launcher defers archiver (scripts/lib/lazy-archiver.js): cdktf loads without it, and a zip asset, were
 * one ever made, still gets the real archiver. Run in a fresh node, since jest has its own module registry.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const ROOT = join(__dirname, "..");

function inNode(script: string): string {
  const result = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout.trim();
}

const loaded = `Object.keys(require.cache).filter((f) => f.includes("/node_modules/archiver/lib/")).length`;

describe("the deferred archiver", () => {
  it("keeps archiver's modules out of a cdktf that never zips", () => {
    const out = inNode(`require("./scripts/lib/lazy-archiver").deferArchiver(); require("cdktf");
      console.log(${loaded});`);
    expect(out).toBe("0");
    // Without the stand-in, cdktf loads them all.
    expect(Number(inNode(`require("cdktf"); console.log(${loaded});`))).toBeGreaterThan(0);
  });

  it("hands the first call to the real archiver, which zips", () => {
    const out = inNode(`const path = require("./scripts/lib/lazy-archiver").deferArchiver(); require("cdktf");
      const archive = require(path)("zip", {}); const chunks = [];
      archive.on("data", (c) => chunks.push(c));
      archive.on("end", () => console.log(Buffer.concat(chunks).subarray(0, 2).toString(), ${loaded} > 0));
      archive.append("hello", { name: "a.txt" }); archive.finalize();`);
    expect(out).toBe("PK true");
  });
});
