#!/usr/bin/env node
// Runs a TypeScript program that builds stacks: esbuild bundles our code (when it changed; the packages stay
// external, unlike the synth's bundle) with the delivery steps' shell scripts as text, which only the bundler's
// loader reads, then Node calls the bundle's `run(argv)`.
// Usage: node scripts/run-bundled.js scripts/<program>.ts [arguments...]
"use strict";
const { bundleProgram } = require("./lib/fresh-bundle");
const { basename, join, resolve } = require("node:path");

const [entry, ...argv] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/run-bundled.js <program.ts> [arguments...]");
  process.exit(2);
}
const outfile = join(__dirname, "..", ".local", "build", `${basename(entry, ".ts")}.js`);
bundleProgram(join(__dirname, ".."), resolve(entry), outfile);
require(outfile).run(argv);
