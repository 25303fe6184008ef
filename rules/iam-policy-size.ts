import { notApplicable, requireThat, type Rule } from "./rule";

/** IAM's limits, in characters without whitespace (IAM and STS quotas). */
const MANAGED_MAX = 6144;
const INLINE_PER_ROLE_MAX = 10240;
const size = (document: unknown) => String(document ?? "").replace(/\s/g, "").length;

export const iamPolicySize = {
  id: "iam-policy-size",
  fsbp: [],
  checkov: [],
  resourceTypes: ["aws_iam_role", "aws_iam_policy"],
  reason:
    "IAM refuses a managed policy over 6144 characters and a role's inline policies over 10240 together: the apply fails halfway.",
  fix: "Split the statements into managed policies attached to the role (packStatements in constructs/iam.ts).",
  check: (resource, stack) => {
    if (resource.type === "aws_iam_policy") {
      const chars = size(resource.block.policy);
      return requireThat(
        chars <= MANAGED_MAX,
        `the managed policy has ${chars} characters; IAM allows ${MANAGED_MAX}`,
      );
    }
    const inline = stack.referring("aws_iam_role_policy", "role", resource);
    if (inline.length === 0) return notApplicable("no inline policy");
    const chars = inline.reduce((sum, p) => sum + size(p.block.policy), 0);
    return requireThat(
      chars <= INLINE_PER_ROLE_MAX,
      `the role's inline policies have ${chars} characters together; IAM allows ${INLINE_PER_ROLE_MAX}`,
    );
  },
} as const satisfies Rule;
