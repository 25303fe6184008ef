import { readFileSync, readdirSync } from "node:fs";
import { basename, join, relative } from "node:path";
import Ajv, { type ErrorObject } from "ajv";
import type { EnvironmentConfig } from "./environment";
import { FARGATE_SIZES, environmentSchema } from "./schema";

/** Thrown for a broken environment file; the message names the file, the setting and what is allowed. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(
      `${relative(process.cwd(), file) || file} is not a valid environment file:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
const validateSchema = ajv.compile<EnvironmentConfig>(environmentSchema);

const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const WEEKLY_CRON_HELP =
  "a weekly cron: cron(M H ? * D *) with M 0-59, H 0-23 and D one of SUN-SAT or 1-7, e.g. cron(0 3 ? * MON *)";
/** Container variables the stack sets itself; an environment file may not override them. */
const RESERVED_VARIABLES = /^(DATABASE_|DB_|AWS_|ECS_)|^(UPLOADS_BUCKET|APP_DOMAIN|PORT)$/;
/** Names that say "secret": such values belong in Secrets Manager, never in a config file. */
const SECRET_LIKE = /(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL)/;

/** Reads and validates one environment file; throws ConfigError listing every problem found. */
export function loadEnvironment(file: string): EnvironmentConfig {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ConfigError(file, [`cannot be read as JSON: ${(err as Error).message}`]);
  }
  return validateEnvironment(data, file);
}

/** Validates parsed environment data (exported for tests); `file` is used in messages and for the name rule. */
export function validateEnvironment(data: unknown, file: string): EnvironmentConfig {
  if (!validateSchema(data)) {
    throw new ConfigError(file, (validateSchema.errors ?? []).map(describeSchemaError));
  }
  const problems = semanticProblems(data, basename(file, ".json"));
  if (problems.length > 0) throw new ConfigError(file, problems);
  return data;
}

/** Loads every `*.json` environment file in a folder (the schema file excluded), sorted by name. */
export function loadEnvironments(dir: string): EnvironmentConfig[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !f.endsWith(".schema.json"))
    .sort();
  if (files.length === 0) throw new Error(`No environment files (*.json) found in ${dir}`);
  const errors: string[] = [];
  const envs: EnvironmentConfig[] = [];
  for (const f of files) {
    try {
      envs.push(loadEnvironment(join(dir, f)));
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  if (errors.length > 0) throw new Error(errors.join("\n"));
  return envs;
}

function describeSchemaError(e: ErrorObject): string {
  const path = e.instancePath.replace(/^\//, "").replace(/\//g, ".") || "(top level)";
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties": {
      const allowed = Object.keys(
        (e.parentSchema as { properties?: Record<string, unknown> }).properties ?? {},
      ).join(", ");
      const where = path === "(top level)" ? "" : ` in ${path}`;
      return `unknown setting "${String(p.additionalProperty)}"${where}; allowed: ${allowed}`;
    }
    case "required":
      return `${path}: missing required setting "${String(p.missingProperty)}"`;
    case "enum":
      return `${path}: ${JSON.stringify(e.data)} is not allowed; allowed values: ${(p.allowedValues as unknown[]).join(", ")}`;
    case "type":
      return `${path}: must be ${String(p.type)}, got ${JSON.stringify(e.data)}`;
    case "minimum":
    case "maximum": {
      const s = e.parentSchema as { minimum?: number; maximum?: number; description?: string };
      return `${path}: ${JSON.stringify(e.data)} is out of range; allowed: ${s.minimum} to ${s.maximum} (${s.description ?? ""})`;
    }
    case "pattern": {
      const s = e.parentSchema as { description?: string };
      return `${path}: ${JSON.stringify(e.data)} is malformed; expected ${s.description ?? `to match ${String(p.pattern)}`}`;
    }
    default:
      return `${path}: ${e.message ?? e.keyword}`;
  }
}

function semanticProblems(env: EnvironmentConfig, fileName: string): string[] {
  const problems: string[] = [];
  if (env.name !== fileName) {
    problems.push(`name: "${env.name}" must equal the file name "${fileName}"`);
  }
  const { domain, network, service, database, statsTask } = env;
  if (domain.name !== domain.zoneName && !domain.name.endsWith(`.${domain.zoneName}`)) {
    problems.push(
      `domain.name: "${domain.name}" is not inside domain.zoneName "${domain.zoneName}"; allowed: the zone itself or a name ending in ".${domain.zoneName}"`,
    );
  }
  if (
    network.cidr
      .split("/")[0]
      .split(".")
      .some((o) => Number(o) > 255)
  ) {
    problems.push(`network.cidr: "${network.cidr}" has an octet over 255`);
  }
  const memories = FARGATE_SIZES[service.cpu] ?? [];
  if (!memories.includes(service.memory)) {
    problems.push(
      `service.memory: ${service.memory} MiB does not fit service.cpu ${service.cpu}; allowed: ${memories[0]} to ${memories[memories.length - 1]} in steps Fargate accepts (${memories.slice(0, 4).join(", ")}, ...)`,
    );
  }
  if (service.maxCount < service.minCount) {
    problems.push(
      `service.maxCount: ${service.maxCount} is below service.minCount ${service.minCount}; allowed: ${service.minCount} or more`,
    );
  }
  if (database.maxAllocatedStorageGiB < database.allocatedStorageGiB) {
    problems.push(
      `database.maxAllocatedStorageGiB: ${database.maxAllocatedStorageGiB} is below database.allocatedStorageGiB ${database.allocatedStorageGiB}`,
    );
  }
  if (env.uploads.abortIncompleteUploadsAfterDays > env.uploads.expireAfterDays) {
    problems.push(
      `uploads.abortIncompleteUploadsAfterDays: ${env.uploads.abortIncompleteUploadsAfterDays} is above uploads.expireAfterDays ${env.uploads.expireAfterDays}; allowed: 1 to ${env.uploads.expireAfterDays}`,
    );
  }
  if (!isWeeklyCron(statsTask.schedule)) {
    problems.push(`statsTask.schedule: "${statsTask.schedule}" is not allowed; expected ${WEEKLY_CRON_HELP}`);
  }
  if (!isTimeZone(statsTask.timezone)) {
    problems.push(
      `statsTask.timezone: "${statsTask.timezone}" is not an IANA time zone; allowed: e.g. UTC, America/Los_Angeles`,
    );
  }
  for (const key of Object.keys(env.appEnvironment)) {
    if (RESERVED_VARIABLES.test(key)) {
      problems.push(`appEnvironment.${key}: set by the stack itself; remove it from the file`);
    } else if (SECRET_LIKE.test(key)) {
      problems.push(
        `appEnvironment.${key}: looks like a secret; list "${key}" under secrets and set its value in Secrets Manager`,
      );
    } else if (env.secrets.includes(key)) {
      problems.push(`appEnvironment.${key}: also listed under secrets; a variable is one or the other`);
    }
  }
  if (env.delivery && env.emulator) {
    problems.push(
      "delivery: not available with emulator (the emulator has no CodeStar connections or notifications); remove one",
    );
  }
  for (const name of env.secrets) {
    if (RESERVED_VARIABLES.test(name)) {
      problems.push(
        `secrets: "${name}" is set by the stack itself (the database password is managed by RDS)`,
      );
    }
  }
  return problems;
}

/** True for `cron(M H ? * D *)`: one fixed minute, hour and weekday, every month and year. */
export function isWeeklyCron(expr: string): boolean {
  const m = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expr);
  if (!m) return false;
  const [, minute, hour, dom, month, dow, year] = m;
  const inRange = (v: string, lo: number, hi: number) => /^\d{1,2}$/.test(v) && +v >= lo && +v <= hi;
  const weekday = WEEKDAYS.includes(dow) || inRange(dow, 1, 7);
  return (
    inRange(minute, 0, 59) && inRange(hour, 0, 23) && dom === "?" && month === "*" && weekday && year === "*"
  );
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
