import { notApplicable, requireThat, type Rule } from "./rule";

export const lbWaf = {
  id: "lb-waf",
  fsbp: [],
  checkov: ["CKV2_AWS_28", "CKV2_AWS_76"],
  resourceTypes: ["aws_lb"],
  reason: "An internet-facing load balancer without a web ACL meets every scanner and flood unfiltered.",
  fix: "Associate an aws_wafv2_web_acl that runs the AWS managed rule groups (common, known bad inputs) and a rate limit.",
  check: (lb, stack) => {
    if (lb.block.internal === true) return notApplicable("internal load balancer");
    const acls = stack
      .resources("aws_wafv2_web_acl_association")
      .filter((a) => stack.referencedBy(a.block.resource_arn).some((r) => r.name === lb.name))
      .map((a) => stack.tryDeref(a.block.web_acl_arn))
      .filter((acl) => acl?.type === "aws_wafv2_web_acl");
    const groups = acls.flatMap((acl) =>
      [acl?.block.rule]
        .flat()
        .map((r) => [r?.statement].flat()[0]?.managed_rule_group_statement)
        .flat()
        .map((m) => m?.name),
    );
    return requireThat(
      groups.includes("AWSManagedRulesKnownBadInputsRuleSet") &&
        groups.includes("AWSManagedRulesCommonRuleSet"),
      acls.length === 0
        ? "no web ACL is associated"
        : "the web ACL lacks the common or known-bad-inputs rules",
    );
  },
} as const satisfies Rule;
