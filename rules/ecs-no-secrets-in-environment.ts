import { containersOf } from "./helpers/ecs";
import { requireThat, type Rule } from "./rule";

const SECRET_LIKE = /(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL)/;

export const ecsNoSecretsInEnvironment = {
  id: "ecs-no-secrets-in-environment",
  fsbp: ["ECS.8"],
  checkov: [],
  resourceTypes: ["aws_ecs_task_definition"],
  reason: "A plain environment variable is visible to anyone who can describe the task definition.",
  fix: "Move the value to Secrets Manager and reference it under the container's secrets (valueFrom).",
  check: (task) => {
    const named = containersOf(task).flatMap((c) =>
      ((c.environment ?? []) as Array<{ name: string }>)
        .filter((e) => SECRET_LIKE.test(e.name))
        .map((e) => e.name),
    );
    return requireThat(named.length === 0, `secret-looking plain variables: ${named.join(", ")}`);
  },
} as const satisfies Rule;
