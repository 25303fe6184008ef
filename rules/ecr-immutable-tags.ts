import { requireThat, type Rule } from "./rule";

export const ecrImmutableTags = {
  id: "ecr-immutable-tags",
  fsbp: ["ECR.2"],
  checkov: ["CKV_AWS_51"],
  resourceTypes: ["aws_ecr_repository"],
  reason:
    "A mutable tag can be pointed at another image: a deploy or a rollback would run something unreviewed.",
  fix: 'Set image_tag_mutability = "IMMUTABLE".',
  check: (repo) => requireThat(repo.block.image_tag_mutability === "IMMUTABLE", "image tags are mutable"),
} as const satisfies Rule;
