import { requireThat, type Rule } from "./rule";

export const ecsContainerInsights = {
  id: "ecs-container-insights",
  fsbp: ["ECS.12"],
  checkov: ["CKV_AWS_65"],
  resourceTypes: ["aws_ecs_cluster"],
  reason: "Container Insights gives the per-task CPU, memory and network metrics an operator needs.",
  fix: 'Add the cluster setting containerInsights = "enabled".',
  check: (cluster) =>
    requireThat(
      [cluster.block.setting].flat().some((s) => s?.name === "containerInsights" && s?.value !== "disabled"),
      "Container Insights is off",
    ),
} as const satisfies Rule;
