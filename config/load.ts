import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { AppTaskDefinition } from "../constructs/app-task-definition";
import { Database } from "../constructs/database";
import { Domain } from "../constructs/domain";
import { Mail } from "../constructs/mail";
import { checkTimeZone, problemsOf } from "../constructs/limits";
import { UploadsBucket } from "../constructs/uploads-bucket";
import { WebService } from "../constructs/web-service";
import type { EnvironmentConfig } from "./environment";
import { environmentSchema } from "./environment-schema";
import { promotionProblems } from "./promotion";
import { loadSettings, type SettingsFormat, validateSettings } from "./settings-file";

export { ConfigError } from "./settings-file";

/**
 * Rules that relate settings to each other, or need more than a pattern. Each one is the construct's own
 * check (the construct refuses the same props); this only says which setting it concerns.
 */
function environmentRules(env: EnvironmentConfig, file: string): string[] {
  const fileName = basename(file, ".json");
  const { domain, service, database, uploads } = env;
  return problemsOf({
    name: env.name === fileName ? undefined : `"${env.name}" must equal the file name "${fileName}"`,
    "domain.name": Domain.checkInZone(domain.name, domain.zoneName),
    "service.memory": AppTaskDefinition.checkSize(service.cpu, service.memory),
    "service.maxCount": WebService.checkCounts(service.minCount, service.maxCount),
    "service.outboundPorts": WebService.checkOutboundPorts(service.outboundPorts.map((p) => p.port)),
    "database.maxAllocatedStorageGiB": Database.checkStorageCeiling(
      database.allocatedStorageGiB,
      database.maxAllocatedStorageGiB,
    ),
    "uploads.abortIncompleteUploadsAfterDays": UploadsBucket.checkAbortDays(
      uploads.abortIncompleteUploadsAfterDays,
      uploads.expireAfterDays,
    ),
    "statsTask.timezone": checkTimeZone(env.statsTask.timezone),
    ...Object.fromEntries(
      Object.keys(env.appEnvironment).map((name) => [
        `appEnvironment.${name}`,
        AppTaskDefinition.checkPlainVariable(name, env.secrets),
      ]),
    ),
    ...Object.fromEntries(
      env.secrets.map((name, i) => [`secrets[${i}]`, AppTaskDefinition.checkSecretVariable(name)]),
    ),
    "mail.fromAddress": env.mail ? Mail.checkFromAddress(env.mail.fromAddress, domain.name) : undefined,
    delivery:
      env.delivery && env.emulator
        ? "not available with emulator (the emulator has no CodeStar connections or notifications); remove one"
        : undefined,
    githubActions:
      env.githubActions && env.emulator
        ? "must be left out with emulator (GitHub Actions cannot reach a local emulator)"
        : undefined,
  });
}

/** Environment files: environments/<name>.json. */
export const ENVIRONMENT_FILE: SettingsFormat<EnvironmentConfig> = {
  kind: "environment file",
  schema: environmentSchema,
  rules: environmentRules,
};

/** Reads and validates one environment file; throws ConfigError listing every problem found. */
export function loadEnvironment(file: string): EnvironmentConfig {
  return loadSettings(ENVIRONMENT_FILE, file);
}

/** Validates parsed environment data (for tests); `file` is used in messages and for the name rule. */
export function validateEnvironment(data: unknown, file: string): EnvironmentConfig {
  return validateSettings(ENVIRONMENT_FILE, data, file);
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
  // Relations between files: which environment promotes whose images.
  const problems = promotionProblems(envs);
  if (problems.length > 0) throw new Error(problems.join("\n"));
  return envs;
}
