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
import { emulatorCertificate } from "./emulator-certificate";
import { PROJECT_ROOT } from "./terraform";

export interface AwsClientConfig {
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  readonly forcePathStyle?: boolean;
  readonly maxAttempts?: number;
  readonly requestHandler?: NodeHttpHandler;
}

/** Client settings for the emulator on a port of this machine. */
export function emulatorClientConfig(
  port: number,
  region: string,
  projectRoot = PROJECT_ROOT,
): AwsClientConfig {
  return {
    region,
    endpoint: `https://127.0.0.1:${port}`,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    forcePathStyle: true,
    maxAttempts: 2,
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
  if (emulator) return emulatorClientConfig(endpointPort(emulator.endpoint), env.region);
  return { region: env.region };
}
