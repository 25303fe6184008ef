import { IDENTITY_POLICIES, noneOnEverything } from "./helpers/iam";
import { PRIVILEGE_ESCALATION } from "./iam/sensitive";
import type { Rule } from "./rule";

export const iamNoPrivilegeEscalation = {
  id: "iam-no-privilege-escalation",
  fsbp: [],
  checkov: ["CKV_AWS_110", "CKV_AWS_286"],
  resourceTypes: Object.keys(IDENTITY_POLICIES),
  reason:
    "Attaching or writing policies, passing roles or rewriting policy versions on every resource leads to admin.",
  fix: "Scope escalation-capable IAM actions to this environment's roles, and require the permissions boundary.",
  check: noneOnEverything((a) => PRIVILEGE_ESCALATION.has(a.name.toLowerCase())),
} as const satisfies Rule;
