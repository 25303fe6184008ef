import { requireThat, type Rule } from "./rule";

export const codebuildHardened = {
  id: "codebuild-hardened",
  fsbp: ["CodeBuild.4"],
  checkov: ["CKV_AWS_147", "CKV_AWS_311", "CKV_AWS_314", "CKV_AWS_78"],
  resourceTypes: ["aws_codebuild_project"],
  reason:
    "Build artifacts and logs hold the app's code and output; they must be encrypted with a customer key and kept.",
  fix: "Set encryption_key to a customer-managed key and send logs to CloudWatch (logs_config.cloudwatch_logs).",
  check: (project) => {
    const logs = [project.block.logs_config].flat()[0];
    const cw = [logs?.cloudwatch_logs].flat()[0];
    const problems = [
      project.block.encryption_key ? "" : "no customer-managed encryption key",
      cw?.status === "DISABLED" || !cw ? "logs are not sent to CloudWatch" : "",
      [project.block.artifacts].flat().some((a) => a?.encryption_disabled === true)
        ? "artifact encryption is off"
        : "",
    ].filter(Boolean);
    return requireThat(problems.length === 0, problems.join("; "));
  },
} as const satisfies Rule;
