import { containersOf } from "./helpers/ecs";
import { requireThat, type Rule } from "./rule";

export const ecsLogging = {
  id: "ecs-logging",
  fsbp: ["ECS.9"],
  checkov: [],
  resourceTypes: ["aws_ecs_task_definition"],
  reason: "A container without a log driver loses everything it prints when the task stops.",
  fix: "Give every container a logConfiguration (awslogs to the app's log group).",
  check: (task) => {
    const silent = containersOf(task).filter((c) => !c.logConfiguration?.logDriver);
    return requireThat(silent.length === 0, `no log configuration: ${silent.map((c) => c.name).join(", ")}`);
  },
} as const satisfies Rule;
