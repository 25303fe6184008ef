/**
 * Day two against the deployed emulator, through the operator's command line (scripts/ops): a fresh environment
 * runs no task and says it awaits its first release; a release is refused while secrets have no value; the
 * secrets are set; the first release (through the release step's own script, the AWS CLI pointed at the
 * emulator) starts minCount tasks; rollback goes back through the parameter's history; status, a one-off task,
 * logs (the service's and the weekly task's) and a restart work; credentials of another account are refused.
 */
import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import { loadEnvironment } from "../../config/load";
import { applyLocalOverrides } from "../../config/local";
import { emulatorClientConfig } from "../../scripts/lib/aws";
import { OpsContext, OpsError } from "../../scripts/ops/context";
import { showLogs } from "../../scripts/ops/logs";
import { releaseHistory, rollback } from "../../scripts/ops/rollback";
import { runOneOff } from "../../scripts/ops/run";
import { restart, setSecret, showSecrets } from "../../scripts/ops/secrets";
import { status } from "../../scripts/ops/status";
import { LOCAL_ENVIRONMENT_FILE } from "../../scripts/local/session";
import type { RolePolicies } from "../../rules/iam/account-policies";
import { ops } from "../../scripts/ops";
import { adminProfile, profileContext, withAdminProfiles } from "./move";
import { releaseAsPipeline } from "./pipeline";
import { ROOT } from "./local-run";
import { join } from "node:path";

export interface Transcript {
  readonly lines: string[];
  readonly progress: string[];
}

function context(port: number): { ctx: OpsContext; seen: Transcript } {
  const env = applyLocalOverrides(loadEnvironment(LOCAL_ENVIRONMENT_FILE), { LOCAL_AWS_PORT: String(port) });
  const seen: Transcript = { lines: [], progress: [] };
  const ctx = new OpsContext(
    env,
    { line: (t) => seen.lines.push(t), progress: (t) => seen.progress.push(t) },
    emulatorClientConfig(port, env.region),
    { pollMs: 100 },
  );
  return { ctx, seen };
}

/** Before the first release: no task, and status says why. */
export async function beforeFirstRelease(port: number): Promise<void> {
  const { ctx, seen } = context(port);
  const s = await status(ctx);
  expect([s.desired, s.running]).toEqual([0, 0]);
  expect(s.image?.placeholder).toBe(true);
  expect(seen.lines.join("\n")).toContain("no release yet: the service runs no task until the first release");
  expect(s.lastWeeklyRun).toBeUndefined();
}

/** The release's preflight refuses, naming each secret without a value; then the operator sets them. */
export async function secretsBeforeRelease(port: number, image: string): Promise<void> {
  const { ctx, seen } = context(port);
  const declared = await showSecrets(ctx);
  const appSecrets = ctx.env.secrets;
  const missing = declared.filter((s) => !s.hasValue).map((s) => s.variable);
  expect(missing.sort()).toEqual([...appSecrets].sort());
  for (const name of appSecrets) {
    expect(seen.lines).toContain(
      `set ${name}: npm run ops -- secrets local set ${name} < file-with-the-value`,
    );
  }

  const refused = rollback(ctx, image);
  await expect(refused).rejects.toThrow(OpsError);
  const message = await refused.catch((e: Error) => e.message);
  expect(message).toContain(`${appSecrets.length} secret(s) without a value`);
  for (const name of appSecrets)
    expect(message).toContain(`${name}: secret myamazingapp/local/${name} has no value`);

  for (const name of appSecrets) await setSecret(ctx, name, `e2e value of ${name}\n`);
  expect((await showSecrets(ctx)).filter((s) => !s.hasValue)).toEqual([]);
}

/**
 * The first release (the pipeline's release step, as its CodeBuild role) starts minCount tasks and raises the
 * floor; rollback (the operator's) walks the history back.
 */
export async function releaseAndRollBack(
  port: number,
  repository: string,
  releaseRole: RolePolicies,
): Promise<void> {
  const { ctx } = context(port);
  const cfg = emulatorClientConfig(port, ctx.env.region);
  const min = ctx.env.service.minCount;
  const desired = async () =>
    (
      await new ECSClient(cfg).send(
        new DescribeServicesCommand({ cluster: ctx.names.cluster, services: [ctx.names.service] }),
      )
    ).services?.[0]?.desiredCount;

  await releaseAsPipeline(ctx, releaseRole, `${repository}:v1`);
  expect(await desired()).toBe(min);
  const { ScalableTargets } = await new ApplicationAutoScalingClient(cfg).send(
    new DescribeScalableTargetsCommand({
      ServiceNamespace: "ecs",
      ResourceIds: [`service/${ctx.names.cluster}/${ctx.names.service}`],
    }),
  );
  expect(ScalableTargets?.[0].MinCapacity).toBe(min);

  await rollback(ctx, `${repository}:v2`);
  expect(await rollback(ctx)).toBe(`${repository}:v1`); // the one released before v2
  expect(await releaseHistory(ctx)).toEqual([`${repository}:v1`, `${repository}:v2`, `${repository}:v1`]);
  // v2 was rolled back: a second rollback does not bounce back to it, and nothing is before v1.
  await expect(rollback(ctx)).rejects.toThrow(`no earlier release to roll back to: ${repository}:v1`);
  // Every run gave the release lock back.
  await expect(
    ctx.ssm.send(new GetParameterCommand({ Name: ctx.names.releaseLockParameter })),
  ).rejects.toMatchObject({ name: "ParameterNotFound" });

  const { ctx: again, seen } = context(port);
  const s = await status(again);
  expect(s.image?.uri).toBe(`${repository}:v1`);
  expect(s.desired).toBe(min);
  expect(seen.lines.join("\n")).toMatch(
    new RegExp(`image +${repository.replace(/[.]/g, "\\.")}:v1, released 20`),
  );
}

/** A one-off task runs to its end and returns its exit code; logs show the service's and the weekly runs' lines. */
export async function oneOffAndLogs(port: number): Promise<void> {
  const { ctx, seen } = context(port);
  const result = await runOneOff(ctx, ["bin/rails", "runner", "puts 1"]);
  expect(result.exitCode).toBe(0);
  expect(seen.progress.some((p) => p.endsWith("is STOPPED"))).toBe(true);

  // moto runs no container: write what the tasks would have logged, and the runs log's record of a weekly run.
  const logs = new CloudWatchLogsClient(emulatorClientConfig(port, ctx.env.region));
  const write = async (group: string, stream: string, message: string) => {
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        logEvents: [{ timestamp: Date.now(), message }],
      }),
    );
  };
  const group = `/myamazingapp/${ctx.env.name}/web`;
  await write(group, "app/web/aaaa1111", "GET /up 200 from the web service");
  await write(group, "app/web/bbbb2222", "stats:users counted 42 users");
  const weeklyTask = `arn:aws:ecs:${ctx.env.region}:${ctx.env.account}:task/${ctx.names.cluster}/bbbb2222`;
  await write(
    ctx.names.weeklyRunsLogGroup,
    "events",
    JSON.stringify({
      "detail-type": "ECS Task State Change",
      detail: {
        taskArn: weeklyTask,
        stoppedAt: "2026-11-23T11:04:00Z",
        stoppedReason: "Essential container in task exited",
        containers: [{ name: "web", exitCode: 0 }],
      },
    }),
  );

  const all = context(port);
  expect(await showLogs(all.ctx, { sinceMs: 5 * 60_000 })).toBeGreaterThanOrEqual(2);
  expect(all.seen.lines.join("\n")).toContain("GET /up 200 from the web service");
  const weekly = context(port);
  await showLogs(weekly.ctx, { weekly: true, sinceMs: 5 * 60_000 });
  expect(weekly.seen.lines).toHaveLength(1);
  expect(weekly.seen.lines[0]).toContain("stats:users counted 42 users");

  const { ctx: s, seen: out } = context(port);
  const st = await status(s);
  expect(st.lastWeeklyRun).toMatchObject({ exitCode: 0, task: "bbbb2222" });
  expect(out.lines.join("\n")).toContain("last run stopped 2026-11-23T11:04:00Z, exit code 0");

  const { ctx: r } = context(port);
  expect(await restart(r, false)).toMatch(/^ecs-svc\//);
}

/** Every verb refuses credentials of another account than the environment's before any call, naming both. */
export async function wrongAccountRefused(port: number): Promise<void> {
  const vars = { LOCAL_AWS_PORT: String(port) };
  const local = applyLocalOverrides(loadEnvironment(LOCAL_ENVIRONMENT_FILE), vars);
  const west = applyLocalOverrides(loadEnvironment(join(ROOT, "environments", "localwest.json")), vars);
  await withAdminProfiles([local, west], async () => {
    const said: string[] = [];
    // The operator signed in to localwest's account, and restarts local.
    const refused = ops(["restart", "local", "--profile", adminProfile(west)], (env, profile) =>
      profileContext(port, env, said, profile),
    );
    await expect(refused).rejects.toThrow(OpsError);
    const message = await refused.catch((e: Error) => e.message);
    expect(message).toContain(`are for account ${west.account}`);
    expect(message).toContain(`but local is in account ${local.account}`);
    expect(message).not.toMatch(/not deployed/);
  });
}
