import type { Case, FamilyRuleId } from "./harness";

export const schedulerCases: Record<FamilyRuleId<"scheduler">, Case> = {
  "scheduler-encrypted-with-kms": {
    breaks: [
      {
        what: "the weekly schedule uses an AWS-owned key",
        at: "stats/schedule",
        apply: (s) => delete s.block("stats/schedule").kms_key_arn,
      },
    ],
  },
};
