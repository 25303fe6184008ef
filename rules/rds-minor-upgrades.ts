import { requireThat, type Rule } from "./rule";

export const rdsMinorUpgrades = {
  id: "rds-minor-upgrades",
  fsbp: ["RDS.13"],
  checkov: ["CKV_AWS_226"],
  resourceTypes: ["aws_db_instance"],
  reason:
    "Minor versions carry security fixes; applying them in the maintenance window keeps the engine patched.",
  fix: "Set auto_minor_version_upgrade = true.",
  check: (db) =>
    requireThat(db.block.auto_minor_version_upgrade === true, "auto_minor_version_upgrade is not true"),
} as const satisfies Rule;
