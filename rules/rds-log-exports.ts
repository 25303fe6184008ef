import { requireThat, type Rule } from "./rule";

export const rdsLogExports = {
  id: "rds-log-exports",
  fsbp: ["RDS.9"],
  checkov: ["CKV_AWS_129"],
  resourceTypes: ["aws_db_instance"],
  reason: "Database logs exported to CloudWatch outlive the instance and can be searched and alarmed on.",
  fix: 'Set enabled_cloudwatch_logs_exports to include "postgresql".',
  check: (db) =>
    requireThat(
      (db.block.enabled_cloudwatch_logs_exports ?? []).includes("postgresql"),
      "the postgresql log is not exported to CloudWatch",
    ),
} as const satisfies Rule;
