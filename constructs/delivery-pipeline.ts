import { Construct } from "constructs";
import { Fn } from "cdktf";
import { Codepipeline, type CodepipelineStage } from "@cdktf/provider-aws/lib/codepipeline";
import { CodestarconnectionsConnection } from "@cdktf/provider-aws/lib/codestarconnections-connection";
import { CodestarnotificationsNotificationRule } from "@cdktf/provider-aws/lib/codestarnotifications-notification-rule";
import type { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { isRepositoryFullName } from "../config/github";
import type { AppTaskDefinition } from "./app-task-definition";
import { type BUILD_VARIABLES, type RELEASE_VARIABLES, buildSpec, releaseSpec } from "./delivery-buildspecs";
import { allow, artifactAccess, DeliveryStep, type DeliveryStepProps } from "./delivery-step";
import { assumedBy, policyDocument } from "./iam";
import type { Naming } from "./naming";
import { PrivateBucket } from "./private-bucket";

export interface DeliveryPipelineProps {
  /** Resource names. */
  readonly naming: Naming;
  /** AWS account id (ARNs and trust-policy guards). */
  readonly account: string;
  /** AWS region (ARNs). */
  readonly region: string;
  /** GitHub repository of the Rails app, `owner/name`. */
  readonly appRepository: string;
  /** Release branch; every push to it is built and released. @default "main" */
  readonly branch?: string;
  /** Wait for a manual approval between build and release (production). @default false */
  readonly requireApproval?: boolean;
  /** ECR repository the image is pushed to. */
  readonly ecrRepository: EcrRepository;
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
  /** SNS topic told about failed pipeline runs. */
  readonly alarmTopicArn: string;
  /** Build and release log retention, days. @default 30 */
  readonly logRetentionDays?: number;
  /** Days S3 keeps pipeline artifacts (source zips, image records). @default 30 */
  readonly artifactRetentionDays?: number;
  /** SSM String parameter the release writes the deployed image URI to. */
  readonly imageParameter: { readonly name: string; readonly arn: string };
  /** Let `terraform destroy` empty the artifact bucket; only for throw-away environments. @default false */
  readonly forceDestroy?: boolean;
}

/** A plain branch name: no glob characters (the trigger would match more), no `..`, no leading dash. */
const BRANCH = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,255}$/;

/** What `docker push` (and a layer-cache pull) needs on the repository. */
const ECR_PUSH = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:BatchGetImage",
  "ecr:CompleteLayerUpload",
  "ecr:DescribeImages",
  "ecr:GetDownloadUrlForLayer",
  "ecr:InitiateLayerUpload",
  "ecr:PutImage",
  "ecr:UploadLayerPart",
];

/**
 * Continuous delivery of the Rails app for one environment: a push to the release branch is built into an
 * image tagged with its commit SHA, optionally approved, then released (new task definition revision,
 * database migration as a one-off task, service deploy with circuit breaker); a failed run alerts the alarm
 * topic. The GitHub connection is created PENDING: an operator completes the handshake once in the
 * console (Developer Tools > Settings > Connections > Update pending connection), and until then the
 * pipeline's source stage fails.
 */
export class DeliveryPipeline extends Construct {
  public readonly connection: CodestarconnectionsConnection;
  public readonly artifacts: PrivateBucket;
  /** Builds and pushes the image. */
  public readonly build: DeliveryStep;
  /** Registers the revision, migrates, deploys. */
  public readonly release: DeliveryStep;
  public readonly pipeline: Codepipeline;
  public readonly pipelineRole: IamRole;
  public readonly failureNotification: CodestarnotificationsNotificationRule;

  constructor(scope: Construct, id: string, props: DeliveryPipelineProps) {
    super(scope, id);
    const { naming, account, region, task } = props;
    const branch = props.branch ?? "main";
    validate(props, branch);
    const logRetentionDays = props.logRetentionDays ?? 30;

    this.connection = new CodestarconnectionsConnection(this, "github", {
      name: naming.name("github", 32),
      providerType: "GitHub",
    });

    // SSE-S3 by default, like every bucket here; CodePipeline itself writes artifacts with SSE-KMS under the
    // AWS-managed aws/s3 key. A customer key only matters for cross-account pipelines, which this is not.
    this.artifacts = new PrivateBucket(this, "artifacts", {
      bucketName: naming.name(`delivery-artifacts-${account}`, 63),
      forceDestroy: props.forceDestroy ?? false,
    });
    new S3BucketLifecycleConfiguration(this, "artifact-lifecycle", {
      bucket: this.artifacts.bucket.id,
      rule: [
        {
          id: "expire-artifacts",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ days: props.artifactRetentionDays ?? 30 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });
    const step = (
      purpose: string,
      stepProps: Omit<DeliveryStepProps, "naming" | "account" | "purpose" | "artifacts">,
    ) =>
      new DeliveryStep(this, purpose, { naming, account, purpose, artifacts: this.artifacts, ...stepProps });

    const repo = props.ecrRepository;
    const buildVariables: Record<(typeof BUILD_VARIABLES)[number], string> = {
      REPOSITORY_URI: repo.repositoryUrl,
      REPOSITORY_NAME: repo.name,
    };
    this.build = step("build", {
      buildspec: buildSpec(),
      variables: buildVariables,
      // Docker builds need the Docker daemon, and a Rails asset build wants more than 3 GB of memory.
      privileged: true,
      computeType: "BUILD_GENERAL1_MEDIUM",
      logRetentionDays,
      statements: [
        // GetAuthorizationToken has no resource-level permission: its token is for the registry, not a repository.
        allow("RegistryLogin", "ecr:GetAuthorizationToken", "*"),
        allow("PushTheAppImage", ECR_PUSH, repo.arn),
      ],
    });

    const familyArn = task.taskDefinition.arnWithoutRevision;
    const tasksArn = `arn:aws:ecs:${region}:${account}:task/${props.clusterName}/*`;
    const serviceArn = `arn:aws:ecs:${region}:${account}:service/${props.clusterName}/${props.serviceName}`;
    const inCluster = { ArnEquals: { "ecs:cluster": props.clusterArn } };
    const releaseVariables: Record<(typeof RELEASE_VARIABLES)[number], string> = {
      CLUSTER: props.clusterName,
      SERVICE: props.serviceName,
      TASK_FAMILY: task.taskDefinition.family,
      CONTAINER_NAME: task.containerName,
      SUBNET_IDS: Fn.join(",", props.subnetIds),
      SECURITY_GROUP_IDS: Fn.join(",", props.securityGroupIds),
      IMAGE_PARAMETER: props.imageParameter.name,
    };
    this.release = step("release", {
      buildspec: releaseSpec(),
      variables: releaseVariables,
      // Migration and rollout each wait up to an hour.
      timeoutMinutes: 150,
      // One release at a time, even when someone starts the project by hand.
      concurrentBuildLimit: 1,
      logRetentionDays,
      statements: [
        // None of these has resource-level permissions in ECS: they must name "*". Deregister withdraws a
        // revision whose migration or deploy failed, so the weekly job keeps the released image.
        allow(
          "ReadRegisterAndWithdrawRevisions",
          ["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition"],
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
        allow("RecordTheDeployedImage", "ssm:PutParameter", props.imageParameter.arn),
      ],
    });

    this.pipelineRole = new IamRole(this, "pipeline-role", {
      name: naming.name("delivery-pipeline", 64),
      description: "CodePipeline: fetch the app source, start the build and release steps",
      assumeRolePolicy: assumedBy("codepipeline.amazonaws.com", account),
    });
    new IamRolePolicy(this, "pipeline-policy", {
      role: this.pipelineRole.id,
      name: "pipeline",
      policy: policyDocument(
        ...artifactAccess(this.artifacts),
        // The service was renamed CodeConnections in 2024; which prefix IAM checks depends on the connection's ARN.
        allow(
          "UseTheGithubConnection",
          ["codestar-connections:UseConnection", "codeconnections:UseConnection"],
          this.connection.arn,
        ),
        allow(
          "RunTheSteps",
          ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
          [this.build.project.arn, this.release.project.arn],
        ),
      ),
    });

    this.pipeline = new Codepipeline(this, "pipeline", {
      name: naming.name("delivery"),
      roleArn: this.pipelineRole.arn,
      pipelineType: "V2",
      // Every push is released, in order; none is skipped for a newer one.
      executionMode: "QUEUED",
      artifactStore: [{ type: "S3", location: this.artifacts.bucket.bucket }],
      stage: this.stages(props, branch),
      trigger: [
        {
          providerType: "CodeStarSourceConnection",
          gitConfiguration: { sourceActionName: "Source", push: [{ branches: { includes: [branch] } }] },
        },
      ],
    });

    this.failureNotification = new CodestarnotificationsNotificationRule(this, "failed", {
      name: naming.name("delivery-failed"),
      resource: this.pipeline.arn,
      detailType: "FULL",
      eventTypeIds: ["codepipeline-pipeline-pipeline-execution-failed"],
      target: [{ type: "SNS", address: props.alarmTopicArn }],
    });
  }

  private stages(props: DeliveryPipelineProps, branch: string): CodepipelineStage[] {
    const codebuild = (name: string, input: string, output: string, projectName: string) => ({
      name,
      category: "Build",
      owner: "AWS",
      provider: "CodeBuild",
      version: "1",
      inputArtifacts: [input],
      outputArtifacts: [output],
      configuration: { ProjectName: projectName },
    });
    const source: CodepipelineStage = {
      name: "Source",
      action: [
        {
          name: "Source",
          category: "Source",
          owner: "AWS",
          provider: "CodeStarSourceConnection",
          version: "1",
          namespace: "SourceVariables",
          outputArtifacts: ["source"],
          configuration: {
            ConnectionArn: this.connection.arn,
            FullRepositoryId: props.appRepository,
            BranchName: branch,
            OutputArtifactFormat: "CODE_ZIP",
          },
        },
      ],
    };
    const approval: CodepipelineStage = {
      name: "Approval",
      action: [
        {
          name: "Approve",
          category: "Approval",
          owner: "AWS",
          provider: "Manual",
          version: "1",
          configuration: {
            CustomData: `Release to ${props.naming.environment}: migrates the database, then deploys.`,
            ExternalEntityLink: `https://github.com/${props.appRepository}/commit/#{SourceVariables.CommitId}`,
          },
        },
      ],
    };
    return [
      source,
      { name: "Build", action: [codebuild("Build", "source", "image", this.build.project.name)] },
      ...(props.requireApproval ? [approval] : []),
      { name: "Release", action: [codebuild("Release", "image", "release", this.release.project.name)] },
    ];
  }
}

function validate(props: DeliveryPipelineProps, branch: string): void {
  if (!isRepositoryFullName(props.appRepository)) {
    throw new Error(
      `DeliveryPipeline: appRepository "${props.appRepository}" must be "owner/name" on GitHub`,
    );
  }
  if (!BRANCH.test(branch)) {
    throw new Error(
      `DeliveryPipeline: branch "${branch}" must be a plain branch name (letters, digits, . _ / -; no globs)`,
    );
  }
  const artifactDays = props.artifactRetentionDays ?? 30;
  if (!Number.isInteger(artifactDays) || artifactDays < 1) {
    throw new Error(
      `DeliveryPipeline: artifactRetentionDays must be a whole number of days, got ${artifactDays}`,
    );
  }
  if (props.subnetIds.length === 0 || props.securityGroupIds.length === 0) {
    throw new Error("DeliveryPipeline: the migration task needs subnetIds and securityGroupIds");
  }
}
