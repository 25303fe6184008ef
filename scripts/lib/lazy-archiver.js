// cdktf requires `archiver` (203 modules with its dependencies) when it loads, but calls it only to zip a file
// asset (TerraformAsset), which this project has none of. Loading it cost about a tenth of a synth's CPU. The synth
// puts a stand-in where cdktf will find it: the first call loads the real archiver and hands it the call, so an
// asset made one day is zipped as before, just without archiver loaded on every other run.
"use strict";
const Module = require("node:module");
const { dirname } = require("node:path");

/** Makes cdktf's `require("archiver")` return a stand-in that loads archiver at its first call; returns its path. */
function deferArchiver() {
  const cdktf = dirname(require.resolve("cdktf/package.json"));
  const path = require.resolve("archiver", { paths: [cdktf] });
  if (require.cache[path]) return path;
  const standIn = new Module(path);
  standIn.filename = path;
  standIn.paths = Module._nodeModulePaths(dirname(path));
  standIn.loaded = true;
  standIn.exports = function archiver(...args) {
    delete require.cache[path];
    return require(path)(...args);
  };
  require.cache[path] = standIn;
  return path;
}

module.exports = { deferArchiver };
