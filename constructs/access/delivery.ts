/**
 * The delivery pipeline: CodePipeline, CodeBuild projects, the GitHub connection and the failure notification
 * rule. Projects and the pipeline carry the environment's names; the connection and the rule carry ids (the
 * environment's are tagged with its application and environment, and an administrator creates them: a connection
 * waits for a person to approve it in the console anyway).
 */
import { type AccessScope, arn, type ServiceAccess, taggedExisting, taggedExistingOtherKeys } from "./types";

export const environmentBuilds = (s: AccessScope): string[] => [
  arn(s, "codebuild", `project/${s.prefix}-*`),
  arn(s, "codebuild", `build/${s.prefix}-*:*`),
];
export const environmentPipelines = (s: AccessScope): string => arn(s, "codepipeline", `${s.prefix}-*`);
/** The service was renamed CodeConnections in 2024; IAM knows both prefixes, and ARNs of either. */
const CONNECTION_SERVICES = ["codestar-connections", "codeconnections"];
const connections = (s: AccessScope) => CONNECTION_SERVICES.map((service) => arn(s, service, "connection/*"));
const notificationRules = (s: AccessScope) => [arn(s, "codestar-notifications", "notificationrule/*")];

export const BUILDS: ServiceAccess = {
  services: ["codebuild"],
  grants: [
    {
      sid: "EnvironmentBuildProjects",
      resources: environmentBuilds,
      terraform: {
        aws_codebuild_project: {
          write: ["codebuild:CreateProject", "codebuild:UpdateProject", "codebuild:DeleteProject"],
          read: ["codebuild:BatchGetProjects"],
        },
      },
    },
  ],
  boundary: { named: environmentBuilds },
};

export const PIPELINES: ServiceAccess = {
  services: ["codepipeline"],
  grants: [
    {
      sid: "EnvironmentPipelines",
      resources: (s) => [environmentPipelines(s)],
      terraform: {
        aws_codepipeline: {
          write: [
            "codepipeline:CreatePipeline",
            "codepipeline:UpdatePipeline",
            "codepipeline:TagResource",
            "codepipeline:UntagResource",
            "codepipeline:DeletePipeline",
          ],
          read: ["codepipeline:GetPipeline", "codepipeline:ListTagsForResource"],
        },
      },
    },
  ],
  boundary: { named: (s) => [environmentPipelines(s)] },
};

const each = (verbs: string[]) =>
  CONNECTION_SERVICES.flatMap((service) => verbs.map((v) => `${service}:${v}`));

export const CONNECTIONS: ServiceAccess = {
  services: CONNECTION_SERVICES,
  grants: [
    {
      sid: "EnvironmentConnections",
      resources: connections,
      condition: taggedExisting,
      terraform: {
        aws_codestarconnections_connection: {
          write: each(["DeleteConnection"]),
          read: each(["GetConnection", "ListTagsForResource"]),
        },
        aws_codepipeline: { write: each(["PassConnection"]) },
      },
    },
    {
      sid: "RetagEnvironmentConnections",
      resources: connections,
      condition: taggedExistingOtherKeys,
      terraform: { aws_codestarconnections_connection: { write: each(["TagResource", "UntagResource"]) } },
    },
  ],
  boundary: { tagged: true },
  administrator: {
    aws_codestarconnections_connection:
      "A connection carries an id and waits for a person to approve it in the console: an administrator creates it",
  },
};

export const NOTIFICATIONS: ServiceAccess = {
  services: ["codestar-notifications"],
  grants: [
    {
      sid: "EnvironmentNotificationRules",
      resources: notificationRules,
      condition: taggedExisting,
      terraform: {
        aws_codestarnotifications_notification_rule: {
          write: [
            "codestar-notifications:UpdateNotificationRule",
            "codestar-notifications:DeleteNotificationRule",
          ],
          read: [
            "codestar-notifications:DescribeNotificationRule",
            "codestar-notifications:ListTagsForResource",
          ],
        },
      },
    },
    {
      sid: "RetagEnvironmentNotificationRules",
      resources: notificationRules,
      condition: taggedExistingOtherKeys,
      terraform: {
        aws_codestarnotifications_notification_rule: {
          write: ["codestar-notifications:TagResource", "codestar-notifications:UntagResource"],
        },
      },
    },
  ],
  boundary: { tagged: true },
  administrator: {
    aws_codestarnotifications_notification_rule:
      "A rule carries an id; a new one's tags cannot be told apart from another's: an administrator creates it",
  },
};
