import { IDENTITY_POLICIES, noneOnEverything } from "./helpers/iam";
import { DATA_EXFILTRATION } from "./iam/sensitive";
import type { Rule } from "./rule";

export const iamNoDataExfiltration = {
  id: "iam-no-data-exfiltration",
  fsbp: [],
  checkov: ["CKV_AWS_108", "CKV_AWS_288"],
  resourceTypes: Object.keys(IDENTITY_POLICIES),
  reason:
    "Reading every object, parameter or secret in the account reaches far beyond what one role's work needs.",
  fix: "Scope reads of objects, parameters and secrets to the app's own buckets and paths.",
  check: noneOnEverything((a) => DATA_EXFILTRATION.has(a.name.toLowerCase())),
} as const satisfies Rule;
