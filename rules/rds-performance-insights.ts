import { requireThat, type Rule } from "./rule";

export const rdsPerformanceInsights = {
  id: "rds-performance-insights",
  fsbp: [],
  checkov: ["CKV_AWS_353", "CKV_AWS_354"],
  resourceTypes: ["aws_db_instance"],
  reason:
    "Performance Insights shows which queries load the database; its data holds query text, so a customer key encrypts it.",
  fix: "Set performance_insights_enabled = true with performance_insights_kms_key_id a customer-managed key.",
  check: (db) =>
    requireThat(
      db.block.performance_insights_enabled === true && Boolean(db.block.performance_insights_kms_key_id),
      "Performance Insights is off, or not encrypted with a customer-managed key",
    ),
} as const satisfies Rule;
