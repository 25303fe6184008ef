import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { allow, assumedBy, policyDocument, type PolicyStatement } from "../iam";
import { checkLogRetention, checkRange, refuse, type Range } from "../limits";
import type { Naming } from "../naming";
import type { EncryptionKey } from "../encryption-key";
import type { PrivateBucket } from "../private-bucket";

export interface DeliveryStepProps {
  /** Resource names. */
  readonly naming: Naming;
  /** AWS account id (trust-policy guard). */
  readonly account: string;
  /** Short purpose used in names, e.g. `build`. */
  readonly purpose: string;
  /** The bash script the step runs (the text of its `.sh` file). */
  readonly script: string;
  /** Files the script writes that become the step's output artifact. */
  readonly outputFiles: string[];
  /** Plain environment variables the script reads. */
  readonly variables: Readonly<Record<string, string>>;
  /** Log retention, days (a value CloudWatch Logs accepts). */
  readonly logRetentionDays: number;
  /** Customer-managed KMS key of the step's log group, its artifacts and its build output. */
  readonly encryptionKeys: { readonly logs: string; readonly artifacts: EncryptionKey };
  /** The pipeline's artifact bucket, where the step reads its input and writes its output. */
  readonly artifacts: PrivateBucket;
  /** What the step may do beyond its artifacts and its logs. */
  readonly statements: PolicyStatement[];
  /** Run the Docker daemon (image builds only). @default false */
  readonly privileged?: boolean;
  /** CodeBuild compute type. @default "BUILD_GENERAL1_SMALL" */
  readonly computeType?: string;
  /** Minutes before CodeBuild stops the step (5 to 2160). @default 60 */
  readonly timeoutMinutes?: number;
  /** Runs of this step at once, however started. @default no limit */
  readonly concurrentBuildLimit?: number;
}

/** CodeBuild's Amazon Linux 2023 image: Docker, AWS CLI v2 and jq. */
export const BUILD_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0";

/** CodeBuild's own limits on a build's duration. */
const TIMEOUT_MINUTES: Range = { min: 5, max: 2160, unit: "minutes (CodeBuild's limits)" };
const DEFAULT_TIMEOUT_MINUTES = 60;

/** Ends the heredoc that carries the script into the build container; the script may not contain it. */
const SCRIPT_END = "DELIVERY_STEP_SCRIPT_END";

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
 * The buildspec that runs `script` with bash in the step's input artifact and collects `outputFiles`. The
 * script travels inside the buildspec (a quoted heredoc, so the shell expands nothing in it), because the
 * input artifact is the app's source, not this repository. Terraform reads `${` and `%{` in any string as
 * template syntax, so they are written in its escaped form (`$${`, `%%{`) and reach CodeBuild unchanged.
 */
export function buildspec(purpose: string, script: string, outputFiles: string[]): string {
  const file = `/tmp/delivery-${purpose}.sh`;
  const spec = {
    version: "0.2",
    env: { shell: "bash" },
    phases: {
      build: {
        "on-failure": "ABORT",
        commands: [`cat > ${file} <<'${SCRIPT_END}'\n${script}${SCRIPT_END}\nbash ${file}`],
      },
    },
    artifacts: { files: outputFiles },
  };
  return JSON.stringify(spec, null, 2)
    .replace(/\$\{/g, () => "$${")
    .replace(/%\{/g, () => "%%{");
}

/**
 * One CodeBuild step of the delivery pipeline: the project (source and artifacts from CodePipeline) running a
 * checked-in bash script, its log group with retention, and a role that may use its artifacts, write its logs
 * and do what `statements` say. The build and release steps subclass it, each with its script, its variables
 * and its permissions in one file.
 */
export class DeliveryStep extends Construct {
  public readonly project: CodebuildProject;
  public readonly role: IamRole;
  public readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: DeliveryStepProps) {
    super(scope, id);
    DeliveryStep.validate(props);
    const { naming, purpose } = props;
    const privileged = props.privileged ?? false;

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: naming.path(`delivery-${purpose}`),
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.encryptionKeys.logs,
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
    // Artifacts are encrypted with the pipeline's key: the step reads its input and writes its output with it.
    props.encryptionKeys.artifacts.grantUse(this.role);

    this.project = new CodebuildProject(this, "project", {
      name: naming.name(purpose),
      description: `${naming.prefix}: ${purpose} step of the delivery pipeline`,
      serviceRole: this.role.arn,
      buildTimeout: props.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES,
      encryptionKey: props.encryptionKeys.artifacts.key.arn,
      concurrentBuildLimit: props.concurrentBuildLimit,
      source: { type: "CODEPIPELINE", buildspec: buildspec(purpose, props.script, props.outputFiles) },
      artifacts: { type: "CODEPIPELINE" },
      environment: {
        type: "LINUX_CONTAINER",
        computeType: props.computeType ?? "BUILD_GENERAL1_SMALL",
        image: BUILD_IMAGE,
        imagePullCredentialsType: "CODEBUILD",
        privilegedMode: privileged,
        environmentVariable: Object.entries(props.variables).map(([name, value]) => ({
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

  /** Refuses a script the buildspec cannot carry, and settings CodeBuild or CloudWatch refuse. */
  public static validate(props: DeliveryStepProps): void {
    refuse("DeliveryStep", {
      script: !props.script.startsWith("#!/usr/bin/env bash\n")
        ? "must be a bash script starting with #!/usr/bin/env bash"
        : props.script.split("\n").includes(SCRIPT_END) || !props.script.endsWith("\n")
          ? `must end with a newline and never contain a line "${SCRIPT_END}"`
          : undefined,
      timeoutMinutes: checkRange(TIMEOUT_MINUTES, props.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES),
      logRetentionDays: checkLogRetention(props.logRetentionDays),
    });
  }
}
