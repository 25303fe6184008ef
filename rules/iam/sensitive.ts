/**
 * Classes of IAM actions the rules watch, after cloudsplaining (which Checkov's IAM checks use): actions that
 * return credentials, that read data out, and that escalate privileges.
 */
import { expandAction, type ActionInfo } from "./actions";
import { onEveryResource, type Statement } from "./policy";

export const CREDENTIALS_EXPOSURE = new Set(
  [
    "codepipeline:PollForJobs",
    "ec2:GetPasswordData",
    "ecr:GetAuthorizationToken",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
    "iam:UpdateAccessKey",
    "rds-db:Connect",
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:GetFederationToken",
    "sts:GetSessionToken",
  ].map((a) => a.toLowerCase()),
);

export const DATA_EXFILTRATION = new Set(
  [
    "s3:GetObject",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "secretsmanager:GetSecretValue",
  ].map((a) => a.toLowerCase()),
);

/** Single actions that let a principal give itself (or a principal it controls) more than it has. */
export const PRIVILEGE_ESCALATION = new Set(
  [
    "iam:AddUserToGroup",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreatePolicyVersion",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PassRole",
    "iam:PutGroupPolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateLoginProfile",
    "lambda:UpdateFunctionCode",
    "glue:UpdateDevEndpoint",
  ].map((a) => a.toLowerCase()),
);

/** The known actions an Allow statement grants (NotAction: every known action it does not exclude). */
export function grantedActions(s: Statement): ActionInfo[] {
  if (s.effect !== "Allow") return [];
  const named = s.actions.flatMap(expandAction);
  if (!s.notAction) return named;
  const excluded = new Set(named.map((a) => a.name.toLowerCase()));
  return expandAction("*").filter((a) => !excluded.has(a.name.toLowerCase()));
}

/** Actions an Allow statement grants on every resource (`*`) that satisfy `test`, by name. */
export function grantedOnEverything(statements: Statement[], test: (a: ActionInfo) => boolean): string[] {
  const found = new Set<string>();
  for (const s of statements.filter(onEveryResource)) {
    for (const a of grantedActions(s)) if (test(a)) found.add(a.name);
  }
  return [...found].sort();
}
