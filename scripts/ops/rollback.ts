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
import { emulatorCertificate } from "../lib/emulator-certificate";
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
 * The AWS CLI's environment for the context's credentials: the same profile, the same keys, or the same
 * default chain; for the emulator, its endpoint and certificate.
 */
export function cliEnvironment(ctx: OpsContext, inherited: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { config } = ctx;
  const vars: NodeJS.ProcessEnv = { ...inherited, AWS_SDK_UA_APP_ID: ROLLBACK_TOOL };
  if (config.profile || config.credentials) {
    for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"])
      delete vars[name];
  }
  if (config.profile) vars.AWS_PROFILE = config.profile;
  else if (config.credentials) {
    vars.AWS_ACCESS_KEY_ID = config.credentials.accessKeyId;
    vars.AWS_SECRET_ACCESS_KEY = config.credentials.secretAccessKey;
    if (config.credentials.sessionToken) vars.AWS_SESSION_TOKEN = config.credentials.sessionToken;
  }
  if (config.endpoint) {
    // The emulator: the AWS CLI goes to it, trusting its own certificate.
    vars.AWS_ENDPOINT_URL = config.endpoint;
    vars.AWS_CA_BUNDLE = emulatorCertificate().cert;
  }
  return vars;
}

export async function rollback(ctx: OpsContext, to?: string): Promise<string> {
  const image = await rollbackTarget(ctx, to);
  const { service, taskDefinition } = await ctx.serviceAndTaskDefinition();
  const net = service.networkConfiguration?.awsvpcConfiguration;
  const family = taskDefinition.family ?? ctx.names.taskFamily;
  const { container } = ctx.logConfiguration(taskDefinition);
  requireTools(["aws", "jq"]);
  ctx.out.progress(`rolling back ${ctx.env.name} to ${image} (the migrations are not run again)`);

  const variables: Record<string, string> = {
    CLUSTER: ctx.names.cluster,
    SERVICE: ctx.names.service,
    TASK_FAMILY: family,
    CONTAINER_NAME: container,
    SUBNET_IDS: (net?.subnets ?? []).join(","),
    SECURITY_GROUP_IDS: (net?.securityGroups ?? []).join(","),
    IMAGE_PARAMETER: ctx.names.imageParameter,
    MIN_COUNT: String(ctx.env.service.minCount),
    IMAGE_URI: image,
    SKIP_MIGRATIONS: "1",
    AWS_DEFAULT_REGION: ctx.env.region,
  };
  const workDir = path.join(PROJECT_ROOT, ".local", "rollback");
  mkdirSync(workDir, { recursive: true });
  const result = spawnSync("bash", [RELEASE_SCRIPT], {
    cwd: workDir,
    env: { ...cliEnvironment(ctx, process.env), ...variables },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const line of (result.stdout ?? "").split("\n").filter(Boolean)) ctx.out.progress(line);
  if (result.status !== 0) {
    throw new OpsError(
      `the release step refused or failed (exit ${result.status}):\n${(result.stderr ?? "").trim()}`,
    );
  }
  ctx.out.line(`rolled back ${ctx.env.name} to ${image}`);
  return image;
}
