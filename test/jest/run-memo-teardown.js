// jest.config.js `globalTeardown`: removes the run's memo folder (test/jest/run-memo.js).
module.exports = () => require("./run-memo").teardown();
