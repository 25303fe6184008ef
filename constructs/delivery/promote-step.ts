import type { Construct } from "constructs";
import type { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { allow } from "../iam";
import type { Naming } from "../naming";
import type { PrivateBucket } from "../private-bucket";
import { ECR_PULL, ECR_PUSH, IMAGE_FILE } from "./build-step";
import { DeliveryStep, type DeliveryStepProps } from "./delivery-step";
import script from "./promote.sh";

/** The variables promote.sh reads, and nothing else. */
export type PromoteVariables = Readonly<
  Record<"SOURCE_REPOSITORY_URI" | "SOURCE_REGISTRY_ID" | "REPOSITORY_URI" | "REPOSITORY_NAME", string>
>;

/** The source environment's repository, in its own account. */
export interface PromotionSource {
  /** Its account id (the registry id). */
  readonly account: string;
  /** Its repository's URI, `<account>.dkr.ecr.<region>.amazonaws.com/<name>`. */
  readonly repositoryUri: string;
  /** Its repository's ARN. */
  readonly repositoryArn: string;
}

export interface PromoteStepProps {
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
  /** This environment's repository, which receives the copy. */
  readonly repository: EcrRepository;
  /** Where the released images come from. */
  readonly source: PromotionSource;
}

/** The name of the promote step's role in an environment: the source repository's policy names it. */
export const promoteRoleName = (naming: Naming): string => naming.name("delivery-promote", 64);

/**
 * The promote step: promote.sh copies the commit's image that the source environment released, by digest,
 * into this environment's repository. Its role may pull from the source repository (whose policy names this
 * role, constructs/container-repository.ts) and push to its own, nothing else.
 */
export class PromoteStep extends DeliveryStep {
  constructor(scope: Construct, id: string, props: PromoteStepProps) {
    const { repository, source } = props;
    const variables: PromoteVariables = {
      SOURCE_REPOSITORY_URI: source.repositoryUri,
      SOURCE_REGISTRY_ID: source.account,
      REPOSITORY_URI: repository.repositoryUrl,
      REPOSITORY_NAME: repository.name,
    };
    super(scope, id, {
      naming: props.naming,
      account: props.account,
      purpose: "promote",
      artifacts: props.artifacts,
      logRetentionDays: props.logRetentionDays,
      encryptionKeys: props.encryptionKeys,
      script,
      outputFiles: [IMAGE_FILE],
      variables,
      // docker pull and push need the Docker daemon.
      privileged: true,
      statements: [
        // GetAuthorizationToken has no resource-level permission: its token is for a registry, not a repository.
        allow("RegistryLogin", "ecr:GetAuthorizationToken", "*"),
        allow("PullTheReleasedImage", ECR_PULL, source.repositoryArn),
        allow("PushTheCopy", ECR_PUSH, repository.arn),
      ],
    });
  }
}
