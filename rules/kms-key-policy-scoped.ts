import { anyonePrincipal, isConditional, statementsOf } from "./iam/policy";
import { requireThat, type Rule } from "./rule";

export const kmsKeyPolicyScoped = {
  id: "kms-key-policy-scoped",
  fsbp: ["KMS.1", "KMS.2"],
  checkov: ["CKV2_AWS_64", "CKV_AWS_33"],
  resourceTypes: ["aws_kms_key"],
  reason: "A key without its own policy, or one that lets anyone use it, protects nothing.",
  fix: "Give the key a policy: the account administers it, and only the services that use it may encrypt and decrypt.",
  check: (key) => {
    const statements = statementsOf(key.block.policy);
    const open = statements.filter((s) => s.effect === "Allow" && anyonePrincipal(s) && !isConditional(s));
    return requireThat(
      statements.length > 0 && open.length === 0,
      statements.length === 0 ? "no key policy" : "the key policy lets anyone use the key",
    );
  },
} as const satisfies Rule;
