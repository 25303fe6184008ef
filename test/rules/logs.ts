import type { Case, FamilyRuleId } from "./harness";

export const logsCases: Record<FamilyRuleId<"logs">, Case> = {
  "logs-encrypted-with-kms": {
    breaks: [
      {
        what: "the app's log group uses the service's default encryption",
        at: "task/logs",
        apply: (s) => delete s.block("task/logs").kms_key_id,
      },
    ],
  },
  "logs-kept-a-year": {
    breaks: [
      {
        what: "production keeps the app's logs 30 days",
        at: "task/logs",
        apply: (s) => (s.block("task/logs").retention_in_days = 30),
      },
      {
        what: "production keeps flow logs forever by leaving retention unset",
        at: "network/flow-logs",
        apply: (s) => delete s.block("network/flow-logs").retention_in_days,
      },
    ],
  },
};
