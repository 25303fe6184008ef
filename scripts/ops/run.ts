/**
 * `run -- <command>` and `rake <task>`: a one-off task of the app's newest task definition revision, in the
 * service's private subnets with its security group, that the operator watches to the end: its status while it
 * starts, its log lines, and its exit code as the command's own.
 */
import { GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTasksCommand, RunTaskCommand, type Task } from "@aws-sdk/client-ecs";
import { OpsError, type OpsContext, taskId } from "./context";

/** `startedBy` of the operator's tasks, so they are easy to tell from the service's and the schedule's. */
export const OPS_STARTED_BY = "ops-cli";

export interface RunResult {
  readonly taskArn: string;
  readonly exitCode: number;
}

/** Starts the command in a one-off task, follows it, and returns its exit code. */
export async function runOneOff(ctx: OpsContext, command: string[]): Promise<RunResult> {
  if (command.length === 0)
    throw new OpsError("run: give the command after --, e.g. run production -- bin/rails runner 'p 1'");
  const { service, taskDefinition: definition } = await ctx.serviceAndTaskDefinition();
  const log = ctx.logConfiguration(definition);
  const vpc = service.networkConfiguration?.awsvpcConfiguration;
  const subnets = vpc?.subnets ?? [];
  if (subnets.length === 0) throw new OpsError(`${ctx.names.service} has no subnets`);

  const started = await ctx.call(() =>
    ctx.ecs.send(
      new RunTaskCommand({
        cluster: ctx.names.cluster,
        taskDefinition: definition.taskDefinitionArn,
        launchType: "FARGATE",
        platformVersion: "LATEST",
        startedBy: OPS_STARTED_BY,
        networkConfiguration: {
          awsvpcConfiguration: { subnets, securityGroups: vpc?.securityGroups, assignPublicIp: "DISABLED" },
        },
        overrides: { containerOverrides: [{ name: log.container, command }] },
        propagateTags: "TASK_DEFINITION",
      }),
    ),
  );
  const taskArn = started.tasks?.[0]?.taskArn;
  if (!taskArn) {
    const reasons = (started.failures ?? []).map((f) => `${f.arn ?? ""} ${f.reason ?? ""}`.trim()).join("; ");
    throw new OpsError(`the task did not start: ${reasons || "ECS gave no reason"}`);
  }
  ctx.out.progress(
    `started ${taskId(taskArn)} (${definition.family}:${definition.revision}): ${command.join(" ")}`,
  );

  const stream = `${log.prefix}/${log.container}/${taskId(taskArn)}`;
  let token: string | undefined;
  const printNewLines = async () => {
    try {
      const page = await ctx.logs.send(
        new GetLogEventsCommand({
          logGroupName: log.group,
          logStreamName: stream,
          startFromHead: true,
          nextToken: token,
        }),
      );
      for (const event of page.events ?? []) ctx.out.line(event.message ?? "");
      token = page.nextForwardToken ?? token;
    } catch (error) {
      if ((error as Error).name !== "ResourceNotFoundException") throw error; // no line logged yet
    }
  };

  let status = "";
  let task: Task | undefined;
  for (;;) {
    const { tasks } = await ctx.call(() =>
      ctx.ecs.send(new DescribeTasksCommand({ cluster: ctx.names.cluster, tasks: [taskArn] })),
    );
    task = tasks?.[0];
    if (task?.lastStatus !== status) {
      status = task?.lastStatus ?? "UNKNOWN";
      ctx.out.progress(`task ${taskId(taskArn)} is ${status}`);
    }
    await printNewLines();
    if (status === "STOPPED") break;
    await ctx.sleep();
  }
  await printNewLines();

  const container = task?.containers?.find((c) => c.name === log.container);
  if (container?.exitCode === undefined) {
    throw new OpsError(
      `task ${taskId(taskArn)} stopped without an exit code (${task?.stopCode ?? "no stop code"}): ${task?.stoppedReason ?? container?.reason ?? "no reason given"}`,
    );
  }
  ctx.out.progress(`task ${taskId(taskArn)} exited with ${container.exitCode}`);
  return { taskArn, exitCode: container.exitCode };
}
