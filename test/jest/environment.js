// Jest's node environment, plus one thing that outlives a test file: `__workerMemo`, a memo of strings the test
// files of one jest run share (test/jest/run-memo.js). Jest gives each test file a fresh module registry, so a
// helper's own cache lasts one file; a value that is costly to compute and the same for every file (the
// synthesized JSON of a checked-in environment) is kept here instead. Only strings go in: the memo belongs to the
// worker's realm, not the test file's, and a string is the same in both. A key must name everything its value
// depends on (see test/environment-stacks.ts), because in watch mode a worker runs again after files change.
"use strict";

const { TestEnvironment } = require("jest-environment-node");
const { RunMemo, VARIABLE } = require("./run-memo");

const workerMemo = new RunMemo(process.env[VARIABLE]);

class WorkerMemoEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__workerMemo = workerMemo;
  }
}

module.exports = WorkerMemoEnvironment;
