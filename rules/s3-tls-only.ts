import { bucketPolicies } from "./helpers/s3";
import { conditionValues, statementsOf } from "./iam/policy";
import { requireThat, type Rule } from "./rule";

export const s3TlsOnly = {
  id: "s3-tls-only",
  fsbp: ["S3.5"],
  checkov: [],
  resourceTypes: ["aws_s3_bucket"],
  reason: "Without a deny on aws:SecureTransport false, objects can be read and written over plain HTTP.",
  fix: "Add a Deny statement for every principal when aws:SecureTransport is false (PrivateBucket does).",
  check: (bucket, stack) => {
    const denies = bucketPolicies(stack, bucket)
      .flatMap((p) => statementsOf(p))
      .some(
        (s) =>
          s.effect === "Deny" &&
          (s.actions.includes("s3:*") || s.actions.includes("*")) &&
          (conditionValues(s, "Bool", "aws:SecureTransport") ?? []).includes("false"),
      );
    return requireThat(denies, "the bucket policy does not deny requests without TLS");
  },
} as const satisfies Rule;
