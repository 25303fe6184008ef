/**
 * Names of the stacks and their state: the one place scripts, tests and workflows get them from.
 */
import type { BackendSettings } from "../config/backend";
import type { S3StateBackendProps } from "../constructs/state-backend";

/** Application slug: the first part of every stack and resource name. */
export const APPLICATION = "myamazingapp";

/** Name of an environment's AWS stack (also its state key and its synth folder under cdktf.out/stacks). */
export function appStackName(environment: string): string {
  return `${APPLICATION}-${environment}`;
}

/** Name of the GitHub stack (also its state key). */
export const GITHUB_STACK = `${APPLICATION}-github`;

/** State object key of a stack: `<keyPrefix><stackName>.tfstate` (its lock file adds `.tflock`). */
export function stateKey(keyPrefix: string, stackName: string): string {
  return `${keyPrefix}${stackName}.tfstate`;
}

/** Where a stack keeps its state: backend.tf.json's bucket, under the stack's own key. */
export function stateBackend(
  backend: BackendSettings,
  stackName: string,
  emulatorEndpoint?: string,
): S3StateBackendProps {
  return {
    bucket: backend.bucket,
    key: stateKey(backend.keyPrefix, stackName),
    region: backend.region,
    encrypt: backend.encrypt,
    useLockfile: backend.useLockfile,
    emulatorEndpoint,
  };
}
