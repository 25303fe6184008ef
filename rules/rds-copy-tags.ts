import { requireThat, type Rule } from "./rule";

export const rdsCopyTags = {
  id: "rds-copy-tags",
  fsbp: ["RDS.17"],
  checkov: ["CKV2_AWS_60"],
  resourceTypes: ["aws_db_instance"],
  reason:
    "Snapshots without the instance's tags lose their owner and environment, and escape tag-based policies.",
  fix: "Set copy_tags_to_snapshot = true.",
  check: (db) => requireThat(db.block.copy_tags_to_snapshot === true, "copy_tags_to_snapshot is not true"),
} as const satisfies Rule;
