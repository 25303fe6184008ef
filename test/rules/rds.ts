import type { Case, FamilyRuleId } from "./harness";

const DB = "database/postgres";
/** Sets one attribute of the database instance. */
const set = (attribute: string, value: unknown, what: string): Case => ({
  breaks: [{ what, at: DB, apply: (s) => (s.block(DB)[attribute] = value) }],
});

export const rdsCases: Record<FamilyRuleId<"rds">, Case> = {
  "rds-encrypted": set("storage_encrypted", false, "storage is not encrypted"),
  "rds-not-public": set("publicly_accessible", true, "the instance is publicly accessible"),
  "rds-multi-az": set("multi_az", false, "the instance lives in one AZ"),
  "rds-iam-authentication": set("iam_database_authentication_enabled", false, "IAM authentication is off"),
  "rds-deletion-protection": set("deletion_protection", false, "deletion protection is off"),
  "rds-backups": set("backup_retention_period", 3, "backups are kept 3 days"),
  "rds-log-exports": set(
    "enabled_cloudwatch_logs_exports",
    ["upgrade"],
    "the postgresql log is not exported",
  ),
  "rds-minor-upgrades": set("auto_minor_version_upgrade", false, "minor upgrades are off"),
  "rds-copy-tags": set("copy_tags_to_snapshot", false, "snapshots lose the tags"),
  "rds-performance-insights": {
    breaks: [
      {
        what: "Performance Insights is encrypted with the AWS-managed key",
        at: DB,
        apply: (s) => delete s.block(DB).performance_insights_kms_key_id,
      },
      {
        what: "Performance Insights is off",
        at: DB,
        apply: (s) => (s.block(DB).performance_insights_enabled = false),
      },
    ],
  },
  "rds-enhanced-monitoring": set("monitoring_interval", 0, "Enhanced Monitoring is off"),
};
