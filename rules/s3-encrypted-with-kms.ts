import { bucketPart } from "./helpers/s3";
import { requireThat, type Rule } from "./rule";

export const s3EncryptedWithKms = {
  id: "s3-encrypted-with-kms",
  fsbp: ["S3.17"],
  checkov: ["CKV_AWS_19", "CKV_AWS_145"],
  resourceTypes: ["aws_s3_bucket"],
  reason: "Objects encrypted with a customer-managed key can only be read by whom the key's policy allows.",
  fix: "Default-encrypt the bucket with aws:kms and a customer-managed key (PrivateBucket's encryptionKey).",
  check: (bucket, stack) => {
    const rules = bucketPart(stack, bucket, "aws_s3_bucket_server_side_encryption_configuration").flatMap(
      (c) => [c.block.rule].flat(),
    );
    const kms = rules.some((r) => {
      const d = r?.apply_server_side_encryption_by_default;
      return ["aws:kms", "aws:kms:dsse"].includes(d?.sse_algorithm) && Boolean(d?.kms_master_key_id);
    });
    return requireThat(kms, "default encryption is not aws:kms with a customer-managed key");
  },
} as const satisfies Rule;
