import { requireThat, type Rule } from "./rule";

export const rdsBackups = {
  id: "rds-backups",
  fsbp: ["RDS.11"],
  checkov: ["CKV_AWS_133"],
  resourceTypes: ["aws_db_instance"],
  reason: "Automated backups kept at least a week are what a point-in-time restore needs.",
  fix: "Set backup_retention_period to 7 days or more (database.backupRetentionDays).",
  check: (db) =>
    requireThat((db.block.backup_retention_period ?? 0) >= 7, "backups are kept less than 7 days"),
} as const satisfies Rule;
