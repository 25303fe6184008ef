import { identityStatements, IDENTITY_POLICIES } from "./helpers/iam";
import { grantedOnEverything } from "./iam/sensitive";
import { requireThat, type Rule } from "./rule";

export const iamNoUnscopedPermissionsManagement = {
  id: "iam-no-unscoped-permissions-management",
  fsbp: [],
  checkov: ["CKV_AWS_109", "CKV_AWS_289"],
  resourceTypes: Object.keys(IDENTITY_POLICIES),
  reason:
    "Changing permissions on every resource (policies, grants, sharing) lets the holder reach anything.",
  fix: "Scope permissions-management actions to the resources of this environment.",
  check: (resource, stack) => {
    const found = grantedOnEverything(
      identityStatements(resource, stack),
      (a) => a.level === "P" && a.restrictable,
    );
    return requireThat(
      found.length === 0,
      `on *: ${found.slice(0, 8).join(", ")}${found.length > 8 ? ", ..." : ""}`,
    );
  },
} as const satisfies Rule;
