// Jest's runtime, compiling each module once per worker instead of once per test file (jest.config.js `runtime`).
//
// Jest gives every test file a fresh module registry and context, and compiles each module it loads anew with
// vm.compileFunction: V8 then parses the module's top level again and compiles each function again when it is
// first called, for cdktf, the provider classes, and jest's own expect and snapshot modules in every file. Here a
// module is compiled once per worker into a vm.Script (the module wrapped in a function, as Node's own loader
// does), and every later file runs that same script in its own context: V8 shares the compiled code, the
// functions compiled lazily in earlier files included, between contexts. Each run of the script makes a new
// function in the file's context, which jest calls with that file's module, exports and require: the module is
// still evaluated anew in each file, so nothing but compiled code passes between files. A changed source (watch
// mode) is compiled again.
//
// It overrides jest-runtime's createScriptFromCode (30.x), which returns the module's function; a jest without it
// fails here, loudly, rather than running uncached.
"use strict";

const Runtime = require("jest-runtime").default;
const { Script } = require("node:vm");
const { handlePotentialSyntaxError } = require("@jest/transform");

if (typeof Runtime.prototype.createScriptFromCode !== "function") {
  throw new Error(
    `test/jest/runtime.js: jest-runtime ${require("jest-runtime/package.json").version} has no createScriptFromCode; ` +
      "update this runtime to the new jest, or remove the `runtime` line from jest.config.js",
  );
}

/** Per module file: the source and parameters compiled, and its script. */
const scripts = new Map();
/** The runtime of the test file running now (a worker runs one file at a time), for a module's dynamic import. */
const running = { runtime: undefined };

class CachedRuntime extends Runtime {
  createScriptFromCode(scriptSource, filename) {
    const vmContext = this._environment.getVmContext();
    if (vmContext == null) return null;
    running.runtime = this;
    const scriptFilename = this._resolver.isCoreModule(filename) ? `jest-nodejs-core-${filename}` : filename;
    try {
      const params = this.constructInjectedModuleParameters().join(", ");
      let cached = scripts.get(scriptFilename);
      if (!cached || cached.source !== scriptSource || cached.params !== params) {
        // The wrapper on a line of its own, lineOffset -1: the module's lines and columns stay its own in stack
        // traces and source maps.
        const script = new Script(`(function (${params}) {\n${scriptSource}\n})`, {
          filename: scriptFilename,
          lineOffset: -1,
          importModuleDynamically: async (specifier) => {
            const { runtime } = running;
            const context = runtime._environment.getVmContext();
            const module = await runtime.resolveModule(specifier, scriptFilename, context);
            return runtime.linkAndEvaluateModule(module);
          },
        });
        cached = { source: scriptSource, params, script };
        scripts.set(scriptFilename, cached);
      }
      return cached.script.runInContext(vmContext);
    } catch (error) {
      throw handlePotentialSyntaxError(error);
    }
  }
}
module.exports = CachedRuntime;
