import { S3Backend, type TerraformStack } from "cdktf";
import type { BackendSettings } from "../config/backend";

/** State object key of a stack: `<keyPrefix><stackName>.tfstate` (its lock file adds `.tflock`). */
export function stateKey(backend: BackendSettings, stackName: string): string {
  return `${backend.keyPrefix}${stackName}.tfstate`;
}

/**
 * Keeps a stack's state in the shared S3 backend under its own key, with S3-native locking. With an emulator
 * endpoint, the state goes to the emulator instead (path-style, its documented test credentials).
 */
export function useS3Backend(
  stack: TerraformStack,
  backend: BackendSettings,
  stackName: string,
  emulatorEndpoint?: string,
): void {
  new S3Backend(stack, {
    bucket: backend.bucket,
    key: stateKey(backend, stackName),
    region: backend.region,
    encrypt: backend.encrypt,
    ...(emulatorEndpoint
      ? {
          endpoints: { s3: emulatorEndpoint },
          usePathStyle: true,
          skipCredentialsValidation: true,
          skipRequestingAccountId: true,
          skipRegionValidation: true,
          skipMetadataApiCheck: true,
          accessKey: "test",
          secretKey: "test",
        }
      : {}),
  });
  // cdktf 0.21's S3Backend has no typed use_lockfile (Terraform >= 1.10 native S3 locking).
  stack.addOverride("terraform.backend.s3.use_lockfile", backend.useLockfile);
}
