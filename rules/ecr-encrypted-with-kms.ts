import { requireThat, type Rule } from "./rule";

export const ecrEncryptedWithKms = {
  id: "ecr-encrypted-with-kms",
  fsbp: [],
  checkov: ["CKV_AWS_136"],
  resourceTypes: ["aws_ecr_repository"],
  reason: "Images hold the app's code and dependencies; a customer-managed key decides who can read them.",
  fix: 'Set encryption_configuration to encryption_type "KMS" with a customer-managed key.',
  check: (repo) =>
    requireThat(
      [repo.block.encryption_configuration]
        .flat()
        .some((c) => c?.encryption_type === "KMS" && Boolean(c?.kms_key)),
      "the repository is not encrypted with a customer-managed key",
    ),
} as const satisfies Rule;
