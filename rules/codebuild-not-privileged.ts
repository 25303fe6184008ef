import { requireThat, type Rule } from "./rule";

export const codebuildNotPrivileged = {
  id: "codebuild-not-privileged",
  fsbp: ["CodeBuild.5"],
  checkov: ["CKV_AWS_316"],
  resourceTypes: ["aws_codebuild_project"],
  reason: "A privileged build container has root on its build host.",
  fix: "Set environment.privileged_mode = false (only image builds need Docker).",
  check: (project) =>
    requireThat([project.block.environment].flat()[0]?.privileged_mode !== true, "the build runs privileged"),
} as const satisfies Rule;
