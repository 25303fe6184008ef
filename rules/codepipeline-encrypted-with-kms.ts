import { requireThat, type Rule } from "./rule";

export const codepipelineEncryptedWithKms = {
  id: "codepipeline-encrypted-with-kms",
  fsbp: [],
  checkov: ["CKV_AWS_219"],
  resourceTypes: ["aws_codepipeline"],
  reason:
    "Pipeline artifacts are the app's source and images; a customer-managed key decides who can read them.",
  fix: "Give every artifact_store an encryption_key of type KMS with a customer-managed key.",
  check: (pipeline) =>
    requireThat(
      [pipeline.block.artifact_store].flat().every((s) => [s?.encryption_key].flat()[0]?.type === "KMS"),
      "an artifact store is not encrypted with a customer-managed key",
    ),
} as const satisfies Rule;
