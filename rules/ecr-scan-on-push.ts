import { requireThat, type Rule } from "./rule";

export const ecrScanOnPush = {
  id: "ecr-scan-on-push",
  fsbp: ["ECR.1"],
  checkov: ["CKV_AWS_163"],
  resourceTypes: ["aws_ecr_repository"],
  reason: "Scanning every pushed image reports known vulnerabilities before the image is released.",
  fix: "Set image_scanning_configuration.scan_on_push = true.",
  check: (repo) =>
    requireThat(
      [repo.block.image_scanning_configuration].flat().some((c) => c?.scan_on_push === true),
      "images are not scanned on push",
    ),
} as const satisfies Rule;
