// cdktf 0.21 records a full stack trace (no depth limit) at the creation of every token, so that an error in
// resolving one can say where it was made. A synth of our stacks makes tens of thousands of tokens and uses none of
// those traces: capturing and formatting them was a third of the synth's CPU time. cdktf 0.21 has no switch for it
// (`stackTraces: false` covers only construct metadata; hashicorp/terraform-cdk#3892), so this does what the AWS CDK
// does by default since 1.80 and what cdktf's fork cdktn offers (CDKTN_DISABLE_CREATION_STACK): no creation stacks
// unless asked for. CDKTF_CREATION_STACKS=1 brings them back for the rare resolution error they would explain; the
// error then says so itself.
"use strict";

const NOT_CAPTURED = Object.freeze([
  "(creation stack not recorded: run again with CDKTF_CREATION_STACKS=1 to see where this value was made)",
]);

const STACK_TRACE = "cdktf/lib/tokens/private/stack-trace";

/**
 * Switches cdktf's token creation stacks off unless CDKTF_CREATION_STACKS=1; returns whether they are off.
 * `stackTrace` is cdktf's stack-trace module to change: by default the one Node loads, or the copy in a bundle.
 */
function skipCreationStacks(env = process.env, stackTrace = undefined) {
  if (env.CDKTF_CREATION_STACKS === "1") return false;
  // Every token class calls the function through this module's exports object, so replacing the export reaches
  // all of them (Intrinsic, Lazy, the computed lists and maps, the dynamic blocks).
  (stackTrace ?? require(STACK_TRACE)).captureStackTrace = () => NOT_CAPTURED;
  return true;
}

/**
 * An esbuild plugin for a bundle that includes cdktf (the synth's): the bundled copy of cdktf's stack-trace module
 * calls skipCreationStacks on itself when it loads. `BUNDLE_PLUGIN_KEY` names what it does, for the bundle's
 * freshness record: change it with the plugin.
 */
const bundlePlugin = {
  name: "creation-stacks",
  setup(build) {
    build.onLoad({ filter: /[\\/]cdktf[\\/]lib[\\/]tokens[\\/]private[\\/]stack-trace\.js$/ }, (args) => ({
      contents:
        `${require("node:fs").readFileSync(args.path, "utf8")}\n` +
        `require(${JSON.stringify(__filename)}).skipCreationStacks(process.env, exports);\n`,
      loader: "js",
    }));
  },
};
const BUNDLE_PLUGIN_KEY =
  "creation-stacks 1: skipCreationStacks(process.env, exports) in cdktf's stack-trace";

module.exports = { skipCreationStacks, NOT_CAPTURED, bundlePlugin, BUNDLE_PLUGIN_KEY };
