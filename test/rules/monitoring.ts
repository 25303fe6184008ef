import type { Case, FamilyRuleId } from "./harness";

export const monitoringCases: Record<FamilyRuleId<"monitoring">, Case> = {
  "alarms-notify": {
    breaks: [
      {
        what: "the running-tasks alarm says nothing when the service recovers",
        at: "service-alarms/running-tasks",
        apply: (s) => delete s.block("service-alarms/running-tasks").ok_actions,
      },
      {
        what: "the site-down composite has its actions switched off",
        at: "service-alarms/site-down",
        apply: (s) => (s.block("service-alarms/site-down").actions_enabled = false),
      },
    ],
  },
  "sfn-logged-and-traced": {
    breaks: [
      {
        what: "the upload age audit is not traced",
        at: "upload-audit/state-machine",
        apply: (s) => (s.block("upload-audit/state-machine").tracing_configuration.enabled = false),
      },
      {
        what: "the upload age audit logs nothing",
        at: "upload-audit/state-machine",
        apply: (s) => (s.block("upload-audit/state-machine").logging_configuration.level = "OFF"),
      },
    ],
  },
};
