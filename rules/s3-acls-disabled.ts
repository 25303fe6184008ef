import { bucketPart } from "./helpers/s3";
import { requireThat, type Rule } from "./rule";

export const s3AclsDisabled = {
  id: "s3-acls-disabled",
  fsbp: ["S3.12"],
  checkov: ["CKV2_AWS_65"],
  resourceTypes: ["aws_s3_bucket"],
  reason: "With ACLs enabled, objects can be owned and shared by other accounts outside the bucket policy.",
  fix: "Set the bucket's ownership controls to BucketOwnerEnforced.",
  check: (bucket, stack) => {
    const controls = bucketPart(stack, bucket, "aws_s3_bucket_ownership_controls");
    const enforced = controls.some((c) =>
      [c.block.rule].flat().some((r) => r?.object_ownership === "BucketOwnerEnforced"),
    );
    return requireThat(enforced, "object ownership is not BucketOwnerEnforced");
  },
} as const satisfies Rule;
