// Jest's runtime, keeping V8's code cache of each module for the worker's later test files (jest.config.js `runtime`).
//
// Jest gives every test file a fresh module registry and compiles each module it loads anew: for cdktf and the
// provider classes that was a third of a small test file's time. Here the first compile of a module in a worker also
// produces V8's code cache, and later files compile the same source from it. A module is still evaluated anew in each
// file, in that file's context, so nothing but compiled code passes between files; a changed source (watch mode)
// misses the cache and is compiled again.
//
// It overrides jest-runtime's createScriptFromCode (30.x), whose body it otherwise follows; a jest without it fails
// here, loudly, rather than running uncached.
"use strict";

const Runtime = require("jest-runtime").default;
const { compileFunction } = require("node:vm");
const { handlePotentialSyntaxError } = require("@jest/transform");

if (typeof Runtime.prototype.createScriptFromCode !== "function") {
  throw new Error(
    `test/jest/runtime.js: jest-runtime ${require("jest-runtime/package.json").version} has no createScriptFromCode; ` +
      "update this runtime to the new jest, or remove the `runtime` line from jest.config.js",
  );
}

/** Per module file: the source compiled, and V8's code cache of it. */
const codeCache = new Map();

class CachedRuntime extends Runtime {
  createScriptFromCode(scriptSource, filename) {
    const vmContext = this._environment.getVmContext();
    if (vmContext == null) return null;
    const scriptFilename = this._resolver.isCoreModule(filename) ? `jest-nodejs-core-${filename}` : filename;
    const cached = codeCache.get(scriptFilename);
    const hit = cached && cached.source === scriptSource ? cached.data : undefined;
    try {
      const fn = compileFunction(scriptSource, this.constructInjectedModuleParameters(), {
        filename: scriptFilename,
        cachedData: hit,
        produceCachedData: hit === undefined,
        importModuleDynamically: async (specifier) => {
          const module = await this.resolveModule(specifier, scriptFilename, vmContext);
          return this.linkAndEvaluateModule(module);
        },
        parsingContext: vmContext,
      });
      if (hit === undefined && fn.cachedData)
        codeCache.set(scriptFilename, { source: scriptSource, data: fn.cachedData });
      return fn;
    } catch (error) {
      throw handlePotentialSyntaxError(error);
    }
  }
}
module.exports = CachedRuntime;
