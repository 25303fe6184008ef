import { statefulReason } from "./stateful";

/** The input is not a `terraform show -json <planfile>` document this program understands. */
export class PlanFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanFormatError";
  }
}

/** "move" is listed for the reader but, as in Terraform's own summary line, not counted. */
export type ChangeKind = "create" | "update" | "delete" | "replace" | "forget" | "import" | "move";

export interface ResourceChangeSummary {
  address: string;
  type: string;
  kind: ChangeKind;
  /** Attribute paths that force the replacement (Terraform's replace_paths), e.g. "storage_encrypted". */
  replacedBecause: string[];
  /** Terraform's action_reason, e.g. "delete_because_count_index". */
  reason?: string;
  /** True when the new object exists before the old one goes (create_before_destroy). */
  createBeforeDestroy: boolean;
  importing: boolean;
  previousAddress?: string;
  /** Set for a leftover object of an earlier create_before_destroy that is now being deleted. */
  deposed?: string;
  /** Why losing this resource type hurts; undefined for types rebuilt from configuration alone. */
  statefulReason?: string;
}

export interface PlanCounts {
  /** Like Terraform's "to add": includes the create half of each replace. */
  add: number;
  change: number;
  /** Like Terraform's "to destroy": includes the destroy half of each replace. */
  destroy: number;
  /** Replacements, already inside add and destroy; shown on their own so they are not missed. */
  replace: number;
  import: number;
  forget: number;
}

export interface PlanSummary {
  counts: PlanCounts;
  changes: ResourceChangeSummary[];
  outputChanges: number;
  /** Terraform stopped planning early; the plan is not the whole story. */
  errored: boolean;
  /** False for plans Terraform marks incomplete (e.g. deferred changes): another apply will be needed. */
  complete: boolean;
  terraformVersion?: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON.parse with an error that names the file, since the raw SyntaxError does not. */
export function parsePlanJson(text: string, source: string): unknown {
  if (text.trim() === "")
    throw new PlanFormatError(`${source} is empty; expected \`terraform show -json\` output`);
  try {
    return JSON.parse(text);
  } catch (error) {
    // V8 quotes the offending text, newlines included; keep the error on one line for CI logs.
    const reason = (error as Error).message.replace(/\s+/g, " ");
    throw new PlanFormatError(`${source} is not valid JSON (${reason})`);
  }
}

function classify(actions: string[], address: string): ChangeKind | undefined {
  switch (actions.join(",")) {
    case "no-op":
    case "read":
      return undefined;
    case "create":
      return "create";
    case "update":
      return "update";
    case "delete":
      return "delete";
    case "delete,create":
    case "create,delete":
      return "replace";
    case "forget":
      return "forget";
    default:
      // Guessing could hide a destroy; a new Terraform action must be handled here on purpose.
      throw new PlanFormatError(`${address}: unrecognised actions [${actions.join(", ")}]`);
  }
}

function pathToString(path: unknown): string {
  if (!Array.isArray(path)) return String(path);
  return path.reduce<string>(
    (acc, step) => (typeof step === "number" ? `${acc}[${step}]` : acc ? `${acc}.${step}` : String(step)),
    "",
  );
}

function summarizeChange(raw: unknown, index: number): ResourceChangeSummary | undefined {
  const where = `resource_changes[${index}]`;
  if (!isObject(raw)) throw new PlanFormatError(`${where} is not an object`);
  const { address, type, mode, change } = raw;
  if (typeof address !== "string" || typeof type !== "string") {
    throw new PlanFormatError(`${where} has no string "address" and "type"`);
  }
  if (
    !isObject(change) ||
    !Array.isArray(change.actions) ||
    !change.actions.every((a) => typeof a === "string")
  ) {
    throw new PlanFormatError(`${address}: "change.actions" is not a list of strings`);
  }
  // Data sources are only read; Terraform leaves them out of its summary too.
  if (mode === "data") return undefined;

  const actions = change.actions as string[];
  const importing = isObject(change.importing);
  const previousAddress = typeof raw.previous_address === "string" ? raw.previous_address : undefined;
  let kind = classify(actions, address);
  if (kind === undefined && importing) kind = "import";
  if (kind === undefined && previousAddress !== undefined) kind = "move";
  if (kind === undefined) return undefined;

  return {
    address,
    type,
    kind,
    replacedBecause: Array.isArray(change.replace_paths) ? change.replace_paths.map(pathToString) : [],
    reason: typeof raw.action_reason === "string" ? raw.action_reason : undefined,
    createBeforeDestroy: actions[0] === "create" && actions[1] === "delete",
    importing,
    previousAddress,
    deposed: typeof raw.deposed === "string" ? raw.deposed : undefined,
    statefulReason: statefulReason(type),
  };
}

/**
 * Turns `terraform show -json <planfile>` output into counts and a per-resource list.
 *
 * CI strips the plan JSON it keeps down to the fields read here and in summarizeChange
 * (scripts/plan-summary/artifact.jq, which scripts/ci/stack.sh runs): reading a new field means adding it there.
 */
export function summarizePlan(plan: unknown): PlanSummary {
  if (!isObject(plan)) throw new PlanFormatError("plan JSON is not an object");
  if (typeof plan.format_version !== "string") {
    throw new PlanFormatError(
      'plan JSON has no "format_version"; expected `terraform show -json <planfile>` output',
    );
  }
  if (!plan.format_version.startsWith("1.")) {
    throw new PlanFormatError(
      `plan JSON format_version ${plan.format_version} is not supported (expected 1.x)`,
    );
  }
  if (!("planned_values" in plan) && !("resource_changes" in plan)) {
    throw new PlanFormatError(
      "JSON looks like Terraform state, not a plan; run `terraform show -json` on a saved plan file",
    );
  }
  const rawChanges = plan.resource_changes ?? [];
  if (!Array.isArray(rawChanges)) throw new PlanFormatError('"resource_changes" is not a list');

  const changes = rawChanges.map(summarizeChange).filter((c): c is ResourceChangeSummary => c !== undefined);
  const counts: PlanCounts = { add: 0, change: 0, destroy: 0, replace: 0, import: 0, forget: 0 };
  for (const c of changes) {
    if (c.kind === "create" || c.kind === "replace") counts.add++;
    if (c.kind === "update") counts.change++;
    if (c.kind === "delete" || c.kind === "replace") counts.destroy++;
    if (c.kind === "replace") counts.replace++;
    if (c.kind === "forget") counts.forget++;
    if (c.importing) counts.import++;
  }

  const outputChanges = isObject(plan.output_changes)
    ? Object.values(plan.output_changes).filter(
        (o) => isObject(o) && Array.isArray(o.actions) && o.actions.join(",") !== "no-op",
      ).length
    : 0;

  return {
    counts,
    changes,
    outputChanges,
    errored: plan.errored === true,
    complete: plan.complete !== false,
    terraformVersion: typeof plan.terraform_version === "string" ? plan.terraform_version : undefined,
  };
}

export function hasChanges(summary: PlanSummary): boolean {
  return summary.changes.length > 0 || summary.outputChanges > 0;
}

/** Destroys and replaces of resources that hold data or identity: what the top warning lists. */
export function statefulLosses(summary: PlanSummary): ResourceChangeSummary[] {
  return summary.changes.filter(
    (c) => (c.kind === "delete" || c.kind === "replace") && c.statefulReason !== undefined,
  );
}
