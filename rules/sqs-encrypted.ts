import { requireThat, type Rule } from "./rule";

export const sqsEncrypted = {
  id: "sqs-encrypted",
  fsbp: ["SQS.1"],
  checkov: ["CKV_AWS_27"],
  resourceTypes: ["aws_sqs_queue"],
  reason: "Messages at rest should be encrypted.",
  fix: "Set sqs_managed_sse_enabled = true, or kms_master_key_id.",
  check: (queue) =>
    requireThat(
      queue.block.sqs_managed_sse_enabled === true || Boolean(queue.block.kms_master_key_id),
      "the queue is not encrypted",
    ),
} as const satisfies Rule;
