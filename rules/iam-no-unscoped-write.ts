import { IDENTITY_POLICIES, noneOnEverything } from "./helpers/iam";
import type { Rule } from "./rule";

export const iamNoUnscopedWrite = {
  id: "iam-no-unscoped-write",
  fsbp: [],
  checkov: ["CKV_AWS_111", "CKV_AWS_290", "CKV_AWS_355", "CKV_AWS_356"],
  resourceTypes: Object.keys(IDENTITY_POLICIES),
  reason:
    "An action that can be limited to resource ARNs but is granted on * reaches every resource of its kind.",
  fix: "Scope the action to ARNs (this environment's names, or this account and region); only * -only actions keep *.",
  check: noneOnEverything((a) => a.restrictable && a.level !== "L"),
} as const satisfies Rule;
