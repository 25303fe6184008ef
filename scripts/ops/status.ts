/**
 * `status`: is the service healthy, how many tasks run of how many wanted, which deployments are in progress,
 * which image was released and when, and how the weekly task's last run ended.
 */
import { FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import { type OpsContext, taskId } from "./context";

export interface Status {
  readonly running: number;
  readonly desired: number;
  readonly pending: number;
  readonly deployments: Array<{ id: string; status: string; rollout: string; revision: string }>;
  readonly image?: { uri: string; releasedAt?: Date; placeholder: boolean };
  readonly lastWeeklyRun?: { stoppedAt: string; exitCode?: number; reason?: string; task: string };
}

const DAY = 86_400_000;

export async function status(ctx: OpsContext): Promise<Status> {
  const service = await ctx.service();
  const deployments = (service.deployments ?? []).map((d) => ({
    id: d.id ?? "",
    status: d.status ?? "",
    rollout: d.rolloutState ?? "",
    revision: d.taskDefinition?.split("/").pop() ?? "",
  }));

  let image: Status["image"];
  try {
    const { Parameter } = await ctx.call(() =>
      ctx.ssm.send(new GetParameterCommand({ Name: ctx.names.imageParameter })),
    );
    const uri = Parameter?.Value ?? "";
    image = { uri, releasedAt: Parameter?.LastModifiedDate, placeholder: /:bootstrap$/.test(uri) };
  } catch (error) {
    if ((error as Error).name !== "ParameterNotFound") throw error;
  }

  let lastWeeklyRun: Status["lastWeeklyRun"];
  try {
    const { events } = await ctx.call(() =>
      ctx.logs.send(
        new FilterLogEventsCommand({
          logGroupName: ctx.names.weeklyRunsLogGroup,
          startTime: Date.now() - 15 * DAY,
        }),
      ),
    );
    const last = [...(events ?? [])].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0)).pop();
    if (last?.message) {
      const detail = JSON.parse(last.message).detail ?? {};
      const app = (detail.containers ?? [])[0] ?? {};
      lastWeeklyRun = {
        stoppedAt: detail.stoppedAt ?? new Date(last.timestamp ?? 0).toISOString(),
        exitCode: app.exitCode,
        reason: detail.stoppedReason,
        task: taskId(detail.taskArn ?? ""),
      };
    }
  } catch (error) {
    if ((error as Error).name !== "ResourceNotFoundException") throw error;
  }

  const result: Status = {
    running: service.runningCount ?? 0,
    desired: service.desiredCount ?? 0,
    pending: service.pendingCount ?? 0,
    deployments,
    image,
    lastWeeklyRun,
  };
  print(ctx, result);
  return result;
}

function print(ctx: OpsContext, s: Status): void {
  const healthy = s.desired > 0 && s.running >= s.desired && s.deployments.length === 1;
  ctx.out.line(`${ctx.env.name}: ${ctx.names.service} in ${ctx.names.cluster} (${ctx.env.region})`);
  ctx.out.line(
    `  health     ${s.desired === 0 ? "no task wanted" : healthy ? "healthy" : "degraded"}: ${s.running} running of ${s.desired} desired, ${s.pending} pending`,
  );
  for (const d of s.deployments) {
    ctx.out.line(
      `  deployment ${d.status.toLowerCase()} ${d.rollout.toLowerCase() || "-"} ${d.revision} (${d.id})`,
    );
  }
  if (!s.image) ctx.out.line("  image      no image parameter (is the stack deployed?)");
  else if (s.image.placeholder) {
    ctx.out.line("  image      no release yet: the service runs no task until the first release");
  } else {
    ctx.out.line(
      `  image      ${s.image.uri}, released ${s.image.releasedAt?.toISOString() ?? "at an unknown time"}`,
    );
  }
  const run = s.lastWeeklyRun;
  ctx.out.line(
    run
      ? `  weekly     last run stopped ${run.stoppedAt}, exit code ${run.exitCode ?? "none"}${run.reason ? ` (${run.reason})` : ""}, task ${run.task}`
      : "  weekly     no run recorded in the last 15 days",
  );
}
