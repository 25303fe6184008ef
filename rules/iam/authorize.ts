/**
 * authorize(): IAM's decision for one request by one principal on one resource, with the resource's own policy,
 * as the IAM User Guide's "Policy evaluation logic" pages describe it (single account, cross-account, permissions
 * boundaries) and KMS's "Key policies" page:
 *
 * - An explicit Deny in the identity policies, the boundary or the resource's policy (for the principals it
 *   covers) refuses the request, whatever allows it.
 * - Same account, ordinary resource policy (bucket, secret, topic, queue, repository, log resource policy):
 *   identity policies (and the boundary, when there is one) allowing is enough; or the resource policy allowing
 *   the principal itself. A grant to a role's ARN (or to `*`) is still capped by the role's boundary: only a grant
 *   naming a role *session* ARN is not ("Resource-based policies that grant permissions to an IAM role ARN are
 *   limited by an implicit deny in a permissions boundary"). A grant to the account (`arn:aws:iam::<id>:root`)
 *   only delegates to IAM: identity and boundary must allow.
 * - KMS key policies and role trust policies must allow, always: identity policies alone never reach a key or
 *   assume a role. A key policy that allows the account root "enables IAM policies": then identity and boundary
 *   decide as above. Without a known key or trust policy, nothing is allowed.
 * - Another account: the resource's policy must allow (the principal or its account) AND the principal's own
 *   identity policies and boundary must allow.
 * - Service principals (`logs.amazonaws.com`) and federated principals (the GitHub OIDC provider): only the
 *   resource, key or trust policy decides; the caller supplies aws:SourceArn, aws:SourceAccount,
 *   kms:EncryptionContext:*, the OIDC claims, in the request's context.
 * - A resource policy's Deny with NotPrincipal refuses every principal that has a permissions boundary, whatever
 *   it lists (IAM User Guide, "Permissions boundaries for IAM entities").
 *
 * The account root of the same account may do anything its account's key and trust policies let it do.
 */
import type { ContextValue } from "./conditions";
import { applies, type Decision, firstApplying, type Request, statementsFor } from "./evaluate";
import type { Statement } from "./policy";

export type { Decision, Request } from "./evaluate";

/** Who makes the request. */
export interface Principal {
  /**
   * An IAM role ARN with its path (`arn:aws:iam::<id>:role/<path>/<name>`) or an assumed-role session ARN, an IAM
   * user ARN, an account root (`arn:aws:iam::<id>:root`), a service principal (`logs.amazonaws.com`), or a
   * federated identity provider ARN (`arn:aws:iam::<id>:oidc-provider/token.actions.githubusercontent.com`).
   */
  readonly arn: string;
  /** The identity policies of a role or user (inline and attached). */
  readonly identity?: readonly Statement[];
  /** The permissions boundary of a role or user; undefined when it has none. */
  readonly boundary?: readonly Statement[];
  /** The session name of an assumed role, for resource policies that name the session. */
  readonly session?: string;
}

/** What the resource's policy is: an ordinary resource policy, a KMS key policy, or a role's trust policy. */
export type ResourcePolicyKind = "resource" | "key" | "trust";

/** The resource the request is on, as far as its own policy goes. */
export interface Target {
  /** The resource's policy; undefined when it has none (a key and a role always have one). */
  readonly policy?: readonly Statement[];
  /** @default "resource" */
  readonly kind?: ResourcePolicyKind;
  /** The account that owns the resource, for ARNs without one (S3). @default the ARN's account, else the caller's */
  readonly account?: string;
}

/** Which policy a deciding statement belongs to. */
export type PolicyRole = "identity" | "boundary" | ResourcePolicyKind;

export interface Authorization {
  readonly decision: Decision;
  /** The statements that decided: the Deny that refused, or the Allows that admitted the request. */
  readonly by: ReadonlyArray<{ readonly policy: PolicyRole; readonly statement: Statement }>;
  /** Why, in words. */
  readonly reason: string;
}

export type PrincipalKind = "role" | "user" | "root" | "service" | "federated";

interface Caller {
  readonly kind: PrincipalKind;
  readonly arn: string;
  readonly account?: string;
  readonly session?: string;
}

const SERVICE = /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/;
const IAM_ARN =
  /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(root|role\/.+|user\/.+|assumed-role\/.+|oidc-provider\/.+|saml-provider\/.+)$/;

/** What kind of principal an ARN (or service name) is. */
export function principalKind(arn: string): PrincipalKind {
  if (SERVICE.test(arn)) return "service";
  const m = IAM_ARN.exec(arn);
  if (!m) return "federated"; // accounts.google.com, graph.facebook.com, www.amazon.com
  const rest = m[3];
  if (rest === "root") return "root";
  if (rest.startsWith("user/")) return "user";
  if (rest.startsWith("role/") || rest.startsWith("assumed-role/")) return "role";
  return "federated";
}

/** The account of an ARN (its fifth field), or undefined (S3 buckets, `*`). */
export function accountOf(arn: string): string | undefined {
  const account = arn.split(":")[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

const callers = new WeakMap<Principal, Caller>();

function callerOf(p: Principal): Caller {
  let caller = callers.get(p);
  if (!caller) callers.set(p, (caller = readCaller(p)));
  return caller;
}

function readCaller(p: Principal): Caller {
  const kind = principalKind(p.arn);
  const assumed = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(p.arn);
  if (assumed) {
    const [, partition, account, role, session] = assumed;
    return { kind, arn: `arn:${partition}:iam::${account}:role/${role}`, account, session };
  }
  const account = kind === "service" || kind === "federated" ? undefined : accountOf(p.arn);
  return { kind, arn: p.arn, account, session: p.session };
}

/** How a resource policy's statement names the caller. */
type Grant = "session" | "principal" | "everyone" | "account";

function namesCaller(s: Statement, c: Caller): Grant | undefined {
  if (s.principals["*"]) return "everyone";
  const aws = s.principals.AWS ?? [];
  const roleName = c.arn.split("/").pop();
  const sessionArn =
    c.kind === "role" && c.session
      ? `arn:aws:sts::${c.account}:assumed-role/${roleName}/${c.session}`
      : undefined;
  let best: Grant | undefined;
  const rank: Grant[] = ["session", "principal", "everyone", "account"];
  const offer = (g: Grant) => {
    if (!best || rank.indexOf(g) < rank.indexOf(best)) best = g;
  };
  for (const v of aws) {
    if (v === "*") offer("everyone");
    else if (c.account && (v === c.account || v === `arn:aws:iam::${c.account}:root`)) offer("account");
    else if (v === c.arn && c.kind !== "root") offer("principal");
    else if (sessionArn && v === sessionArn) offer("session");
  }
  if (c.kind === "service" && (s.principals.Service ?? []).includes(c.arn)) offer("principal");
  if (c.kind === "federated" && (s.principals.Federated ?? []).includes(c.arn)) offer("principal");
  return best;
}

/** Whether a resource-policy statement covers the caller (Principal, or every principal NotPrincipal leaves out). */
function covers(s: Statement, c: Caller, bounded: boolean): Grant | undefined {
  if (!s.notPrincipal) return namesCaller(s, c);
  // IAM: a Deny with NotPrincipal always refuses a principal that has a permissions boundary.
  if (s.effect === "Deny" && bounded) return "everyone";
  return namesCaller(s, c) ? undefined : "everyone";
}

const contextBases = new Map<string, Readonly<Record<string, string | undefined>>>();

/** The request's context with the keys IAM sets itself, unless the caller gave them. */
function requestContext(
  request: Request,
  c: Caller,
  resourceAccount: string | undefined,
): Request["context"] {
  const kms = request.action.toLowerCase().startsWith("kms:");
  const key = `${c.kind} ${c.arn} ${resourceAccount} ${kms}`;
  let base = contextBases.get(key);
  if (!base) {
    const context: Record<string, string | undefined> = {};
    if (c.kind === "service") {
      context["aws:principalisawsservice"] = "true";
      context["aws:principalservicename"] = c.arn;
    } else if (c.kind !== "federated") {
      context["aws:principalisawsservice"] = "false";
      context["aws:principalarn"] = c.arn;
      context["aws:principalaccount"] = c.account;
      context["aws:principaltype"] = { role: "AssumedRole", user: "User", root: "Account" }[c.kind];
      if (c.kind === "user") context["aws:username"] = c.arn.split("/").pop();
      if (kms) context["kms:calleraccount"] = c.account;
    }
    if (resourceAccount) context["aws:resourceaccount"] = resourceAccount;
    // Our tools and Terraform call AWS over TLS.
    context["aws:securetransport"] = "true";
    if (contextBases.size > 10_000) contextBases.clear();
    contextBases.set(key, (base = context));
  }
  // The caller's keys over IAM's, without copying IAM's: the context is only ever read key by key (evaluate.ts,
  // conditions.ts), and a battery of tens of thousands of requests spent most of this function copying.
  return request.context
    ? Object.assign(Object.create(base) as Record<string, ContextValue>, request.context)
    : base;
}

/** IAM's decision for a principal's request on a resource with this policy (see the module's comment). */
export function authorize(principal: Principal, request: Request, target: Target = {}): Authorization {
  const caller = callerOf(principal);
  const kind = target.kind ?? "resource";
  const resourceAccount = target.account ?? accountOf(request.resource) ?? caller.account;
  const req: Request = { ...request, context: requestContext(request, caller, resourceAccount) };
  const lowered = request.action.toLowerCase();
  const entity = caller.kind === "role" || caller.kind === "user";
  const identity = entity ? (principal.identity ?? []) : [];
  const boundary = entity ? principal.boundary : undefined;
  const bounded = boundary !== undefined;
  const policy = target.policy ?? [];
  const resourceStatements = (effect: Statement["effect"]) =>
    statementsFor(policy, effect, req.action, lowered)
      .filter((s) => applies(s, req, true, lowered))
      .flatMap((statement) => {
        const grant = covers(statement, caller, bounded);
        return grant ? [{ statement, grant }] : [];
      });

  const deny =
    (entity && firstApplying(identity, "Deny", req, lowered)) ||
    (boundary && firstApplying(boundary, "Deny", req, lowered)) ||
    resourceStatements("Deny")[0]?.statement;
  if (deny) {
    const where: PolicyRole = identity.includes(deny)
      ? "identity"
      : boundary?.includes(deny)
        ? "boundary"
        : kind;
    return {
      decision: "denied",
      by: [{ policy: where, statement: deny }],
      reason: `explicit Deny in the ${where} policy`,
    };
  }

  const grants = resourceStatements("Allow");
  const grant = (...kinds: Grant[]) => grants.find((g) => kinds.includes(g.grant));
  const fromResource = (g: { statement: Statement }) => ({ policy: kind, statement: g.statement });
  const notAllowed = (reason: string): Authorization => ({ decision: "not allowed", by: [], reason });

  if (caller.kind === "service" || caller.kind === "federated") {
    const g = grant("principal", "everyone");
    return g
      ? { decision: "allowed", by: [fromResource(g)], reason: `the ${kind} policy allows ${caller.arn}` }
      : notAllowed(`no ${kind} policy statement allows ${caller.arn}`);
  }

  // What the principal's own policies give it: everything for an account's root, else identity and boundary.
  const identityAllow = caller.kind === "root" ? undefined : firstApplying(identity, "Allow", req, lowered);
  const boundaryAllow = boundary ? firstApplying(boundary, "Allow", req, lowered) : undefined;
  const ownPolicies =
    caller.kind === "root" || (identityAllow !== undefined && (!bounded || boundaryAllow !== undefined));
  const own = [
    ...(identityAllow ? [{ policy: "identity" as const, statement: identityAllow }] : []),
    ...(boundaryAllow ? [{ policy: "boundary" as const, statement: boundaryAllow }] : []),
  ];
  const ownMissing =
    caller.kind !== "root" && !identityAllow
      ? "no identity policy allows it"
      : "the permissions boundary does not allow it";
  const sameAccount = caller.account !== undefined && caller.account === resourceAccount;

  if (!sameAccount) {
    const g = grant("session", "principal", "everyone", "account");
    if (!g)
      return notAllowed(`another account's resource, and no ${kind} policy statement allows the caller`);
    if (!ownPolicies) return notAllowed(`another account's resource: ${ownMissing}`);
    return {
      decision: "allowed",
      by: [fromResource(g), ...own],
      reason: `the ${kind} policy and the caller's own policies allow it`,
    };
  }
  const session = grant("session");
  if (session)
    return {
      decision: "allowed",
      by: [fromResource(session)],
      reason: `the ${kind} policy names the session`,
    };
  const direct = grant("principal", "everyone");
  if (direct && (caller.kind !== "role" || !bounded || boundaryAllow)) {
    const by = [
      fromResource(direct),
      ...(boundaryAllow ? [{ policy: "boundary" as const, statement: boundaryAllow }] : []),
    ];
    return { decision: "allowed", by, reason: `the ${kind} policy allows the principal` };
  }
  if (kind !== "resource" && !grant("account")) {
    return notAllowed(
      target.policy === undefined
        ? `no ${kind} policy is known for ${request.resource}`
        : `the ${kind} policy neither allows the principal nor enables IAM policies for its account`,
    );
  }
  if (!ownPolicies) {
    return notAllowed(direct ? "the permissions boundary caps the resource policy's grant" : ownMissing);
  }
  const account = grant("account");
  return {
    decision: "allowed",
    by: [...(kind !== "resource" && account ? [fromResource(account)] : []), ...own],
    reason:
      kind === "resource"
        ? "the caller's own policies allow it"
        : `the ${kind} policy enables IAM policies, and they allow it`,
  };
}

/** One line for a message: who, what, on what, with which context, and the statements that decided. */
export function describe(principal: string, request: Request, result: Authorization): string {
  const context = Object.entries(request.context ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(" ");
  const by = result.by
    .map(({ policy, statement }) => `${policy}:${statement.source ?? "?"}/${statement.sid ?? "(no Sid)"}`)
    .join(", ");
  return `${principal} ${request.action} ${request.resource}${context ? ` [${context}]` : ""} -> ${result.decision}${by ? ` by ${by}` : ""} (${result.reason})`;
}
