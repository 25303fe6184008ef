// The memo the workers of one jest run share (test/jest/environment.js gives it to every test file as
// `__workerMemo`). A worker keeps what it computed or read in memory, and writes it to the run's folder for the
// other worker, so each value is computed once per run rather than once per worker. The folder is made before the
// workers start (this module is jest.config.js `globalSetup`; the workers inherit its variable) and removed when
// the run ends (`globalTeardown`, run-memo-teardown.js): nothing in it outlives the run, so a run never serves what
// an earlier one computed.
"use strict";

const { createHash } = require("node:crypto");
const { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

const VARIABLE = "MYAMAZINGAPP_JEST_RUN_MEMO";

/** Strings by key: in memory, and in `dir` (the run's folder) when there is one. */
class RunMemo {
  constructor(dir) {
    this.dir = dir;
    this.known = new Map();
  }

  fileOf(key) {
    return this.dir && join(this.dir, createHash("sha256").update(key).digest("hex"));
  }

  get(key) {
    if (this.known.has(key)) return this.known.get(key);
    const file = this.fileOf(key);
    if (!file) return undefined;
    try {
      const value = readFileSync(file, "utf8");
      this.known.set(key, value);
      return value;
    } catch {
      return undefined; // not computed yet in this run
    }
  }

  set(key, value) {
    if (typeof value !== "string") throw new Error("__workerMemo keeps strings only");
    this.known.set(key, value);
    const file = this.fileOf(key);
    if (!file) return this;
    // Written whole under another name, then renamed: the other worker reads all of it or nothing.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, value);
    renameSync(partial, file);
    return this;
  }
}

/** Makes the run's folder (jest's globalSetup). */
function setup() {
  process.env[VARIABLE] = mkdtempSync(join(tmpdir(), "myamazingapp-jest-run-"));
}

/** Removes the run's folder (jest's globalTeardown). */
function teardown() {
  const dir = process.env[VARIABLE];
  if (dir) rmSync(dir, { recursive: true, force: true });
  delete process.env[VARIABLE];
}

module.exports = setup;
Object.assign(module.exports, { setup, teardown, RunMemo, VARIABLE });
