/**
 * `npm test` runs the lint, the type check and jest side by side (scripts/test.js, scripts/lib/side-by-side.js): it
 * must fail when any of them fails, only once all have ended, and print the kept output of each under its name.
 */
import { Writable } from "node:stream";
import { sideBySide } from "../scripts/lib/side-by-side";

/** A node process that writes `text`, waits `ms` and exits with `code`. */
const node = (name: string, text: string, ms: number, code: number) => ({
  name,
  command: process.execPath,
  args: [
    "-e",
    `process.stdout.write(${JSON.stringify(text)}); setTimeout(() => process.exit(${code}), ${ms})`,
  ],
});

function collector(): { out: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { out, text: () => Buffer.concat(chunks).toString("utf8") };
}

describe("commands side by side (npm test)", () => {
  it("names every command that failed, after all have ended, each output whole under its name", async () => {
    const { out, text } = collector();
    const started = Date.now();
    const failed = await sideBySide(
      [
        node("quick failure", "lint said no\n", 0, 2),
        node("slow pass", "all typed\n", 600, 0),
        node("slow failure", "a test failed\n", 600, 1),
      ],
      out,
    );
    expect(failed).toEqual(["quick failure", "slow failure"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600); // the first failure did not end the run
    expect(text()).toMatch(/== quick failure: failed \(exit 2\) after \d+ s\nlint said no\n/);
    expect(text()).toMatch(/== slow pass: passed after \d+ s\nall typed\n/);
    expect(text()).toMatch(/== slow failure: failed \(exit 1\) after \d+ s\na test failed\n/);
  });

  it("passes when all pass, and counts a command that cannot start as failed", async () => {
    const { out, text } = collector();
    expect(await sideBySide([node("a", "", 0, 0), node("b", "", 0, 0)], out)).toEqual([]);
    const missing = { name: "missing tool", command: "/nonexistent/tool", args: [] };
    expect(await sideBySide([node("a", "", 0, 0), missing], out)).toEqual(["missing tool"]);
    expect(text()).toMatch(/== missing tool: could not start \(spawn \/nonexistent\/tool ENOENT\)/);
  });
});
