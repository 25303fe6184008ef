import type * as Cdktf from "cdktf";
import type * as CreationStacks from "../scripts/lib/creation-stacks";

/** A fresh cdktf (its own module registry, untouched by test/setup.ts), with creation stacks set up from `env`. */
function freshCdktf(env: NodeJS.ProcessEnv): { cdktf: typeof Cdktf; skipped: boolean } {
  let result: { cdktf: typeof Cdktf; skipped: boolean } | undefined;
  jest.isolateModules(() => {
    const { skipCreationStacks } = jest.requireActual<typeof CreationStacks>(
      "../scripts/lib/creation-stacks",
    );
    const skipped = skipCreationStacks(env);
    result = { cdktf: jest.requireActual<typeof Cdktf>("cdktf"), skipped };
  });
  return result!;
}

/** Synthesizes an output whose value fails to resolve, and returns the error's message. */
function resolutionError(cdktf: typeof Cdktf): string {
  const failing = cdktf.Lazy.stringValue({
    produce: () => {
      throw new Error("the value is not known yet");
    },
  });
  try {
    cdktf.Testing.synthScope((scope) => new cdktf.TerraformOutput(scope, "out", { value: failing }));
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("the synth did not fail");
}

describe("token creation stacks (scripts/lib/creation-stacks.js)", () => {
  it("records no creation stack by default, and a resolution error says how to get one", () => {
    const { cdktf, skipped } = freshCdktf({});
    expect(skipped).toBe(true);
    const token = cdktf.Tokenization.reverseString(
      cdktf.Lazy.stringValue({ produce: () => "x" }),
    ).firstToken!;
    expect(token.creationStack.join("\n")).not.toContain("creation-stacks.test.ts");
    const message = resolutionError(cdktf);
    expect(message).toContain("the value is not known yet");
    expect(message).toContain("CDKTF_CREATION_STACKS=1");
  });

  it("records where each token was made when CDKTF_CREATION_STACKS=1", () => {
    const { cdktf, skipped } = freshCdktf({ CDKTF_CREATION_STACKS: "1" });
    expect(skipped).toBe(false);
    const token = cdktf.Tokenization.reverseString(
      cdktf.Lazy.stringValue({ produce: () => "x" }),
    ).firstToken!;
    expect(token.creationStack.join("\n")).toContain("creation-stacks.test.ts");
    expect(resolutionError(cdktf)).toContain("creation-stacks.test.ts");
  });
});
