import type { Construct } from "constructs";
import { Fn } from "cdktf";
import type { AppTaskDefinition } from "../app-task-definition";
import { allow } from "../iam";
import { refuse } from "../limits";
import type { Naming } from "../naming";
import type { PrivateBucket } from "../private-bucket";
import { DeliveryStep, type DeliveryStepProps } from "./delivery-step";
import script from "./release.sh";

/** The variables release.sh reads, and nothing else; subnet and security group ids are comma-separated. */
export type ReleaseVariables = Readonly<
  Record<
    | "CLUSTER"
    | "SERVICE"
    | "TASK_FAMILY"
    | "CONTAINER_NAME"
    | "SUBNET_IDS"
    | "SECURITY_GROUP_IDS"
    | "IMAGE_PARAMETER"
    | "RELEASE_LOCK_PARAMETER"
    | "MIN_COUNT",
    string
  >
>;

/** The files release.sh writes: CodePipeline's image definitions, and a record of what was released. */
export const RELEASE_FILES = ["imagedefinitions.json", "release.json"];

export interface ReleaseStepProps {
  /** Resource names. */
  readonly naming: Naming;
  /** AWS account id (ARNs and trust-policy guard). */
  readonly account: string;
  /** AWS region (ARNs). */
  readonly region: string;
  /** The pipeline's artifact bucket. */
  readonly artifacts: PrivateBucket;
  /** Log retention, days. */
  readonly logRetentionDays: number;
  /** Keys of the step's logs and of the pipeline's artifacts. */
  readonly encryptionKeys: DeliveryStepProps["encryptionKeys"];
  /** ECS cluster of the service and the migration task. */
  readonly clusterArn: string;
  /** Name of the same cluster (task and service ARNs). */
  readonly clusterName: string;
  /** ECS service that is deployed. */
  readonly serviceName: string;
  /** The app's task definition; its family's newest revision is the base of each release. */
  readonly task: AppTaskDefinition;
  /** Private subnets of the migration task (no public IP). */
  readonly subnetIds: string[];
  /** Security groups of the migration task (the app's, so it reaches the database). */
  readonly securityGroupIds: string[];
  /** SSM String parameter the release writes the deployed image URI to. */
  readonly imageParameter: { readonly name: string; readonly arn: string };
  /** SSM parameter a release or an operator's rollback holds while it runs (made and removed by release.sh). */
  readonly releaseLockParameter: { readonly name: string; readonly arn: string };
  /** Tasks the service runs once released: the first release starts them (none run before it). */
  readonly minCount: number;
  /** ARN of the environment's image repository, where a released image is tagged `released-<time>`. */
  readonly repositoryArn: string;
}

/**
 * The release step: release.sh registers a revision with the new image, migrates from it, deploys it and
 * records it. Its role may do exactly that in this environment's cluster, and withdraw a revision that failed.
 */
export class ReleaseStep extends DeliveryStep {
  constructor(scope: Construct, id: string, props: ReleaseStepProps) {
    const { task, account, region, clusterName } = props;
    refuse("ReleaseStep", {
      subnetIds: props.subnetIds.length === 0 ? "the migration task needs private subnets" : undefined,
      securityGroupIds:
        props.securityGroupIds.length === 0 ? "the migration task needs the app's security group" : undefined,
    });
    const variables: ReleaseVariables = {
      CLUSTER: clusterName,
      SERVICE: props.serviceName,
      TASK_FAMILY: task.taskDefinition.family,
      CONTAINER_NAME: task.containerName,
      SUBNET_IDS: Fn.join(",", props.subnetIds),
      SECURITY_GROUP_IDS: Fn.join(",", props.securityGroupIds),
      IMAGE_PARAMETER: props.imageParameter.name,
      RELEASE_LOCK_PARAMETER: props.releaseLockParameter.name,
      MIN_COUNT: String(props.minCount),
    };
    const scalableTarget = `arn:aws:application-autoscaling:${region}:${account}:scalable-target/*`;
    const familyArn = task.taskDefinition.arnWithoutRevision;
    const tasksArn = `arn:aws:ecs:${region}:${account}:task/${clusterName}/*`;
    const serviceArn = `arn:aws:ecs:${region}:${account}:service/${clusterName}/${props.serviceName}`;
    const inCluster = { ArnEquals: { "ecs:cluster": props.clusterArn } };
    super(scope, id, {
      naming: props.naming,
      account,
      purpose: "release",
      artifacts: props.artifacts,
      logRetentionDays: props.logRetentionDays,
      encryptionKeys: props.encryptionKeys,
      script,
      outputFiles: RELEASE_FILES,
      variables,
      // Migration and rollout each wait up to an hour.
      timeoutMinutes: 150,
      // One release at a time, even when someone starts the project by hand.
      concurrentBuildLimit: 1,
      statements: [
        // None of these has resource-level permissions in ECS: they must name "*". Deregister withdraws a
        // revision whose migration or deploy failed, so the weekly job keeps the released image.
        // List finds a newer revision that an earlier, unfinished release left (release.sh settles it).
        allow(
          "ReadRegisterAndWithdrawRevisions",
          [
            "ecs:DescribeTaskDefinition",
            "ecs:ListTaskDefinitions",
            "ecs:RegisterTaskDefinition",
            "ecs:DeregisterTaskDefinition",
          ],
          "*",
        ),
        allow("TagWhatTheReleaseCreates", "ecs:TagResource", [`${familyArn}:*`, tasksArn], {
          StringEquals: { "ecs:CreateAction": ["RegisterTaskDefinition", "RunTask"] },
        }),
        allow("RunTheMigrationInTheCluster", "ecs:RunTask", `${familyArn}:*`, inCluster),
        allow("WatchTheMigration", "ecs:DescribeTasks", tasksArn, inCluster),
        allow("DeployTheService", ["ecs:UpdateService", "ecs:DescribeServices"], serviceArn),
        allow("PassTheTaskRoles", "iam:PassRole", [task.executionRole.arn, task.taskRole.arn], {
          StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" },
        }),
        // Read too: a release first records what the service runs, if an earlier one ended before its deployment.
        allow("RecordTheDeployedImage", ["ssm:GetParameter", "ssm:PutParameter"], props.imageParameter.arn),
        // One release or rollback at a time: the lock is a parameter made without overwrite, removed at the end.
        allow(
          "HoldTheReleaseLock",
          ["ssm:GetParameter", "ssm:PutParameter", "ssm:DeleteParameter"],
          props.releaseLockParameter.arn,
        ),
        // The released-<time> tag: read the image's manifest, put it again under the new tag.
        allow("MarkTheImageReleased", ["ecr:BatchGetImage", "ecr:PutImage"], props.repositoryArn),
        // The preflight reads whether each secret has a value (its metadata), never the value.
        allow("PreflightTheSecrets", "secretsmanager:DescribeSecret", task.secretArns),
        // The first release starts the service's tasks and raises its autoscaling floor.
        allow("ReadTheAutoscalingFloor", "application-autoscaling:DescribeScalableTargets", "*"),
        allow("RaiseTheAutoscalingFloor", "application-autoscaling:RegisterScalableTarget", scalableTarget),
      ],
    });
  }
}
