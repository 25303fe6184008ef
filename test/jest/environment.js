// Jest's node environment, plus one thing that outlives a test file: `__workerMemo`, a memo of strings the test
// files of one jest run share (jest.config.js). Jest gives each test file a fresh module registry, so a helper's own
// cache lasts one file; a value that is costly to compute and the same for every file (the synthesized JSON of a
// checked-in environment) is kept here instead. A worker keeps what it computed or read in memory, and writes it to
// the run's folder (test/jest/run-memo.js) for the other worker, so each value is computed once per run rather than
// once per worker. Only strings go in: the memo belongs to the worker's realm, not the test file's, and a string is
// the same in both. A key must name everything its value depends on (see test/environment-stacks.ts), because in
// watch mode a worker runs again after files change.
"use strict";

const { createHash } = require("node:crypto");
const { readFileSync, renameSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const { TestEnvironment } = require("jest-environment-node");
const { VARIABLE } = require("./run-memo");

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

const workerMemo = new RunMemo(process.env[VARIABLE]);

class WorkerMemoEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__workerMemo = workerMemo;
  }
}

module.exports = WorkerMemoEnvironment;
module.exports.RunMemo = RunMemo;
