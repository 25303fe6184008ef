/**
 * `rollback [--to <image>]`: back to the image released before the current one, or to a given one, through the
 * release step's own script (constructs/delivery/release.sh) with SKIP_MIGRATIONS=1: a new revision with that
 * image, deployed with the circuit breaker, recorded as released. The migrations are not run again: the schema
 * already holds what the older image needs (migrations add, and a destructive one is released on its own, after
 * the code stopped using what it drops).
 *
 * The script takes the environment's release lock, which the pipeline's release step takes too, so a rollback
 * and a release never move the service under each other: the second is refused, naming the first. Its output is
 * shown as it comes; it runs in a folder of its own; Ctrl-C lets it stop cleanly (it never withdraws a revision
 * ECS is rolling out, and it gives the lock back).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir, userInfo } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
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

/**
 * The releases still in effect, oldest first: the history read as a stack, where releasing an image that is
 * already on it goes back to it (a rollback, or the same image released again) and drops what came after.
 * `running`, the image the service runs, is the top: recorded last, or, if a release ended before its
 * deployment did and nothing recorded it yet, on top of what was recorded.
 */
export function releasesInEffect(history: string[], running?: string): string[] {
  const stack: string[] = [];
  for (const image of running ? [...history, running] : history) {
    const earlier = stack.lastIndexOf(image);
    if (earlier === -1) stack.push(image);
    else stack.length = earlier + 1;
  }
  return stack;
}

/**
 * The image a rollback goes to: `to`, or the release in effect before the one running now. After [A, B] a
 * rollback goes to A; after [A, B, A] (B was rolled back) there is nothing before A; [A, B, B] goes to A.
 */
export async function rollbackTarget(ctx: OpsContext, to?: string, running?: string): Promise<string> {
  if (to) return to;
  const history = await releaseHistory(ctx);
  const inEffect = releasesInEffect(history, running);
  const previous = inEffect[inEffect.length - 2];
  if (!previous) {
    throw new OpsError(
      `no earlier release to roll back to: ${inEffect[0] ?? "nothing"} is the oldest release in effect ` +
        `(released: ${history.join(", ") || "none"}); name one with --to <image>`,
    );
  }
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
export async function releaseVariables(
  ctx: OpsContext,
  image: string,
  deployed?: Awaited<ReturnType<OpsContext["serviceAndTaskDefinition"]>>,
): Promise<Record<string, string>> {
  const { service, taskDefinition } = deployed ?? (await ctx.serviceAndTaskDefinition());
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
    RELEASE_LOCK_PARAMETER: ctx.names.releaseLockParameter,
    MIN_COUNT: String(ctx.env.service.minCount),
    IMAGE_URI: image,
    // Both: the AWS CLI takes AWS_REGION over AWS_DEFAULT_REGION, and an operator's shell may hold either.
    AWS_REGION: ctx.env.region,
    AWS_DEFAULT_REGION: ctx.env.region,
  };
}

export async function rollback(ctx: OpsContext, to?: string): Promise<string> {
  const deployed = await ctx.serviceAndTaskDefinition();
  const { container } = ctx.logConfiguration(deployed.taskDefinition);
  const running = deployed.service.taskDefinition
    ? (await ctx.taskDefinition(deployed.service.taskDefinition)).containerDefinitions?.find(
        (c) => c.name === container,
      )?.image
    : undefined;
  const image = await rollbackTarget(ctx, to, running);
  requireTools(["aws", "jq"]);
  ctx.out.progress(`rolling back ${ctx.env.name} to ${image} (the migrations are not run again)`);
  const variables = {
    ...(await releaseVariables(ctx, image, deployed)),
    SKIP_MIGRATIONS: "1",
    RELEASED_BY: `a rollback by ${userInfo().username}@${hostname()} (pid ${process.pid})`,
  };
  const { code, stderr, interrupted } = await runReleaseScript(
    ctx,
    variables,
    ctx.cliEnvironment(ROLLBACK_TOOL),
  );
  if (interrupted) {
    throw new OpsError(`rollback interrupted; the release step stopped:\n${stderr.trim()}`, 130);
  }
  if (code !== 0) {
    throw new OpsError(`the release step refused or failed (exit ${code}):\n${stderr.trim()}`);
  }
  ctx.out.line(`rolled back ${ctx.env.name} to ${image}`);
  return image;
}

/**
 * Runs release.sh with the AWS CLI environment `cli` (the caller's credentials), each line of its output shown as progress as it comes (a rollback waits for minutes, and an
 * operator who sees nothing thinks it hung). Ctrl-C reaches the script too (the terminal signals the whole
 * process group): this process then waits for it to stop cleanly instead of dying first, and never sends a
 * second interrupt; a SIGTERM, sent to this process alone, is passed on.
 */
export async function runReleaseScript(
  ctx: OpsContext,
  variables: Record<string, string>,
  cli: NodeJS.ProcessEnv,
): Promise<{ code: number; stderr: string; interrupted: boolean }> {
  // The script writes its working files where it runs: a folder of this run's own.
  const cwd = mkdtempSync(path.join(tmpdir(), `${ctx.names.service}-release-`));
  try {
    return await runIn(ctx, cwd, { ...cli, ...variables });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

function runIn(
  ctx: OpsContext,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stderr: string; interrupted: boolean }> {
  const child = spawn("bash", [RELEASE_SCRIPT], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    ctx.out.progress("interrupted: the release step stops and cleans up (its lock, its revision)");
  };
  const onTerminate = () => {
    interrupted = true;
    child.kill("SIGTERM");
  };
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onTerminate);
  createInterface({ input: child.stdout }).on("line", (line) => ctx.out.progress(line));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      process.off("SIGINT", onInterrupt);
      process.off("SIGTERM", onTerminate);
      resolve({ code: code ?? (signal ? 128 : 1), stderr, interrupted: interrupted || code === 130 });
    });
  });
}
