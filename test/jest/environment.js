// Jest's node environment, plus one thing that outlives a test file: `__workerMemo`, a Map the test files run by
// the same jest worker share (jest.config.js). Jest gives each test file a fresh module registry, so a helper's own
// cache lasts one file; a value that is costly to compute and the same for every file (the synthesized JSON of a
// checked-in environment) is kept here instead. Only strings go in: the Map belongs to the worker's realm, not the
// test file's, and a string is the same in both. A key must name everything its value depends on (see
// test/environment-stacks.ts), because in watch mode a worker runs again after files change.
"use strict";

const { TestEnvironment } = require("jest-environment-node");

const workerMemo = new Map();

class WorkerMemoEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__workerMemo = workerMemo;
  }
}

module.exports = WorkerMemoEnvironment;
