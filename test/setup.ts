import { Testing } from "cdktf";
import { skipCreationStacks } from "../scripts/lib/creation-stacks";

// Registers cdktf's jest matchers (toHaveResource, toHaveResourceWithProperties, toBeValidTerraform, ...).
Testing.setupJest();

// The tests synthesize as `npm run synth` does: without cdktf's token creation stacks (see the module).
skipCreationStacks();
