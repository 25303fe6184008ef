import { IDENTITY_POLICIES, noneOnEverything } from "./helpers/iam";
import type { Rule } from "./rule";

export const iamNoUnscopedPermissionsManagement = {
  id: "iam-no-unscoped-permissions-management",
  fsbp: [],
  checkov: ["CKV_AWS_109", "CKV_AWS_289"],
  resourceTypes: Object.keys(IDENTITY_POLICIES),
  reason:
    "Changing permissions on every resource (policies, grants, sharing) lets the holder reach anything.",
  fix: "Scope permissions-management actions to the resources of this environment.",
  check: noneOnEverything((a) => a.level === "P" && a.restrictable),
} as const satisfies Rule;
