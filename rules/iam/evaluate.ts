/**
 * IAM's decision for one request against a principal's identity policies and its permissions boundary, within
 * one account: an explicit Deny anywhere wins; otherwise the identity policies must Allow, and a boundary, when
 * there is one, must Allow too. Resource, key and trust policies, other accounts and service principals are
 * authorize()'s part (rules/iam/authorize.ts), which builds on the statement matching here.
 *
 * A condition whose operator it cannot judge (rules/iam/conditions.ts knows every operator IAM documents; IAM
 * refuses to store a policy with another) never lets a statement apply: an Allow with one grants nothing, a Deny
 * with one refuses nothing. So a request is only ever "allowed" or "denied" on grounds the evaluator understood,
 * and an unjudged Deny can never hide an Allow from a test that looks for one.
 */
import { wildcardMatch } from "./actions";
import { type Context, type ContextValue, conditionHolds } from "./conditions";
import type { Statement } from "./policy";

export type { Context, ContextValue } from "./conditions";

export interface Request {
  /** `service:Action`. */
  readonly action: string;
  /** The ARN the action is on (`*` for an action that takes no resource). */
  readonly resource: string;
  /**
   * Condition keys of the request, lower-case names (`iam:permissionsboundary`, `aws:resourcetag/environment`),
   * a list for a multivalued key (`aws:tagkeys`). A key the request does not carry is left out.
   */
  readonly context?: Readonly<Record<string, ContextValue>>;
}

export type Decision = "allowed" | "denied" | "not allowed";

/** A policy variable in a Resource or condition value: `${aws:username}`, `${aws:PrincipalTag/team}`. */
const VARIABLE = /\$\{([a-z0-9-]+:[^}]+)\}/gi;
const VARIABLE_TEST = /\$\{[a-z0-9-]+:[^}]+\}/i;

/** The value with its policy variables replaced from the request, or undefined when one has no value. */
export function resolveVariables(value: string, context: Context): string | undefined {
  if (!value.includes("${")) return value;
  let missing = false;
  const resolved = value.replace(VARIABLE, (_, key: string) => {
    const v = context[key.toLowerCase()];
    if (typeof v !== "string") missing = true;
    return typeof v === "string" ? v : "";
  });
  return missing ? undefined : resolved;
}

/** IAM's wildcards as a regular expression's source (`*` any run, `?` one character). */
function wildcardSource(pattern: string): string {
  return pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
}

/** A statement's action patterns, compiled once: plain names in a set, wildcard patterns in one expression. */
const actionSets = new WeakMap<Statement, { exact: Set<string>; pattern?: RegExp }>();

export function actionMatches(s: Statement, action: string, lowered = action.toLowerCase()): boolean {
  let sets = actionSets.get(s);
  if (!sets) {
    const wild = s.actions.filter((p) => p.includes("*") || p.includes("?"));
    const exact = new Set(
      s.actions.filter((p) => !p.includes("*") && !p.includes("?")).map((p) => p.toLowerCase()),
    );
    const pattern = wild.length ? new RegExp(`^(?:${wild.map(wildcardSource).join("|")})$`, "is") : undefined;
    actionSets.set(s, (sets = { exact, pattern }));
  }
  const hit = sets.exact.has(lowered) || (sets.pattern?.test(action) ?? false);
  return s.notAction ? !hit : hit;
}

/** A statement's resource patterns without policy variables, compiled once into one expression. */
const resourcePatterns = new WeakMap<Statement, { fixed?: RegExp; variable: string[] }>();

/**
 * Whether a statement covers the resource. A resource policy's statement may leave Resource out (a trust policy
 * always does): it then covers the resource it is attached to.
 */
export function resourceMatches(
  s: Statement,
  resource: string,
  context: Context,
  inResourcePolicy = false,
): boolean {
  if (inResourcePolicy && s.resources.length === 0) return true;
  let compiled = resourcePatterns.get(s);
  if (!compiled) {
    const fixed = s.resources.filter((p) => !VARIABLE_TEST.test(p));
    compiled = {
      fixed: fixed.length ? new RegExp(`^(?:${fixed.map(wildcardSource).join("|")})$`, "s") : undefined,
      variable: s.resources.filter((p) => VARIABLE_TEST.test(p)),
    };
    resourcePatterns.set(s, compiled);
  }
  const hit =
    (compiled.fixed?.test(resource) ?? false) ||
    compiled.variable.some((p) => {
      const pattern = resolveVariables(p, context);
      return pattern !== undefined && wildcardMatch(pattern, resource, false);
    });
  return s.notResource ? !hit : hit;
}

/** Every condition of a statement: true, false, or "unknown" when an operator cannot be judged. */
export function conditionsVerdict(s: Statement, context: Context): boolean | "unknown" {
  let unknown = false;
  for (const [operator, keys] of Object.entries(s.conditions)) {
    for (const [key, values] of Object.entries(keys)) {
      const verdict = conditionHolds(operator, key, values, context, (v) => resolveVariables(v, context));
      if (verdict === false) return false;
      if (verdict === "unknown") unknown = true;
    }
  }
  return unknown ? "unknown" : true;
}

/** Whether a statement applies to the request: action, resource and every condition (judged) hold. */
export function applies(
  s: Statement,
  request: Request,
  inResourcePolicy = false,
  lowered = request.action.toLowerCase(),
): boolean {
  const context = request.context ?? {};
  return (
    actionMatches(s, request.action, lowered) &&
    resourceMatches(s, request.resource, context, inResourcePolicy) &&
    conditionsVerdict(s, context) === true
  );
}

/** Per list of statements and effect: the statements whose actions cover an action, by the action in lower case. */
const byAction = new WeakMap<
  readonly Statement[],
  { Allow: Map<string, Statement[]>; Deny: Map<string, Statement[]> }
>();

/**
 * The statements of an effect whose Action (or NotAction) covers the action, in their order. A policy is asked
 * about the same action for many resources and contexts (the IAM battery asks hundreds of thousands of times), so
 * the answer is kept per list; the lists are never changed once built.
 */
export function statementsFor(
  statements: readonly Statement[],
  effect: Statement["effect"],
  action: string,
  lowered = action.toLowerCase(),
): readonly Statement[] {
  if (statements.length === 0) return statements;
  let known = byAction.get(statements);
  if (!known) byAction.set(statements, (known = { Allow: new Map(), Deny: new Map() }));
  const ofEffect = known[effect];
  let found = ofEffect.get(lowered);
  if (!found) {
    found = statements.filter((s) => s.effect === effect && actionMatches(s, action, lowered));
    ofEffect.set(lowered, found);
  }
  return found;
}

/** The first statement of an effect that applies to the request, if any. */
export function firstApplying(
  statements: readonly Statement[],
  effect: Statement["effect"],
  request: Request,
  lowered = request.action.toLowerCase(),
): Statement | undefined {
  const context = request.context ?? {};
  return statementsFor(statements, effect, request.action, lowered).find(
    (s) => resourceMatches(s, request.resource, context) && conditionsVerdict(s, context) === true,
  );
}

/** IAM's decision for a request made by a principal with these identity policies and this boundary. */
export function evaluate(
  request: Request,
  identity: readonly Statement[],
  boundary?: readonly Statement[],
): Decision {
  if (firstApplying(identity, "Deny", request) || (boundary && firstApplying(boundary, "Deny", request))) {
    return "denied";
  }
  if (!firstApplying(identity, "Allow", request)) return "not allowed";
  if (boundary && !firstApplying(boundary, "Allow", request)) return "not allowed";
  return "allowed";
}
