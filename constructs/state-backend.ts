import { S3Backend, type TerraformStack } from "cdktf";
import { emulatorAccessKey } from "./aws-provider";
import {
  BUCKET_NAME,
  checkOptionalPattern,
  checkPattern,
  EMULATOR_ENDPOINT,
  refuse,
  STATE_KEY,
} from "./limits";

/** The Terraform every stack needs: S3-native state locking (use_lockfile) arrived in 1.10. */
export const REQUIRED_TERRAFORM = ">= 1.10.0";

export interface S3StateBackendProps {
  /** State bucket. */
  readonly bucket: string;
  /** The stack's state object key, ending in `.tfstate` (its lock file adds `.tflock`). */
  readonly key: string;
  /** Region of the state bucket. */
  readonly region: string;
  /** Server-side encryption of the state object. */
  readonly encrypt: boolean;
  /** S3-native state locking (Terraform >= 1.10), so two applies never run at once. */
  readonly useLockfile: boolean;
  /** Keep the state in a local emulator's S3 at this endpoint instead. @default none (real S3) */
  readonly emulatorEndpoint?: string;
  /** The emulator account that holds the state (its access key). @default 123456789012, the emulator's own */
  readonly emulatorAccount?: string;
}

/**
 * Keeps a stack's state in S3 under its own key, with S3-native locking. With an emulator endpoint, the
 * state goes to the emulator instead (path-style, its documented test credentials).
 */
export function useS3Backend(stack: TerraformStack, props: S3StateBackendProps): void {
  refuse("S3Backend", {
    bucket: checkPattern(BUCKET_NAME, props.bucket),
    key: checkPattern(STATE_KEY, props.key),
    emulatorEndpoint: checkOptionalPattern(EMULATOR_ENDPOINT, props.emulatorEndpoint),
  });
  const endpoint = props.emulatorEndpoint;
  new S3Backend(stack, {
    bucket: props.bucket,
    key: props.key,
    region: props.region,
    encrypt: props.encrypt,
    ...(endpoint
      ? {
          endpoints: { s3: endpoint },
          usePathStyle: true,
          skipCredentialsValidation: true,
          skipRequestingAccountId: true,
          skipRegionValidation: true,
          skipMetadataApiCheck: true,
          // The emulator acts in the account the access key names (emulatorAccessKey).
          accessKey: emulatorAccessKey(props.emulatorAccount ?? "123456789012"),
          secretKey: "test",
        }
      : {}),
  });
  // cdktf 0.21's S3Backend has no typed use_lockfile (Terraform >= 1.10 native S3 locking).
  stack.addOverride("terraform.backend.s3.use_lockfile", props.useLockfile);
  // ... which an older Terraform would ignore: every stack states the Terraform it needs.
  stack.addOverride("terraform.required_version", REQUIRED_TERRAFORM);
}
