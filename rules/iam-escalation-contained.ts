import { boundaryStatements, roleStatements } from "./helpers/iam";
import { type Decision, evaluate, type Request } from "./iam/evaluate";
import { type Statement } from "./iam/policy";
import { grantedActions } from "./iam/sensitive";
import { notApplicable, requireThat, type Rule } from "./rule";
import type { StackView } from "./stack-view";

const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";

/** The resource patterns an Allow statement grants `action` on, wildcards made concrete (`*` -> `probe`). */
function targets(statements: Statement[], action: string): string[] {
  return statements
    .filter((s) => s.effect === "Allow" && !s.notResource && grantedActions(s).some((a) => a.name === action))
    .flatMap((s) => s.resources)
    .filter((r) => !r.includes("${"))
    .map((r) => r.replace(/\*/g, "probe"));
}

function account(stack: StackView): string {
  return stack.config.provider?.aws?.[0]?.allowed_account_ids?.[0] ?? "123456789012";
}

/**
 * For a role that can manage IAM: what it could do to escalate, tried against its policies and its boundary. Each
 * attempt must be refused; the role's own powers inside the boundary are not escalation.
 */
export const iamEscalationContained = {
  id: "iam-escalation-contained",
  fsbp: [],
  checkov: ["CKV_AWS_110", "CKV_AWS_286"],
  resourceTypes: ["aws_iam_role"],
  reason:
    "A role that creates or changes roles can make itself administrator unless a boundary it cannot lift caps them.",
  fix: "Give the role a permissions boundary, require it on every role it creates or changes, deny lifting or editing it.",
  check: (role, stack) => {
    const identity = roleStatements(stack, role);
    const boundary = boundaryStatements(stack, role.block);
    const managesIam = identity.some((s) =>
      grantedActions(s).some((a) => a.name.startsWith("iam:") && (a.level === "W" || a.level === "P")),
    );
    if (!managesIam) return notApplicable("the role cannot change IAM");
    const acct = account(stack);
    const self = `arn:aws:iam::${acct}:role${role.block.path ?? "/"}${role.block.name}`;
    const ownBoundary: string | undefined = role.block.permissions_boundary;
    const probes = [
      ...new Set([
        ...targets(identity, "iam:CreateRole"),
        ...targets(identity, "iam:AttachRolePolicy"),
        ...targets(identity, "iam:PutRolePolicy"),
        ...targets(identity, "iam:PassRole"),
      ]),
    ].filter((arn) => arn.includes(":role/"));
    const attempts: Array<[string, Request]> = [
      [
        "edit its own policies",
        { action: "iam:PutRolePolicy", resource: self, context: { "iam:permissionsboundary": ownBoundary } },
      ],
      [
        "attach a policy to itself",
        {
          action: "iam:AttachRolePolicy",
          resource: self,
          context: { "iam:permissionsboundary": ownBoundary, "iam:policyarn": ADMIN },
        },
      ],
      ["lift its own boundary", { action: "iam:DeleteRolePermissionsBoundary", resource: self }],
      ...(ownBoundary
        ? ([
            ["rewrite its boundary", { action: "iam:CreatePolicyVersion", resource: ownBoundary }],
            [
              "switch its boundary's version",
              { action: "iam:SetDefaultPolicyVersion", resource: ownBoundary },
            ],
          ] as Array<[string, Request]>)
        : []),
      ...probes.flatMap((arn): Array<[string, Request]> => [
        [`create ${arn} without the boundary`, { action: "iam:CreateRole", resource: arn }],
        [
          `attach AdministratorAccess to ${arn}`,
          {
            action: "iam:AttachRolePolicy",
            resource: arn,
            context: { "iam:permissionsboundary": ownBoundary, "iam:policyarn": ADMIN },
          },
        ],
        [
          `pass ${arn} to EC2`,
          { action: "iam:PassRole", resource: arn, context: { "iam:passedtoservice": "ec2.amazonaws.com" } },
        ],
        [`assume ${arn}`, { action: "sts:AssumeRole", resource: arn }],
        [`lift the boundary of ${arn}`, { action: "iam:DeleteRolePermissionsBoundary", resource: arn }],
      ]),
    ];
    const allowed = attempts.filter(
      ([, request]) => (evaluate(request, identity, boundary) as Decision) === "allowed",
    );
    return requireThat(allowed.length === 0, `could ${allowed.map(([what]) => what).join("; ")}`);
  },
} as const satisfies Rule;
