import { AWS_REGIONS, BUCKET_NAME, type Pattern } from "../constructs/limits";
import { oneOf, text } from "./schema";
import { loadSettings, type SettingsFormat } from "./settings-file";

/** The S3 backend settings of backend.tf.json: one file serves cdktf (here) and plain `terraform`. */
export interface BackendSettings {
  readonly bucket: string;
  readonly region: string;
  readonly encrypt: boolean;
  readonly useLockfile: boolean;
  /** Prefix of every stack's state key; the stack name and `.tfstate` follow. */
  readonly keyPrefix: string;
}

/** A key prefix every stack's state key starts with. */
const KEY_PREFIX: Pattern = {
  pattern: /^[a-z0-9/_-]+\/$/,
  expected: 'a key prefix ending in "/" (each stack appends "<stack>.tfstate"), e.g. myamazingapp/',
};

const object = (properties: Record<string, object>, required: string[]) => ({
  type: "object",
  required,
  properties,
});

/**
 * JSON Schema of backend.tf.json: the parts cdktf relies on. It is Terraform's own file, so other backend
 * settings (a profile, a role to assume) are allowed and passed through by plain Terraform.
 */
export const backendSchema = object(
  {
    terraform: object(
      {
        backend: object(
          {
            s3: object(
              {
                bucket: text(BUCKET_NAME, "State bucket"),
                key: text(KEY_PREFIX, "State key prefix"),
                region: oneOf(AWS_REGIONS, "Region of the state bucket"),
                encrypt: { const: true, description: "state holds resource details" },
                use_lockfile: { const: true, description: "two applies must never run at once" },
              },
              ["bucket", "key", "region", "encrypt", "use_lockfile"],
            ),
          },
          ["s3"],
        ),
      },
      ["backend"],
    ),
  },
  ["terraform"],
);

interface BackendFile {
  terraform: { backend: { s3: { bucket: string; key: string; region: string } } };
}

const BACKEND_FILE: SettingsFormat<BackendFile> = { kind: "backend file", schema: backendSchema };

/** Reads backend.tf.json (`{"terraform": {"backend": {"s3": {...}}}}`) and checks what cdktf relies on. */
export function loadBackend(file: string): BackendSettings {
  const { bucket, key, region } = loadSettings(BACKEND_FILE, file).terraform.backend.s3;
  return { bucket, region, encrypt: true, useLockfile: true, keyPrefix: key };
}
