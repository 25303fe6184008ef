/**
 * Which actions the generated battery takes, from iam-data: every permissions-management action of the ten
 * services the design names and of the stack's other services that hold resource policies, IAM's writes, every
 * tagging action, and curated lists (credentials, the secrets key's life, data reads), each name checked against
 * iam-data; and, for an action that takes dozens of resource types, the kinds an environment holds.
 */
import type { ActionData, ResourceTypeData } from "./iam-data";

/** The services whose permissions-management actions the battery takes. */
export const SERVICES = [
  "iam",
  "sts",
  "kms",
  "secretsmanager",
  "ssm",
  "lambda",
  "cloudformation",
  "codebuild",
  "ecs",
  "ec2",
];

/**
 * The other services the stack uses that hold resource policies or tags: their permissions-management and
 * tagging actions join the battery (another application's bucket, repository, topic, queue, log and event
 * policies; another application's database; the account's shared hosted zone).
 */
export const RESOURCE_POLICY_SERVICES = [
  "s3",
  "rds",
  "ecr",
  "logs",
  "sns",
  "sqs",
  "events",
  "route53",
  "elasticloadbalancing",
  "wafv2",
  "ses",
  "xray",
];

/** Every service whose actions iam-data gives the battery. */
export const BATTERY_SERVICES = [...SERVICES, ...RESOURCE_POLICY_SERVICES, "states"];

/** Reads of data (design decision 6: the plan role reads none of it) and the other reaches the issue names. */
export const DATA_ACTIONS = [
  "s3:GetObject",
  "s3:GetObjectVersion",
  "s3:PutObject",
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
  "ecr:GetAuthorizationToken",
  "rds:DownloadDBLogFilePortion",
  "rds:DownloadCompleteDBLogFile",
  "rds:ModifyDBInstance",
  "rds:DeleteDBInstance",
  "rds:CreateDBSnapshot",
  "logs:GetLogEvents",
  "logs:FilterLogEvents",
  "logs:StartQuery",
  "logs:StartLiveTail",
  "logs:GetLogRecord",
  "secretsmanager:PutSecretValue",
  "ssm:PutParameter",
  "sqs:ReceiveMessage",
  "states:GetExecutionHistory",
  "states:DescribeExecution",
  "route53:ChangeResourceRecordSets",
  "route53:DeleteHostedZone",
];

/**
 * Actions that return credentials, or run code or read secrets as someone else (names as iam-data spells them;
 * the battery refuses a name iam-data does not know).
 */
export const CREDENTIAL_ACTIONS = [
  "sts:AssumeRole",
  "sts:AssumeRoleWithSAML",
  "sts:AssumeRoleWithWebIdentity",
  "sts:AssumeRoot",
  "sts:GetFederationToken",
  "sts:GetSessionToken",
  "sts:GetServiceBearerToken",
  "sts:GetWebIdentityToken",
  "iam:CreateAccessKey",
  "iam:UpdateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
  "iam:CreateServiceSpecificCredential",
  "iam:ResetServiceSpecificCredential",
  "iam:UploadSSHPublicKey",
  "ec2:GetPasswordData",
  "ec2:RunInstances",
  "ec2:ModifyInstanceAttribute",
  "ec2:AssociateIamInstanceProfile",
  "ec2:ReplaceIamInstanceProfileAssociation",
  "ssm:StartSession",
  "ssm:ResumeSession",
  "ssm:SendCommand",
  "ssm:StartAutomationExecution",
  "ssm:GetParameter",
  "ssm:GetParameters",
  "ssm:GetParametersByPath",
  "secretsmanager:GetSecretValue",
  "secretsmanager:BatchGetSecretValue",
  "kms:Decrypt",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyPair",
  "kms:ReEncryptFrom",
  "kms:CreateGrant",
  "ecs:ExecuteCommand",
  "ecs:RunTask",
  "ecs:StartTask",
  "ecs:UpdateService",
  "codebuild:StartBuild",
  "codebuild:StartBuildBatch",
  "codebuild:RetryBuild",
  "codebuild:UpdateProject",
  "codebuild:BatchGetBuilds",
  "lambda:InvokeFunction",
  "lambda:GetFunction",
  "lambda:GetFunctionConfiguration",
  "lambda:UpdateFunctionCode",
  "lambda:UpdateFunctionConfiguration",
  "cloudformation:CreateStack",
  "cloudformation:UpdateStack",
  "cloudformation:CreateChangeSet",
  "cloudformation:ExecuteChangeSet",
];

/** The life of the secrets' key, which only an administrator changes (design decision 1). */
export const KEY_LIFE_ACTIONS = ["kms:ScheduleKeyDeletion", "kms:DisableKey"];

/** Services an attacker would hand a role to, to run code as it; the stack uses none of them. */
export const DANGEROUS_PASS_TARGETS = [
  "ec2.amazonaws.com",
  "lambda.amazonaws.com",
  "glue.amazonaws.com",
  "cloudformation.amazonaws.com",
  "datapipeline.amazonaws.com",
  "sagemaker.amazonaws.com",
  "elasticmapreduce.amazonaws.com",
];

/** Why an action is in the battery. */
export type Reason = "permissions management" | "IAM write" | "credentials" | "key life" | "tagging" | "data";

export interface BatteryAction extends ActionData {
  readonly reasons: readonly Reason[];
}

/** The battery's actions, from iam-data: permissions management, IAM writes, credentials, the key's life. */
export function batteryActions(all: readonly ActionData[]): BatteryAction[] {
  const byName = new Map(all.map((a) => [a.name.toLowerCase(), a]));
  const missing = [...CREDENTIAL_ACTIONS, ...KEY_LIFE_ACTIONS, ...DATA_ACTIONS].filter(
    (n) => !byName.has(n.toLowerCase()),
  );
  if (missing.length) throw new Error(`iam-data does not know ${missing.join(", ")}: fix the curated list`);
  const reasons = new Map<string, Reason[]>();
  const add = (name: string, reason: Reason) =>
    reasons.set(name.toLowerCase(), [...(reasons.get(name.toLowerCase()) ?? []), reason]);
  for (const a of all) {
    if (a.accessLevel.includes("Permissions management")) add(a.name, "permissions management");
    if (a.service === "iam" && a.accessLevel !== "Read" && a.accessLevel !== "List") add(a.name, "IAM write");
    if (a.accessLevel.includes("Tagging") && a.resourceTypes.length) add(a.name, "tagging");
  }
  for (const n of DATA_ACTIONS) add(n, "data");
  for (const n of CREDENTIAL_ACTIONS) add(n, "credentials");
  for (const n of KEY_LIFE_ACTIONS) add(n, "key life");
  return [...reasons].map(([name, r]) => ({ ...byName.get(name)!, reasons: r }));
}

/** Resource types of the kinds an environment holds, for actions that take dozens (ec2:CreateTags: 106). */
const TYPES_OF_INTEREST = new Set(
  "vpc subnet security-group route-table internet-gateway natgateway elastic-ip vpc-endpoint vpc-flow-log network-acl network-interface instance volume snapshot image launch-template key-pair db cluster subgrp pg cluster-pg og secgrp es".split(
    " ",
  ),
);

/** The resource types a request of the action is tried on: its required ones, and at most a dozen kinds. */
export function typesOf(action: ActionData): ResourceTypeData[] {
  const required = action.resourceTypes.filter((t) => t.required);
  const types = required.length ? required : [...action.resourceTypes];
  return types.length > 12 ? types.filter((t) => TYPES_OF_INTEREST.has(t.name.toLowerCase())) : types;
}
