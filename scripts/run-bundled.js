#!/usr/bin/env node
// Runs a TypeScript program that builds stacks: esbuild bundles it as scripts/synth.js bundles main.ts (the stacks
// import the delivery steps' shell scripts as text, which only the bundler's loader reads), then Node calls the
// bundle's `run(argv)`. Usage: node scripts/run-bundled.js scripts/<program>.ts [arguments...]
"use strict";
const { buildSync } = require("esbuild");
const { basename, join, resolve } = require("node:path");

const [entry, ...argv] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/run-bundled.js <program.ts> [arguments...]");
  process.exit(2);
}
const outfile = join(__dirname, "..", ".local", "build", `${basename(entry, ".ts")}.js`);
buildSync({
  entryPoints: [resolve(entry)],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  packages: "external",
  loader: { ".sh": "text" },
  sourcemap: "inline",
  logLevel: "warning",
});
require(outfile).run(argv);
