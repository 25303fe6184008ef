/** Small helpers that keep IAM policy documents readable; policies are built where the resource lives. */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action?: string | string[];
  /** Every action but these (Deny statements that protect a resource from all but reads). */
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Principal?: Record<string, string | string[]> | "*";
  readonly NotPrincipal?: Record<string, string | string[]>;
  readonly Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

/** A policy document as the JSON string IAM, S3, SQS, SNS, KMS and Secrets Manager all take. */
export function policyDocument(...statements: PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** IAM's size limits, in characters without whitespace: a managed policy, and a role's inline policies together. */
export const MANAGED_POLICY_MAX_CHARS = 6144;
export const INLINE_POLICIES_MAX_CHARS_PER_ROLE = 10240;

/** How IAM measures a policy document against its limits. */
export const policySize = (document: string): number => document.replace(/\s/g, "").length;

/**
 * Statements packed, in order, into as few policy documents as fit `maxChars` each (with room for the ARNs
 * that Terraform references become). A single statement larger than that is refused.
 */
export function packStatements(statements: PolicyStatement[], maxChars: number): string[] {
  const documents: PolicyStatement[][] = [];
  for (const statement of statements) {
    if (policySize(policyDocument(statement)) > maxChars) {
      throw new Error(
        `a policy statement (${statement.Sid ?? "without Sid"}) is larger than ${maxChars} characters`,
      );
    }
    const last = documents[documents.length - 1];
    if (last && policySize(policyDocument(...last, statement)) <= maxChars) last.push(statement);
    else documents.push([statement]);
  }
  return documents.map((d) => policyDocument(...d));
}

/** An Allow statement, on one line where a policy lists many. */
export function allow(
  Sid: string,
  Action: string | string[],
  Resource: string | string[],
  Condition?: PolicyStatement["Condition"],
): PolicyStatement {
  return { Sid, Effect: "Allow", Action, Resource, ...(Condition ? { Condition } : {}) };
}

/**
 * Trust policy for a role assumed by an AWS service. `sourceAccount` adds the confused-deputy guard
 * (aws:SourceAccount) that AWS recommends for service principals that support it.
 */
export function assumedBy(service: string, sourceAccount?: string): string {
  return policyDocument({
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sts:AssumeRole",
    ...(sourceAccount ? { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } } : {}),
  });
}
