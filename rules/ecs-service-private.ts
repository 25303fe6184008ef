import { requireThat, type Rule } from "./rule";

export const ecsServicePrivate = {
  id: "ecs-service-private",
  fsbp: ["ECS.2", "ECS.10"],
  checkov: ["CKV_AWS_333", "CKV_AWS_332"],
  resourceTypes: ["aws_ecs_service"],
  reason:
    "Tasks with public IPs are reachable around the load balancer; old Fargate platforms miss security fixes.",
  fix: 'Set network_configuration.assign_public_ip = false and platform_version = "LATEST".',
  check: (service) => {
    const net = [service.block.network_configuration].flat()[0];
    const fargate = service.block.launch_type === "FARGATE";
    return requireThat(
      net?.assign_public_ip !== true &&
        (!fargate || [undefined, "LATEST"].includes(service.block.platform_version)),
      "tasks get public IPs, or the Fargate platform version is pinned",
    );
  },
} as const satisfies Rule;
