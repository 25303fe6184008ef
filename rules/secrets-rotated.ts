import { requireThat, type Rule } from "./rule";

export const secretsRotated = {
  id: "secrets-rotated",
  fsbp: ["SecretsManager.1"],
  checkov: ["CKV2_AWS_57"],
  resourceTypes: ["aws_secretsmanager_secret"],
  reason: "A secret that is never rotated stays valid for as long as anyone who ever saw it wants.",
  fix: "Add an aws_secretsmanager_secret_rotation with a rotation function, or let the owning service rotate it.",
  check: (secret, stack) =>
    requireThat(
      stack.referring("aws_secretsmanager_secret_rotation", "secret_id", secret).length > 0,
      "no rotation",
    ),
} as const satisfies Rule;
