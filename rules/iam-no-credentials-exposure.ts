import { IDENTITY_POLICIES, noneOnEverything } from "./helpers/iam";
import { CREDENTIALS_EXPOSURE } from "./iam/sensitive";
import type { Rule } from "./rule";

export const iamNoCredentialsExposure = {
  id: "iam-no-credentials-exposure",
  fsbp: [],
  checkov: ["CKV_AWS_107", "CKV_AWS_287"],
  resourceTypes: Object.keys(IDENTITY_POLICIES),
  reason:
    "Actions that return credentials (keys, tokens, passwords) on every resource hand out more than the role holds.",
  fix: "Scope them to the ARNs they are for; for the few that only take * (ecr:GetAuthorizationToken), say why in a suppression.",
  check: noneOnEverything((a) => CREDENTIALS_EXPOSURE.has(a.name.toLowerCase())),
} as const satisfies Rule;
