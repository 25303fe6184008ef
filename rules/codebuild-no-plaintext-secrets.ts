import { requireThat, type Rule } from "./rule";

const SECRET_LIKE = /(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL)/;

export const codebuildNoPlaintextSecrets = {
  id: "codebuild-no-plaintext-secrets",
  fsbp: ["CodeBuild.2"],
  checkov: [],
  resourceTypes: ["aws_codebuild_project"],
  reason:
    "A plaintext environment variable of a build project is visible to anyone who can read the project.",
  fix: "Use type SECRETS_MANAGER or PARAMETER_STORE for credentials.",
  check: (project) => {
    const variables = [project.block.environment].flat()[0]?.environment_variable ?? [];
    const plain = (variables as Array<{ name: string; type?: string }>).filter(
      (v) => (v.type ?? "PLAINTEXT") === "PLAINTEXT" && SECRET_LIKE.test(v.name),
    );
    return requireThat(plain.length === 0, `plaintext credentials: ${plain.map((v) => v.name).join(", ")}`);
  },
} as const satisfies Rule;
