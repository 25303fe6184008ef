import { Construct, type IConstruct } from "constructs";
import { Aspects } from "cdktf";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { policyDocument, type PolicyStatement } from "./iam";
import type { Naming } from "./naming";

export interface PermissionsBoundaryProps {
  /** Resource names. */
  readonly naming: Naming;
  /** AWS account id (the boundary's own ARN). */
  readonly account: string;
  /** IAM service prefixes the environment's roles may use at all, e.g. `s3`, `ecs`. */
  readonly services: readonly string[];
  /** Roles no bounded principal may change (the roles that deploy and plan the environment). */
  readonly protectedRoleNames: readonly string[];
}

/** IAM actions that take the target role's boundary as the condition key iam:PermissionsBoundary. */
export const BOUNDED_ROLE_ACTIONS = [
  "iam:CreateRole",
  "iam:PutRolePermissionsBoundary",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
];

/** AWS managed policies no role of the environment may be given. */
export const ADMINISTRATOR_POLICIES = ["AdministratorAccess", "IAMFullAccess", "PowerUserAccess"].map(
  (name) => `arn:aws:iam::aws:policy/${name}`,
);

/**
 * The permissions boundary of every role in the scope (applied to each IamRole by an aspect, the way the CDK's
 * PermissionsBoundary.of does). It caps what any role of the environment can ever do, whatever policy it is
 * given: only the environment's services; no role created or changed without this same boundary; the boundary
 * itself never lifted, rewritten or deleted; the deploying roles never changed; no administrator policy, no IAM
 * user, no access key. A role that may create roles can therefore never create one stronger than itself.
 */
export class PermissionsBoundary extends Construct {
  public readonly policy: IamPolicy;
  /** The boundary's ARN as IAM compares it (built from its name, so policies can name it without a cycle). */
  public readonly arn: string;

  constructor(scope: Construct, id: string, props: PermissionsBoundaryProps) {
    super(scope, id);
    const { naming, account } = props;
    const name = naming.name("permissions-boundary", 128);
    this.arn = `arn:aws:iam::${account}:policy/${name}`;
    const roleArn = (role: string) => `arn:aws:iam::${account}:role/${role}`;
    const statements: PolicyStatement[] = [
      {
        Sid: "OnlyTheEnvironmentsServices",
        Effect: "Allow",
        Action: props.services.map((s) => `${s}:*`),
        Resource: "*",
      },
      {
        Sid: "NoRoleWithoutThisBoundary",
        Effect: "Deny",
        Action: BOUNDED_ROLE_ACTIONS,
        Resource: "*",
        Condition: { StringNotEquals: { "iam:PermissionsBoundary": this.arn } },
      },
      {
        Sid: "NoLiftingTheBoundary",
        Effect: "Deny",
        Action: "iam:DeleteRolePermissionsBoundary",
        Resource: "*",
      },
      {
        Sid: "NoEditingTheBoundary",
        Effect: "Deny",
        Action: [
          "iam:CreatePolicyVersion",
          "iam:DeletePolicy",
          "iam:DeletePolicyVersion",
          "iam:SetDefaultPolicyVersion",
          "iam:TagPolicy",
          "iam:UntagPolicy",
        ],
        Resource: this.arn,
      },
      {
        Sid: "NoChangingTheDeployingRoles",
        Effect: "Deny",
        NotAction: [
          "iam:GetRole",
          "iam:GetRolePolicy",
          "iam:ListRolePolicies",
          "iam:ListAttachedRolePolicies",
          "iam:ListRoleTags",
          "iam:ListInstanceProfilesForRole",
        ],
        Resource: props.protectedRoleNames.map(roleArn),
      },
      {
        Sid: "NoAdministratorPolicies",
        Effect: "Deny",
        Action: ["iam:AttachRolePolicy", "iam:AttachUserPolicy", "iam:AttachGroupPolicy"],
        Resource: "*",
        Condition: { ArnLike: { "iam:PolicyARN": ADMINISTRATOR_POLICIES } },
      },
      {
        Sid: "NoUsersOrKeys",
        Effect: "Deny",
        Action: [
          "iam:CreateUser",
          "iam:CreateAccessKey",
          "iam:CreateLoginProfile",
          "iam:UpdateLoginProfile",
          "iam:AttachUserPolicy",
          "iam:PutUserPolicy",
          "iam:AddUserToGroup",
          "iam:CreateServiceSpecificCredential",
        ],
        Resource: "*",
      },
    ];
    this.policy = new IamPolicy(this, "policy", {
      name,
      description: `${naming.prefix}: the most any role of the environment may do`,
      policy: policyDocument(...statements),
    });
    const policyArn = this.policy.arn;
    Aspects.of(scope).add({
      visit(node: IConstruct) {
        if (node instanceof IamRole) node.permissionsBoundary = policyArn;
      },
    });
  }
}
