import { App } from "cdktf";
import { join } from "node:path";
import { loadBackend } from "./config/backend";
import { loadGithubSettings } from "./config/github";
import { applyLocalOverrides } from "./config/local";
import { loadEnvironments } from "./config/load";
import { foreignSubdomains } from "./config/domains";
import { promotionOf } from "./config/promotion";
import { synthAtomically } from "./config/outdir";
import { projectRoot } from "./config/paths";
import { enforcePolicies, readSynthOutput } from "./rules/check";
import { AppStack } from "./stacks/app-stack";
import { checkEnvironmentBudgets } from "./stacks/budgets";
import { GithubStack } from "./stacks/github-stack";
import { appStackName, GITHUB_STACK } from "./stacks/names";
import { checkReferences } from "./stacks/references";
import { validateConstructs } from "./stacks/validate";

function main(): void {
  const root = projectRoot();
  // Every settings file is validated before any construct is built: a broken file writes nothing.
  const backend = loadBackend(join(root, "backend.tf.json"));
  const github = loadGithubSettings(join(root, "config", "github.json"));
  const environments = loadEnvironments(join(root, "environments")).map((env) =>
    applyLocalOverrides(env, process.env),
  );
  // The cdktf CLI passes its output folder in CDKTF_OUTDIR; `npm run synth` uses the default.
  synthAtomically(process.env.CDKTF_OUTDIR ?? join(root, "cdktf.out"), (outdir) => {
    // cdktf's own validation pass spawns Terraform once per stack: validateConstructs says why it is skipped.
    const app = new App({ outdir, stackTraces: false, skipValidation: true });
    for (const env of environments) {
      const promotion = promotionOf(env, environments);
      const subdomains = foreignSubdomains(env, environments);
      new AppStack(app, appStackName(env.name), {
        env,
        backend,
        github,
        promotion,
        foreignSubdomains: subdomains,
      });
    }
    const deployedByGithub = environments.filter((env) => env.githubActions);
    new GithubStack(app, GITHUB_STACK, { settings: github, backend, environments: deployedByGithub });
    validateConstructs(app);
    app.synth();
    const stacks = readSynthOutput(outdir);
    // The stacks take nothing from each other (stacks/self-contained-stack.ts): each refers only to its own.
    checkReferences(stacks);
    // Every stack must pass the policy rules (rules/), or the synth fails and nothing is written.
    enforcePolicies(stacks);
    // The budget follows the estimate: refused below it unless accepted (stacks/budgets.ts).
    const { warnings, refusals } = checkEnvironmentBudgets(environments, stacks);
    for (const warning of warnings) console.warn(`synth warning: ${warning}`);
    if (refusals.length > 0) throw new Error(refusals.join("\n"));
  });
}

try {
  main();
} catch (err) {
  // A configuration mistake deserves its message, not a stack trace.
  console.error(`synth failed, nothing was written:\n${(err as Error).message}`);
  process.exit(1);
}
