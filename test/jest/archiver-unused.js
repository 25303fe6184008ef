// cdktf loads `archiver` (and its ~200 modules) only to zip file assets (TerraformAsset), which this project has
// none of. Jest loads every module anew for each test file, so the tests map `archiver` here instead (jest.config.js):
// a test that did make an asset fails with this message rather than passing without the zip.
"use strict";

module.exports = function archiver() {
  throw new Error(
    "archiver is not loaded in the tests (test/jest/archiver-unused.js): cdktf uses it to zip file assets, and this " +
      "project had none. Remove the mapping in jest.config.js if a construct now makes a TerraformAsset.",
  );
};
