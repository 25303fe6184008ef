import { requireThat, type Rule } from "./rule";

export const ecsSeparateRoles = {
  id: "ecs-separate-roles",
  fsbp: [],
  checkov: ["CKV_AWS_249"],
  resourceTypes: ["aws_ecs_task_definition"],
  reason: "The execution role reads every secret at start; the app's own code must not run with it.",
  fix: "Give the task definition a task_role_arn different from its execution_role_arn.",
  check: (task) =>
    requireThat(
      Boolean(task.block.task_role_arn) && task.block.task_role_arn !== task.block.execution_role_arn,
      "the task role is the execution role (or missing)",
    ),
} as const satisfies Rule;
