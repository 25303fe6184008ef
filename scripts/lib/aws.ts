/**
 * AWS SDK client settings for an environment: its region and the default credential chain in AWS, or the local
 * emulator (its endpoint, its own certificate, its documented test credentials) for an environment with an
 * `emulator` section. The operator's command line, the bootstrap and the end-to-end test share them.
 */
import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { EnvironmentConfig } from "../../config/environment";
import { applyLocalOverrides, endpointPort } from "../../config/local";
import { emulatorAccessKey } from "../../constructs/aws-provider";
import { emulatorCertificate } from "./emulator-certificate";
import { PROJECT_ROOT } from "./terraform";

// On Node 20 the SDK prints, at the first client of every run, that its releases after January 2027 need Node 22.
// The README says which Node versions the project supports; an operator's output is for the operator. This is
// the SDK's documented switch (aws/aws-sdk-js-v3#7983), set before any client exists; a value given is kept.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export interface AwsClientConfig {
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  readonly forcePathStyle?: boolean;
  readonly maxAttempts?: number;
  readonly requestHandler?: NodeHttpHandler;
}

/** The emulator's own account: what it acts in for any other access key. */
export const EMULATOR_ACCOUNT = "123456789012";

/** Client settings for the emulator on a port of this machine, acting in `account`. */
export function emulatorClientConfig(
  port: number,
  region: string,
  projectRoot = PROJECT_ROOT,
  account = EMULATOR_ACCOUNT,
): AwsClientConfig {
  return {
    region,
    endpoint: `https://127.0.0.1:${port}`,
    // The emulator acts in the account its access key names (scripts/emulator/moto_server.py).
    credentials: { accessKeyId: emulatorAccessKey(account), secretAccessKey: "test" },
    forcePathStyle: true,
    maxAttempts: 3, // a lost answer is asked for again, and replayed (scripts/emulator/moto_server.py, 12)
    requestHandler: new NodeHttpHandler({
      httpsAgent: new Agent({ ca: readFileSync(emulatorCertificate(projectRoot).cert) }),
    }),
  };
}

/** Client settings for an environment: the emulator's, or the region's with the default credentials. */
export function clientConfigFor(
  env: EnvironmentConfig,
  vars: NodeJS.ProcessEnv = process.env,
): AwsClientConfig {
  const { emulator } = applyLocalOverrides(env, vars); // LOCAL_AWS_PORT moves the emulator
  if (emulator)
    return emulatorClientConfig(endpointPort(emulator.endpoint), env.region, PROJECT_ROOT, env.account);
  return { region: env.region };
}
