/**
 * Two projects. `unit`: the fast loop (`npm run test:unit`), in-process only: no emulator, no Terraform, no script
 * run in a shell. `integration`: the tests that start an emulator of their own, run the delivery and CI scripts
 * with bash and stubs, run Terraform, or deploy to the emulator end to end. `npm test` runs both; a test file
 * belongs to `integration` when it is named here (test/layout.test.ts checks that every process-starting test is).
 * TEST_PROJECT=unit or =integration keeps one of them (`npm run test:unit`, `npm run test:integration`), so that
 * jest's own arguments (a path, --silent) still follow the npm script.
 */
const common = {
  // The node environment, with a memo the test files of one worker share (test/jest/environment.js).
  testEnvironment: "<rootDir>/test/jest/environment.js",
  roots: ["<rootDir>/test"],
  // swc strips types only; `npm run typecheck` (tsc --noEmit) does the type checking.
  transform: { "^.+\\.ts$": ["@swc/jest"], "^.+\\.sh$": "<rootDir>/test/text-transform.js" },
  setupFiles: ["<rootDir>/test/jest/no-creation-stacks.js"],
  setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
  // Jest compiles every module anew for each test file; this runtime keeps V8's code cache of each module for the
  // worker's later files (test/jest/runtime.js).
  runtime: "<rootDir>/test/jest/runtime.js",
  // cdktf loads archiver only to zip file assets, which the project has none of (test/jest/archiver-unused.js).
  moduleNameMapper: { "^archiver$": "<rootDir>/test/jest/archiver-unused.js" },
};

/** Test files that start processes: an emulator, bash, Terraform, the project's own command lines. */
const INTEGRATION = [
  "bootstrap",
  "call-recorder",
  "ci-scripts",
  "delivery-scripts",
  "e2e-local",
  "emulator-cors",
  "emulator-lib",
  "emulator-patches",
  "emulator-replay",
  "emulator-s3-dates",
  "local-deploy",
  "local-interrupt",
  "move",
  "ops-cli",
  "promote-policies",
  "rollback",
  "side-by-side",
  "synth-bundle",
  "terraform-validate",
];
const integration = INTEGRATION.map((name) => `/test/${name}\\.test\\.ts$`);

const PROJECTS = [
  { ...common, displayName: "unit", testMatch: ["**/*.test.ts"], testPathIgnorePatterns: integration },
  { ...common, displayName: "integration", testRegex: integration },
];
const only = process.env.TEST_PROJECT;
if (only && !PROJECTS.some((p) => p.displayName === only)) {
  throw new Error(
    `TEST_PROJECT: "${only}" is not a test project; allowed: unit, integration (or unset for both)`,
  );
}

/** @type {import('jest').Config} */
module.exports = {
  // Jest's default is one worker fewer than the cores: one on the project's 2-core machine, so the end-to-end
  // file, which mostly waits on Terraform and the emulator, would hold up every other test. Two workers let the
  // rest run beside it.
  maxWorkers: 2,
  // The folder the workers share their memo in for the run (test/jest/run-memo.js).
  globalSetup: "<rootDir>/test/jest/run-memo.js",
  globalTeardown: "<rootDir>/test/jest/run-memo-teardown.js",
  testSequencer: "<rootDir>/test/sequencer.js",
  projects: PROJECTS.filter((p) => !only || p.displayName === only),
};
