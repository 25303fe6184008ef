// esbuild's bundle of the synth, rebuilt only when it would differ. Bundling costs a tenth of a synth; most synths
// (the tests', the deploy's, a second `npm run synth`) bundle the very same files. Beside the bundle lies what it was
// built from: esbuild's version, the options, and the size and modification time of every file esbuild read (its
// metafile's inputs, which are all our own files: packages stay external). Any difference, or a missing file,
// builds anew, as make would.
"use strict";
const { readFileSync, rmSync, statSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

function stamp(file) {
  const s = statSync(file);
  return { size: s.size, mtimeMs: s.mtimeMs };
}

const same = (a, b) => a.size === b.size && a.mtimeMs === b.mtimeMs;

function readRecord(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

/**
 * Bundles `options.entryPoints` into `options.outfile` unless the bundle there was built by this esbuild, with
 * these options, from files unchanged since. `options.absWorkingDir` is required: the metafile's paths are relative
 * to it. Returns true when it built.
 */
function freshBundle(options) {
  if (!options.absWorkingDir || !options.outfile)
    throw new Error("freshBundle needs absWorkingDir and outfile");
  const recordFile = `${options.outfile}.sources.json`;
  // esbuild itself is loaded only to build (its version is in its package.json).
  const { version } = require("esbuild/package.json");
  const key = JSON.stringify({ version, options });
  const record = readRecord(recordFile);
  try {
    if (record && record.key === key) {
      statSync(options.outfile);
      if (Object.entries(record.inputs).every(([file, was]) => same(stamp(file), was))) return false;
    }
  } catch {
    // a file is gone: build
  }
  rmSync(recordFile, { force: true });
  const started = Date.now();
  const result = require("esbuild").buildSync({ ...options, metafile: true });
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) {
    const path = join(options.absWorkingDir, file);
    inputs[path] = stamp(path);
  }
  // A file saved while esbuild read it may be newer than what it bundled: then the next synth builds again.
  if (Object.values(inputs).every((s) => s.mtimeMs < started)) {
    writeFileSync(recordFile, JSON.stringify({ key, inputs }));
  }
  return true;
}

/**
 * A program that builds stacks, bundled fresh into `outfile`: our code only (packages stay external), and the
 * delivery steps' shell scripts, which the stacks import as their text. scripts/synth.js bundles main.ts so, and
 * scripts/run-bundled.js the other programs. Returns true when it built.
 */
function bundleProgram(root, entry, outfile) {
  return freshBundle({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    packages: "external",
    loader: { ".sh": "text" },
    sourcemap: "inline",
    logLevel: "warning",
  });
}

module.exports = { freshBundle, bundleProgram };
