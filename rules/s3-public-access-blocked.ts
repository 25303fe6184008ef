import { bucketPart } from "./helpers/s3";
import { requireThat, type Rule } from "./rule";

const SETTINGS = [
  "block_public_acls",
  "block_public_policy",
  "ignore_public_acls",
  "restrict_public_buckets",
];

export const s3PublicAccessBlocked = {
  id: "s3-public-access-blocked",
  fsbp: ["S3.8"],
  checkov: ["CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56", "CKV2_AWS_6"],
  resourceTypes: ["aws_s3_bucket"],
  reason:
    "A bucket without all four public access blocks can be opened to the internet by one ACL or policy.",
  fix: "Give the bucket an aws_s3_bucket_public_access_block with all four settings true (PrivateBucket does).",
  check: (bucket, stack) => {
    const blocks = bucketPart(stack, bucket, "aws_s3_bucket_public_access_block");
    const complete = blocks.some((b) => SETTINGS.every((s) => b.block[s] === true));
    return requireThat(complete, "no public access block with all four settings true");
  },
} as const satisfies Rule;
