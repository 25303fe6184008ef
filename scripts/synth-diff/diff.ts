/**
 * What differs between two synthesized Terraform JSON configurations of one stack, resource by resource and
 * attribute by attribute (cdktf's `//` metadata aside). Strings that hold JSON (policy documents, container definitions, buildspecs) are
 * compared as JSON, so a changed statement shows as one line instead of a whole document. `moved` blocks of
 * the newer configuration are honoured: a resource that only changed its address is reported as moved, and its
 * attributes are compared under the new address.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type TerraformJson = { [key: string]: Json };

/** One difference: `+` added, `-` removed, `~` changed, `>` moved (same resource, new address). */
export interface Difference {
  readonly kind: "+" | "-" | "~" | ">";
  /** Dotted path, e.g. `resource.aws_lb.alb.idle_timeout`, or the old address for a move. */
  readonly path: string;
  readonly before?: Json;
  readonly after?: Json;
}

/** The differences between two configurations, with `moved` blocks applied; `//` metadata is ignored. */
export function diffConfigurations(before: TerraformJson, after: TerraformJson): Difference[] {
  const moves = movedBlocks(after);
  const renamed = applyMoves(before, moves);
  const out: Difference[] = moves
    .filter((m) => addressExists(before, m.from))
    .map((m) => ({ kind: ">", path: m.from, after: m.to }));
  const withoutMoved = (c: TerraformJson): TerraformJson => {
    const copy = { ...c };
    delete copy.moved;
    return copy;
  };
  compare(withoutMoved(renamed), withoutMoved(after), [], out);
  return out;
}

/** Longest value shown in full; longer ones (whole scripts) are cut. */
const SHOWN = 240;

/** One line per difference, for people. */
export function formatDifference(d: Difference): string {
  const show = (v: Json | undefined) => {
    const text = v === undefined ? "" : JSON.stringify(v);
    return text.length <= SHOWN ? text : `${text.slice(0, SHOWN)}... (${text.length} characters)`;
  };
  switch (d.kind) {
    case ">":
      return `> ${d.path} -> ${String(d.after)}`;
    case "+":
      return `+ ${d.path} = ${show(d.after)}`;
    case "-":
      return `- ${d.path} (was ${show(d.before)})`;
    default:
      return `~ ${d.path}: ${show(d.before)} -> ${show(d.after)}`;
  }
}

interface Move {
  readonly from: string;
  readonly to: string;
}

function movedBlocks(config: TerraformJson): Move[] {
  const moved = config.moved;
  if (!Array.isArray(moved)) return [];
  return moved.flatMap((m) =>
    m && typeof m === "object" && !Array.isArray(m) && typeof m.from === "string" && typeof m.to === "string"
      ? [{ from: m.from, to: m.to }]
      : [],
  );
}

/** `aws_lb.alb` -> ["resource", "aws_lb", "alb"]; `data.aws_region.r` -> ["data", "aws_region", "r"]. */
function splitAddress(address: string): [string, string, string] {
  const parts = address.split(".");
  return parts[0] === "data" ? ["data", parts[1], parts[2]] : ["resource", parts[0], parts[1]];
}

function section(config: TerraformJson, kind: string, type: string): { [key: string]: Json } | undefined {
  const s = config[kind];
  if (!s || typeof s !== "object" || Array.isArray(s)) return undefined;
  const t = s[type];
  return t && typeof t === "object" && !Array.isArray(t) ? t : undefined;
}

function addressExists(config: TerraformJson, address: string): boolean {
  const [kind, type, name] = splitAddress(address);
  return section(config, kind, type)?.[name] !== undefined;
}

function applyMoves(config: TerraformJson, moves: Move[]): TerraformJson {
  const copy = structuredClone(config);
  for (const { from, to } of moves) {
    const [kind, type, name] = splitAddress(from);
    const [, toType, toName] = splitAddress(to);
    const entries = section(copy, kind, type);
    if (!entries || entries[name] === undefined) continue;
    const target = section(copy, kind, toType) ?? ((copy[kind] as { [key: string]: Json })[toType] = {});
    target[toName] = entries[name];
    delete entries[name];
  }
  return copy;
}

/** A string that holds a JSON object or array, parsed; anything else as it is. */
function expand(value: Json): Json {
  if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value) as Json;
  } catch {
    return value;
  }
}

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function compare(before: Json, after: Json, path: string[], out: Difference[]): void {
  const a = expand(before);
  const b = expand(after);
  const here = path.join(".");
  if (isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      // cdktf's own metadata (construct path, unique id) says where the code is, not what is deployed.
      if (key === "//") continue;
      if (!(key in b)) out.push({ kind: "-", path: [...path, key].join("."), before: a[key] });
      else if (!(key in a)) out.push({ kind: "+", path: [...path, key].join("."), after: b[key] });
      else compare(a[key], b[key], [...path, key], out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((item, i) => compare(item, b[i], [...path, String(i)], out));
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ kind: "~", path: here, before: a, after: b });
}
