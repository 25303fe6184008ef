import type { Case, FamilyRuleId } from "./harness";

export const logsCases: Record<FamilyRuleId<"logs">, Case> = {
  "logs-encrypted-with-kms": {
    breaks: [
      {
        what: "the app's log group uses the service's default encryption",
        at: "task/logs",
        apply: (s) => delete s.block("task/logs").kms_key_id,
      },
    ],
  },
  "logs-kept-a-year": {
    breaks: [
      {
        what: "production keeps the app's logs 30 days",
        at: "task/logs",
        apply: (s) => (s.block("task/logs").retention_in_days = 30),
      },
      {
        what: "production keeps flow logs forever by leaving retention unset",
        at: "network/flow-logs",
        apply: (s) => delete s.block("network/flow-logs").retention_in_days,
      },
    ],
  },
  "logs-archived": {
    breaks: [
      {
        what: "the app's log group loses its subscription filter",
        at: "task/logs",
        apply: (s) => s.remove("log-archive/task/subscription"),
      },
      {
        what: "the archive's stream writes nowhere in the stack, so the flow logs' filter archives nothing",
        at: "network/flow-logs",
        apply: (s) =>
          (s.block("log-archive/stream").extended_s3_configuration.bucket_arn =
            "arn:aws:s3:::somebody-elses-bucket"),
      },
    ],
  },
  "firehose-encrypted": {
    breaks: [
      {
        what: "the archive's delivery stream buffers without encryption",
        at: "log-archive/stream",
        apply: (s) => delete s.block("log-archive/stream").server_side_encryption,
      },
      {
        what: "the archive's delivery stream writes objects without the logs key",
        at: "log-archive/stream",
        apply: (s) => delete s.block("log-archive/stream").extended_s3_configuration.kms_key_arn,
      },
    ],
  },
};
