import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { assumedBy, policyDocument, type PolicyStatement } from "./iam";
import type { Naming } from "./naming";
import type { PrivateBucket } from "./private-bucket";

export interface DeliveryStepProps {
  /** Resource names. */
  readonly naming: Naming;
  /** AWS account id (trust-policy guard). */
  readonly account: string;
  /** Short purpose used in names, e.g. `build`. */
  readonly purpose: string;
  /** The buildspec, as the YAML (or JSON) text CodeBuild reads. */
  readonly buildspec: string;
  /** Plain environment variables the buildspec reads. @default {} */
  readonly variables?: Record<string, string>;
  /** Run the Docker daemon (image builds only). @default false */
  readonly privileged?: boolean;
  /** CodeBuild compute type. @default "BUILD_GENERAL1_SMALL" */
  readonly computeType?: string;
  /** Minutes before CodeBuild stops the step. @default 60 */
  readonly timeoutMinutes?: number;
  /** Runs of this step at once, however started; undefined means no limit. @default undefined */
  readonly concurrentBuildLimit?: number;
  /** Log retention, days. @default 30 */
  readonly logRetentionDays?: number;
  /** The pipeline's artifact bucket, where the step reads its input and writes its output. */
  readonly artifacts: PrivateBucket;
  /** What the step may do beyond its artifacts and its logs. */
  readonly statements: PolicyStatement[];
}

/** CodeBuild's Amazon Linux 2023 image: Docker, AWS CLI v2 and jq. */
export const BUILD_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0";

/** An Allow statement, on one line where a policy lists many. */
export function allow(
  Sid: string,
  Action: string | string[],
  Resource: string | string[],
  Condition?: PolicyStatement["Condition"],
): PolicyStatement {
  return { Sid, Effect: "Allow", Action, Resource, ...(Condition ? { Condition } : {}) };
}

/** What a pipeline role or step role needs on the artifact bucket: objects in and out, and nothing else. */
export function artifactAccess(artifacts: PrivateBucket): PolicyStatement[] {
  return [
    allow("PipelineArtifacts", ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"], artifacts.objectsArn),
    allow(
      "ArtifactBucket",
      ["s3:GetBucketAcl", "s3:GetBucketLocation", "s3:GetBucketVersioning"],
      artifacts.bucket.arn,
    ),
  ];
}

/**
 * One CodeBuild step of the delivery pipeline: the project (source and artifacts from CodePipeline), its log
 * group with retention, and a role that may use its artifacts, write its logs and do what `statements` say.
 */
export class DeliveryStep extends Construct {
  public readonly project: CodebuildProject;
  public readonly role: IamRole;
  public readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: DeliveryStepProps) {
    super(scope, id);
    const { naming, purpose } = props;
    const privileged = props.privileged ?? false;
    const timeout = props.timeoutMinutes ?? 60;
    if (!Number.isInteger(timeout) || timeout < 5 || timeout > 2160) {
      throw new Error(`DeliveryStep: timeoutMinutes must be 5 to 2160 (CodeBuild's limits), got ${timeout}`);
    }

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: naming.path(`delivery-${purpose}`),
      retentionInDays: props.logRetentionDays ?? 30,
    });
    this.role = new IamRole(this, "role", {
      name: naming.name(`delivery-${purpose}`, 64),
      description: `CodeBuild: the ${purpose} step of the delivery pipeline`,
      assumeRolePolicy: assumedBy("codebuild.amazonaws.com", props.account),
    });
    new IamRolePolicy(this, "policy", {
      role: this.role.id,
      name: purpose,
      policy: policyDocument(
        ...artifactAccess(props.artifacts),
        allow("StepLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], `${this.logGroup.arn}:*`),
        ...props.statements,
      ),
    });

    this.project = new CodebuildProject(this, "project", {
      name: naming.name(purpose),
      description: `${naming.prefix}: ${purpose} step of the delivery pipeline`,
      serviceRole: this.role.arn,
      buildTimeout: timeout,
      concurrentBuildLimit: props.concurrentBuildLimit,
      source: { type: "CODEPIPELINE", buildspec: props.buildspec },
      artifacts: { type: "CODEPIPELINE" },
      environment: {
        type: "LINUX_CONTAINER",
        computeType: props.computeType ?? "BUILD_GENERAL1_SMALL",
        image: BUILD_IMAGE,
        imagePullCredentialsType: "CODEBUILD",
        privilegedMode: privileged,
        environmentVariable: Object.entries(props.variables ?? {}).map(([name, value]) => ({
          name,
          value,
          type: "PLAINTEXT",
        })),
      },
      // Docker layers of the last build stay on the build host for a while: unchanged layers are not rebuilt.
      cache: privileged ? { type: "LOCAL", modes: ["LOCAL_DOCKER_LAYER_CACHE"] } : undefined,
      logsConfig: {
        cloudwatchLogs: { status: "ENABLED", groupName: this.logGroup.name },
        s3Logs: { status: "DISABLED" },
      },
    });
  }
}
