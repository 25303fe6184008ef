import { requireThat, type Rule } from "./rule";

export const secretsEncryptedWithKms = {
  id: "secrets-encrypted-with-kms",
  fsbp: [],
  checkov: ["CKV_AWS_149"],
  resourceTypes: ["aws_secretsmanager_secret"],
  reason:
    "With a customer-managed key, reading a secret also needs the key's permission: two policies, not one.",
  fix: "Set kms_key_id to the environment's secrets key.",
  check: (secret) => requireThat(Boolean(secret.block.kms_key_id), "the secret uses the AWS-managed key"),
} as const satisfies Rule;
