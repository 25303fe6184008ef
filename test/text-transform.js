// Jest transform for files imported as text (the delivery steps' shell scripts), like esbuild's text loader
// in scripts/synth.js. It reads the file itself: Jest strips a leading #! line from the source it passes in.
"use strict";
const { readFileSync } = require("node:fs");

module.exports = {
  process(_sourceText, sourcePath) {
    const text = readFileSync(sourcePath, "utf8");
    return { code: `module.exports = ${JSON.stringify(text)};` };
  },
};
