import { rulesOf, SECURITY_GROUP_RULE_TYPES } from "./helpers/network";
import { requireThat, type Rule } from "./rule";

export const sgRulesDescribed = {
  id: "sg-rules-described",
  fsbp: [],
  checkov: ["CKV_AWS_23"],
  resourceTypes: SECURITY_GROUP_RULE_TYPES,
  reason: "A rule without a description cannot be reviewed: nobody knows what it was opened for.",
  fix: "Give every security group and rule a description that says what traffic it lets through.",
  check: (resource) => {
    const undescribed = rulesOf(resource).filter((r) => !r.description);
    const group = resource.type === "aws_security_group" && !resource.block.description;
    return requireThat(!group && undescribed.length === 0, "a security group or rule has no description");
  },
} as const satisfies Rule;
