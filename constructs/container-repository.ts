import { Construct } from "constructs";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcrRepositoryPolicy } from "@cdktf/provider-aws/lib/ecr-repository-policy";
import { policyDocument } from "./iam";
import { checkRange, refuse, type Range } from "./limits";
import type { Naming } from "./naming";

/** Images kept: enough history to roll back, bounded so the repository does not grow forever. */
const KEEP_IMAGES: Range = { min: 5, max: 1000, unit: "images (rollbacks need history)" };

export interface ContainerRepositoryProps {
  /** Resource names. */
  readonly naming: Naming;
  /** Tagged images kept; older ones are expired. @default 50 */
  readonly keepImages?: number;
  /** Let `terraform destroy` delete a repository that still holds images; throw-away envs only. */
  readonly forceDelete: boolean;
  /** Customer-managed KMS key that encrypts the images. */
  readonly encryptionKeyArn: string;
}

/** ECR repository for the Rails image: scan on push, immutable tags, lifecycle policy. */
export class ContainerRepository extends Construct {
  public readonly repository: EcrRepository;

  constructor(scope: Construct, id: string, props: ContainerRepositoryProps) {
    super(scope, id);
    const keep = props.keepImages ?? 50;
    refuse("ContainerRepository", { keepImages: checkRange(KEEP_IMAGES, keep) });
    this.repository = new EcrRepository(this, "repo", {
      name: props.naming.name("web"),
      // A tag (the commit SHA) always means the same image, so a rollback deploys exactly what ran before.
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: props.encryptionKeyArn }],
      forceDelete: props.forceDelete,
    });
    new EcrLifecyclePolicy(this, "lifecycle", {
      repository: this.repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: "Drop untagged layers after a day",
            selection: {
              tagStatus: "untagged",
              countType: "sinceImagePushed",
              countUnit: "days",
              countNumber: 1,
            },
            action: { type: "expire" },
          },
          {
            rulePriority: 2,
            description: `Keep the newest ${keep} images`,
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
            action: { type: "expire" },
          },
        ],
      }),
    });
  }

  /**
   * Lets roles of other accounts pull released images (another environment promotes them): each account's root
   * as principal, narrowed to the named roles by `aws:PrincipalArn`, so a role that does not exist yet is no
   * error and no other principal of those accounts may pull.
   */
  public allowPullBy(roleArns: string[], pullActions: string[]): void {
    if (roleArns.length === 0) return;
    const accounts = [...new Set(roleArns.map((arn) => arn.split(":")[4]))];
    new EcrRepositoryPolicy(this, "policy", {
      repository: this.repository.name,
      policy: policyDocument({
        Sid: "PromotingEnvironmentsPull",
        Effect: "Allow",
        Principal: { AWS: accounts.map((a) => `arn:aws:iam::${a}:root`) },
        Action: pullActions,
        Condition: { ArnEquals: { "aws:PrincipalArn": roleArns } },
      }),
    });
  }

  /** Image reference for a tag. */
  public image(tag: string): string {
    return `${this.repository.repositoryUrl}:${tag}`;
  }
}
