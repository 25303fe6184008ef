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
  /** AWS region (the ARNs of the environment's secrets, parameters and log groups). */
  readonly region: string;
  /** The S3 objects outside the environment's buckets its roles may use: its Terraform state and lock file. */
  readonly stateObjectArn: string;
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
 * given: only the environment's services; only the environment's own objects, secrets, parameters and logs; no
 * role created or changed without this same boundary; the boundary itself never lifted, rewritten or deleted; the
 * deploying roles never changed; no role assumed, no administrator policy, no IAM user, no access key, no instance
 * password. A role that may create roles can therefore create none that reaches beyond the environment. (Within
 * it, a role that defines task roles and runs tasks reaches what those tasks may: that is what deploying is.)
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
    const here = (service: string, resource: string) =>
      `arn:aws:${service}:${props.region}:${account}:${resource}`;
    const appPath = `${naming.application}/${naming.environment}`;
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
      // The services above are allowed on every resource; the data in them is not. A role the environment
      // creates can never read or write another application's objects, secrets, parameters or logs.
      {
        Sid: "OnlyTheEnvironmentsObjects",
        Effect: "Deny",
        Action: [
          "s3:GetObject*",
          "s3:PutObject*",
          "s3:DeleteObject*",
          "s3:RestoreObject",
          "s3:ReplicateObject",
        ],
        NotResource: [
          `arn:aws:s3:::${naming.prefix}-*/*`,
          props.stateObjectArn,
          `${props.stateObjectArn}.tflock`,
        ],
      },
      {
        // The RDS-managed master secret's name is generated (rds!db-...); RDS tags it with its instance.
        Sid: "OnlyTheEnvironmentsSecrets",
        Effect: "Deny",
        Action: [
          "secretsmanager:GetSecretValue",
          "secretsmanager:PutSecretValue",
          "secretsmanager:UpdateSecret",
        ],
        NotResource: here("secretsmanager", `secret:${appPath}/*`),
        Condition: {
          StringNotEquals: {
            "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn": here("rds", `db:${naming.name("db")}`),
          },
        },
      },
      {
        Sid: "OnlyTheEnvironmentsParameters",
        Effect: "Deny",
        Action: ["ssm:GetParameter*", "ssm:PutParameter", "ssm:DeleteParameter*"],
        NotResource: here("ssm", `parameter/${appPath}/*`),
      },
      {
        Sid: "OnlyTheEnvironmentsLogs",
        Effect: "Deny",
        Action: ["logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "logs:StartLiveTail"],
        NotResource: [
          here("logs", `log-group:/${appPath}/*`),
          here("logs", `log-group:aws-waf-logs-${naming.prefix}*`),
        ],
      },
      {
        Sid: "NoOtherPrincipalsCredentials",
        Effect: "Deny",
        Action: ["sts:AssumeRole", "ec2:GetPasswordData"],
        Resource: "*",
      },
      {
        Sid: "OnlyTheEnvironmentsRolesPassed",
        Effect: "Deny",
        Action: "iam:PassRole",
        NotResource: roleArn(`${naming.prefix}-*`),
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
