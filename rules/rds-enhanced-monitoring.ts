import { requireThat, type Rule } from "./rule";

export const rdsEnhancedMonitoring = {
  id: "rds-enhanced-monitoring",
  fsbp: ["RDS.6"],
  checkov: ["CKV_AWS_118"],
  resourceTypes: ["aws_db_instance"],
  reason:
    "Enhanced Monitoring shows the operating system's view (memory, processes) that CloudWatch metrics lack.",
  fix: "Set monitoring_interval (60 s) and monitoring_role_arn to a role with AmazonRDSEnhancedMonitoringRole.",
  check: (db) =>
    requireThat(
      (db.block.monitoring_interval ?? 0) > 0 && Boolean(db.block.monitoring_role_arn),
      "Enhanced Monitoring is off",
    ),
} as const satisfies Rule;
