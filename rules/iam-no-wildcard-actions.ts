import { identityStatements, IDENTITY_POLICIES } from "./helpers/iam";
import { requireThat, type Rule } from "./rule";

export const iamNoWildcardActions = {
  id: "iam-no-wildcard-actions",
  fsbp: ["IAM.21"],
  checkov: ["CKV_AWS_63"],
  resourceTypes: Object.keys(IDENTITY_POLICIES),
  reason:
    "`service:*` grants every action the service has and every one it will get, including destructive ones.",
  fix: "List the actions the role needs instead of a service wildcard.",
  check: (resource, stack) => {
    const wild = identityStatements(resource, stack)
      .filter((s) => s.effect === "Allow" && !s.notAction)
      .flatMap((s) => s.actions)
      .filter((a) => a === "*" || /^[a-z0-9-]+:\*$/i.test(a));
    return requireThat(wild.length === 0, `allows ${[...new Set(wild)].join(", ")}`);
  },
} as const satisfies Rule;
