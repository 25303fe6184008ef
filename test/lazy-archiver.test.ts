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
  it("keeps archiver's modules out of a cdktf that never zips, and hands the first call to the real one", () => {
    const out = inNode(`const path = require("./scripts/lib/lazy-archiver").deferArchiver(); require("cdktf");
      const before = ${loaded};
      const archive = require(path)("zip", {}); const chunks = [];
      archive.on("data", (c) => chunks.push(c));
      archive.on("end", () => console.log(before, ${loaded} > 0, Buffer.concat(chunks).subarray(0, 2).toString()));
      archive.append("hello", { name: "a.txt" }); archive.finalize();`);
    // None loaded with cdktf; archiver's own modules after the first call, and the zip it wrote.
    expect(out).toBe("0 true PK");
  });
});
