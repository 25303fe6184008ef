import { bucketPart } from "./helpers/s3";
import { requireThat, type Rule } from "./rule";

export const s3Lifecycle = {
  id: "s3-lifecycle",
  fsbp: ["S3.13"],
  checkov: ["CKV2_AWS_61", "CKV_AWS_300"],
  resourceTypes: ["aws_s3_bucket"],
  reason: "Without lifecycle rules, objects and abandoned multipart uploads are kept, and paid for, forever.",
  fix: "Add an aws_s3_bucket_lifecycle_configuration that expires objects and aborts incomplete multipart uploads.",
  check: (bucket, stack) => {
    const rules = bucketPart(stack, bucket, "aws_s3_bucket_lifecycle_configuration")
      .flatMap((l) => [l.block.rule].flat())
      .filter((r) => r?.status === "Enabled");
    const expires = rules.some((r) => r.expiration?.some?.((e: { days?: number }) => e.days !== undefined));
    const aborts = rules.some((r) => r.abort_incomplete_multipart_upload?.length > 0);
    const missing = [expires ? "" : "expire objects", aborts ? "" : "abort incomplete multipart uploads"];
    return requireThat(
      expires && aborts,
      `no enabled lifecycle rule to ${missing.filter(Boolean).join(" or ")}`,
    );
  },
} as const satisfies Rule;
