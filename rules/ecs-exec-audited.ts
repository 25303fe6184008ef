import { requireThat, type Rule } from "./rule";

export const ecsExecAudited = {
  id: "ecs-exec-audited",
  fsbp: [],
  checkov: ["CKV_AWS_224"],
  resourceTypes: ["aws_ecs_cluster"],
  reason:
    "ECS Exec opens a shell in a running task; its sessions must be logged, encrypted, to be auditable.",
  fix: "Set the cluster's execute_command_configuration: a KMS key, and logging OVERRIDE to an encrypted log group.",
  check: (cluster) => {
    const exec = [cluster.block.configuration]
      .flat()
      .flatMap((c) => [c?.execute_command_configuration].flat())[0];
    const logged =
      exec?.logging === "OVERRIDE" && [exec.log_configuration].flat()[0]?.cloud_watch_encryption_enabled;
    return requireThat(
      Boolean(exec?.kms_key_id) && Boolean(logged),
      "ECS Exec sessions are not logged with encryption",
    );
  },
} as const satisfies Rule;
