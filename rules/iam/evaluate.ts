/**
 * A small IAM evaluator for one request against identity policies and an optional permissions boundary, as IAM
 * decides within one account: an explicit Deny anywhere wins; otherwise the identity policies must Allow, and a
 * boundary, when there is one, must Allow too. It knows the condition operators this project's policies use;
 * a condition it cannot judge counts as not matched, so an unknown operator never grants anything.
 */
import { wildcardMatch } from "./actions";
import type { Statement } from "./policy";

export interface Request {
  /** `service:Action`. */
  readonly action: string;
  /** The ARN the action is on. */
  readonly resource: string;
  /** Condition keys of the request (lower-case names), e.g. `iam:permissionsboundary`. */
  readonly context?: Record<string, string | undefined>;
}

export type Decision = "allowed" | "denied" | "not allowed";

function actionMatches(s: Statement, action: string): boolean {
  const hit = s.actions.some((p) => wildcardMatch(p, action));
  return s.notAction ? !hit : hit;
}

function resourceMatches(s: Statement, resource: string): boolean {
  const hit = s.resources.some((p) => wildcardMatch(p, resource, false));
  return s.notResource ? !hit : hit;
}

/** Whether every condition of a statement holds for the request's context. */
function conditionsHold(s: Statement, context: Record<string, string | undefined>): boolean {
  return Object.entries(s.conditions).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) => {
      const actual = context[key.toLowerCase()];
      const ifExists = operator.endsWith("IfExists");
      const op = ifExists ? operator.slice(0, -"IfExists".length) : operator;
      if (op === "Null") return values.includes(String(actual === undefined));
      if (actual === undefined) return ifExists || op.includes("Not");
      switch (op) {
        case "StringEquals":
        case "ArnEquals":
          return values.includes(actual);
        case "StringNotEquals":
        case "ArnNotEquals":
          return !values.includes(actual);
        case "StringLike":
        case "ArnLike":
          return values.some((v) => wildcardMatch(v, actual, false));
        case "StringNotLike":
        case "ArnNotLike":
          return !values.some((v) => wildcardMatch(v, actual, false));
        case "Bool":
          return values.includes(actual);
        default:
          return false;
      }
    }),
  );
}

function applies(s: Statement, request: Request): boolean {
  return (
    actionMatches(s, request.action) &&
    resourceMatches(s, request.resource) &&
    conditionsHold(s, request.context ?? {})
  );
}

/** IAM's decision for a request made by a principal with these identity policies and this boundary. */
export function evaluate(request: Request, identity: Statement[], boundary?: Statement[]): Decision {
  const all = [...identity, ...(boundary ?? [])];
  if (all.some((s) => s.effect === "Deny" && applies(s, request))) return "denied";
  const allowedBy = (statements: Statement[]) =>
    statements.some((s) => s.effect === "Allow" && applies(s, request));
  if (!allowedBy(identity)) return "not allowed";
  if (boundary && !allowedBy(boundary)) return "not allowed";
  return "allowed";
}
