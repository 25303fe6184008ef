/**
 * IAM policy documents as the rules read them: every statement with its lists normalized, whatever the JSON
 * spelled (a string or a list, Action or NotAction). Documents in a synthesized stack are JSON strings that may
 * hold Terraform references (`${aws_iam_role.x.arn}`); those stay as they are, and are never `*`.
 */

export type Conditions = Record<string, Record<string, string[]>>;

export interface Statement {
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
  /** Action patterns; with `notAction`, the statement covers every action but these. */
  readonly actions: string[];
  readonly notAction: boolean;
  readonly resources: string[];
  readonly notResource: boolean;
  /** Principals by kind (`AWS`, `Service`, `Federated`, or `*` for "everyone"); empty in identity policies. */
  readonly principals: Record<string, string[]>;
  /** The statement named its principals with NotPrincipal: it covers every principal but those. */
  readonly notPrincipal: boolean;
  readonly conditions: Conditions;
  /** Where the statement comes from (a policy's name), for messages; not part of IAM's document. */
  readonly source?: string;
}

const list = (v: unknown): string[] =>
  v === undefined || v === null ? [] : ([] as unknown[]).concat(v).map(String);

/**
 * The statements of a policy document (a JSON string or an object); an unreadable document has none. `source`
 * names the policy in messages (e.g. `myamazingapp-production-github-deploy-1`).
 */
export function statementsOf(document: unknown, source?: string): Statement[] {
  let doc: unknown = document;
  if (typeof document === "string") {
    try {
      doc = JSON.parse(document);
    } catch {
      return [];
    }
  }
  if (!doc || typeof doc !== "object") return [];
  const raw = ([] as unknown[]).concat((doc as { Statement?: unknown }).Statement ?? []);
  return raw.flatMap((s): Statement[] => {
    if (!s || typeof s !== "object") return [];
    const st = s as Record<string, unknown>;
    const principal = st.Principal ?? st.NotPrincipal;
    const principals: Record<string, string[]> =
      principal === "*"
        ? { "*": ["*"] }
        : Object.fromEntries(
            Object.entries((principal as Record<string, unknown>) ?? {}).map(([k, v]) => [k, list(v)]),
          );
    const conditions: Conditions = Object.fromEntries(
      Object.entries((st.Condition as Record<string, Record<string, unknown>>) ?? {}).map(([op, keys]) => [
        op,
        Object.fromEntries(Object.entries(keys).map(([k, v]) => [k.toLowerCase(), list(v)])),
      ]),
    );
    return [
      {
        sid: typeof st.Sid === "string" ? st.Sid : undefined,
        effect: st.Effect === "Deny" ? "Deny" : "Allow",
        actions: list(st.Action ?? st.NotAction),
        notAction: st.NotAction !== undefined,
        resources: list(st.Resource ?? st.NotResource),
        notResource: st.NotResource !== undefined,
        principals,
        notPrincipal: st.NotPrincipal !== undefined && st.Principal === undefined,
        conditions,
        ...(source === undefined ? {} : { source }),
      },
    ];
  });
}

/** True when a statement's resources include the bare `*`. */
export function onEveryResource(s: Statement): boolean {
  return !s.notResource && s.resources.includes("*");
}

/** True when a statement has any condition at all. */
export function isConditional(s: Statement): boolean {
  return Object.keys(s.conditions).length > 0;
}

/** The values a statement's condition gives a key under an operator (keys compared case-insensitively). */
export function conditionValues(s: Statement, operator: string, key: string): string[] | undefined {
  return s.conditions[operator]?.[key.toLowerCase()];
}

/** True when anyone (`*`, or the AWS principal `*`) is a principal of the statement. */
export function anyonePrincipal(s: Statement): boolean {
  return s.principals["*"] !== undefined || (s.principals.AWS ?? []).includes("*");
}
