import type { Case, FamilyRuleId } from "./harness";

const TASK = "task/task";
const CLUSTER = "web/cluster";
const SERVICE = "web/service";

export const ecsCases: Record<FamilyRuleId<"ecs">, Case> = {
  "ecs-container-insights": {
    breaks: [
      {
        what: "Container Insights is disabled",
        at: CLUSTER,
        apply: (s) => (s.block(CLUSTER).setting = [{ name: "containerInsights", value: "disabled" }]),
      },
    ],
  },
  "ecs-exec-audited": {
    breaks: [
      {
        what: "ECS Exec sessions are not encrypted with the key",
        at: CLUSTER,
        apply: (s) => delete s.block(CLUSTER).configuration.execute_command_configuration.kms_key_id,
      },
      {
        what: "ECS Exec logging is left to the default",
        at: CLUSTER,
        apply: (s) => (s.block(CLUSTER).configuration.execute_command_configuration.logging = "DEFAULT"),
      },
    ],
  },
  "ecs-read-only-root": {
    breaks: [
      {
        what: "the app container's root filesystem is writable",
        at: TASK,
        apply: (s) => s.editContainers(TASK, (c) => (c[0].readonlyRootFilesystem = false)),
      },
    ],
  },
  "ecs-not-privileged": {
    breaks: [
      {
        what: "the app container runs privileged",
        at: TASK,
        apply: (s) => s.editContainers(TASK, (c) => (c[0].privileged = true)),
      },
    ],
  },
  "ecs-logging": {
    breaks: [
      {
        what: "the app container has no log configuration",
        at: TASK,
        apply: (s) => s.editContainers(TASK, (c) => delete c[0].logConfiguration),
      },
    ],
  },
  "ecs-no-secrets-in-environment": {
    breaks: [
      {
        what: "a password is a plain environment variable",
        at: TASK,
        apply: (s) =>
          s.editContainers(TASK, (c) => c[0].environment.push({ name: "LDAP_PASSWORD", value: "hunter2" })),
      },
    ],
  },
  "ecs-separate-roles": {
    breaks: [
      {
        what: "the task runs with its execution role",
        at: TASK,
        apply: (s) => (s.block(TASK).task_role_arn = s.block(TASK).execution_role_arn),
      },
    ],
  },
  "ecs-service-private": {
    breaks: [
      {
        what: "tasks get public IPs",
        at: SERVICE,
        apply: (s) => (s.block(SERVICE).network_configuration.assign_public_ip = true),
      },
      {
        what: "the Fargate platform version is pinned to an old one",
        at: SERVICE,
        apply: (s) => (s.block(SERVICE).platform_version = "1.3.0"),
      },
    ],
  },
};
