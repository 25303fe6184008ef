import { requireThat, type Rule } from "./rule";

export const ecrLifecycle = {
  id: "ecr-lifecycle",
  fsbp: ["ECR.3"],
  checkov: [],
  resourceTypes: ["aws_ecr_repository"],
  reason: "Without a lifecycle policy old images pile up, and with them their unpatched vulnerabilities.",
  fix: "Add an aws_ecr_lifecycle_policy that expires untagged and old images.",
  check: (repo, stack) =>
    requireThat(
      stack.referring("aws_ecr_lifecycle_policy", "repository", repo).length > 0,
      "no lifecycle policy",
    ),
} as const satisfies Rule;
