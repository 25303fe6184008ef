/**
 * Building blocks of the settings files' JSON schemas, made from the rules in constructs/limits.ts (a RegExp's
 * `source` becomes a `pattern`, a Range its `minimum` and `maximum`), and the one way a schema violation is
 * told to a person: the file, the setting's path, and what is allowed, in the words the constructs use.
 */
import type { ErrorObject } from "ajv";
import { checkOneOf, checkPattern, checkRange, type Pattern, type Range } from "../constructs/limits";

/** The rule behind each schema node built here, so an error is described by the rule, not by Ajv. */
const rules = new WeakMap<object, Pattern | Range>();

/** A string setting checked by a Pattern. */
export function text(rule: Pattern, description: string) {
  const node = {
    type: "string",
    pattern: rule.pattern.source,
    description: `${description} (${rule.expected})`,
  };
  rules.set(node, rule);
  return node;
}

/** A whole-number setting checked by a Range. */
export function whole(rule: Range, description: string) {
  const node = {
    type: "integer",
    minimum: rule.min,
    maximum: rule.max,
    description: `${description} (${rule.min} to ${rule.max} ${rule.unit})`,
  };
  rules.set(node, rule);
  return node;
}

/** A setting with a fixed list of values. */
export function oneOf<T extends string | number>(values: readonly T[], description: string) {
  return { type: typeof values[0] === "number" ? "integer" : "string", enum: [...values], description };
}

/** A yes/no setting. */
export function flag(description: string) {
  return { type: "boolean", description };
}

/** An object setting whose keys are all required and none other is allowed. */
export function section<P extends Record<string, object>>(
  properties: P,
  description: string,
  optional: string[] = [],
) {
  return {
    type: "object",
    additionalProperties: false,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    description,
    properties,
  };
}

/**
 * The node of `schema` that holds the keyword an error names (Ajv's `schemaPath`, e.g.
 * `#/properties/network/properties/natGateways/enum`). The error's own `parentSchema` is that node only when the
 * validator was compiled in this process; a cached one (settings-file.ts) carries a copy, which no rule is keyed by.
 */
function schemaNodeOf(schema: object, e: ErrorObject): Record<string, unknown> | undefined {
  const steps = e.schemaPath.replace(/^#\/?/, "").split("/").slice(0, -1);
  let node: unknown = schema;
  for (const step of steps.filter((s) => s !== "")) {
    const key = decodeURIComponent(step).replace(/~1/g, "/").replace(/~0/g, "~");
    node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node !== null && typeof node === "object" ? (node as Record<string, unknown>) : undefined;
}

/** One line per violation of `schema`: the setting's path and what is allowed. */
export function describeSchemaError(e: ErrorObject, schema: object): string {
  const path = e.instancePath.replace(/^\//, "").replace(/\//g, ".") || "(top level)";
  const p = e.params as Record<string, unknown>;
  const parent = schemaNodeOf(schema, e) ?? e.parentSchema;
  const rule = parent ? rules.get(parent) : undefined;
  switch (e.keyword) {
    case "additionalProperties": {
      const allowed = Object.keys((parent as { properties?: Record<string, unknown> }).properties ?? {}).join(
        ", ",
      );
      const where = path === "(top level)" ? "" : ` in ${path}`;
      return `unknown setting "${String(p.additionalProperty)}"${where}; allowed: ${allowed}`;
    }
    case "required":
      return `${path}: missing required setting "${String(p.missingProperty)}"`;
    case "enum":
      return `${path}: ${checkOneOf(p.allowedValues as string[], e.data as string, (parent as { description: string }).description)}`;
    case "const":
      return `${path}: must be ${JSON.stringify(p.allowedValue)} (${(parent as { description?: string }).description ?? ""})`;
    case "type":
      return `${path}: must be ${String(p.type)}, got ${JSON.stringify(e.data)}`;
    case "minimum":
    case "maximum":
      return rule && "min" in rule
        ? `${path}: ${checkRange(rule, e.data as number)}`
        : `${path}: ${JSON.stringify(e.data)} is out of range; ${e.message ?? ""}`;
    case "pattern":
      return rule && "pattern" in rule
        ? `${path}: ${checkPattern(rule, e.data as string)}`
        : `${path}: ${JSON.stringify(e.data)} is malformed; expected ${(parent as { description?: string }).description ?? String(p.pattern)}`;
    case "minItems":
      return `${path}: needs at least ${String(p.limit)} entr${p.limit === 1 ? "y" : "ies"}`;
    case "uniqueItems":
      return `${path}: has duplicates (entries ${String(p.j)} and ${String(p.i)})`;
    default:
      return `${path}: ${e.message ?? e.keyword}`;
  }
}
