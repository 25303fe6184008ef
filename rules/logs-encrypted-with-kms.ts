import { requireThat, type Rule } from "./rule";

export const logsEncryptedWithKms = {
  id: "logs-encrypted-with-kms",
  fsbp: [],
  checkov: ["CKV_AWS_158"],
  resourceTypes: ["aws_cloudwatch_log_group"],
  reason: "Logs hold requests, identifiers and errors; a customer-managed key decides who can read them.",
  fix: "Set kms_key_id to the environment's logs key.",
  check: (group) =>
    requireThat(Boolean(group.block.kms_key_id), "the log group is not encrypted with a customer key"),
} as const satisfies Rule;
