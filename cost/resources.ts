/**
 * The resources an estimate prices, read from either form Terraform gives them: a synthesized stack
 * (cdk.tf.json: settings as written, references as `${type.name.attribute}`), or one side of a plan
 * (`terraform show -json`: the values before and after the change, references resolved to ids and ARNs).
 * Blocks are objects in one form and one-element lists in the other; the helpers below read both.
 */

// Terraform JSON has no static type; the pricers index into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Values = Record<string, any>;

export interface CostResource {
  /** Terraform's address, e.g. `aws_nat_gateway.network_nat-0_D2F55FEE` (with `[i]` for a counted one). */
  readonly address: string;
  readonly type: string;
  /** The resource's name in its type (the address without the type). */
  readonly name: string;
  readonly values: Values;
  /** Set when the stack repeats the resource a number of times the estimate cannot know (count or for_each). */
  readonly repeatUnknown?: boolean;
}

/** Every managed resource of a synthesized stack; a literal `count` repeats it, an expression is flagged. */
export function resourcesOfStack(config: Values): CostResource[] {
  const resources: CostResource[] = [];
  for (const [type, byName] of Object.entries<Values>(config.resource ?? {})) {
    for (const [name, values] of Object.entries<Values>(byName)) {
      const count = values.count;
      const forEach = values.for_each;
      if (typeof count === "number") {
        for (let i = 0; i < count; i++)
          resources.push({ address: `${type}.${name}[${i}]`, type, name, values });
      } else if (count !== undefined || forEach !== undefined) {
        const keys = forEach !== null && typeof forEach === "object" ? Object.keys(forEach) : undefined;
        if (keys) {
          for (const key of keys)
            resources.push({ address: `${type}.${name}["${key}"]`, type, name, values });
        } else {
          resources.push({ address: `${type}.${name}`, type, name, values, repeatUnknown: true });
        }
      } else {
        resources.push({ address: `${type}.${name}`, type, name, values });
      }
    }
  }
  return resources;
}

/** The side of a plan an estimate is made of: the resources as Terraform last recorded them, or as planned. */
export type PlanSide = "before" | "after";

/**
 * The managed resources of one side of a plan (`terraform show -json`, or the pull-request workflow's cut of it):
 * `before` is what exists (prior state), `after` what will exist once applied. Values Terraform only learns on
 * apply are absent from `after`; the pricers treat an absent setting as its provider default.
 */
export function resourcesOfPlan(plan: Values, side: PlanSide): CostResource[] {
  const resources: CostResource[] = [];
  for (const change of (plan.resource_changes ?? []) as Values[]) {
    if (change.mode === "data" || String(change.address).startsWith("data.")) continue;
    const values = change.change?.[side];
    if (values === null || values === undefined || typeof values !== "object") continue;
    const address = String(change.address);
    const type = String(change.type);
    resources.push({ address, type, name: address.slice(address.indexOf(".") + 1), values });
  }
  return resources;
}

/** A nested block, whether written as an object (cdktf) or as a one-element list (plans, state). */
export function block(value: unknown): Values | undefined {
  if (Array.isArray(value)) return block(value[0]);
  return value !== null && typeof value === "object" ? (value as Values) : undefined;
}

/** A repeated block or list, whether written as one object or as a list. */
export function blocks(value: unknown): Values[] {
  if (Array.isArray(value)) return value.filter((v) => v !== null && typeof v === "object");
  return value !== null && typeof value === "object" ? [value as Values] : [];
}

/** A list of strings (subnets, route tables); an unknown value has no length to count. */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A number written as a number or a numeric string (task cpu is "1024"); undefined otherwise. */
export function num(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

/**
 * A count that may be a conditional expression, as the web service's is before the first release
 * (`${... == "...:bootstrap" ? 0 : 2}`): the larger branch (the running app), with a note saying so.
 */
export function countOf(value: unknown): { value: number; note?: string } | undefined {
  const plain = num(value);
  if (plain !== undefined) return { value: plain };
  if (typeof value !== "string") return undefined;
  const conditional = /\?\s*(\d+)\s*:\s*(\d+)\s*\}\s*$/.exec(value);
  if (!conditional) return undefined;
  const [a, b] = [Number(conditional[1]), Number(conditional[2])];
  return {
    value: Math.max(a, b),
    note: `the stack sets ${Math.min(a, b)} or ${Math.max(a, b)} by a condition (0 before the first release); the estimate takes ${Math.max(a, b)}`,
  };
}

/**
 * Whether a value refers to a resource: by a cdktf reference (`${aws_s3_bucket.logs.arn}`, also inside an
 * expression), or, in a plan, by one of the identifiers Terraform resolved it to (its id, ARN, name, bucket).
 */
export function refersTo(value: unknown, target: CostResource): boolean {
  if (typeof value !== "string" || value === "") return false;
  if (value.includes("${")) {
    const pattern = new RegExp(
      `(^|[^\\w.])${escape(target.type)}\\.${escape(target.name)}(\\[[^\\]]*\\])?\\.`,
    );
    return [...value.matchAll(/\$\{([^}]*)\}/g)].some((m) => pattern.test(m[1]));
  }
  const v = target.values;
  const ids = [v.id, v.arn, v.name, v.bucket, v.family].filter(
    (id): id is string => typeof id === "string" && id !== "",
  );
  if (typeof v.bucket === "string") ids.push(`arn:aws:s3:::${v.bucket}`);
  if (ids.includes(value)) return true;
  // A task definition is named by the ARN of one of its revisions, or by the ARN without one.
  return (
    typeof v.family === "string" && new RegExp(`:task-definition/${escape(v.family)}(:\\d+)?$`).test(value)
  );
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
