#!/usr/bin/env node
/**
 * `npm test`, as CI runs it (.ci/run): the lint, the type check and jest side by side. Jest's end-to-end file waits
 * on the emulator and Terraform for minutes, and the lint and the type check (35 s one after the other) fit beside
 * it. Jest's output comes as it runs; each of the others' is printed whole when it ends. The run fails when any of
 * the three fails, once all have ended, and says which. Arguments go to jest (`npm test -- test/config.test.ts`).
 */
"use strict";
const { sideBySide } = require("./lib/side-by-side");

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
/**
 * The lint and the type check run at a lower priority (`nice`, where there is one): they take the CPU that jest's
 * end-to-end file leaves while it waits, rather than slowing the Terraform plans it waits on.
 */
const meek = (args) =>
  process.platform === "win32"
    ? { command: npm, args }
    : { command: "nice", args: ["-n", "10", npm, ...args] };
sideBySide([
  { name: "npm run lint", ...meek(["run", "--silent", "lint"]) },
  { name: "npm run typecheck", ...meek(["run", "--silent", "typecheck"]) },
  {
    name: "jest",
    command: process.execPath,
    args: [require.resolve("jest/bin/jest"), ...process.argv.slice(2)],
    live: true,
  },
]).then((failed) => {
  if (failed.length) console.error(`\nnpm test failed: ${failed.join(", ")}`);
  process.exitCode = failed.length ? 1 : 0;
});
