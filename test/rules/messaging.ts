import type { Case, FamilyRuleId } from "./harness";

export const messagingCases: Record<FamilyRuleId<"messaging">, Case> = {
  "sqs-encrypted": {
    breaks: [
      {
        what: "the dead-letter queue is not encrypted",
        at: "stats/dlq",
        apply: (s) => (s.block("stats/dlq").sqs_managed_sse_enabled = false),
      },
    ],
  },
  "sns-encrypted-with-kms": {
    breaks: [
      {
        what: "the alarm topic is not encrypted",
        at: "alarms/topic",
        apply: (s) => delete s.block("alarms/topic").kms_master_key_id,
      },
    ],
  },
  "resource-policies-not-public": {
    breaks: [
      {
        what: "anyone may send to the heartbeat queue",
        at: "stats/heartbeat-policy",
        apply: (s) =>
          s.editPolicy("stats/heartbeat-policy", (st) =>
            st.map((x) => ({ ...x, Principal: "*", Condition: undefined })),
          ),
      },
      {
        what: "a secret's policy allows every Secrets Manager action",
        at: "secrets/ORCID_CLIENT_SECRET-policy",
        apply: (s) =>
          s.editPolicy("secrets/ORCID_CLIENT_SECRET-policy", (st) => [
            ...st,
            {
              Effect: "Allow",
              Principal: { AWS: "arn:aws:iam::1:root" },
              Action: "secretsmanager:*",
              Resource: "*",
            },
          ]),
      },
    ],
  },
};
