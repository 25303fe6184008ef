#!/usr/bin/env node
// Fast synth: esbuild bundles main.ts with its packages into one file when a source changed (see
// scripts/lib/fresh-bundle.js `bundleSelfContained`), then Node runs it with V8's code cache of it
// (scripts/lib/code-cache.js). A TypeScript runner that compiles file by file on each run costs about a second more.
"use strict";
const { join } = require("node:path");
const { requireWithCodeCache } = require("./lib/code-cache");
const { bundleSelfContained } = require("./lib/fresh-bundle");
const { deferArchiver } = require("./lib/lazy-archiver");

const root = join(__dirname, "..");
const outfile = join(root, ".local", "build", "synth", "main.js");
bundleSelfContained(root, join(root, "main.ts"), outfile).then(
  () => {
    deferArchiver();
    requireWithCodeCache(outfile);
  },
  (err) => {
    console.error(`synth failed, nothing was written: could not bundle main.ts: ${err.message}`);
    process.exit(1);
  },
);
