/**
 * The validations cdktf runs at synth, run once before it instead. cdktf's own pass adds to each stack with a
 * `moved` block a check that the Terraform of the machine that synthesizes is 1.5 or newer, and runs it by
 * spawning `terraform version` once per stack: a sixth of the synth's time, for a check the stacks already make
 * stronger and where it matters. Every stack declares `required_version >= 1.10.0` (constructs/state-backend.ts),
 * which the Terraform that plans and applies enforces, and the local deploy checks it first (scripts/lib/terraform.ts).
 * So the App skips cdktf's pass (`skipValidation`), and this runs every other validation of every construct,
 * cdktf's included (a resource without its provider, an import block, the terraform_data resource).
 */
import type { App } from "cdktf";

/** Runs the validations of every construct in the app; throws one Error naming each problem and its construct. */
export function validateConstructs(app: App): void {
  const problems = app.node
    .findAll()
    .flatMap((construct) =>
      construct.node.validate().map((problem) => `[${construct.node.path}] ${problem}`),
    );
  if (problems.length > 0) {
    throw new Error(`the stacks do not pass cdktf's validations:\n  ${problems.join("\n  ")}`);
  }
}
