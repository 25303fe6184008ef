import { App } from "cdktf";
import { join } from "node:path";
import { loadBackend } from "./config/backend";
import { loadGithubSettings } from "./config/github";
import { applyLocalOverrides } from "./config/local";
import { loadEnvironments } from "./config/load";
import { synthAtomically } from "./config/outdir";
import { projectRoot } from "./config/paths";
import { AppStack, appStackName } from "./constructs/app-stack";
import { GITHUB_STACK, GithubStack } from "./constructs/github-stack";

function main(): void {
  const root = projectRoot();
  // Every environment file is validated before any construct is built: a broken file writes nothing.
  const backend = loadBackend(join(root, "backend.tf.json"));
  const github = loadGithubSettings(join(root, "config", "github.json"));
  const environments = loadEnvironments(join(root, "environments")).map((env) =>
    applyLocalOverrides(env, process.env),
  );
  // The cdktf CLI passes its output folder in CDKTF_OUTDIR; `npm run synth` uses the default.
  synthAtomically(process.env.CDKTF_OUTDIR ?? join(root, "cdktf.out"), (outdir) => {
    const app = new App({ outdir, stackTraces: false });
    for (const env of environments) {
      new AppStack(app, appStackName(env.name), { env, backend, github });
    }
    // The emulator environment is not deployed from GitHub Actions.
    const deployed = environments.filter((env) => env.emulator === undefined);
    new GithubStack(app, GITHUB_STACK, { settings: github, backend, environments: deployed });
    app.synth();
  });
}

try {
  main();
} catch (err) {
  // A configuration mistake deserves its message, not a stack trace.
  console.error(`synth failed, nothing was written:\n${(err as Error).message}`);
  process.exit(1);
}
