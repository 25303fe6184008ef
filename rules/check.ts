/**
 * Runs every policy rule over every resource of a synthesized stack, applies the suppressions, and says what is
 * left: the findings that fail the synth, and the findings each suppression accepted.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ALL_RULES } from "./index";
import type { Outcome, Rule } from "./rule";
import { addressOf, type Block, pathOf, StackView } from "./stack-view";
import { SUPPRESSIONS, type Suppression } from "./suppressions";

export interface Finding {
  readonly stack: string;
  readonly rule: Rule;
  /** Construct path without the stack, e.g. `uploads/files/bucket`. */
  readonly path: string;
  readonly address: string;
  readonly outcome: Outcome;
}

export interface Report {
  readonly findings: Finding[];
  readonly suppressed: Array<Finding & { readonly suppression: Suppression }>;
  /** How many (rule, resource) pairs were compliant. */
  readonly compliant: number;
}

/** Whether a suppression covers a finding: same rule, its path glob matches, and its stacks (if any) include it. */
export function covers(s: Suppression, stack: string, rule: string, path: string): boolean {
  const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  // `**` spans folders, `*` stays within one.
  const pattern = s.resource
    .split("**")
    .map((part) => part.split("*").map(escape).join("[^/]*"))
    .join(".*");
  const glob = new RegExp(`^${pattern}$`);
  return s.rule === rule && glob.test(path) && (s.stacks === undefined || s.stacks.includes(stack));
}

export function checkStack(
  stack: string,
  config: Block,
  rules: readonly Rule[] = ALL_RULES,
  suppressions: readonly Suppression[] = SUPPRESSIONS,
): Report {
  const view = new StackView(config);
  const findings: Finding[] = [];
  const suppressed: Report["suppressed"] = [];
  let compliant = 0;
  for (const rule of rules) {
    for (const type of rule.resourceTypes) {
      for (const resource of view.resources(type)) {
        const outcome = rule.check(resource, view);
        if (outcome.status === "compliant") compliant += 1;
        if (outcome.status !== "non-compliant") continue;
        const finding = { stack, rule, path: pathOf(resource), address: addressOf(resource), outcome };
        const suppression = suppressions.find((s) => covers(s, stack, rule.id, finding.path));
        if (suppression) suppressed.push({ ...finding, suppression });
        else findings.push(finding);
      }
    }
  }
  return { findings, suppressed, compliant };
}

/** One line per finding: the rule and its controls, where, what is wrong, and the fix. */
export function describe(f: Finding): string {
  const controls = [...f.rule.fsbp.map((c) => `FSBP ${c}`), ...f.rule.checkov].join(", ");
  return `${f.rule.id}${controls ? ` (${controls})` : ""}: ${f.stack}/${f.path}: ${f.outcome.detail ?? f.rule.reason}. Fix: ${f.rule.fix}`;
}

/** Thrown when a synthesized stack breaks a rule that no suppression covers. */
export class PolicyViolation extends Error {
  constructor(readonly findings: Finding[]) {
    super(`${findings.length} policy finding(s):\n${findings.map((f) => `  - ${describe(f)}`).join("\n")}`);
    this.name = "PolicyViolation";
  }
}

/** Checks every stack; throws PolicyViolation listing every unsuppressed finding. */
export function enforcePolicies(stacks: Record<string, Block>): Report[] {
  const reports = Object.entries(stacks).map(([name, config]) => checkStack(name, config));
  const findings = reports.flatMap((r) => r.findings);
  if (findings.length > 0) throw new PolicyViolation(findings);
  return reports;
}

/** Every stack a synth wrote to `outdir` (cdktf's stacks/<name>/cdk.tf.json), by name. */
export function readSynthOutput(outdir: string): Record<string, Block> {
  const dir = join(outdir, "stacks");
  return Object.fromEntries(
    readdirSync(dir).map((name) => [
      name,
      JSON.parse(readFileSync(join(dir, name, "cdk.tf.json"), "utf8")) as Block,
    ]),
  );
}

/** Checks every stack a synth wrote to `outdir`; throws on a finding. */
export function enforceOnSynthOutput(outdir: string): Report[] {
  return enforcePolicies(readSynthOutput(outdir));
}
