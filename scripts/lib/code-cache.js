// Loads the synth's bundle with V8's code cache kept beside it. The bundle holds cdktf and the provider classes
// (scripts/lib/fresh-bundle.js `bundleSelfContained`), so compiling it was most of what a synth spent before its
// first construct; from the cache, V8 skips parsing and compiling what an earlier run compiled. The cache is made
// after the run, so it holds every function the synth ran, not only the top level. V8 checks the cache against the
// source and its own version and flags, and rejects one that does not match: then the code is compiled as without
// it, and the cache is written again. A cache is only ever written whole (a temporary file, then a rename).
"use strict";
const Module = require("node:module");
const { readFileSync, renameSync, writeFileSync } = require("node:fs");
const { dirname } = require("node:path");
const { Script } = require("node:vm");

/** The cache file of a module file. */
const cacheFileOf = (file) => `${file}.v8-cache`;

/**
 * Runs the CommonJS module in `file` as `require` would, with its code cache; returns the module's exports and
 * whether V8 took the cache (`cached`) or compiled the source, writing the cache when the process exits.
 */
function requireWithCodeCache(file) {
  const cacheFile = cacheFileOf(file);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(Module.wrap(readFileSync(file, "utf8")), { filename: file, cachedData });
  const cached = cachedData !== undefined && !script.cachedDataRejected;
  if (!cached) {
    process.once("exit", () => {
      const partial = `${cacheFile}.${process.pid}`;
      try {
        writeFileSync(partial, script.createCachedData());
        renameSync(partial, cacheFile);
      } catch {
        // A cache is an optimization: a read-only checkout compiles every time.
      }
    });
  }
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(dirname(file));
  require.cache[file] = mod;
  script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  return { exports: mod.exports, cached };
}

module.exports = { requireWithCodeCache, cacheFileOf };
