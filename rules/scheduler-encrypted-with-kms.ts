import { requireThat, type Rule } from "./rule";

export const schedulerEncryptedWithKms = {
  id: "scheduler-encrypted-with-kms",
  fsbp: [],
  checkov: ["CKV_AWS_297"],
  resourceTypes: ["aws_scheduler_schedule"],
  reason:
    "A schedule's target input (the command, the network) is stored by the scheduler; a customer key protects it.",
  fix: "Set kms_key_arn to a customer-managed key the scheduler may use.",
  check: (schedule) => requireThat(Boolean(schedule.block.kms_key_arn), "the schedule uses an AWS-owned key"),
} as const satisfies Rule;
