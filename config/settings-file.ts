/**
 * The one way a settings file is read: JSON, then its JSON schema (Ajv), then the rules a schema cannot
 * state. Every problem is collected and thrown at once as a ConfigError that names the file, each setting and
 * what is allowed, before anything is built.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import Ajv from "ajv";
import { describeSchemaError } from "./schema";

/** Thrown for a broken settings file; the message names the file, each setting and what is allowed. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    /** What the file is, e.g. "environment file". */
    readonly kind: string,
    readonly problems: string[],
  ) {
    super(
      `${relative(process.cwd(), file) || file} is not a valid ${kind}:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });

/** A settings file format: what it is called, its schema, and the rules its schema cannot state. */
export interface SettingsFormat<T> {
  readonly kind: string;
  readonly schema: object;
  /** Problems the schema cannot see, as `<setting>: <problem>` lines; `file` is the file being read. */
  readonly rules?: (data: T, file: string) => string[];
}

const compiled = new WeakMap<object, ReturnType<typeof ajv.compile>>();

/** Validates parsed data against a format; throws ConfigError listing every problem. */
export function validateSettings<T>(format: SettingsFormat<T>, data: unknown, file: string): T {
  let validate = compiled.get(format.schema);
  if (!validate) {
    validate = ajv.compile(format.schema);
    compiled.set(format.schema, validate);
  }
  if (!validate(data)) {
    throw new ConfigError(file, format.kind, (validate.errors ?? []).map(describeSchemaError));
  }
  const problems = format.rules?.(data as T, file) ?? [];
  if (problems.length > 0) throw new ConfigError(file, format.kind, problems);
  return data as T;
}

/** Reads and validates one settings file. */
export function loadSettings<T>(format: SettingsFormat<T>, file: string): T {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ConfigError(file, format.kind, [`cannot be read as JSON: ${(err as Error).message}`]);
  }
  return validateSettings(format, data, file);
}
