import { requireThat, type Rule } from "./rule";

export const rdsEncrypted = {
  id: "rds-encrypted",
  fsbp: ["RDS.3"],
  checkov: ["CKV_AWS_16"],
  resourceTypes: ["aws_db_instance"],
  reason: "An unencrypted database leaves its data, backups and snapshots readable on the storage.",
  fix: "Set storage_encrypted = true (it cannot be changed in place: restore from an encrypted snapshot copy).",
  check: (db) => requireThat(db.block.storage_encrypted === true, "storage_encrypted is not true"),
} as const satisfies Rule;
