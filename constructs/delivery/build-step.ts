import type { Construct } from "constructs";
import type { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { allow } from "../iam";
import type { Naming } from "../naming";
import type { PrivateBucket } from "../private-bucket";
import script from "./build.sh";
import { DeliveryStep, type DeliveryStepProps } from "./delivery-step";

/** The file build.sh writes (`{"imageUri": ...}`) and release.sh reads. */
export const IMAGE_FILE = "image.json";

/** The variables build.sh reads, and nothing else. */
export type BuildVariables = Readonly<Record<"REPOSITORY_URI" | "REPOSITORY_NAME", string>>;

/** What pulling an image (and reading its tags) needs on a repository. */
export const ECR_PULL = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:BatchGetImage",
  "ecr:DescribeImages",
  "ecr:GetDownloadUrlForLayer",
];

/** What `docker push` (and a layer-cache pull) needs on the repository. */
export const ECR_PUSH = [
  ...ECR_PULL,
  "ecr:CompleteLayerUpload",
  "ecr:InitiateLayerUpload",
  "ecr:PutImage",
  "ecr:UploadLayerPart",
];

export interface BuildStepProps {
  /** Resource names. */
  readonly naming: Naming;
  /** AWS account id (trust-policy guard). */
  readonly account: string;
  /** The pipeline's artifact bucket. */
  readonly artifacts: PrivateBucket;
  /** Log retention, days. */
  readonly logRetentionDays: number;
  /** Keys of the step's logs and of the pipeline's artifacts. */
  readonly encryptionKeys: DeliveryStepProps["encryptionKeys"];
  /** ECR repository the image is pushed to. */
  readonly repository: EcrRepository;
}

/**
 * The build step: build.sh turns the app's source into an image tagged with its commit SHA and pushes it to
 * the environment's repository. Its role may push to that repository and nothing else.
 */
export class BuildStep extends DeliveryStep {
  constructor(scope: Construct, id: string, props: BuildStepProps) {
    const { repository } = props;
    const variables: BuildVariables = {
      REPOSITORY_URI: repository.repositoryUrl,
      REPOSITORY_NAME: repository.name,
    };
    super(scope, id, {
      naming: props.naming,
      account: props.account,
      purpose: "build",
      artifacts: props.artifacts,
      logRetentionDays: props.logRetentionDays,
      encryptionKeys: props.encryptionKeys,
      script,
      outputFiles: [IMAGE_FILE],
      variables,
      // Docker builds need the Docker daemon, and a Rails asset build wants more than 3 GB of memory.
      privileged: true,
      computeType: "BUILD_GENERAL1_MEDIUM",
      statements: [
        // GetAuthorizationToken has no resource-level permission: its token is for the registry, not a repository.
        allow("RegistryLogin", "ecr:GetAuthorizationToken", "*"),
        allow("PushTheAppImage", ECR_PUSH, repository.arn),
      ],
    });
  }
}
