import { requireThat, type Rule } from "./rule";

export const kmsKeyRotation = {
  id: "kms-key-rotation",
  fsbp: ["KMS.4"],
  checkov: ["CKV_AWS_7"],
  resourceTypes: ["aws_kms_key"],
  reason: "Rotating key material yearly limits what one compromised key version can decrypt.",
  fix: "Set enable_key_rotation = true.",
  check: (key) => requireThat(key.block.enable_key_rotation === true, "key rotation is off"),
} as const satisfies Rule;
