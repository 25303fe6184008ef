import { identityStatements, IDENTITY_POLICIES } from "./helpers/iam";
import { grantedOnEverything, PRIVILEGE_ESCALATION } from "./iam/sensitive";
import { requireThat, type Rule } from "./rule";

export const iamNoPrivilegeEscalation = {
  id: "iam-no-privilege-escalation",
  fsbp: [],
  checkov: ["CKV_AWS_110", "CKV_AWS_286"],
  resourceTypes: Object.keys(IDENTITY_POLICIES),
  reason:
    "Attaching or writing policies, passing roles or rewriting policy versions on every resource leads to admin.",
  fix: "Scope escalation-capable IAM actions to this environment's roles, and require the permissions boundary.",
  check: (resource, stack) => {
    const found = grantedOnEverything(identityStatements(resource, stack), (a) =>
      PRIVILEGE_ESCALATION.has(a.name.toLowerCase()),
    );
    return requireThat(found.length === 0, `on *: ${found.join(", ")}`);
  },
} as const satisfies Rule;
