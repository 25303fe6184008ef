import { bucketPolicies } from "./helpers/s3";
import { anyonePrincipal, isConditional, statementsOf } from "./iam/policy";
import { requireThat, type Rule } from "./rule";

export const s3PolicyNotPublic = {
  id: "s3-policy-not-public",
  fsbp: ["S3.2", "S3.3"],
  checkov: ["CKV_AWS_70"],
  resourceTypes: ["aws_s3_bucket"],
  reason: "An Allow for every principal without a condition makes the bucket public.",
  fix: "Name the principals in the bucket policy's Allow statements, or add a condition that limits them.",
  check: (bucket, stack) => {
    const open = bucketPolicies(stack, bucket)
      .flatMap((p) => statementsOf(p))
      .filter((s) => s.effect === "Allow" && anyonePrincipal(s) && !isConditional(s));
    return requireThat(
      open.length === 0,
      `the bucket policy allows anyone: ${open.map((s) => s.sid ?? s.actions.join(",")).join("; ")}`,
    );
  },
} as const satisfies Rule;
