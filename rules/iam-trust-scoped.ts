import { anyonePrincipal, statementsOf } from "./iam/policy";
import { requireThat, type Rule } from "./rule";

const OIDC_SUBJECT = /:sub$/;

export const iamTrustScoped = {
  id: "iam-trust-scoped",
  fsbp: [],
  checkov: ["CKV_AWS_60", "CKV_AWS_61", "CKV_AWS_358"],
  resourceTypes: ["aws_iam_role"],
  reason:
    "A trust policy for anyone, or for every GitHub repository and branch, lets strangers assume the role.",
  fix: "Trust a named service (with aws:SourceAccount where it supports it) or one exact OIDC subject with StringEquals.",
  check: (role) => {
    const trust = statementsOf(role.block.assume_role_policy).filter((s) => s.effect === "Allow");
    const problems = trust.flatMap((s) => {
      if (anyonePrincipal(s)) return ["anyone may assume it"];
      if (s.principals.Federated) {
        const exact = Object.keys(s.conditions.StringEquals ?? {}).some((k) => OIDC_SUBJECT.test(k));
        const aud = Object.keys(s.conditions.StringEquals ?? {}).some((k) => k.endsWith(":aud"));
        return exact && aud ? [] : ["a federated principal without an exact subject and audience"];
      }
      return [];
    });
    return requireThat(
      trust.length > 0 && problems.length === 0,
      problems.join("; ") || "no trust statement",
    );
  },
} as const satisfies Rule;
