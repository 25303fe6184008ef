/**
 * ECS, ECR and Application Auto Scaling: the environment's cluster (named `<application>-<environment>`), its
 * service, task definitions and tasks, its image repository, and the service's scalable target. Scalable
 * targets carry ids: the environment's is the one tagged with its application and environment.
 */
import { arn, type AccessScope, type ServiceAccess, taggedExisting, taggedExistingOtherKeys } from "./types";

/** The environment's cluster and what runs in it. */
export const environmentCluster = (s: AccessScope): string[] => [
  arn(s, "ecs", `cluster/${s.prefix}`),
  arn(s, "ecs", `service/${s.prefix}/*`),
  arn(s, "ecs", `task/${s.prefix}/*`),
  arn(s, "ecs", `container-instance/${s.prefix}/*`),
  arn(s, "ecs", `task-definition/${s.prefix}-*:*`),
];
/** The environment's image repositories. */
export const environmentRepositories = (s: AccessScope): string => arn(s, "ecr", `repository/${s.prefix}-*`);

const ECS_TAGS = { write: ["ecs:TagResource", "ecs:UntagResource"], read: ["ecs:ListTagsForResource"] };

export const CONTAINERS: ServiceAccess = {
  services: ["ecs"],
  grants: [
    {
      sid: "EnvironmentCluster",
      resources: environmentCluster,
      terraform: {
        aws_ecs_cluster: {
          write: [
            "ecs:CreateCluster",
            "ecs:UpdateCluster",
            "ecs:UpdateClusterSettings",
            "ecs:PutClusterCapacityProviders",
            "ecs:DeleteCluster",
            ...ECS_TAGS.write,
          ],
          read: ["ecs:DescribeClusters", ...ECS_TAGS.read],
        },
        aws_ecs_service: {
          write: ["ecs:CreateService", "ecs:UpdateService", "ecs:DeleteService", ...ECS_TAGS.write],
          read: ["ecs:DescribeServices", ...ECS_TAGS.read],
        },
        aws_ecs_task_definition: {
          write: ["ecs:RegisterTaskDefinition", ...ECS_TAGS.write],
          read: ECS_TAGS.read,
        },
      },
    },
  ],
  unscoped: [
    ["DescribeTaskDefinition", true],
    ["DeregisterTaskDefinition", false],
  ].map(([action, read]) => ({
    action: `ecs:${action}`,
    why: "ECS authorizes it only on *",
    terraform: ["aws_ecs_task_definition"],
    read: read as boolean,
  })),
  boundary: { named: environmentCluster },
  runtime: [
    {
      sid: "ReleaseListsRevisions",
      actions: ["ecs:ListTaskDefinitions"],
      resources: () => ["*"],
      why: "The release role finds a revision an unfinished release left (release.sh settles it); ECS lists revisions only on *, and the list holds ARNs alone",
    },
  ],
};

export const IMAGES: ServiceAccess = {
  services: ["ecr"],
  grants: [
    {
      sid: "EnvironmentRepositories",
      resources: (s) => [environmentRepositories(s)],
      terraform: {
        aws_ecr_repository: {
          write: [
            "ecr:CreateRepository",
            "ecr:PutImageScanningConfiguration",
            "ecr:PutImageTagMutability",
            "ecr:TagResource",
            "ecr:UntagResource",
            "ecr:DeleteRepository",
          ],
          read: ["ecr:DescribeRepositories", "ecr:ListTagsForResource"],
        },
        aws_ecr_lifecycle_policy: {
          write: ["ecr:PutLifecyclePolicy", "ecr:DeleteLifecyclePolicy"],
          read: ["ecr:GetLifecyclePolicy"],
        },
        aws_ecr_repository_policy: {
          write: ["ecr:SetRepositoryPolicy", "ecr:DeleteRepositoryPolicy"],
          read: ["ecr:GetRepositoryPolicy"],
        },
      },
    },
  ],
  boundary: { named: (s) => [environmentRepositories(s)] },
  runtime: [
    {
      sid: "RegistryLogin",
      actions: ["ecr:GetAuthorizationToken"],
      resources: () => ["*"],
      why: "Pulling and pushing images starts with a registry token; it takes no resource, and the token does only what the repository grants allow",
    },
    {
      sid: "PullPromoted",
      actions: [
        "ecr:DescribeImages",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchCheckLayerAvailability",
      ],
      resources: (s) => [...s.promotionSources],
      why: "The promote role copies the image another environment released, from that environment's repository",
    },
  ],
};

export const EXEC_SESSIONS: ServiceAccess = {
  services: ["ssmmessages"],
  grants: [],
  boundary: {},
  runtime: [
    {
      sid: "ExecSessions",
      actions: ["ssmmessages:*"],
      resources: () => ["*"],
      why: "The ECS Exec agent in the app's tasks opens its session channels; they take no resource",
    },
  ],
};

/** Scalable targets of this account and region (the tag condition picks the environment's). */
const scalableTargets = (s: AccessScope) => [arn(s, "application-autoscaling", "scalable-target/*")];

export const SCALING: ServiceAccess = {
  services: ["application-autoscaling"],
  grants: [
    {
      sid: "EnvironmentScalableTargets",
      resources: scalableTargets,
      condition: taggedExisting,
      terraform: {
        aws_appautoscaling_target: {
          write: [
            "application-autoscaling:RegisterScalableTarget",
            "application-autoscaling:DeregisterScalableTarget",
          ],
          read: ["application-autoscaling:ListTagsForResource"],
        },
        aws_appautoscaling_policy: {
          write: ["application-autoscaling:PutScalingPolicy", "application-autoscaling:DeleteScalingPolicy"],
        },
      },
    },
    {
      sid: "RetagEnvironmentScalableTargets",
      resources: scalableTargets,
      condition: taggedExistingOtherKeys,
      terraform: {
        aws_appautoscaling_target: {
          write: ["application-autoscaling:TagResource", "application-autoscaling:UntagResource"],
        },
      },
    },
  ],
  unscoped: [
    ["DescribeScalableTargets", "aws_appautoscaling_target"],
    ["DescribeScalingPolicies", "aws_appautoscaling_policy"],
  ].map(([action, terraform]) => ({
    action: `application-autoscaling:${action}`,
    why: "Application Auto Scaling's Describe calls take no resource",
    terraform: [terraform],
    read: true,
  })),
  boundary: { tagged: true },
  administrator: {
    aws_appautoscaling_target:
      "Scalable targets carry ids, and a new one's tags cannot be told apart from another application's: an administrator registers it",
  },
};
