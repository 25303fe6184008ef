import { Construct } from "constructs";
import { Codepipeline, type CodepipelineStage } from "@cdktf/provider-aws/lib/codepipeline";
import { CodestarconnectionsConnection } from "@cdktf/provider-aws/lib/codestarconnections-connection";
import { CodestarnotificationsNotificationRule } from "@cdktf/provider-aws/lib/codestarnotifications-notification-rule";
import type { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { allow, assumedBy, policyDocument } from "../iam";
import { checkPattern, GIT_BRANCH, GITHUB_REPOSITORY, refuse, type Range, checkRange } from "../limits";
import type { EncryptionKey } from "../encryption-key";
import { PrivateBucket } from "../private-bucket";
import { BuildStep } from "./build-step";
import { PromoteStep, type PromotionSource } from "./promote-step";
import { artifactAccess } from "./delivery-step";
import { ReleaseStep, type ReleaseStepProps } from "./release-step";

/** What the release step needs, passed through (documented on ReleaseStepProps). */
type ReleaseTarget = Omit<ReleaseStepProps, "artifacts" | "encryptionKeys" | "repositoryArn">;

export interface DeliveryPipelineProps extends ReleaseTarget {
  /** GitHub repository of the Rails app, `owner/name`. */
  readonly appRepository: string;
  /** Release branch; every push to it is built and released. */
  readonly branch: string;
  /** Wait for a manual approval between build and release (production). */
  readonly requireApproval: boolean;
  /** ECR repository the image is pushed to. */
  readonly ecrRepository: EcrRepository;
  /** SNS topic told about failed pipeline runs. */
  readonly alarmTopicArn: string;
  /** Customer-managed key of the artifacts (bucket, pipeline store, build output). */
  readonly artifactKey: EncryptionKey;
  /** Customer-managed key of the steps' log groups. */
  readonly logEncryptionKeyArn: string;
  /** Where the artifact bucket's server access logs go (an SSE-S3 bucket). */
  readonly accessLogBucket: PrivateBucket;
  /** Days S3 keeps pipeline artifacts (source zips, image records). @default 30 */
  readonly artifactRetentionDays?: number;
  /** Let `terraform destroy` empty the artifact bucket; only for throw-away environments. */
  readonly forceDestroy: boolean;
  /**
   * Build once, promote: release the images another environment released (its repository, which must let this
   * pipeline's promote role pull), copied by digest after the approval, instead of building. @default build
   */
  readonly promoteFrom?: PromotionSource;
}

/** Days pipeline artifacts are kept: long enough to look at a failed run, then gone. */
const ARTIFACT_RETENTION_DAYS: Range = { min: 1, max: 365, unit: "days" };
const DEFAULT_ARTIFACT_RETENTION_DAYS = 30;

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
  /** The step that produces the image: it builds it from source, or promotes what another environment released. */
  public readonly build: BuildStep | PromoteStep;
  /** Registers the revision, migrates, deploys. */
  public readonly release: ReleaseStep;
  public readonly pipeline: Codepipeline;
  public readonly pipelineRole: IamRole;
  public readonly failureNotification: CodestarnotificationsNotificationRule;

  constructor(scope: Construct, id: string, props: DeliveryPipelineProps) {
    super(scope, id);
    DeliveryPipeline.validate(props);
    const { naming, account, branch } = props;

    this.connection = new CodestarconnectionsConnection(this, "github", {
      name: naming.name("github", 32),
      providerType: "GitHub",
    });

    // One customer key for the bucket, the pipeline's artifact store and the steps' output; versioned, as
    // CodePipeline recommends for its artifact store.
    this.artifacts = new PrivateBucket(this, "artifacts", {
      bucketName: naming.name(`delivery-artifacts-${account}`, 63),
      forceDestroy: props.forceDestroy,
      encryptionKeyArn: props.artifactKey.key.arn,
      versioned: true,
    });
    this.artifacts.logAccessTo(props.accessLogBucket);
    new S3BucketLifecycleConfiguration(this, "artifact-lifecycle", {
      bucket: this.artifacts.bucket.id,
      rule: [
        {
          id: "expire-artifacts",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ days: props.artifactRetentionDays ?? DEFAULT_ARTIFACT_RETENTION_DAYS }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });
    const { artifacts } = this;
    const { logRetentionDays } = props;
    const encryptionKeys = { logs: props.logEncryptionKeyArn, artifacts: props.artifactKey };
    const imageStep = {
      naming,
      account,
      artifacts,
      logRetentionDays,
      encryptionKeys,
      repository: props.ecrRepository,
    };
    this.build = props.promoteFrom
      ? new PromoteStep(this, "promote", { ...imageStep, source: props.promoteFrom })
      : new BuildStep(this, "build", imageStep);
    this.release = new ReleaseStep(this, "release", {
      naming,
      account,
      artifacts,
      logRetentionDays,
      encryptionKeys,
      region: props.region,
      clusterArn: props.clusterArn,
      clusterName: props.clusterName,
      serviceName: props.serviceName,
      task: props.task,
      subnetIds: props.subnetIds,
      securityGroupIds: props.securityGroupIds,
      imageParameter: props.imageParameter,
      releaseLockParameter: props.releaseLockParameter,
      minCount: props.minCount,
      repositoryArn: props.ecrRepository.arn,
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
    props.artifactKey.grantUse(this.pipelineRole);

    this.pipeline = new Codepipeline(this, "pipeline", {
      name: naming.name("delivery"),
      roleArn: this.pipelineRole.arn,
      pipelineType: "V2",
      // Every push is released, in order; none is skipped for a newer one.
      executionMode: "QUEUED",
      artifactStore: [
        {
          type: "S3",
          location: this.artifacts.bucket.bucket,
          encryptionKey: { id: props.artifactKey.key.arn, type: "KMS" },
        },
      ],
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

  /** Refuses a repository or branch the pipeline could not follow exactly. */
  public static validate(props: DeliveryPipelineProps): void {
    refuse("DeliveryPipeline", {
      appRepository: checkPattern(GITHUB_REPOSITORY, props.appRepository),
      branch: checkPattern(GIT_BRANCH, props.branch),
      artifactRetentionDays: checkRange(
        ARTIFACT_RETENTION_DAYS,
        props.artifactRetentionDays ?? DEFAULT_ARTIFACT_RETENTION_DAYS,
      ),
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
    const release = {
      name: "Release",
      action: [codebuild("Release", "image", "release", this.release.project.name)],
    };
    if (props.promoteFrom) {
      // Approve first, then copy what the source environment released: nothing is built here.
      const promote = {
        name: "Promote",
        action: [codebuild("Promote", "source", "image", this.build.project.name)],
      };
      return [source, ...(props.requireApproval ? [approval] : []), promote, release];
    }
    return [
      source,
      { name: "Build", action: [codebuild("Build", "source", "image", this.build.project.name)] },
      ...(props.requireApproval ? [approval] : []),
      release,
    ];
  }
}
