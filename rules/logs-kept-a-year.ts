import { requireThat, type Rule } from "./rule";

export const logsKeptAYear = {
  id: "logs-kept-a-year",
  fsbp: [],
  checkov: ["CKV_AWS_66", "CKV_AWS_338"],
  resourceTypes: ["aws_cloudwatch_log_group"],
  reason: "An incident is often found months later; its logs must still be there.",
  fix: "Set retention_in_days to 365 or more (logRetentionDays in the environment file).",
  check: (group) =>
    requireThat(
      (group.block.retention_in_days ?? 0) >= 365,
      `logs are kept ${group.block.retention_in_days ?? "forever, unset"} days`,
    ),
} as const satisfies Rule;
