import { containersOf } from "./helpers/ecs";
import { requireThat, type Rule } from "./rule";

export const ecsReadOnlyRoot = {
  id: "ecs-read-only-root",
  fsbp: ["ECS.5"],
  checkov: ["CKV_AWS_336"],
  resourceTypes: ["aws_ecs_task_definition"],
  reason:
    "A read-only root filesystem keeps an attacker from changing the app's code in a running container.",
  fix: "Set readonlyRootFilesystem: true on every container and mount writable volumes where the app writes.",
  check: (task) => {
    const writable = containersOf(task).filter((c) => c.readonlyRootFilesystem !== true);
    return requireThat(writable.length === 0, `writable root: ${writable.map((c) => c.name).join(", ")}`);
  },
} as const satisfies Rule;
