import { requireThat, type Rule } from "./rule";

export const rdsDeletionProtection = {
  id: "rds-deletion-protection",
  fsbp: ["RDS.8"],
  checkov: ["CKV_AWS_293"],
  resourceTypes: ["aws_db_instance"],
  reason: "Without deletion protection one mistaken destroy or API call deletes the database.",
  fix: "Set database.deletionProtection in the environment file (deletion_protection = true).",
  check: (db) => requireThat(db.block.deletion_protection === true, "deletion_protection is not true"),
} as const satisfies Rule;
