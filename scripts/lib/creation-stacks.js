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

/** Switches cdktf's token creation stacks off unless CDKTF_CREATION_STACKS=1; returns whether they are off. */
function skipCreationStacks(env = process.env) {
  if (env.CDKTF_CREATION_STACKS === "1") return false;
  // Every token class calls the function through this module's exports object, so replacing the export reaches
  // all of them (Intrinsic, Lazy, the computed lists and maps, the dynamic blocks).
  require("cdktf/lib/tokens/private/stack-trace").captureStackTrace = () => NOT_CAPTURED;
  return true;
}

module.exports = { skipCreationStacks, NOT_CAPTURED };
