import { containersOf } from "./helpers/ecs";
import { requireThat, type Rule } from "./rule";

export const ecsNotPrivileged = {
  id: "ecs-not-privileged",
  fsbp: ["ECS.4"],
  checkov: ["CKV_AWS_334"],
  resourceTypes: ["aws_ecs_task_definition"],
  reason: "A privileged container has root on the host.",
  fix: "Remove privileged: true from the container definitions.",
  check: (task) => {
    const privileged = containersOf(task).filter((c) => c.privileged === true);
    return requireThat(privileged.length === 0, `privileged: ${privileged.map((c) => c.name).join(", ")}`);
  },
} as const satisfies Rule;
