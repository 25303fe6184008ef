/**
 * `npm run bootstrap -- <environment>`: prepares the environment's AWS account and region for Terraform.
 * Makes the state bucket of that account and region (scripts/lib/state-bucket.ts) and keeps it right; safe
 * to run again, when it changes nothing and says so. For the `local` environment it works on the emulator,
 * which must be running (`npm run deploy:local` runs the bootstrap itself).
 *
 * In AWS it runs with an administrator's credentials of the environment's account (the default credential
 * chain: AWS_PROFILE, SSO, environment variables) and refuses credentials of any other account.
 */
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { loadBackend } from "../config/backend";
import type { EnvironmentConfig } from "../config/environment";
import { stateBucketName } from "../stacks/names";
import { type AwsClientConfig, clientConfigFor, requireAccount } from "./lib/aws";
import { environmentNamed } from "./lib/environments";
import { ensureStateBucket, type Step } from "./lib/state-bucket";
import { PROJECT_ROOT } from "./lib/terraform";

/** The bootstrap's name in the User-Agent of its calls (CloudTrail, the emulator's recorder). */
export const BOOTSTRAP_TOOL = "myamazingapp-bootstrap";

export interface BootstrapResult {
  readonly bucket: string;
  readonly steps: Step[];
}

/**
 * Bootstraps one environment's account and region; returns the bucket and what was done to it. `config`
 * replaces the environment's own client settings (the tests' emulator).
 */
export async function bootstrap(
  env: EnvironmentConfig,
  config: AwsClientConfig = clientConfigFor(env, { tool: BOOTSTRAP_TOOL }),
  projectRoot = PROJECT_ROOT,
): Promise<BootstrapResult> {
  const backend = loadBackend(path.join(projectRoot, "backend.tf.json"));
  const bucket = stateBucketName(backend, env);
  await requireAccount(config, env);
  const steps = await ensureStateBucket(new S3Client(config), { bucket, region: env.region });
  return { bucket, steps };
}

/** One line per part: what changed, or that nothing did. */
export function describeSteps({ bucket, steps }: BootstrapResult): string[] {
  const changed = steps.filter((s) => s.action !== "unchanged");
  return [
    `State bucket s3://${bucket}`,
    ...steps.map((s) => `  ${s.action.padEnd(9)} ${s.part}`),
    changed.length === 0 ? "No changes: the account is bootstrapped." : `${changed.length} change(s) made.`,
  ];
}

async function main(): Promise<void> {
  const name = process.argv[2];
  if (name === "--help" || name === "-h") {
    console.log("usage: npm run bootstrap -- <environment>\nMakes the environment's Terraform state bucket.");
    return;
  }
  const env = environmentNamed(name);
  const result = await bootstrap(env);
  for (const line of describeSteps(result)) console.log(line);
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`bootstrap: ${error.message}`);
    process.exit(1);
  });
}
