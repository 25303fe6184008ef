/**
 * The one way a settings file is read: JSON, then its JSON schema (Ajv), then the rules a schema cannot
 * state. Every problem is collected and thrown at once as a ConfigError that names the file, each setting and
 * what is allowed, before anything is built.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { ValidateFunction } from "ajv";
import { projectRoot } from "./paths";
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

/** A settings file format: what it is called, its schema, and the rules its schema cannot state. */
export interface SettingsFormat<T> {
  readonly kind: string;
  readonly schema: object;
  /** Problems the schema cannot see, as `<setting>: <problem>` lines; `file` is the file being read. */
  readonly rules?: (data: T, file: string) => string[];
}

const AJV_OPTIONS = { allErrors: true, strict: true, allowUnionTypes: true, verbose: true } as const;

/** Where compiled validators are kept between runs. */
export const VALIDATOR_CACHE = join(projectRoot(), ".local", "cache", "settings-validators");

/**
 * The validator of a schema. Ajv compiling the settings schemas took a tenth of every synth, so the code it
 * generates is kept (Ajv's standalone code, the same function it compiles in memory) in `cacheDir`, under a hash of
 * the schema, the options and Ajv's version: a changed schema or a new Ajv compiles anew, and nothing else does.
 * A cache that cannot be written (a read-only checkout) only costs the compile.
 */
export function validatorOf(schema: object, cacheDir: string = VALIDATOR_CACHE): ValidateFunction {
  const ajvVersion = (
    JSON.parse(readFileSync(require.resolve("ajv/package.json"), "utf8")) as { version: string }
  ).version;
  const key = createHash("sha256")
    .update(JSON.stringify({ ajvVersion, AJV_OPTIONS, schema }))
    .digest("hex")
    .slice(0, 32);
  const file = join(cacheDir, `${key}.js`);
  try {
    return loadStandalone(readFileSync(file, "utf8"));
  } catch {
    // not compiled yet (or a broken file): compile and write it anew
  }
  // Ajv itself loads only here (about 40 ms): a synth with every validator cached never needs it.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const Ajv = (require("ajv") as typeof import("ajv")).default;
  const standaloneCode = (require("ajv/dist/standalone") as typeof import("ajv/dist/standalone")).default;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
  const validate = ajv.compile(schema);
  try {
    mkdirSync(cacheDir, { recursive: true });
    // Written aside and renamed into place, so a concurrent run (jest's workers) never loads half a file.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, standaloneCode(ajv, validate));
    renameSync(partial, file);
  } catch {
    // read-only: validate with the function compiled in memory
  }
  return validate;
}

/**
 * Runs a standalone validator module's code. Its one import (`ajv/dist/runtime/...`) is resolved from here, where
 * the project's packages are, wherever the cache lies.
 */
function loadStandalone(code: string): ValidateFunction {
  const module = { exports: {} as unknown };
  new Function("require", "module", "exports", code)(require, module, module.exports);
  return module.exports as ValidateFunction;
}

const compiled = new WeakMap<object, ValidateFunction>();

/** Validates parsed data against a format; throws ConfigError listing every problem. */
export function validateSettings<T>(format: SettingsFormat<T>, data: unknown, file: string): T {
  let validate = compiled.get(format.schema);
  if (!validate) {
    validate = validatorOf(format.schema);
    compiled.set(format.schema, validate);
  }
  if (!validate(data)) {
    throw new ConfigError(
      file,
      format.kind,
      (validate.errors ?? []).map((e) => describeSchemaError(e, format.schema)),
    );
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
