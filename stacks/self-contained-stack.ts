/**
 * A stack that takes nothing from another stack's state. cdktf resolves every element of every stack twice at
 * synth: once in `prepareStack`, only to find values taken from another stack (which it turns into an output there
 * and a `terraform_remote_state` here), and once to write. The project's stacks share no value (the GitHub stack
 * builds role ARNs from account ids and the naming rule, each AWS stack stands alone: docs/development.md), so that
 * first pass was a sixth of the synth for nothing. These stacks skip it; `checkReferences` (stacks/references.ts),
 * which every synth runs, fails naming the value if one ever does take an element of another stack.
 */
import { TerraformStack } from "cdktf";

export abstract class SelfContainedStack extends TerraformStack {
  /** What cdktf's prepareStack does, less the resolution pass that looks for values of other stacks. */
  public override prepareStack(): void {
    this.ensureBackendExists();
  }
}
