import { requireThat, type Rule } from "./rule";

export const snsEncryptedWithKms = {
  id: "sns-encrypted-with-kms",
  fsbp: ["SNS.1"],
  checkov: ["CKV_AWS_26"],
  resourceTypes: ["aws_sns_topic"],
  reason:
    "Alarm messages name resources and errors; they should be encrypted at rest with a key the publishers may use.",
  fix: "Set kms_master_key_id to a customer-managed key that lets CloudWatch and EventBridge encrypt.",
  check: (topic) =>
    requireThat(Boolean(topic.block.kms_master_key_id), "the topic is not encrypted with KMS"),
} as const satisfies Rule;
