/**
 * `secrets`: which secrets the app's task definition reads and which have no value yet (from their metadata:
 * a value is never read). `secrets set <NAME>`: stores a value read from standard input, so it never appears
 * in a command line, a shell history or a file. `restart`: replaces every web task (a rolling deployment), so
 * the tasks read the secrets' current values; the one command after changing one.
 */
import { DescribeSecretCommand, PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { OpsError, type OpsContext } from "./context";

export interface SecretStatus {
  /** The container variable it becomes. */
  readonly variable: string;
  /** The secret's name in Secrets Manager. */
  readonly name: string;
  readonly hasValue: boolean;
  /** Managed by RDS (the database credentials): rotated by RDS, never set by hand. */
  readonly managed: boolean;
}

/** Every secret the app's container reads, with whether it has a value. */
export async function secretStatuses(ctx: OpsContext): Promise<SecretStatus[]> {
  const definition = (await ctx.serviceAndTaskDefinition()).taskDefinition;
  const references = (definition.containerDefinitions ?? []).flatMap((c) => c.secrets ?? []);
  const statuses: SecretStatus[] = [];
  for (const { name: variable, valueFrom } of references) {
    if (!variable || !valueFrom?.startsWith("arn:aws:secretsmanager:")) continue;
    const arn = valueFrom.split(":").slice(0, 7).join(":");
    const secret = await ctx.call(() => ctx.secrets.send(new DescribeSecretCommand({ SecretId: arn })));
    const stages = Object.values(secret.VersionIdsToStages ?? {}).flat();
    statuses.push({
      variable,
      name: secret.Name ?? arn,
      hasValue: stages.includes("AWSCURRENT"),
      managed: secret.OwningService !== undefined || (secret.Name ?? "").startsWith("rds!"),
    });
  }
  return statuses;
}

export async function showSecrets(ctx: OpsContext): Promise<SecretStatus[]> {
  const statuses = await secretStatuses(ctx);
  for (const s of statuses) {
    const state = s.managed ? "managed by RDS" : s.hasValue ? "set" : "NO VALUE";
    ctx.out.line(`${s.variable.padEnd(24)} ${state.padEnd(15)} ${s.name}`);
  }
  const missing = statuses.filter((s) => !s.hasValue);
  if (missing.length > 0) {
    ctx.out.line("");
    for (const s of missing) {
      ctx.out.line(
        `set ${s.variable}: npm run ops -- secrets ${ctx.env.name} set ${s.variable} < file-with-the-value`,
      );
    }
  }
  return statuses;
}

/** Stores the value of one of the app's secrets (never the RDS-managed ones). */
export async function setSecret(ctx: OpsContext, variable: string | undefined, value: string): Promise<void> {
  const statuses = await secretStatuses(ctx);
  const secret = statuses.find((s) => s.variable === variable);
  if (!secret) {
    throw new OpsError(
      `secrets set: "${variable ?? ""}" is not a secret of ${ctx.env.name}; allowed: ${statuses
        .filter((s) => !s.managed)
        .map((s) => s.variable)
        .join(", ")}`,
    );
  }
  if (secret.managed)
    throw new OpsError(`${secret.variable} is managed by RDS, which rotates it; it is never set by hand`);
  const trimmed = value.replace(/\r?\n$/, "");
  if (trimmed === "") throw new OpsError(`secrets set: no value on standard input for ${secret.variable}`);
  await ctx.call(() =>
    ctx.secrets.send(new PutSecretValueCommand({ SecretId: secret.name, SecretString: trimmed })),
  );
  ctx.out.line(`${secret.variable} set (${secret.name}); run: npm run ops -- restart ${ctx.env.name}`);
}

/** Replaces every web task by a rolling deployment; with `wait`, until it completes or rolls back. */
export async function restart(ctx: OpsContext, wait = true): Promise<string> {
  await ctx.service();
  const { service } = await ctx.call(() =>
    ctx.ecs.send(
      new UpdateServiceCommand({
        cluster: ctx.names.cluster,
        service: ctx.names.service,
        forceNewDeployment: true,
      }),
    ),
  );
  const deployment = service?.deployments?.find((d) => d.status === "PRIMARY")?.id;
  if (!deployment) throw new OpsError("the service started no deployment");
  ctx.out.progress(
    `deployment ${deployment} started: new tasks read the current secrets, then old ones stop`,
  );
  if (!wait) return deployment;
  for (;;) {
    const { services } = await ctx.call(() =>
      ctx.ecs.send(
        new DescribeServicesCommand({ cluster: ctx.names.cluster, services: [ctx.names.service] }),
      ),
    );
    const state = services?.[0]?.deployments?.find((d) => d.id === deployment);
    const rollout = state?.rolloutState ?? "gone";
    ctx.out.progress(
      `deployment ${deployment}: ${rollout} (${state?.runningCount ?? 0}/${state?.desiredCount ?? 0} running)`,
    );
    if (rollout === "COMPLETED") return deployment;
    if (rollout === "FAILED" || rollout === "gone") {
      throw new OpsError(
        `deployment ${deployment} did not complete (${rollout}): ${state?.rolloutStateReason ?? ""}`,
      );
    }
    await ctx.sleep();
  }
}
