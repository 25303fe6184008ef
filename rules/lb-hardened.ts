import { requireThat, type Rule } from "./rule";

export const lbHardened = {
  id: "lb-hardened",
  fsbp: ["ELB.4", "ELB.5", "ELB.6"],
  checkov: ["CKV_AWS_131", "CKV_AWS_91", "CKV_AWS_150"],
  resourceTypes: ["aws_lb"],
  reason:
    "Invalid headers smuggle requests past the app; without access logs no request can be traced; one destroy deletes it.",
  fix: "Set drop_invalid_header_fields, access_logs.enabled and enable_deletion_protection to true.",
  check: (lb) => {
    const problems = [
      lb.block.drop_invalid_header_fields === true ? "" : "invalid header fields are not dropped",
      [lb.block.access_logs].flat()[0]?.enabled === true ? "" : "access logs are off",
      lb.block.enable_deletion_protection === true ? "" : "deletion protection is off",
    ].filter(Boolean);
    return requireThat(problems.length === 0, problems.join("; "));
  },
} as const satisfies Rule;
