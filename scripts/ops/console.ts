/**
 * `console`: a Rails console on one of the service's running tasks, through ECS Exec (the AWS CLI and its
 * Session Manager plugin carry the session; the cluster logs it, encrypted).
 */
import { spawnSync } from "node:child_process";
import { ListTasksCommand } from "@aws-sdk/client-ecs";
import { OpsError, type OpsContext, taskId } from "./context";

/** The command that opens the console: the AWS CLI's execute-command on a running task of the service. */
export async function consoleCommand(ctx: OpsContext, command = "bin/rails console"): Promise<string[]> {
  const service = await ctx.service();
  const { taskArns } = await ctx.call(() =>
    ctx.ecs.send(
      new ListTasksCommand({
        cluster: ctx.names.cluster,
        serviceName: ctx.names.service,
        desiredStatus: "RUNNING",
      }),
    ),
  );
  const task = taskArns?.[0];
  if (!task) {
    throw new OpsError(
      `no running task of ${ctx.names.service} (${service.desiredCount ?? 0} desired): nothing to open a console on; see npm run ops -- status ${ctx.env.name}`,
    );
  }
  ctx.out.progress(`opening "${command}" on task ${taskId(task)}`);
  return [
    "ecs",
    "execute-command",
    "--region",
    ctx.env.region,
    "--cluster",
    ctx.names.cluster,
    "--task",
    task,
    "--container",
    "web",
    "--interactive",
    "--command",
    command,
  ];
}

/** Runs the console in this terminal; returns its exit code. */
export async function openConsole(ctx: OpsContext): Promise<number> {
  const args = await consoleCommand(ctx);
  if (spawnSync("session-manager-plugin", [], { stdio: "ignore" }).error) {
    throw new OpsError(
      "the Session Manager plugin is required for ECS Exec: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html",
    );
  }
  // The AWS CLI with the context's own credentials (a --profile, the emulator's keys), not the default chain's.
  return spawnSync("aws", args, { stdio: "inherit", env: ctx.cliEnvironment() }).status ?? 1;
}
