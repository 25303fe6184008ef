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
        what: "the flow logs' filter sends them to a stream that writes nowhere in the stack",
        at: "network/flow-logs",
        apply: (s) =>
          (s.block("log-archive/network-flow-logs/stream").extended_s3_configuration.bucket_arn =
            "arn:aws:s3:::somebody-elses-bucket"),
      },
    ],
  },
  "firehose-encrypted": {
    breaks: [
      {
        what: "the app's delivery stream buffers without encryption",
        at: "log-archive/task/stream",
        apply: (s) => delete s.block("log-archive/task/stream").server_side_encryption,
      },
      {
        what: "the WAF log stream writes objects without the logs key",
        at: "log-archive/web-acl/stream",
        apply: (s) => delete s.block("log-archive/web-acl/stream").extended_s3_configuration.kms_key_arn,
      },
    ],
  },
};
