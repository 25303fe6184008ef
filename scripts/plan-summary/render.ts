import type { PlanCost } from "./cost";
import { costSection } from "./render-cost";
import {
  hasChanges,
  statefulLosses,
  type ChangeKind,
  type PlanSummary,
  type ResourceChangeSummary,
} from "./summarize";

/** The workflow finds the comment to update by this line, so it must never change. */
export const COMMENT_MARKER = "<!-- myamazingapp-plan-summary -->";

// GitHub rejects comment bodies over 65,536 characters; the margin keeps room for the workflow's own edits.
export const DEFAULT_MAX_COMMENT_CHARS = 60_000;
const MAX_ROWS_PER_STACK = 100;
const MIN_USEFUL_PLAN_TEXT = 500;

export interface PlannedStack {
  name: string;
  summary: PlanSummary;
  /** `terraform show -no-color <planfile>` output, shown collapsed. */
  planText?: string;
  /** The monthly estimate before and after the plan, or why there is none. */
  cost?: PlanCost;
  failed?: false;
}

/** A stack whose plan did not complete (e.g. a failed CI job), so there is no plan to summarise. */
export interface FailedStack {
  name: string;
  failed: true;
}

export type StackReport = PlannedStack | FailedStack;

function planned(stacks: StackReport[]): PlannedStack[] {
  return stacks.filter((s): s is PlannedStack => s.failed !== true);
}

export interface RenderOptions {
  commitSha?: string;
  runUrl?: string;
  maxChars?: number;
}

const KIND_LABEL: Record<ChangeKind, string> = {
  create: "`+` create",
  update: "`~` update",
  delete: "`-` destroy",
  replace: "`-/+` replace",
  forget: "`.` forget",
  import: "`<=` import",
  move: "`->` move",
};

const REASON_TEXT: Record<string, string> = {
  delete_because_no_resource_config: "removed from the configuration",
  delete_because_no_module: "its module was removed",
  delete_because_count_index: "index out of range for count",
  delete_because_each_key: "key no longer in for_each",
  delete_because_wrong_repetition: "count/for_each was added or removed",
  delete_because_no_move_target: "moved to an address that does not exist",
  replace_because_tainted: "tainted",
  replace_by_request: "replacement requested (-replace)",
  replace_by_triggers: "replace_triggered_by",
  replace_because_cannot_update: "provider cannot update it in place",
};

/** A code span that survives backticks in the content. */
function code(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  return longestRun > 0 ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

/** GitHub splits table rows on `|` even inside code spans. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function kindLabel(change: ResourceChangeSummary): string {
  return change.kind === "replace" && change.createBeforeDestroy ? "`+/-` replace" : KIND_LABEL[change.kind];
}

function notes(change: ResourceChangeSummary): string {
  const parts: string[] = [];
  if (change.replacedBecause.length > 0)
    parts.push(`forced by ${change.replacedBecause.map(code).join(", ")}`);
  // "cannot update" only restates what the forcing attributes already say.
  const redundant = change.reason === "replace_because_cannot_update" && change.replacedBecause.length > 0;
  if (change.reason && !redundant) parts.push(REASON_TEXT[change.reason] ?? change.reason);
  if (change.previousAddress) parts.push(`moved from ${code(change.previousAddress)}`);
  if (change.importing && change.kind !== "import") parts.push("imported");
  if (change.deposed) parts.push(`deposed object ${code(change.deposed)}`);
  const losing = change.kind === "delete" || change.kind === "replace";
  if (losing && change.statefulReason) parts.push(`**stateful**: ${change.statefulReason}`);
  return parts.join("; ");
}

export function countsLine(summary: PlanSummary): string {
  const { add, change, destroy, replace, import: imported, forget } = summary.counts;
  let line = `**Plan: ${add} to add, ${change} to change, ${destroy} to destroy.**`;
  if (replace > 0) {
    line += ` Of these, **${replace} ${replace === 1 ? "is a replace" : "are replaces"}** (destroy + create, counted in both).`;
  }
  const extras = [imported > 0 ? `${imported} to import` : "", forget > 0 ? `${forget} to forget` : ""];
  const extra = extras.filter(Boolean).join(", ");
  return extra ? `${line} Also ${extra}.` : line;
}

function cautionBlock(stacks: StackReport[]): string[] {
  const lines: string[] = [];
  for (const stack of planned(stacks)) {
    for (const c of statefulLosses(stack.summary)) {
      const forced =
        c.replacedBecause.length > 0 ? ` (forced by ${c.replacedBecause.map(code).join(", ")})` : "";
      const verb = c.kind === "replace" ? "REPLACE" : "DESTROY";
      lines.push(`> - ${code(stack.name)}: **${verb}** ${code(c.address)}, ${c.statefulReason}${forced}`);
    }
  }
  if (lines.length === 0) return [];
  return [
    "> [!CAUTION]",
    "> **This plan destroys or replaces stateful resources.** What they hold is lost unless it is backed up or",
    "> moved first. Make sure this is intended before merging:",
    ">",
    ...lines,
    "",
  ];
}

/** A failed stack may hide a destroy as well as anything else, so it is called out next to the caution. */
function failedBlock(stacks: StackReport[], runUrl: string | undefined): string[] {
  const failed = stacks.filter((s) => s.failed === true).map((s) => code(s.name));
  if (failed.length === 0) return [];
  const see = runUrl ? `see the [workflow run](${runUrl})` : "see the workflow run";
  return [
    "> [!WARNING]",
    `> **Plan failed for ${failed.join(", ")}**: what this change does there is unknown; ${see}.`,
    "",
  ];
}

function overviewTable(stacks: StackReport[]): string[] {
  const rows = stacks.map((stack) => {
    if (stack.failed) return `| ${cell(code(stack.name))} | **plan failed** | – | – | – |`;
    const c = stack.summary.counts;
    return `| ${cell(code(stack.name))} | ${c.add} | ${c.change} | ${c.destroy} | ${c.replace} |`;
  });
  return [
    "| Stack | Add | Change | Destroy | Of which replace |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
  ];
}

function changeTable(changes: ResourceChangeSummary[]): string[] {
  const shown = changes.slice(0, MAX_ROWS_PER_STACK);
  const rows = shown.map((c) => `| ${kindLabel(c)} | ${cell(code(c.address))} | ${cell(notes(c))} |`);
  const more = changes.length - shown.length;
  return [
    "| Action | Resource | Notes |",
    "| --- | --- | --- |",
    ...rows,
    ...(more > 0 ? ["", `…and ${more} more; see the plan output below or the workflow log.`] : []),
    "",
  ];
}

function fencedText(text: string, limit: number): string {
  // Terraform colours its output unless given -no-color; escape codes would show up as garbage.
  const ansiColour = new RegExp(String.raw`\u001b\[[0-9;]*m`, "g");
  let body = text
    .replace(ansiColour, "")
    .replace(/^\s*\n/, "")
    .replace(/\s+$/, "");
  if (body.length > limit) {
    const cut = body.lastIndexOf("\n", limit);
    const kept = body.slice(0, cut > 0 ? cut : limit);
    const dropped = body.slice(kept.length).split("\n").length;
    body = `${kept}\n\n… ${dropped} more lines cut to fit a GitHub comment; the workflow log has the full plan.`;
  }
  const longestRun = Math.max(2, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  return `${fence}text\n${body}\n${fence}`;
}

function failedSection({ name }: FailedStack): string[] {
  return [
    `### ${code(name)}`,
    "",
    "> [!WARNING]",
    "> The plan for this stack did not complete, so its changes are unknown. The workflow log has the error.",
    "",
  ];
}

function stackSection(stack: PlannedStack, planTextLimit: number): string[] {
  const { name, summary } = stack;
  const lines = [`### ${code(name)}`, ""];
  if (summary.errored) {
    lines.push("> [!WARNING]", "> Terraform reported errors while planning; this plan is incomplete.", "");
  } else if (!summary.complete) {
    lines.push(
      "> [!NOTE]",
      "> Terraform marked this plan incomplete: another plan/apply will be needed after it.",
      "",
    );
  }
  if (!hasChanges(summary)) {
    lines.push("No changes. Infrastructure matches the configuration.", "");
    return lines;
  }
  lines.push(countsLine(summary), "");
  if (summary.changes.length === 0) {
    lines.push(`No resource changes; ${summary.outputChanges} output value(s) change.`, "");
  } else {
    lines.push(...changeTable(summary.changes));
  }
  if (stack.planText !== undefined) {
    lines.push("<details><summary>Plan output</summary>", "");
    lines.push(
      planTextLimit >= MIN_USEFUL_PLAN_TEXT
        ? fencedText(stack.planText, planTextLimit)
        : "_Omitted: too long for a comment; see the workflow log._",
    );
    lines.push("", "</details>", "");
  }
  return lines;
}

/** Renders the one pull-request comment for all stacks; the marker lets the workflow update it in place. */
export function renderComment(stacks: StackReport[], options: RenderOptions = {}): string {
  const maxChars = options.maxChars ?? DEFAULT_MAX_COMMENT_CHARS;
  const footerParts = [
    options.commitSha ? `Planned at ${code(options.commitSha.slice(0, 12))}` : "",
    options.runUrl ? `[workflow run](${options.runUrl})` : "",
  ].filter(Boolean);

  const build = (planTextLimit: number): string =>
    [
      COMMENT_MARKER,
      ...cautionBlock(stacks),
      ...failedBlock(stacks, options.runUrl),
      "## Terraform plan",
      "",
      ...(stacks.length === 0 ? ["No stacks were planned.", ""] : overviewTable(stacks)),
      ...costSection(stacks),
      ...stacks.flatMap((stack) =>
        stack.failed ? failedSection(stack) : stackSection(stack, planTextLimit),
      ),
      ...(footerParts.length > 0 ? [`<sub>${footerParts.join(" · ")}</sub>`] : []),
    ]
      .join("\n")
      .trimEnd() + "\n";

  // Lay out everything else first, then share what is left of the size limit among the plan texts.
  const withText = planned(stacks).filter((s) => s.planText !== undefined && hasChanges(s.summary)).length;
  const fenceOverhead = 200;
  const comment =
    withText === 0 ? build(0) : build(Math.floor((maxChars - build(0).length) / withText) - fenceOverhead);
  if (comment.length <= maxChars) return comment;
  // Only reachable with thousands of changed resources; the marker and the caution block come first, so they survive.
  const note = "\n\n… comment cut to fit GitHub's size limit; the workflow log has the full summary.\n";
  return comment.slice(0, maxChars - note.length) + note;
}
