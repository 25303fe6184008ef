import { bucketPart } from "./helpers/s3";
import { requireThat, type Rule } from "./rule";

export const s3Versioning = {
  id: "s3-versioning",
  fsbp: ["S3.14"],
  checkov: ["CKV_AWS_21"],
  resourceTypes: ["aws_s3_bucket"],
  reason: "Versioning keeps an overwritten or deleted object recoverable.",
  fix: "Add an aws_s3_bucket_versioning with status Enabled, and expire noncurrent versions in the lifecycle.",
  check: (bucket, stack) => {
    const enabled = bucketPart(stack, bucket, "aws_s3_bucket_versioning").some((v) =>
      [v.block.versioning_configuration].flat().some((c) => c?.status === "Enabled"),
    );
    return requireThat(enabled, "versioning is not enabled");
  },
} as const satisfies Rule;
