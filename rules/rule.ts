/**
 * A policy rule in the style of cdk-nag: a pure function from one synthesized resource (and its stack, for rules
 * that follow references) to compliant, non-compliant or not applicable, with the controls it implements, why it
 * matters and how to fix it.
 */
import type { Element, StackView } from "./stack-view";

export type Status = "compliant" | "non-compliant" | "not-applicable";

export interface Outcome {
  readonly status: Status;
  /** What exactly is wrong (or why the rule does not apply), for the message. */
  readonly detail?: string;
}

export const compliant: Outcome = { status: "compliant" };
export const notApplicable = (detail?: string): Outcome => ({ status: "not-applicable", detail });
export const nonCompliant = (detail: string): Outcome => ({ status: "non-compliant", detail });
/** Compliant when `ok`, else non-compliant with `detail`. */
export const requireThat = (ok: boolean, detail: string): Outcome => (ok ? compliant : nonCompliant(detail));

export interface Rule {
  /** The project's id, e.g. `s3-tls-only`: the name of the rule's file. */
  readonly id: string;
  /** AWS Foundational Security Best Practices controls, e.g. `S3.5`. */
  readonly fsbp: readonly string[];
  /** Checkov checks, e.g. `CKV_AWS_145`. */
  readonly checkov: readonly string[];
  /** Terraform resource types the rule looks at. */
  readonly resourceTypes: readonly string[];
  /** Why it matters, in one line. */
  readonly reason: string;
  /** How to fix a finding, in one line. */
  readonly fix: string;
  readonly check: (resource: Element, stack: StackView) => Outcome;
}
