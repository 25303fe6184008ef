import type { Case, FamilyRuleId } from "./harness";

const RELEASE = "delivery/release/project";

export const deliveryCases: Record<FamilyRuleId<"delivery">, Case> = {
  "codebuild-hardened": {
    breaks: [
      {
        what: "the release project encrypts with the AWS-managed key",
        at: RELEASE,
        apply: (s) => delete s.block(RELEASE).encryption_key,
      },
      {
        what: "the release project sends no logs to CloudWatch",
        at: RELEASE,
        apply: (s) => (s.block(RELEASE).logs_config.cloudwatch_logs.status = "DISABLED"),
      },
    ],
  },
  "codebuild-not-privileged": {
    breaks: [
      {
        what: "the release project runs privileged (only the image build may)",
        at: RELEASE,
        apply: (s) => (s.block(RELEASE).environment.privileged_mode = true),
      },
    ],
  },
  "codebuild-no-plaintext-secrets": {
    breaks: [
      {
        what: "a token is a plaintext variable of the release project",
        at: RELEASE,
        apply: (s) =>
          s.block(RELEASE).environment.environment_variable.push({
            name: "GITHUB_TOKEN",
            type: "PLAINTEXT",
            value: "ghp_x",
          }),
      },
    ],
  },
  "codepipeline-encrypted-with-kms": {
    breaks: [
      {
        what: "the artifact store uses the default key",
        at: "delivery/pipeline",
        apply: (s) => {
          for (const store of [s.block("delivery/pipeline").artifact_store].flat())
            delete store.encryption_key;
        },
      },
    ],
  },
};
