import type { Case, EditableStack, FamilyRuleId } from "./harness";

/** A secret outside the suppressed app secrets, optionally rotated. */
const extraSecret = (s: EditableStack, path: string, rotated: boolean) => {
  const secret = s.add("aws_secretsmanager_secret", path, { name: `myamazingapp/production/${path}` });
  if (rotated) {
    s.add("aws_secretsmanager_secret_rotation", `${path}-rotation`, {
      secret_id: s.ref(secret, "id"),
      rotation_rules: { automatically_after_days: 30 },
    });
  }
};

export const secretsCases: Record<FamilyRuleId<"secrets">, Case> = {
  "secrets-encrypted-with-kms": {
    breaks: [
      {
        what: "an app secret uses the AWS-managed key",
        at: "secrets/ORCID_CLIENT_SECRET",
        apply: (s) => delete s.block("secrets/ORCID_CLIENT_SECRET").kms_key_id,
      },
    ],
  },
  "secrets-rotated": {
    // Every app secret is an accepted exception (external credentials); a rotated secret shows the rule passing.
    comply: (s) => extraSecret(s, "database/rotated", true),
    breaks: [
      {
        what: "a new secret outside the accepted exceptions has no rotation",
        at: "database/unrotated",
        apply: (s) => extraSecret(s, "database/unrotated", false),
      },
    ],
  },
};
