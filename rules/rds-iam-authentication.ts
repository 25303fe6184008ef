import { requireThat, type Rule } from "./rule";

export const rdsIamAuthentication = {
  id: "rds-iam-authentication",
  fsbp: ["RDS.10"],
  checkov: ["CKV_AWS_161"],
  resourceTypes: ["aws_db_instance"],
  reason: "IAM authentication lets roles connect with short-lived tokens instead of a long-lived password.",
  fix: "Set iam_database_authentication_enabled = true.",
  check: (db) =>
    requireThat(db.block.iam_database_authentication_enabled === true, "IAM database authentication is off"),
} as const satisfies Rule;
