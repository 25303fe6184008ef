// jest.config.js `globalSetup`: see test/jest/run-memo.js.
module.exports = () => require("./run-memo").setup();
