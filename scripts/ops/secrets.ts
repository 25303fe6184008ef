/**
 * `secrets`: which secrets the app's task definition reads and which have no value yet (from their metadata:
 * a value is never read). `secrets set <NAME>`: stores a value read from standard input, so it never appears
 * in a command line, a shell history or a file. `restart`: replaces every web task (a rolling deployment), so
 * the tasks read the secrets' current values; the one command after changing one.
 */
import { DescribeSecretCommand, PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import type { EnvironmentConfig } from "../../config/environment";
import { PLATFORM_SECRETS } from "../../constructs/app-task-definition";
import { OpsError, type OpsContext } from "./context";

/** Secrets Manager's limit on a secret's value (SecretString), in bytes of UTF-8. */
export const SECRET_VALUE_MAX_BYTES = 65_536;

/**
 * The secret `secrets set` may write, from the environment file alone, so a mistyped name is refused before
 * anything is read from standard input or asked of AWS.
 */
export function checkSecretName(env: EnvironmentConfig, name: string | undefined): string {
  if ((PLATFORM_SECRETS as readonly string[]).includes(name ?? "")) {
    throw new OpsError(`${name} is managed by RDS, which rotates it; it is never set by hand`, 2);
  }
  if (!name || !env.secrets.includes(name)) {
    const allowed =
      env.secrets.length > 0 ? env.secrets.join(", ") : "none (the environment declares no secrets)";
    throw new OpsError(`secrets set: "${name ?? ""}" is not a secret of ${env.name}; allowed: ${allowed}`, 2);
  }
  return name;
}

/**
 * The value to store, from the bytes given on standard input: one final newline (a file's last line end) is
 * dropped, and a UTF-8 byte-order mark at the start (what some editors write) is dropped with a note. Refused,
 * with what to do: bytes that are not UTF-8 (e.g. a UTF-16 file), an empty or whitespace-only value, a value
 * larger than Secrets Manager takes.
 */
export function secretValue(input: Buffer | string): { value: string; notes: string[] } {
  let bytes = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  const notes: string[] = [];
  if (bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))) {
    bytes = bytes.subarray(3);
    notes.push("dropped the byte-order mark at the start of the input");
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe ? " (it looks like UTF-16)" : "";
    throw new OpsError(
      `secrets set: the input is not valid UTF-8${utf16}; save the value as UTF-8 and try again`,
      2,
    );
  }
  const value = text.replace(/\r?\n$/, "");
  if (value.trim() === "") {
    throw new OpsError(
      value === ""
        ? "secrets set: no value on standard input"
        : "secrets set: the value is only whitespace; nothing was stored",
      2,
    );
  }
  const size = Buffer.byteLength(value, "utf8");
  if (size > SECRET_VALUE_MAX_BYTES) {
    throw new OpsError(
      `secrets set: the value is ${size} bytes; Secrets Manager takes at most ${SECRET_VALUE_MAX_BYTES}`,
      2,
    );
  }
  return { value, notes };
}

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

/**
 * Stores the value of one of the app's secrets (never the RDS-managed ones), from what was read from standard
 * input (checked and trimmed by secretValue).
 */
export async function setSecret(
  ctx: OpsContext,
  variable: string | undefined,
  input: Buffer | string,
): Promise<void> {
  const { value, notes } = secretValue(input);
  for (const note of notes) ctx.out.progress(note);
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
  await ctx.call(() =>
    ctx.secrets.send(new PutSecretValueCommand({ SecretId: secret.name, SecretString: value })),
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
