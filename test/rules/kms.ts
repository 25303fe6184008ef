import type { Case, FamilyRuleId } from "./harness";

export const kmsCases: Record<FamilyRuleId<"kms">, Case> = {
  "kms-key-rotation": {
    breaks: [
      {
        what: "the data key is not rotated",
        at: "data-key/key",
        apply: (s) => (s.block("data-key/key").enable_key_rotation = false),
      },
    ],
  },
  "kms-key-policy-scoped": {
    breaks: [
      {
        what: "the data key's policy lets anyone decrypt",
        at: "data-key/key",
        apply: (s) =>
          s.editPolicy("data-key/key", (st) => [
            ...st,
            { Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" },
          ]),
      },
    ],
  },
};
