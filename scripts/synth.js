#!/usr/bin/env node
// Fast synth: esbuild bundles main.ts (our code only; packages stay external) when a source changed, then Node
// runs it. A TypeScript runner that compiles file by file on each run costs about a second more.
"use strict";
const { join } = require("node:path");
const { skipCreationStacks } = require("./lib/creation-stacks");
const { bundleProgram } = require("./lib/fresh-bundle");
const { deferArchiver } = require("./lib/lazy-archiver");

const root = join(__dirname, "..");
const outfile = join(root, ".local", "build", "main.js");
bundleProgram(root, join(root, "main.ts"), outfile);
skipCreationStacks();
deferArchiver();
require(outfile);
