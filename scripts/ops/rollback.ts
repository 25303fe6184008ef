/**
 * `rollback [--to <image>]`: back to the image released before the current one (the history of the image
 * parameter), or to a given one, through the release step's own script (constructs/delivery/release.sh) with
 * SKIP_MIGRATIONS=1: a new revision with that image, deployed with the circuit breaker, recorded as released.
 * The migrations are not run again: the schema already holds what the older image needs (migrations add, and
 * a destructive one is released on its own, after the code stopped using what it drops).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { GetParameterHistoryCommand } from "@aws-sdk/client-ssm";
import { PROJECT_ROOT } from "../lib/terraform";
import { OpsError, type OpsContext } from "./context";

export const RELEASE_SCRIPT = path.join(PROJECT_ROOT, "constructs", "delivery", "release.sh");

/** The images released so far, oldest first (placeholders left out). */
export async function releaseHistory(ctx: OpsContext): Promise<string[]> {
  const values: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ctx.call(() =>
      ctx.ssm.send(new GetParameterHistoryCommand({ Name: ctx.names.imageParameter, NextToken })),
    );
    values.push(...(page.Parameters ?? []).map((p) => p.Value ?? ""));
    NextToken = page.NextToken;
  } while (NextToken);
  return values.filter((v) => v !== "" && !/:bootstrap$/.test(v));
}

/** The image a rollback goes to: `to`, or the newest released image before the current one. */
export async function rollbackTarget(ctx: OpsContext, to?: string): Promise<string> {
  if (to) return to;
  const history = await releaseHistory(ctx);
  const current = history[history.length - 1];
  const previous = [...history].reverse().find((image) => image !== current);
  if (!previous)
    throw new OpsError(`no earlier release to roll back to (released: ${history.join(", ") || "none"})`);
  return previous;
}

export function requireTools(tools: string[]): void {
  const missing = tools.filter((t) => spawnSync(t, ["--version"], { stdio: "ignore" }).error !== undefined);
  if (missing.length > 0) {
    throw new OpsError(
      `${missing.join(" and ")} required: install the AWS CLI, jq and bash (Debian: apt-get install awscli jq)`,
    );
  }
}

/** The app id the release script's calls carry in their User-Agent when an operator's rollback runs it. */
export const ROLLBACK_TOOL = "myamazingapp-ops-rollback";

/**
 * The release project's variables for the deployed service (constructs/delivery/release-step.ts sets the same
 * ones on the CodeBuild project), read from the service itself, with the image to release.
 */
export async function releaseVariables(ctx: OpsContext, image: string): Promise<Record<string, string>> {
  const { service, taskDefinition } = await ctx.serviceAndTaskDefinition();
  const net = service.networkConfiguration?.awsvpcConfiguration;
  const { container } = ctx.logConfiguration(taskDefinition);
  return {
    CLUSTER: ctx.names.cluster,
    SERVICE: ctx.names.service,
    TASK_FAMILY: taskDefinition.family ?? ctx.names.taskFamily,
    CONTAINER_NAME: container,
    SUBNET_IDS: (net?.subnets ?? []).join(","),
    SECURITY_GROUP_IDS: (net?.securityGroups ?? []).join(","),
    IMAGE_PARAMETER: ctx.names.imageParameter,
    MIN_COUNT: String(ctx.env.service.minCount),
    IMAGE_URI: image,
    AWS_DEFAULT_REGION: ctx.env.region,
  };
}

/** Runs the release script with these variables and the AWS CLI environment; its output lines go to progress. */
export function runReleaseScript(
  ctx: OpsContext,
  variables: Record<string, string>,
  cli: NodeJS.ProcessEnv,
): { status: number | null; stderr: string } {
  requireTools(["aws", "jq"]);
  const workDir = path.join(PROJECT_ROOT, ".local", "rollback");
  mkdirSync(workDir, { recursive: true });
  const result = spawnSync("bash", [RELEASE_SCRIPT], {
    cwd: workDir,
    env: { ...cli, ...variables },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const line of (result.stdout ?? "").split("\n").filter(Boolean)) ctx.out.progress(line);
  return { status: result.status, stderr: (result.stderr ?? "").trim() };
}

export async function rollback(ctx: OpsContext, to?: string): Promise<string> {
  const image = await rollbackTarget(ctx, to);
  const variables = { ...(await releaseVariables(ctx, image)), SKIP_MIGRATIONS: "1" };
  ctx.out.progress(`rolling back ${ctx.env.name} to ${image} (the migrations are not run again)`);
  const result = runReleaseScript(ctx, variables, ctx.cliEnvironment(ROLLBACK_TOOL));
  if (result.status !== 0) {
    throw new OpsError(`the release step refused or failed (exit ${result.status}):\n${result.stderr}`);
  }
  ctx.out.line(`rolled back ${ctx.env.name} to ${image}`);
  return image;
}
