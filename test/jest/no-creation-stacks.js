// Runs before anything else in each test file (jest.config.js `setupFiles`): the tests synthesize as `npm run synth`
// does, without cdktf's token creation stacks (see scripts/lib/creation-stacks.js). It runs before cdktf loads,
// because cdktf makes tokens while its own modules load, and each recorded stack costs a source-map lookup here.
"use strict";

require("../../scripts/lib/creation-stacks").skipCreationStacks();
