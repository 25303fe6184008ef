// The folder the workers of one jest run share their memo in (test/jest/environment.js): made before the workers
// start (jest.config.js `globalSetup`), whose environment they inherit, and removed when the run ends
// (`globalTeardown`). Nothing in it outlives the run, so a run never serves what an earlier one computed.
"use strict";

const { mkdtempSync, rmSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

const VARIABLE = "MYAMAZINGAPP_JEST_RUN_MEMO";

function setup() {
  process.env[VARIABLE] = mkdtempSync(join(tmpdir(), "myamazingapp-jest-run-"));
}

function teardown() {
  const dir = process.env[VARIABLE];
  if (dir) rmSync(dir, { recursive: true, force: true });
  delete process.env[VARIABLE];
}

module.exports = { setup, teardown, VARIABLE };
