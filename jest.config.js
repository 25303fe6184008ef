/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // swc strips types only; `npm run typecheck` (tsc --noEmit) does the type checking.
  transform: { "^.+\\.ts$": ["@swc/jest"], "^.+\\.sh$": "<rootDir>/test/text-transform.js" },
  setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
};
