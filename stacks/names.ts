/**
 * Names of the stacks and their state: the one place scripts, tests and workflows get them from.
 */
import type { BackendSettings } from "../config/backend";
import type { Naming } from "../constructs/naming";
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

/** Where an environment keeps its state: its own account and region (bootstrap makes the bucket). */
export interface StateHome {
  readonly account: string;
  readonly region: string;
}

/**
 * The state bucket of an account and region: backend.tf.json's bucket name, then the account and the region,
 * e.g. `myamazingapp-terraform-state-111111111111-us-west-2`. One bucket per account and region: no account
 * reads another's state, and moving the app to another account or region starts with its own bucket
 * (docs/day-one.md says why).
 */
export function stateBucketName(backend: BackendSettings, home: StateHome): string {
  return `${backend.bucket}-${home.account}-${home.region}`;
}

/**
 * Where a stack keeps its state, under the stack's own key, in the state bucket of an account and region that
 * `npm run bootstrap` makes: an environment's stack in its own; the GitHub stack (no AWS account of its own) in
 * production's (stacks/github-stack.ts).
 */
export function stateBackend(
  backend: BackendSettings,
  stackName: string,
  home: StateHome,
  emulatorEndpoint?: string,
): S3StateBackendProps {
  return {
    bucket: stateBucketName(backend, home),
    key: stateKey(backend.keyPrefix, stackName),
    region: home.region,
    encrypt: backend.encrypt,
    useLockfile: backend.useLockfile,
    emulatorEndpoint,
    ...(emulatorEndpoint ? { emulatorAccount: home.account } : {}),
  };
}

/**
 * The names an operator's tools look up in an environment (scripts/ops). The stack names these resources
 * with the same functions, so the tools cannot drift from what was deployed.
 */
export function operatorNames(naming: Naming) {
  return {
    cluster: naming.name(""),
    service: naming.name("web"),
    taskFamily: naming.name("web"),
    repository: naming.name("web"),
    database: naming.name("db"),
    /** Secrets Manager name of an external-service secret: `<app>/<env>/<NAME>`. */
    secret: (name: string) => `${naming.application}/${naming.environment}/${name}`,
    imageParameter: naming.path("image"),
    /** The SSM parameter a release or rollback holds while it runs (constructs/delivery/release.sh). */
    releaseLockParameter: naming.path("release-lock"),
    weeklyRunsLogGroup: naming.path("weekly-stats-runs"),
  };
}
