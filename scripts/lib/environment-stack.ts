/**
 * One environment's AWS stack, built in the process as main.ts builds it (its aspects applied, construct paths
 * kept) and synthesized without writing a file: for the tools that read the stack of settings they vary
 * (`npm run cost` and its variants) and for the tests.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { invokeAspects } from "cdktf/lib/synthesize/synthesizer";
import { loadBackend } from "../../config/backend";
import { foreignSubdomains } from "../../config/domains";
import type { EnvironmentConfig } from "../../config/environment";
import { loadGithubSettings } from "../../config/github";
import { promotionOf } from "../../config/promotion";
import { AppStack } from "../../stacks/app-stack";
import { appStackName } from "../../stacks/names";
import { PROJECT_ROOT } from "./terraform";

/**
 * The AWS stack of an environment; `environments` are the ones beside it, for the promotions between them.
 * Nothing is written: the app's output folder is the system's temporary folder, which exists already.
 */
export function buildAppStack(env: EnvironmentConfig, environments: readonly EnvironmentConfig[]): AppStack {
  const backend = loadBackend(join(PROJECT_ROOT, "backend.tf.json"));
  const github = loadGithubSettings(join(PROJECT_ROOT, "config", "github.json"));
  const promotion = promotionOf(env, environments);
  const app = new App({ outdir: tmpdir(), stackTraces: false });
  const stack = new AppStack(app, appStackName(env.name), {
    env,
    backend,
    github,
    promotion,
    foreignSubdomains: foreignSubdomains(env, environments),
  });
  invokeAspects(stack);
  return stack;
}

/** The stack's Terraform JSON, as `npm run synth` writes it to cdk.tf.json. */
export function synthAppStack(
  env: EnvironmentConfig,
  environments: readonly EnvironmentConfig[],
): Record<string, unknown> {
  return JSON.parse(JSON.stringify(buildAppStack(env, environments).toTerraform())) as Record<
    string,
    unknown
  >;
}
