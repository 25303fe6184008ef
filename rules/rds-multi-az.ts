import { requireThat, type Rule } from "./rule";

export const rdsMultiAz = {
  id: "rds-multi-az",
  fsbp: ["RDS.5"],
  checkov: ["CKV_AWS_157"],
  resourceTypes: ["aws_db_instance"],
  reason: "A single-AZ database is down, with the app, whenever its Availability Zone is.",
  fix: "Set multi_az = true.",
  check: (db) => requireThat(db.block.multi_az === true, "multi_az is not true"),
} as const satisfies Rule;
