/**
 * IAM: the environment's roles and customer-managed policies, all under the IAM path `/<application>/<environment>/`
 * (constructs/permissions-boundary.ts puts them there). A role is created or given policies only with the
 * environment's boundary; only the AWS managed policies the stack uses, or the environment's own, may be attached;
 * a role is handed only to the services that run it. The GitHub OIDC provider is the account's: it is read, never
 * changed.
 */
import { type AccessScope, type ServiceAccess } from "./types";

/** GitHub Actions' OIDC issuer (host, as IAM condition keys name it). */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

/** The environment's roles. */
export const environmentRoles = (s: AccessScope): string => `arn:aws:iam::${s.account}:role${s.iamPath}*`;
/** The environment's customer-managed policies. */
export const environmentPolicies = (s: AccessScope): string =>
  `arn:aws:iam::${s.account}:policy${s.iamPath}*`;
/** The account's GitHub OIDC provider. */
export const githubProvider = (s: AccessScope): string =>
  `arn:aws:iam::${s.account}:oidc-provider/${GITHUB_OIDC_HOST}`;

const withTheBoundary = (s: AccessScope) => ({ StringEquals: { "iam:PermissionsBoundary": s.boundaryArn } });

export const IDENTITY: ServiceAccess = {
  services: ["iam"],
  grants: [
    {
      sid: "EnvironmentRolesOnlyWithTheBoundary",
      resources: (s) => [environmentRoles(s)],
      condition: withTheBoundary,
      terraform: {
        aws_iam_role: { write: ["iam:CreateRole", "iam:PutRolePermissionsBoundary"] },
        aws_iam_role_policy: { write: ["iam:PutRolePolicy", "iam:DeleteRolePolicy"] },
      },
    },
    {
      // iam:PolicyARN names the policy attached: the stack's AWS managed policies and the environment's own.
      sid: "AttachOnlyTheStacksPolicies",
      resources: (s) => [environmentRoles(s)],
      condition: (s) => ({
        ...withTheBoundary(s),
        ArnLike: { "iam:PolicyARN": [...s.managedPolicies, environmentPolicies(s)] },
      }),
      terraform: {
        aws_iam_role_policy_attachment: { write: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"] },
      },
    },
    {
      sid: "EnvironmentRoles",
      resources: (s) => [environmentRoles(s)],
      terraform: {
        aws_iam_role: {
          write: [
            "iam:UpdateAssumeRolePolicy",
            "iam:UpdateRole",
            "iam:UpdateRoleDescription",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:DeleteRole",
          ],
          read: [
            "iam:GetRole",
            "iam:ListRolePolicies",
            "iam:ListAttachedRolePolicies",
            "iam:ListInstanceProfilesForRole",
            "iam:ListRoleTags",
          ],
        },
        aws_iam_role_policy: { read: ["iam:GetRolePolicy"] },
        aws_iam_role_policy_attachment: { read: ["iam:ListAttachedRolePolicies"] },
      },
    },
    {
      sid: "EnvironmentPolicies",
      resources: (s) => [environmentPolicies(s)],
      terraform: {
        aws_iam_policy: {
          write: [
            "iam:CreatePolicy",
            "iam:CreatePolicyVersion",
            "iam:SetDefaultPolicyVersion",
            "iam:DeletePolicyVersion",
            "iam:DeletePolicy",
            "iam:TagPolicy",
            "iam:UntagPolicy",
          ],
          read: [
            "iam:GetPolicy",
            "iam:GetPolicyVersion",
            "iam:ListPolicyVersions",
            "iam:ListPolicyTags",
            "iam:ListEntitiesForPolicy",
          ],
        },
      },
    },
    {
      sid: "PassEnvironmentRolesToTheServicesThatRunThem",
      resources: (s) => [environmentRoles(s)],
      condition: (s) => ({ StringEquals: { "iam:PassedToService": [...s.passedToServices] } }),
      terraform: Object.fromEntries(
        [
          "aws_ecs_task_definition",
          "aws_scheduler_schedule",
          "aws_codebuild_project",
          "aws_codepipeline",
          "aws_flow_log",
          "aws_db_instance",
          "aws_kinesis_firehose_delivery_stream",
          "aws_cloudwatch_log_subscription_filter",
          "aws_sfn_state_machine",
          "aws_cloudwatch_event_target",
        ].map((t) => [t, { write: ["iam:PassRole"] }]),
      ),
    },
    {
      sid: "ReadTheAccountsGithubProvider",
      resources: (s) => [githubProvider(s)],
      terraform: {
        aws_iam_openid_connect_provider: { read: ["iam:GetOpenIDConnectProvider"] },
        "data.aws_iam_openid_connect_provider": { read: ["iam:GetOpenIDConnectProvider"] },
      },
    },
  ],
  boundary: { named: (s) => [environmentRoles(s), environmentPolicies(s)] },
  administrator: {
    aws_iam_openid_connect_provider:
      "The account's provider trusts GitHub for every role in the account: only an administrator creates or changes it",
  },
};
