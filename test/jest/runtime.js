const Runtime = require("jest-runtime").default;
const { compileFunction } = require("node:vm");
const { handlePotentialSyntaxError } = require("@jest/transform");

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
