/**
 * The environments CI plans, as JSON on standard output: every environments/*.json with `githubActions` (exactly
 * the environments main.ts hands the GitHub stack), each with its stack and the names of the repository variables
 * stacks/github-stack.ts sets for its plan role and region. The pull-request, drift and fork-plan workflows build
 * their job matrix from it, and the plan report (run from the base branch) knows from it which plans must exist.
 *
 *   npx tsx scripts/ci/environments.ts [<environments dir>]
 */
import { join } from "node:path";
import { loadEnvironments } from "../../config/load";
import { perEnvironment } from "../../stacks/github-stack";
import { appStackName } from "../../stacks/names";

export interface PlannedEnvironment {
  /** Environment name, e.g. `staging`. */
  readonly name: string;
  /** Its AWS stack: the folder under cdktf.out/stacks and the plan files' name. */
  readonly stack: string;
  /** AWS account the stack's provider allows: the plan's credentials must be of it. */
  readonly account: string;
  /** Repository variable holding the plan role's ARN, e.g. `AWS_PLAN_ROLE_ARN_STAGING`. */
  readonly roleVariable: string;
  /** Repository variable holding the region, e.g. `AWS_REGION_STAGING`. */
  readonly regionVariable: string;
}

export function plannedEnvironments(dir: string): PlannedEnvironment[] {
  return loadEnvironments(dir)
    .filter((env) => env.githubActions)
    .map(({ name, account }) => ({
      name,
      stack: appStackName(name),
      account,
      roleVariable: perEnvironment("AWS_PLAN_ROLE_ARN", name),
      regionVariable: perEnvironment("AWS_REGION", name),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

if (require.main === module) {
  const dir = process.argv[2] ?? join(__dirname, "..", "..", "environments");
  const planned = plannedEnvironments(dir);
  if (planned.length === 0) {
    console.error(`No environments to plan: no ${dir}/*.json has githubActions`);
    process.exit(1);
  }
  console.log(JSON.stringify(planned));
}
