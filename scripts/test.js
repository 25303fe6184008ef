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
sideBySide([
  { name: "npm run lint", command: npm, args: ["run", "--silent", "lint"] },
  { name: "npm run typecheck", command: npm, args: ["run", "--silent", "typecheck"] },
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
