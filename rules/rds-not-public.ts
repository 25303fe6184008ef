import { requireThat, type Rule } from "./rule";

export const rdsNotPublic = {
  id: "rds-not-public",
  fsbp: ["RDS.2"],
  checkov: ["CKV_AWS_17"],
  resourceTypes: ["aws_db_instance"],
  reason: "A publicly accessible database gets a public address: one security group mistake exposes it.",
  fix: "Set publicly_accessible = false and keep the instance in isolated subnets.",
  check: (db) => requireThat(db.block.publicly_accessible === false, "publicly_accessible is not false"),
} as const satisfies Rule;
