import { bucketPart } from "./helpers/s3";
import { requireThat, type Rule } from "./rule";

export const s3AccessLogging = {
  id: "s3-access-logging",
  fsbp: ["S3.9"],
  checkov: ["CKV_AWS_18"],
  resourceTypes: ["aws_s3_bucket"],
  reason: "Server access logs say who read or wrote which object, which an incident investigation needs.",
  fix: "Add an aws_s3_bucket_logging that delivers to the environment's log bucket.",
  check: (bucket, stack) =>
    requireThat(
      bucketPart(stack, bucket, "aws_s3_bucket_logging").some((l) => Boolean(l.block.target_bucket)),
      "server access logging is not configured",
    ),
} as const satisfies Rule;
