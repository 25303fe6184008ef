import { App } from "cdktf";
import { join } from "node:path";
import { loadBackend } from "./config/backend";
import { applyLocalOverrides } from "./config/local";
import { loadEnvironments } from "./config/load";
import { AppStack, appStackName } from "./constructs/app-stack";

// Every environment file is validated before any construct is built: a broken file writes nothing.
const backend = loadBackend(join(__dirname, "backend.tf.json"));
const environments = loadEnvironments(join(__dirname, "environments")).map((env) =>
  applyLocalOverrides(env, process.env),
);

const app = new App();
for (const env of environments) {
  new AppStack(app, appStackName(env.name), { env, backend });
}
app.synth();
