import type { Element, StackView } from "../stack-view";

/** The configuration resources S3 keeps beside a bucket, each found by its reference to the bucket. */
export function bucketPart(stack: StackView, bucket: Element, type: string): Element[] {
  return stack.referring(type, "bucket", bucket);
}

/** The policy documents of a bucket (its aws_s3_bucket_policy resources). */
export function bucketPolicies(stack: StackView, bucket: Element): string[] {
  return bucketPart(stack, bucket, "aws_s3_bucket_policy").map((p) => String(p.block.policy ?? ""));
}
