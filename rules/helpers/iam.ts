import { AccountPolicies, type Where } from "../iam/account-policies";
import type { ActionInfo } from "../iam/actions";
import { awsManagedPolicy } from "../iam/aws-managed";
import { statementsOf, type Statement } from "../iam/policy";
import { grantedOnEverything } from "../iam/sensitive";
import { stateElements, synthesizedElements } from "../iam/terraform";
import { type Outcome, requireThat } from "../rule";
import type { Block, Element, StackView } from "../stack-view";

export { AccountPolicies, type ResourcePolicy, type RolePolicies } from "../iam/account-policies";

/** Resource types that hold an identity policy, and the attribute that holds it. */
export const IDENTITY_POLICIES: Record<string, string> = {
  aws_iam_role_policy: "policy",
  aws_iam_policy: "policy",
  aws_iam_user_policy: "policy",
  aws_iam_group_policy: "policy",
};

/** Resource types that hold a resource policy, and the attribute that holds it. */
export const RESOURCE_POLICIES: Record<string, string> = {
  aws_s3_bucket_policy: "policy",
  aws_sqs_queue_policy: "policy",
  aws_sns_topic_policy: "policy",
  aws_secretsmanager_secret_policy: "policy",
  aws_ecr_repository_policy: "policy",
  aws_kms_key: "policy",
};

/** True for a managed policy some role uses as its permissions boundary: a ceiling, which grants nothing. */
export function isPermissionsBoundary(resource: Element, stack: StackView): boolean {
  return (
    resource.type === "aws_iam_policy" &&
    stack
      .resources("aws_iam_role")
      .some((r) => stack.tryDeref(r.block.permissions_boundary)?.name === resource.name)
  );
}

/**
 * The statements an identity-policy resource grants (an inline role policy or a managed policy). A permissions
 * boundary grants none: what it allows only limits what a role's own policies grant.
 */
export function identityStatements(resource: Element, stack?: StackView): Statement[] {
  const attribute = IDENTITY_POLICIES[resource.type];
  if (!attribute || (stack && isPermissionsBoundary(resource, stack))) return [];
  return statementsOf(resource.block[attribute]);
}

/** Every identity statement that applies to a role: its inline policies and the managed policies attached. */
export function roleStatements(stack: StackView, role: Element): Statement[] {
  const inline = stack.referring("aws_iam_role_policy", "role", role).flatMap((p) => identityStatements(p));
  const attached = stack.referring("aws_iam_role_policy_attachment", "role", role).flatMap((a) => {
    const arn: string = a.block.policy_arn ?? "";
    const managed = stack.tryDeref(arn);
    if (managed?.type === "aws_iam_policy") return identityStatements(managed);
    return awsManagedPolicy(arn) ?? [];
  });
  return [...inline, ...attached];
}

/** The statements of a role's permissions boundary, or undefined when it has none (or one outside the stack). */
export function boundaryStatements(stack: StackView, role: Block): Statement[] | undefined {
  const boundary = stack.tryDeref(role.permissions_boundary);
  return boundary?.type === "aws_iam_policy" ? identityStatements(boundary) : undefined;
}

/**
 * The check of the rules that forbid some actions on `*`: non-compliant when an identity policy grants, on every
 * resource, an action that passes `test` (the first eight named).
 */
export function noneOnEverything(test: (action: ActionInfo) => boolean) {
  return (resource: Element, stack: StackView): Outcome => {
    const found = grantedOnEverything(identityStatements(resource, stack), test);
    const named = found.slice(0, 8).join(", ");
    return requireThat(found.length === 0, `on *: ${named}${found.length > 8 ? ", ..." : ""}`);
  };
}

/** The account and region a synthesized stack deploys to (its AWS provider's settings). */
export function stackWhere(stack: StackView): Where {
  const provider = stack.config.provider?.aws?.[0] ?? {};
  return {
    account: provider.allowed_account_ids?.[0] ?? "123456789012",
    region: provider.region ?? "us-east-1",
  };
}

/**
 * Every role's policies and every resource's policy of a synthesized stack, by ARN, references resolved (ARNs
 * that AWS makes up are stable stand-ins: read them back from the result, e.g. `policies.resourcePolicies`).
 */
export function stackPolicies(stack: StackView, where: Where = stackWhere(stack)): AccountPolicies {
  return new AccountPolicies(where, synthesizedElements(stack, where));
}

/**
 * Every role's policies and every resource's policy of an applied state, as `terraform show -json` prints it.
 * The account and region default to those of the first role and regional ARN in it.
 */
export function statePolicies(show: Block, where?: Partial<Where>): AccountPolicies {
  const elements = stateElements(show);
  const arns = elements.map((e) => e.values.arn).filter((a): a is string => typeof a === "string");
  const parts = (i: number) => arns.map((a) => a.split(":")[i]).find((x) => x && x !== "aws");
  return new AccountPolicies(
    {
      account: where?.account ?? arns.map((a) => a.split(":")[4]).find((x) => /^\d{12}$/.test(x)) ?? "",
      region: where?.region ?? parts(3) ?? "",
    },
    elements,
  );
}
