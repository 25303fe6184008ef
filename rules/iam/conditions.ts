/**
 * IAM's condition operators, as the IAM User Guide defines them ("IAM JSON policy elements: Condition operators",
 * "Single-valued vs. multivalued context keys", "Conditions with multiple context keys or values"):
 *
 * - every operator family: String* (with IgnoreCase), Numeric*, Date*, Bool, BinaryEquals, IpAddress/NotIpAddress,
 *   Arn*, Null; the `...IfExists` suffix; the `ForAllValues:` and `ForAnyValue:` set prefixes;
 * - several values for one key are ORed (NORed for a negated operator); several keys, and several operators, ANDed;
 * - a key missing from the request fails a positive operator, passes a negated one (StringNotEquals, ...), passes
 *   any `...IfExists` operator; `ForAllValues` holds for a missing key or an empty set, `ForAnyValue` never does
 *   (not even with IfExists);
 * - keys compare case-insensitively; values case-sensitively unless the operator says IgnoreCase.
 *
 * A multivalued key (an array in the request, e.g. `aws:TagKeys`) needs a set prefix. Without one, IAM's docs give
 * no rule; here a positive operator holds when any value matches, a negated one when none does.
 */

import { wildcardMatch } from "./actions";

/** A condition key's value in a request: one string, or several for a multivalued key (aws:TagKeys). */
export type ContextValue = string | readonly string[] | undefined;

/** The request's condition keys, names lower-cased (`aws:resourcetag/application`). */
export type Context = Readonly<Record<string, ContextValue>>;

/** A condition's verdict: it holds, it does not, or the evaluator cannot judge its operator. */
export type Verdict = boolean | "unknown";

interface Family {
  /** Whether one value of the request matches one value of the policy. */
  readonly match: (policy: string, request: string) => boolean;
  /** A negated operator (StringNotEquals, NotIpAddress, ...) holds when no policy value matches. */
  readonly negated: boolean;
}

const wildcard = (pattern: string, value: string) => wildcardMatch(pattern, value, false);

/** ArnLike/ArnEquals: each of the six colon-separated parts is matched on its own, wildcards included. */
function arnMatch(pattern: string, value: string): boolean {
  const split = (arn: string) => {
    const parts = arn.split(":");
    return parts.length > 6 ? [...parts.slice(0, 5), parts.slice(5).join(":")] : parts;
  };
  const p = split(pattern);
  const v = split(value);
  return p.length === v.length && p.every((part, i) => wildcard(part, v[i]));
}

const number = (s: string) => (s.trim() === "" ? NaN : Number(s));

/** Dates are ISO 8601 or epoch seconds. */
function date(s: string): number {
  return /^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(s);
}

function compare(parse: (s: string) => number, test: (request: number, policy: number) => boolean) {
  return (policy: string, request: string) => {
    const p = parse(policy);
    const r = parse(request);
    return !Number.isNaN(p) && !Number.isNaN(r) && test(r, p);
  };
}

/** An IPv4 or IPv6 address as a bigint and its width in bits; undefined when it is not one. */
function ip(text: string): { value: bigint; bits: number } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const octets = text.split(".").map(Number);
    if (octets.some((o) => o > 255)) return undefined;
    return { value: octets.reduce((a, o) => (a << 8n) | BigInt(o), 0n), bits: 32 };
  }
  if (!text.includes(":")) return undefined;
  const [head, tail, extra] = text.split("::");
  if (extra !== undefined) return undefined;
  const groups = (s: string | undefined) => (s ? s.split(":") : []);
  const left = groups(head);
  const right = groups(tail);
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...right];
  if (all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return { value: all.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n), bits: 128 };
}

function inCidr(cidr: string, address: string): boolean {
  const [base, length] = cidr.split("/");
  const network = ip(base);
  const candidate = ip(address);
  if (!network || !candidate || network.bits !== candidate.bits) return false;
  const prefix = length === undefined ? network.bits : Number(length);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > network.bits) return false;
  const shift = BigInt(network.bits - prefix);
  return network.value >> shift === candidate.value >> shift;
}

const positive = (match: Family["match"]): Family => ({ match, negated: false });
const negative = (match: Family["match"]): Family => ({ match, negated: true });

const equals = (p: string, r: string) => p === r;
const equalsIgnoreCase = (p: string, r: string) => p.toLowerCase() === r.toLowerCase();
const bool = (p: string, r: string) => p.toLowerCase() === r.toLowerCase();

const FAMILIES: Record<string, Family> = {
  stringequals: positive(equals),
  stringnotequals: negative(equals),
  stringequalsignorecase: positive(equalsIgnoreCase),
  stringnotequalsignorecase: negative(equalsIgnoreCase),
  stringlike: positive(wildcard),
  stringnotlike: negative(wildcard),
  numericequals: positive(compare(number, (r, p) => r === p)),
  numericnotequals: negative(compare(number, (r, p) => r === p)),
  numericlessthan: positive(compare(number, (r, p) => r < p)),
  numericlessthanequals: positive(compare(number, (r, p) => r <= p)),
  numericgreaterthan: positive(compare(number, (r, p) => r > p)),
  numericgreaterthanequals: positive(compare(number, (r, p) => r >= p)),
  dateequals: positive(compare(date, (r, p) => r === p)),
  datenotequals: negative(compare(date, (r, p) => r === p)),
  datelessthan: positive(compare(date, (r, p) => r < p)),
  datelessthanequals: positive(compare(date, (r, p) => r <= p)),
  dategreaterthan: positive(compare(date, (r, p) => r > p)),
  dategreaterthanequals: positive(compare(date, (r, p) => r >= p)),
  bool: positive(bool),
  binaryequals: positive(equals),
  ipaddress: positive(inCidr),
  notipaddress: negative(inCidr),
  // ArnEquals and ArnLike are the same test in IAM: both take wildcards, segment by segment.
  arnequals: positive(arnMatch),
  arnlike: positive(arnMatch),
  arnnotequals: negative(arnMatch),
  arnnotlike: negative(arnMatch),
};

/** The operators this module judges (lower-case, without set prefix or IfExists). */
export const KNOWN_OPERATORS = new Set([...Object.keys(FAMILIES), "null"]);

function valuesOf(value: ContextValue): readonly string[] {
  if (value === undefined) return [];
  return typeof value === "string" ? [value] : value;
}

/**
 * Whether one operator holds for one key, e.g. (`ForAllValues:StringNotEquals`, `aws:TagKeys`,
 * [`application`, `environment`]). `resolve` replaces policy variables in the policy's values (`${aws:username}`);
 * a value whose variable has no value in the request matches nothing.
 */
export function conditionHolds(
  operator: string,
  key: string,
  policyValues: readonly string[],
  context: Context,
  resolve: (value: string) => string | undefined = (v) => v,
): Verdict {
  let op = operator.toLowerCase();
  let set: "all" | "any" | undefined;
  if (op.startsWith("forallvalues:")) [set, op] = ["all", op.slice("forallvalues:".length)];
  else if (op.startsWith("foranyvalue:")) [set, op] = ["any", op.slice("foranyvalue:".length)];
  const ifExists = op.endsWith("ifexists") && op !== "null";
  if (ifExists) op = op.slice(0, -"ifexists".length);
  const request = valuesOf(context[key.toLowerCase()]);

  if (op === "null") {
    // Null: "true" asks for the key to be absent (or empty), "false" for it to be there.
    const absent = request.length === 0 || request.every((v) => v === "");
    return policyValues.some((v) => v.toLowerCase() === String(absent));
  }
  const family = FAMILIES[op];
  if (!family) return "unknown";
  const wanted = policyValues.map(resolve).filter((v): v is string => v !== undefined);
  const matchesAny = (value: string) => wanted.some((p) => family.match(p, value));
  const holdsFor = (value: string) => (family.negated ? !matchesAny(value) : matchesAny(value));

  if (set === "all") return request.every(holdsFor);
  if (set === "any") return request.some(holdsFor);
  if (request.length === 0) return ifExists || family.negated;
  return family.negated ? request.every(holdsFor) : request.some(holdsFor);
}
