// Registers cdktf's jest matchers (toHaveResource, toHaveResourceWithProperties, toBeValidTerraform, ...), loading
// cdktf only when a test first uses one: a test file that never touches cdktf (the docs, the workflows, the
// scripts' helpers) no longer loads all of it. test/test-harness.test.ts checks the names against cdktf's own.

/** The matchers Testing.setupJest() registers (cdktf 0.21). */
export const CDKTF_MATCHERS = [
  "toHaveResource",
  "toHaveResourceWithProperties",
  "toHaveDataSource",
  "toHaveDataSourceWithProperties",
  "toHaveProvider",
  "toHaveProviderWithProperties",
  "toBeValidTerraform",
  "toPlanSuccessfully",
] as const;

type Matcher = (this: jest.MatcherContext, ...args: unknown[]) => jest.CustomMatcherResult;
let registered: Record<string, Matcher> | undefined;

/** cdktf's matchers, as its setupJest hands them to expect.extend (which it then does, replacing the stand-ins). */
export function cdktfMatchers(): Record<string, Matcher> {
  if (!registered) {
    const extend = expect.extend.bind(expect);
    expect.extend = (matchers) => {
      registered = matchers as Record<string, Matcher>;
      extend(matchers);
    };
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require("cdktf") as typeof import("cdktf")).Testing.setupJest();
    } finally {
      expect.extend = extend;
    }
  }
  return registered!;
}

expect.extend(
  Object.fromEntries(
    CDKTF_MATCHERS.map((name) => [
      name,
      function (this: jest.MatcherContext, ...args: unknown[]) {
        return cdktfMatchers()[name].apply(this, args);
      },
    ]),
  ),
);
