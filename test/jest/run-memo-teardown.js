// jest.config.js `globalTeardown`: see test/jest/run-memo.js.
module.exports = () => require("./run-memo").teardown();
