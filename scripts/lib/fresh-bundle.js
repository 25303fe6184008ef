// esbuild's bundles of the synth and of the other programs that build stacks, rebuilt only when they would differ.
// Bundling costs more than a synth; most synths (the tests', the deploy's, a second `npm run synth`) bundle the very
// same files. Beside a bundle lies what it was built from: esbuild's version, the options, and the size and
// modification time of every file esbuild read (its metafile's inputs: our own files, and the packages' files
// where they are bundled too). Any difference, or a missing file, builds anew, as make would.
"use strict";
const { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require("node:fs");
const { dirname, join } = require("node:path");

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

/** The record's key: esbuild's version, the options, and what the plugins do (their functions are not JSON). */
function keyOf(options, pluginsKey) {
  if (!options.absWorkingDir || !options.outfile)
    throw new Error("freshBundle needs absWorkingDir and outfile");
  // esbuild itself is loaded only to build (its version is in its package.json).
  const { version } = require("esbuild/package.json");
  const { plugins, ...rest } = options;
  if (plugins && !pluginsKey)
    throw new Error("freshBundle: a build with plugins needs a key naming what they do");
  return JSON.stringify({ version, options: rest, plugins: pluginsKey });
}

/** Whether the bundle at `options.outfile` was built with this key from files unchanged since. */
function isFresh(options, key) {
  const record = readRecord(`${options.outfile}.sources.json`);
  try {
    if (record && record.key === key) {
      statSync(options.outfile);
      if (Object.entries(record.inputs).every(([file, was]) => same(stamp(file), was))) return true;
    }
  } catch {
    // a file is gone: build
  }
  return false;
}

/**
 * Writes what esbuild built (with `write: false`), each file whole: a temporary file, then a rename. Two synths at
 * once (the end-to-end test deploys two environments side by side) may both build; neither reads half a bundle.
 */
function writeOutputs(result) {
  for (const { path, contents } of result.outputFiles) {
    mkdirSync(dirname(path), { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, contents);
    renameSync(partial, path);
  }
}

/** Undefined when the bundle is fresh; else the time its build starts, its old record removed. */
function staleSince(options, key) {
  if (isFresh(options, key)) return undefined;
  rmSync(`${options.outfile}.sources.json`, { force: true });
  return Date.now();
}

/** Writes a build's files, and its record of what it read; returns true (it built). */
function keep(options, key, result, started) {
  writeOutputs(result);
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) {
    const path = join(options.absWorkingDir, file);
    inputs[path] = stamp(path);
  }
  // A file saved while esbuild read it may be newer than what it bundled: then the next synth builds again.
  if (Object.values(inputs).every((s) => s.mtimeMs < started)) {
    writeFileSync(`${options.outfile}.sources.json`, JSON.stringify({ key, inputs }));
  }
  return true;
}

/**
 * Bundles `options.entryPoints` into `options.outfile` unless the bundle there was built by this esbuild, with
 * these options, from files unchanged since. `options.absWorkingDir` is required: the metafile's paths are relative
 * to it. Returns true when it built.
 */
function freshBundle(options) {
  const key = keyOf(options);
  const started = staleSince(options, key);
  if (started === undefined) return false;
  return keep(
    options,
    key,
    require("esbuild").buildSync({ ...options, metafile: true, write: false }),
    started,
  );
}

/**
 * freshBundle for a build with esbuild plugins, which only esbuild's asynchronous API runs. `pluginsKey` names what
 * the plugins do: a change to them must change it, so that an old bundle is not taken for a fresh one.
 */
async function freshBundleAsync(options, pluginsKey) {
  const key = keyOf(options, pluginsKey);
  const started = staleSince(options, key);
  if (started === undefined) return false;
  return keep(
    options,
    key,
    await require("esbuild").build({ ...options, metafile: true, write: false }),
    started,
  );
}

/**
 * What every bundle of a program that builds stacks has: Node's platform, and the delivery steps' shell scripts,
 * which the stacks import as their text.
 */
const programOptions = (root, entry, outfile) => ({
  absWorkingDir: root,
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  loader: { ".sh": "text" },
  logLevel: "warning",
});

/**
 * A program that builds stacks, bundled fresh into `outfile`: our code only (packages stay external).
 * scripts/run-bundled.js bundles the programs other than the synth so. Returns true when it built.
 */
function bundleProgram(root, entry, outfile) {
  return freshBundle({ ...programOptions(root, entry, outfile), packages: "external", sourcemap: "inline" });
}

/**
 * The synth's bundle: main.ts with its packages too (cdktf, constructs, the provider classes it imports, Ajv), so
 * that Node reads one file and V8 can keep one code cache for it (scripts/lib/code-cache.js). Two stay outside:
 * archiver, which cdktf loads only to zip file assets and scripts/lib/lazy-archiver.js defers, and Ajv's
 * package.json, which the settings cache reads for Ajv's version. cdktf's bundled stack-trace module switches its
 * creation stacks off (scripts/lib/creation-stacks.js). The source map is a file beside the bundle, read only by
 * `node --enable-source-maps` or a debugger. Resolves to true when it built.
 */
function bundleSelfContained(root, entry, outfile) {
  const { bundlePlugin, BUNDLE_PLUGIN_KEY } = require("./creation-stacks");
  return freshBundleAsync(
    {
      ...programOptions(root, entry, outfile),
      external: ["archiver", "ajv/package.json"],
      sourcemap: "linked",
      plugins: [bundlePlugin],
    },
    BUNDLE_PLUGIN_KEY,
  );
}

module.exports = { freshBundle, freshBundleAsync, bundleProgram, bundleSelfContained };
