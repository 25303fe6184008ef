/**
 * Secrets Manager, SSM parameters and KMS keys. Secrets and parameters are named by the environment's path
 * (`<application>/<environment>/...`); keys carry ids, so they are the ones tagged with the environment's
 * application and environment, and their aliases are named `alias/<application>-<environment>-*`.
 *
 * The deploy role never reads a value (no GetSecretValue; the one parameter it reads is the released image, a
 * String). Who may read the secrets is the access layer an administrator applies: their resource policies, and
 * the secrets key's policy and life (denied by the permissions boundary), and creating any key: a new key's tags
 * go on with kms:TagResource, which IAM cannot tell apart from tagging another application's key.
 */
import { arn, type AccessScope, type ServiceAccess, taggedExisting, taggedExistingOtherKeys } from "./types";

/** The environment's secrets (names `<application>/<environment>/<NAME>`; ARNs add a random suffix). */
export const environmentSecrets = (s: AccessScope): string =>
  arn(s, "secretsmanager", `secret:${s.application}/${s.environment}/*`);
/** The environment's SSM parameters. */
export const environmentParameters = (s: AccessScope): string =>
  arn(s, "ssm", `parameter/${s.application}/${s.environment}/*`);
/** The released-image parameter: a String the refresh reads (the only parameter value any plan reads). */
export const imageParameter = (s: AccessScope): string =>
  arn(s, "ssm", `parameter/${s.application}/${s.environment}/image`);
/** The environment's key aliases. */
export const environmentAliases = (s: AccessScope): string => arn(s, "kms", `alias/${s.prefix}-*`);
/** Keys of this account and region (which of them is the environment's, the tag condition decides). */
export const keysHere = (s: AccessScope): string => arn(s, "kms", "key/*");

export const SECRETS: ServiceAccess = {
  services: ["secretsmanager"],
  grants: [
    {
      sid: "EnvironmentSecretsWithoutTheirValues",
      resources: (s) => [environmentSecrets(s)],
      terraform: {
        aws_secretsmanager_secret: {
          write: [
            "secretsmanager:CreateSecret",
            "secretsmanager:UpdateSecret",
            "secretsmanager:TagResource",
            "secretsmanager:UntagResource",
            "secretsmanager:DeleteSecret",
            "secretsmanager:RestoreSecret",
          ],
          read: ["secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"],
        },
        aws_secretsmanager_secret_policy: { read: ["secretsmanager:GetResourcePolicy"] },
      },
    },
  ],
  unscoped: [
    {
      action: "secretsmanager:ListSecrets",
      why: "Lists names and descriptions, never values; takes no resource",
      terraform: ["aws_secretsmanager_secret"],
      read: true,
    },
  ],
  boundary: { named: (s) => [environmentSecrets(s)] },
  administrator: {
    aws_secretsmanager_secret_policy:
      "Who else may read a secret is the access layer: CI deploys the app that reads them, never changes who may",
  },
};

export const PARAMETERS: ServiceAccess = {
  services: ["ssm"],
  grants: [
    {
      sid: "EnvironmentParameters",
      resources: (s) => [environmentParameters(s)],
      terraform: {
        aws_ssm_parameter: {
          write: [
            "ssm:PutParameter",
            "ssm:DeleteParameter",
            "ssm:AddTagsToResource",
            "ssm:RemoveTagsFromResource",
          ],
          read: ["ssm:ListTagsForResource"],
        },
      },
    },
    {
      sid: "TheReleasedImageParameter",
      resources: (s) => [imageParameter(s)],
      terraform: { aws_ssm_parameter: { read: ["ssm:GetParameter", "ssm:GetParameters"] } },
    },
  ],
  unscoped: [
    {
      action: "ssm:DescribeParameters",
      why: "Lists parameter names and types, never values; takes no resource",
      terraform: ["aws_ssm_parameter"],
      read: true,
    },
  ],
  boundary: { named: (s) => [environmentParameters(s)] },
};

/** Terraform types whose service encrypts with an environment key, with the caller's permissions. */
const KEY_USERS = [
  "aws_db_instance",
  "aws_ecr_repository",
  "aws_kinesis_firehose_delivery_stream",
  "aws_scheduler_schedule",
  "aws_sns_topic",
  "aws_sqs_queue",
  "aws_codebuild_project",
  "aws_codepipeline",
];

export const KEYS: ServiceAccess = {
  services: ["kms"],
  grants: [
    {
      sid: "EnvironmentKeys",
      resources: (s) => [keysHere(s)],
      condition: taggedExisting,
      terraform: {
        aws_kms_key: {
          write: [
            "kms:PutKeyPolicy",
            "kms:EnableKeyRotation",
            "kms:DisableKeyRotation",
            "kms:UpdateKeyDescription",
            "kms:ScheduleKeyDeletion",
          ],
          read: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"],
        },
        aws_kms_alias: { write: ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"] },
      },
    },
    {
      sid: "RetagEnvironmentKeys",
      resources: (s) => [keysHere(s)],
      condition: taggedExistingOtherKeys,
      terraform: { aws_kms_key: { write: ["kms:TagResource", "kms:UntagResource"] } },
    },
    {
      // The services that encrypt with the keys (RDS, ECR, Firehose, Secrets Manager, the scheduler) do it with the
      // caller's permissions when a resource is created; the keys' policies allow use only through those services.
      sid: "EnvironmentKeysForTheServicesThatUseThem",
      resources: (s) => [keysHere(s)],
      condition: taggedExisting,
      terraform: Object.fromEntries(
        KEY_USERS.map((t) => [t, { write: ["kms:GenerateDataKey", "kms:Decrypt"] }]),
      ),
    },
    {
      // A grant changes who may use a key: only one an AWS service asks for, for the resource it encrypts.
      sid: "GrantsForTheServicesThatUseThem",
      resources: (s) => [keysHere(s)],
      condition: (s) => ({ ...taggedExisting(s), Bool: { "kms:GrantIsForAWSResource": "true" } }),
      terraform: Object.fromEntries(KEY_USERS.map((t) => [t, { write: ["kms:CreateGrant"] }])),
    },
    {
      sid: "EnvironmentKeyAliases",
      resources: (s) => [environmentAliases(s)],
      terraform: { aws_kms_alias: { write: ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"] } },
    },
  ],
  unscoped: [
    {
      action: "kms:ListAliases",
      why: "Lists alias names; takes no resource",
      terraform: ["aws_kms_alias"],
      read: true,
    },
  ],
  boundary: { named: (s) => [environmentAliases(s)], tagged: true },
  administrator: {
    aws_kms_key:
      "A key's tags go on with kms:TagResource on every key of the account: creating one is an administrator's change",
  },
};
