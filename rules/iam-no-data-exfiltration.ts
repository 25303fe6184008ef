import { identityStatements, IDENTITY_POLICIES } from "./helpers/iam";
import { DATA_EXFILTRATION, grantedOnEverything } from "./iam/sensitive";
import { requireThat, type Rule } from "./rule";

export const iamNoDataExfiltration = {
  id: "iam-no-data-exfiltration",
  fsbp: [],
  checkov: ["CKV_AWS_108", "CKV_AWS_288"],
  resourceTypes: Object.keys(IDENTITY_POLICIES),
  reason:
    "Reading every object, parameter or secret in the account reaches far beyond what one role's work needs.",
  fix: "Scope reads of objects, parameters and secrets to the app's own buckets and paths.",
  check: (resource, stack) => {
    const found = grantedOnEverything(identityStatements(resource, stack), (a) =>
      DATA_EXFILTRATION.has(a.name.toLowerCase()),
    );
    return requireThat(found.length === 0, `on *: ${found.join(", ")}`);
  },
} as const satisfies Rule;
